import { readFileSync, mkdtempSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { makeCerts } from '../standin/certs';
import { FaultProxy, type FaultAction } from '../standin/FaultProxy';
import type { StandInClient } from '../standin/StandInClient';

// Fault injection in front of the stand-in's real servers: an https FaultProxy in front of the API
// server (announced by DescribeCluster with its own CA, so the delegate still verifies TLS), an http
// FaultProxy in front of moto S3, and a TCP gate that can drop every connection and refuse new ones
// for a while, as an API server restart does.

/** One request as a front saw it. */
export interface SeenRequest {
  at: number;
  method: string;
  url: string;
  authorization: string | undefined;
  action: FaultAction['kind'];
  status?: number;
}

export type FaultRule = (req: IncomingMessage, index: number) => FaultAction | undefined;

let proxyCerts: { caPem: string; cert: string; key: string } | undefined;

/** A throw-away CA and a serving cert for 127.0.0.1, made once per test file. */
export function frontCerts(): { caPem: string; cert: string; key: string } {
  if (!proxyCerts) {
    const c = makeCerts(mkdtempSync(join(tmpdir(), 'fault-front-')));
    proxyCerts = { caPem: c.caPem, cert: readFileSync(c.serverCert, 'utf8'), key: readFileSync(c.serverKey, 'utf8') };
  }
  return proxyCerts;
}

function recordingRule(rule: FaultRule | undefined, seen: SeenRequest[]): FaultRule {
  return (req, index) => {
    const authorization = req.headers.authorization;
    const action = rule?.(req, index) ?? { kind: 'pass' as const };
    seen.push({
      at: Date.now(), method: req.method ?? '', url: req.url ?? '', authorization, action: action.kind,
      ...(action.kind === 'respond' ? { status: action.status } : {}),
    });
    return action;
  };
}

export interface Front {
  /** What the delegate is pointed at. */
  url: string;
  proxy: FaultProxy;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/**
 * An https FaultProxy in front of the API server; DescribeCluster then announces it (endpoint and CA)
 * until close() restores the real ones. `via` lets a TcpGate sit between the delegate and the proxy.
 */
export async function frontApiServer(standIn: StandInClient, rule?: FaultRule, via?: TcpGate): Promise<Front> {
  const certs = frontCerts();
  const seen: SeenRequest[] = [];
  const proxy = new FaultProxy({
    target: standIn.conn.apiServerUrl, targetCa: standIn.conn.caPem,
    tls: { cert: certs.cert, key: certs.key }, rule: recordingRule(rule, seen),
  });
  const proxyUrl = await proxy.listen();
  const url = via ? await via.listen(Number(new URL(proxyUrl).port)) : proxyUrl;
  await standIn.patchCluster({ endpoint: url, caPem: certs.caPem });
  return {
    url, proxy, seen,
    async close() {
      await standIn.patchCluster({ endpoint: standIn.conn.apiServerUrl, caPem: standIn.conn.caPem });
      await via?.close();
      await proxy.close();
    },
  };
}

/** An http FaultProxy in front of moto; pass `url` as AWS_ENDPOINT_URL_S3. */
export async function frontS3(standIn: StandInClient, rule?: FaultRule): Promise<Front> {
  const seen: SeenRequest[] = [];
  const proxy = new FaultProxy({ target: standIn.conn.motoUrl, rule: recordingRule(rule, seen) });
  const url = await proxy.listen();
  return { url, proxy, seen, close: () => proxy.close() };
}

/**
 * A TCP pass-through whose outage() does what a restarting API server does to its clients: every open
 * connection is cut (in-flight requests die mid-way) and new ones are refused until it is back.
 */
export class TcpGate {
  #server: Server | undefined;
  #port = 0;
  #targetPort = 0;
  readonly #sockets = new Set<Socket>();
  /** Connections refused or cut by outages. */
  outages = 0;

  async listen(targetPort: number): Promise<string> {
    this.#targetPort = targetPort;
    await this.#open(0);
    return `https://127.0.0.1:${this.#port}`;
  }

  /** Cuts every connection, refuses new ones for `ms`, then accepts again on the same port. */
  async outage(ms: number): Promise<void> {
    this.outages++;
    await this.#shut();
    await new Promise((r) => setTimeout(r, ms));
    await this.#open(this.#port);
  }

  close(): Promise<void> {
    return this.#shut();
  }

  async #open(port: number): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.#targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.#server = server;
    this.#port = (server.address() as import('node:net').AddressInfo).port;
  }

  async #shut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

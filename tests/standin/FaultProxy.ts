import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';

/** What to do with one request. */
export type FaultAction =
  | { kind: 'pass' }
  | { kind: 'respond'; status: number; body?: string; headers?: Record<string, string> }
  /** Destroy the client connection before answering. */
  | { kind: 'reset' }
  /**
   * Forward the request and wait for the server's whole answer, then destroy the client connection
   * without passing it on: the server acted (a POST created its object), the client saw a reset.
   */
  | { kind: 'drop-answer' }
  /** Forward, but cut the response body after this many bytes (connection reset mid-body). */
  | { kind: 'truncate'; afterBytes: number }
  | { kind: 'delay'; ms: number }
  /** Keep the request until `until` settles (the test releases it), then forward it. */
  | { kind: 'hold'; until: Promise<unknown> };

/** One request as the proxy handled it; `status` or `error` is filled in once the server answered or failed. */
export interface ProxyLogEntry {
  method: string;
  url: string;
  action: FaultAction['kind'];
  /** The status the server itself answered with (forwarded requests only). */
  status?: number;
  /** Why the forwarded request got no answer (e.g. ECONNREFUSED while the server is down). */
  error?: string;
}

export interface FaultProxyOptions {
  /** Where requests go: http(s)://host:port. */
  target: string;
  /** CA to trust for an https target. */
  targetCa?: string;
  /** Serve TLS with this cert/key (so the delegate still verifies against the cluster CA). */
  tls?: { cert: string; key: string };
  /** Decides each request's fate; `pass` when it returns undefined. */
  rule?: (req: IncomingMessage, index: number) => FaultAction | undefined;
}

/**
 * A small forwarding proxy that injects faults in front of the real API server or the S3 emulator, so that
 * failure handling is tested against real servers rather than mocks.
 */
export class FaultProxy {
  readonly #opts: FaultProxyOptions;
  #server: Server | undefined;
  #count = 0;
  rule: FaultProxyOptions['rule'];
  readonly log: ProxyLogEntry[] = [];

  constructor(opts: FaultProxyOptions) {
    this.#opts = opts;
    this.rule = opts.rule;
  }

  async listen(): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.#handle(req, res);
    this.#server = this.#opts.tls ? createHttpsServer(this.#opts.tls, handler) : createHttpServer(handler);
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    const port = (this.#server.address() as AddressInfo).port;
    return `${this.#opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    const s = this.#server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const index = this.#count++;
    const action = this.rule?.(req, index) ?? { kind: 'pass' };
    const entry: ProxyLogEntry = { method: req.method ?? '', url: req.url ?? '', action: action.kind };
    this.log.push(entry);
    if (action.kind === 'respond') {
      req.resume();
      res.writeHead(action.status, action.headers ?? { 'content-type': 'application/json' }).end(action.body ?? '');
      return;
    }
    if (action.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (action.kind === 'delay') await new Promise((r) => setTimeout(r, action.ms));
    if (action.kind === 'hold') await action.until.catch(() => undefined);
    const target = new URL(req.url ?? '/', this.#opts.target);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const upstream = send(target, {
      method: req.method, headers: { ...req.headers, host: target.host },
      ...(this.#opts.targetCa ? { ca: this.#opts.targetCa } : {}),
    }, (up) => {
      entry.status = up.statusCode;
      if (action.kind === 'drop-answer') {
        up.resume();
        up.on('end', () => req.socket.destroy());
        return;
      }
      if (action.kind === 'truncate') {
        // Promise the full length, then cut the connection partway.
        res.writeHead(up.statusCode ?? 502, up.headers);
        let sent = 0;
        up.on('data', (chunk: Buffer) => {
          if (sent >= action.afterBytes) return;
          const part = chunk.subarray(0, action.afterBytes - sent);
          sent += part.length;
          // Cut once these bytes have reached the socket: destroying at once would drop what is still buffered.
          if (sent >= action.afterBytes) res.write(part, () => res.socket?.destroy());
          else res.write(part);
        });
        // The cut happens in the write callback above, once the bytes before it are out: destroying here
        // as well would race that write and drop the headers with it (the whole body often arrives in one
        // chunk). A body shorter than afterBytes is passed on whole.
        up.on('end', () => {
          if (sent < action.afterBytes) res.end();
        });
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      entry.error ??= err.code ?? err.message;
      res.socket?.destroy();
    });
    req.pipe(upstream);
  }
}

// Local listeners and certificates for the preflight tests. Everything binds to and connects to
// 127.0.0.1 only: no test sends traffic anywhere else.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
  cert: string;
  key: string;
}

/** A self-signed certificate for the given DNS names, made by /usr/bin/openssl (P-256: fast to generate). */
export function makeSelfSignedCertificate(names: string[]): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-cert-'));
  try {
    const result = spawnSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1',
      '-subj', `/CN=${names[0] ?? 'test'}`, '-addext', `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
    ], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`openssl failed: ${result.stderr}`);
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A listener on 127.0.0.1 and its port; close() also drops the connections it holds. */
export interface TestListener {
  port: number;
  close(): Promise<void>;
}

async function listen(server: Server, sockets: Set<Socket>): Promise<TestListener> {
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** An HTTPS-like listener: completes TLS handshakes with the given certificate. */
export function startTlsListener(certificate: TestCertificate): Promise<TestListener> {
  const server = createTlsServer({ cert: certificate.cert, key: certificate.key });
  server.on('tlsClientError', () => undefined);
  return listen(server, new Set());
}

/** Accepts TCP connections and never says a word: a TLS handshake with it never completes. */
export function startSilentListener(): Promise<TestListener> {
  return listen(createNetServer(), new Set());
}

/** A port on 127.0.0.1 that nothing listens on (bound, then closed), so connections are refused. */
export async function closedPort(): Promise<number> {
  const listener = await listen(createNetServer(), new Set());
  await listener.close();
  return listener.port;
}

import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { promises as dns } from 'node:dns';
import { StepTimeoutError } from './errors';
import { isPrivateAddress } from './isPrivateAddress';
import type { PreflightTarget } from './preflightTargets';
import { runStep } from './runStep';
import type {
  DnsFailure, Resolver, StepResult, TargetReport, TcpConnector, TcpFailure, TcpStepResult, TlsFailure,
} from './types';

/** What probeTarget needs besides the target. */
export interface ProbeContext {
  resolver: Resolver;
  connect: TcpConnector;
  timeoutMs: number;
  /** Fires at the preflight's overall limit. */
  overall: AbortSignal;
  now: () => number;
}

/** Resolves, connects and completes a TLS handshake with one target. Never throws: failures are reported. */
export async function probeTarget(target: PreflightTarget, ctx: ProbeContext): Promise<Omit<TargetReport, 'hint'>> {
  const started = ctx.now();
  const base = { id: target.id, host: target.host, port: target.port };
  const finish = (rest: Omit<TargetReport, 'id' | 'host' | 'port' | 'ms' | 'hint'>): Omit<TargetReport, 'hint'> => ({
    ...base, ...rest, ms: Math.round(ctx.now() - started),
  });

  const resolved = await runStep(`resolve ${target.host}`, (signal) => ctx.resolver(target.host, signal),
    ctx.timeoutMs, ctx.overall, ctx.now);
  if (!resolved.ok || resolved.value.length === 0) {
    const dnsResult: StepResult<DnsFailure> = resolved.ok
      ? { ok: false, ms: resolved.ms, error: 'not-found', detail: 'no addresses' }
      : { ok: false, ms: resolved.ms, ...classifyDnsError(resolved.error) };
    return finish({ addresses: [], dns: dnsResult, reachable: false });
  }
  const addresses = resolved.value.map((address) => ({ address, private: isPrivateAddress(address) }));
  const dnsResult: StepResult<DnsFailure> = { ok: true, ms: resolved.ms };

  // One address is enough to tell whether the path works; the first is the one a client would use.
  const address = resolved.value[0] ?? '';
  let socket: Socket | undefined;
  const connected = await runStep(`connect ${address}:${target.port}`, async (signal) => {
    socket = await ctx.connect(address, target.port, signal);
    return socket;
  }, ctx.timeoutMs, ctx.overall, ctx.now);
  if (!connected.ok) {
    socket?.destroy();
    const tcp: TcpStepResult = { ok: false, ms: connected.ms, address, port: target.port, ...classifyTcpError(connected.error) };
    return finish({ addresses, dns: dnsResult, tcp, reachable: false });
  }
  const tcp: TcpStepResult = { ok: true, ms: connected.ms, address, port: target.port };

  const handshake = await runStep(`TLS handshake with ${target.host}`,
    (signal) => tlsHandshake(connected.value, target, signal), ctx.timeoutMs, ctx.overall, ctx.now);
  connected.value.destroy();
  const tls: StepResult<TlsFailure> = handshake.ok
    ? { ok: true, ms: handshake.ms }
    : { ok: false, ms: handshake.ms, ...classifyTlsError(handshake.error) };
  return finish({ addresses, dns: dnsResult, tcp, tls, reachable: tls.ok });
}

/** The default resolver: every address the system resolver (getaddrinfo, so /etc/hosts too) returns. */
export const lookupAll: Resolver = async (host) => {
  const results = await dns.lookup(host, { all: true });
  return results.map((r) => r.address);
};

/** The default connector: a plain TCP connection, destroyed when the signal fires. */
export const connectTcp: TcpConnector = (address, port, signal) =>
  new Promise<Socket>((resolve, reject) => {
    const socket = netConnect({ host: address, port });
    const onAbort = (): void => {
      socket.destroy();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(error);
    });
  });

/** TLS over the connected socket, with SNI = the target's host, verifying against the target's CA. */
function tlsHandshake(socket: Socket, target: PreflightTarget, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const secure = tlsConnect({
      socket,
      // SNI must be a name, never an IP literal (RFC 6066).
      ...(isIpLiteral(target.host) ? {} : { servername: target.host }),
      host: target.host,
      ca: target.ca,
      rejectUnauthorized: true,
      ALPNProtocols: ['http/1.1'],
    });
    const done = (error?: Error): void => {
      signal.removeEventListener('abort', onAbort);
      secure.removeAllListeners();
      // Swallow errors from tearing the connection down after the verdict.
      secure.on('error', () => undefined);
      secure.destroy();
      if (error) reject(error);
      else resolve();
    };
    // Only reached once the step's verdict (a timeout) is in: the rejection is ignored.
    const onAbort = (): void => done(new Error('TLS handshake abandoned'));
    signal.addEventListener('abort', onAbort, { once: true });
    secure.once('secureConnect', () => done());
    secure.once('error', (error) => done(error));
    secure.once('close', () => done(new Error('connection closed during the TLS handshake')));
  });
}

function isIpLiteral(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

function errorDetail(error: unknown): string {
  const code = errorCode(error);
  // Duck-typed: errors from Node's internals may come from another realm (jest, vm) and fail instanceof.
  const message = typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
    ? error.message
    : String(error);
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}

function classifyDnsError(error: unknown): { error: DnsFailure; detail: string } {
  if (error instanceof StepTimeoutError) return { error: 'timeout', detail: error.message };
  const code = errorCode(error);
  // ENOTFOUND = the name does not exist; ENODATA = it exists without an address record.
  if (code === 'ENOTFOUND' || code === 'ENODATA') return { error: 'not-found', detail: errorDetail(error) };
  if (code === 'ETIMEOUT' || code === 'EAI_AGAIN') return { error: 'timeout', detail: errorDetail(error) };
  return { error: 'failed', detail: errorDetail(error) };
}

function classifyTcpError(error: unknown): { error: TcpFailure; detail: string } {
  if (error instanceof StepTimeoutError) return { error: 'timeout', detail: error.message };
  const code = errorCode(error);
  const byCode: Record<string, TcpFailure> = {
    ECONNREFUSED: 'refused',
    ETIMEDOUT: 'timeout',
    EHOSTUNREACH: 'unreachable',
    ENETUNREACH: 'unreachable',
    ECONNRESET: 'reset',
  };
  return { error: (code !== undefined ? byCode[code] : undefined) ?? 'failed', detail: errorDetail(error) };
}

/** OpenSSL's certificate verification codes (as Node reports them) and Node's name check. */
const CERTIFICATE_ERROR_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_SIGNATURE_FAILURE', 'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED', 'CERT_REVOKED', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'INVALID_CA', 'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE', 'HOSTNAME_MISMATCH', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD',
]);

function classifyTlsError(error: unknown): { error: TlsFailure; detail: string } {
  if (error instanceof StepTimeoutError) return { error: 'timeout', detail: error.message };
  const code = errorCode(error);
  if (code !== undefined && CERTIFICATE_ERROR_CODES.has(code)) return { error: 'certificate', detail: errorDetail(error) };
  return { error: 'handshake', detail: errorDetail(error) };
}

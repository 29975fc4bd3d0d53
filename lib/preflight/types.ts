import type { Socket } from 'node:net';

/** What the preflight probes: the regional EKS, STS and S3 API hosts, and the cluster's API endpoint. */
export type PreflightTargetId = 'eks' | 'sts' | 's3' | 'cluster';

/** The AWS service targets (every target but the cluster endpoint). */
export type ServiceTargetId = Exclude<PreflightTargetId, 'cluster'>;

/**
 * Resolves a host name to its addresses. Rejects with an error whose `code` is the resolver's
 * (`ENOTFOUND`, `EAI_AGAIN`, ...) when the name does not resolve. `signal` fires when the preflight
 * stops waiting; a resolver may ignore it.
 */
export type Resolver = (host: string, signal: AbortSignal) => Promise<string[]>;

/**
 * Opens a TCP connection to `address:port` and resolves once it is connected. Must reject (and release
 * the socket) when `signal` fires. Rejects with the socket error (`code` ECONNREFUSED, EHOSTUNREACH, ...).
 */
export type TcpConnector = (address: string, port: number, signal: AbortSignal) => Promise<Socket>;

/** Options of {@link runPreflight}. */
export interface PreflightOptions {
  /** AWS region whose EKS, STS and S3 endpoints are probed (`cn-*` regions use `amazonaws.com.cn`). */
  region: string;
  /**
   * The cluster's API endpoint as DescribeCluster reports it (`https://<id>.<x>.<region>.eks.amazonaws.com`).
   * An explicit port in the URL wins over `port`.
   * @default undefined (the cluster endpoint is not probed)
   */
  clusterEndpoint?: string;
  /**
   * PEM CA bundle the cluster endpoint's certificate must verify against (DescribeCluster's
   * `certificateAuthority.data`, base64-decoded).
   * @default undefined (Node's built-in roots, which an EKS cluster certificate does not chain to)
   */
  clusterCa?: string | Buffer;
  /**
   * Extra PEM CAs trusted for the AWS service hosts, instead of Node's built-in roots.
   * @default undefined (Node's built-in roots)
   */
  serviceCa?: string | Buffer;
  /**
   * Whether the function runs attached to a VPC (it has subnets and security groups). Only shapes the hints:
   * in a VPC, public addresses are reached through endpoints or a NAT route only.
   * @default false
   */
  inVpc?: boolean;
  /**
   * Host (or `host:port`, or `https://host:port` URL) to probe instead of a service's regional host, e.g.
   * from `AWS_ENDPOINT_URL_<SERVICE>`. The TLS server name is that host.
   * @default {} (the regional hosts)
   */
  hostOverrides?: Partial<Record<ServiceTargetId, string>>;
  /**
   * TCP port probed on every target that names no port of its own.
   * @default 443
   */
  port?: number;
  /**
   * Limit for each step (DNS, TCP, TLS) of each target.
   * @default 2000
   */
  timeoutMs?: number;
  /**
   * Limit for the whole preflight: targets run concurrently, and whatever has not finished by then is
   * reported as timed out. Keep it under the 10 s the control plane waits.
   * @default 9000
   */
  overallTimeoutMs?: number;
  /**
   * Name resolution.
   * @default all addresses from `dns.promises.lookup(host, { all: true })`
   */
  resolver?: Resolver;
  /**
   * TCP connection.
   * @default `net.connect`
   */
  connect?: TcpConnector;
  /**
   * Clock for the durations.
   * @default performance.now
   */
  now?: () => number;
}

/** One resolved address, and whether it is private (not reachable from the internet). */
export interface ResolvedAddress {
  address: string;
  private: boolean;
}

/** How a DNS lookup failed: the name does not exist, the resolver did not answer in time, or anything else. */
export type DnsFailure = 'not-found' | 'timeout' | 'failed';
/** How a TCP connect failed. */
export type TcpFailure = 'refused' | 'timeout' | 'unreachable' | 'reset' | 'failed';
/**
 * How a TLS handshake failed: `certificate` = the server's certificate does not verify (untrusted CA,
 * wrong name, expired); `handshake` = the handshake broke off (protocol error, connection reset/closed).
 */
export type TlsFailure = 'certificate' | 'handshake' | 'timeout';

/** Outcome of one step. `detail` is the underlying error's code or message. */
export interface StepResult<Failure extends string> {
  ok: boolean;
  /** Time the step took (until the failure, for a failed step). */
  ms: number;
  error?: Failure;
  detail?: string;
}

/** The TCP step also names the address it connected to (the first one the name resolved to). */
export interface TcpStepResult extends StepResult<TcpFailure> {
  address: string;
  port: number;
}

/** Everything the preflight learned about one target. Steps after a failed one are absent. */
export interface TargetReport {
  id: PreflightTargetId;
  host: string;
  port: number;
  addresses: ResolvedAddress[];
  dns: StepResult<DnsFailure>;
  tcp?: TcpStepResult;
  tls?: StepResult<TlsFailure>;
  /** DNS, TCP and TLS all succeeded. */
  reachable: boolean;
  /** What to fix, in plain language; absent when there is nothing to say. */
  hint?: string;
  /** Time spent on this target. */
  ms: number;
}

/** The preflight's answer. */
export interface PreflightReport {
  /** Every target is reachable. */
  ok: boolean;
  region: string;
  inVpc: boolean;
  targets: TargetReport[];
  durationMs: number;
}

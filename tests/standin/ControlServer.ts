import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { canonicalizeArn, verifyEksToken, type IdentityRecord } from './tokenVerifier';

/**
 * One local HTTP server that plays three parts of EKS for the stand-in:
 * - the authentication webhook (`POST /authenticate`, a TokenReview), as aws-iam-authenticator does it:
 *   token checks and SigV4 verification, then aws-auth mapRoles and/or access entries -> user and groups;
 * - the EKS API for DescribeCluster and the Pod Identity calls (`GET /clusters/...`);
 * - control endpoints for tests (`/_standin/...`): register credentials, change the cluster, access entries.
 */
export interface ClusterState {
  name: string;
  region: string;
  account: string;
  status: string;
  endpoint: string;
  caPem: string;
  version: string;
  platformVersion: string;
  authenticationMode: 'CONFIG_MAP' | 'API_AND_CONFIG_MAP' | 'API';
  endpointPublicAccess: boolean;
  endpointPrivateAccess: boolean;
}

export interface AccessEntry {
  principalArn: string;
  username?: string;
  kubernetesGroups: string[];
  policies: string[];
}

export interface PodIdentityAssociation {
  associationId: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  targetRoleArn?: string;
}

/** Access policies map to groups that the stand-in binds to ClusterRoles at start-up (see StandIn). */
export const ACCESS_POLICY_GROUPS: Record<string, string> = {
  'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy': 'system:masters',
  'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy': 'eks-standin:admin-view',
  'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy': 'eks-standin:view',
};

export interface ControlServerOptions {
  cluster: ClusterState;
  /** Reads kube-system/aws-auth's mapRoles text (undefined when the ConfigMap does not exist). */
  readAwsAuth: () => Promise<string | undefined>;
  /**
   * Who STS issued credentials to (access key id -> identity). Pass one map to every cluster's control server
   * that stands for the same STS, so each webhook knows every identity and decides by its own mappings only.
   * @default a map of this server's own
   */
  identities?: Map<string, IdentityRecord>;
  now?: () => Date;
  /**
   * Real faults of this cluster's processes, for tests (`POST /_standin/apiserver/restart`,
   * `POST /_standin/etcd/compact`); without it those routes answer 501.
   * @default none
   */
  faults?: ClusterFaults;
}

/** What StandIn.restartApiServer did, for a test to report (not to assert on: timings are noisy). */
export interface ApiServerRestartReport {
  /** From the kill until the new process was started. */
  downMs: number;
  /** From the new process's start until it answered HTTP at all (it serves requests before it is ready). */
  answeringAfterMs: number;
  /** From the new process's start until /readyz answered 200. */
  readyAfterMs: number;
}

/** What StandIn.compactEtcd did. */
export interface EtcdCompaction {
  /** etcd's revision when compacted: every older revision (and any continue token naming one) is gone. */
  revision: number;
}

/** Real faults the stand-in can cause in one cluster (see StandIn.restartApiServer and compactEtcd). */
export interface ClusterFaults {
  restartApiServer(opts: { downMs: number }): Promise<ApiServerRestartReport>;
  compactEtcd(): Promise<EtcdCompaction>;
}

interface MapRole {
  rolearn?: string;
  username?: string;
  groups?: string[];
}

/**
 * The webhook's clock: real time moved by `offsetMs`, and running `rate` times as fast from the moment it
 * was set (a delegate under libfaketime at the same rate then ages its tokens as the webhook sees them).
 */
interface WebhookClock {
  offsetMs: number;
  rate: number;
  sinceMs: number;
}

export class ControlServer {
  readonly #opts: ControlServerOptions;
  readonly #identities: Map<string, IdentityRecord>;
  readonly #accessEntries = new Map<string, AccessEntry>();
  readonly #podIdentity: PodIdentityAssociation[] = [];
  #clock: WebhookClock = { offsetMs: 0, rate: 1, sinceMs: 0 };
  #server: Server | undefined;
  readonly reviews: Array<{ authenticated: boolean; username?: string; reason?: string }> = [];

  constructor(opts: ControlServerOptions) {
    this.#opts = opts;
    this.#identities = opts.identities ?? new Map();
  }

  get cluster(): ClusterState {
    return this.#opts.cluster;
  }

  async listen(): Promise<string> {
    this.#server = createServer((req, res) => {
      this.#route(req, res).catch((err: unknown) => send(res, 500, { message: String(err) }));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.#server = undefined;
  }

  registerIdentity(identity: IdentityRecord): void {
    this.#identities.set(identity.accessKeyId, identity);
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readBody(req);
    const path = url.pathname;
    if (req.method === 'POST' && path === '/authenticate') return send(res, 200, await this.#tokenReview(body));

    // ---- EKS API (REST-JSON) ----
    const cluster = this.#opts.cluster;
    const clusterPath = /^\/clusters\/([^/]+)(\/.*)?$/.exec(path);
    if (clusterPath) {
      const name = decodeURIComponent(clusterPath[1]!);
      if (name !== cluster.name) return send(res, 404, { message: `No cluster found for name: ${name}.` }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
      const rest = clusterPath[2] ?? '';
      if (req.method === 'GET' && rest === '') return send(res, 200, { cluster: describe(cluster) });
      if (req.method === 'GET' && rest === '/pod-identity-associations') return this.#listPodIdentity(url, res);
      const assoc = /^\/pod-identity-associations\/([^/]+)$/.exec(rest);
      if (req.method === 'GET' && assoc) {
        const a = this.#podIdentity.find((p) => p.associationId === assoc[1]);
        if (!a) return send(res, 404, { message: 'not found' }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
        return send(res, 200, { association: this.#association(a) });
      }
    }

    // ---- control endpoints for tests ----
    if (req.method === 'POST' && path === '/_standin/identities') {
      this.registerIdentity(JSON.parse(body) as IdentityRecord);
      return send(res, 204, undefined);
    }
    if (req.method === 'PATCH' && path === '/_standin/cluster') {
      Object.assign(cluster, JSON.parse(body) as Partial<ClusterState>);
      return send(res, 200, cluster);
    }
    if (req.method === 'PUT' && path === '/_standin/access-entries') {
      const entry = JSON.parse(body) as AccessEntry;
      this.#accessEntries.set(entry.principalArn, entry);
      return send(res, 204, undefined);
    }
    if (req.method === 'DELETE' && path === '/_standin/access-entries') {
      this.#accessEntries.clear();
      return send(res, 204, undefined);
    }
    if (req.method === 'PUT' && path === '/_standin/pod-identity-associations') {
      this.#podIdentity.splice(0, this.#podIdentity.length, ...(JSON.parse(body) as PodIdentityAssociation[]));
      return send(res, 204, undefined);
    }
    if (req.method === 'GET' && path === '/_standin/reviews') return send(res, 200, this.reviews.slice(-50));
    if (req.method === 'PUT' && path === '/_standin/clock') {
      const clock = JSON.parse(body) as { offsetMs?: number; rate?: number };
      this.#clock = { offsetMs: clock.offsetMs ?? 0, rate: clock.rate ?? 1, sinceMs: Date.now() };
      return send(res, 204, undefined);
    }
    if (req.method === 'POST' && (path === '/_standin/apiserver/restart' || path === '/_standin/etcd/compact')) {
      const faults = this.#opts.faults;
      if (!faults) return send(res, 501, { message: 'this control server was started without faults' });
      if (path === '/_standin/etcd/compact') return send(res, 200, await faults.compactEtcd());
      return send(res, 200, await faults.restartApiServer(JSON.parse(body || '{}') as { downMs: number }));
    }
    return send(res, 404, { message: `no route ${req.method} ${path}` });
  }

  #listPodIdentity(url: URL, res: ServerResponse): void {
    const max = Number(url.searchParams.get('maxResults') ?? '100');
    const start = Number(url.searchParams.get('nextToken') ?? '0');
    const page = this.#podIdentity.slice(start, start + max);
    const next = start + max < this.#podIdentity.length ? String(start + max) : undefined;
    send(res, 200, {
      associations: page.map((a) => ({
        clusterName: this.#opts.cluster.name, namespace: a.namespace, serviceAccount: a.serviceAccount,
        associationArn: this.#associationArn(a), associationId: a.associationId,
      })),
      ...(next ? { nextToken: next } : {}),
    });
  }

  #associationArn(a: PodIdentityAssociation): string {
    const c = this.#opts.cluster;
    return `arn:aws:eks:${c.region}:${c.account}:podidentityassociation/${c.name}/${a.associationId}`;
  }

  #association(a: PodIdentityAssociation): Record<string, unknown> {
    return {
      clusterName: this.#opts.cluster.name, namespace: a.namespace, serviceAccount: a.serviceAccount,
      roleArn: a.roleArn, associationArn: this.#associationArn(a), associationId: a.associationId,
      ...(a.targetRoleArn ? { targetRoleArn: a.targetRoleArn } : {}),
      createdAt: 1764000000, modifiedAt: 1764000000,
    };
  }

  async #tokenReview(body: string): Promise<Record<string, unknown>> {
    const review = JSON.parse(body) as { apiVersion?: string; spec?: { token?: string } };
    const answer = (status: Record<string, unknown>) => ({
      apiVersion: review.apiVersion ?? 'authentication.k8s.io/v1beta1', kind: 'TokenReview', status,
    });
    const real = (this.#opts.now?.() ?? new Date()).getTime();
    const { offsetMs, rate, sinceMs } = this.#clock;
    const now = new Date(real + offsetMs + (rate - 1) * (real - sinceMs));
    const result = verifyEksToken(review.spec?.token ?? '', {
      clusterName: this.#opts.cluster.name, now, lookup: (id) => this.#identities.get(id),
    });
    if (!result.ok) {
      this.reviews.push({ authenticated: false, reason: result.reason });
      return answer({ authenticated: false, error: result.reason });
    }
    const user = await this.#mapIdentity(result.canonicalArn, result.sessionName, result.accessKeyId);
    if (!user) {
      const reason = `ARN ${result.canonicalArn} is not mapped`;
      this.reviews.push({ authenticated: false, reason });
      return answer({ authenticated: false, error: reason });
    }
    this.reviews.push({ authenticated: true, username: user.username });
    return answer({
      authenticated: true,
      user: {
        username: user.username, uid: `aws-iam-authenticator:${this.#opts.cluster.account}:${result.accessKeyId}`,
        groups: user.groups, extra: { arn: [result.arn], canonicalArn: [result.canonicalArn] },
      },
    });
  }

  async #mapIdentity(canonicalArn: string, sessionName: string | undefined, accessKeyId: string): Promise<{ username: string; groups: string[] } | undefined> {
    const mode = this.#opts.cluster.authenticationMode;
    if (mode !== 'CONFIG_MAP') {
      const entry = this.#accessEntries.get(canonicalArn);
      if (entry) {
        const groups = [...entry.kubernetesGroups, ...entry.policies.map((p) => ACCESS_POLICY_GROUPS[p]).filter((g): g is string => !!g)];
        return { username: entry.username ?? canonicalArn, groups };
      }
    }
    if (mode !== 'API') {
      const text = await this.#opts.readAwsAuth();
      const roles = text ? (parseYaml(text) as MapRole[] | null) ?? [] : [];
      const match = roles.find((r) => r.rolearn === canonicalArn);
      if (match) {
        const username = (match.username ?? canonicalArn)
          .replaceAll('{{SessionName}}', sessionName ?? '')
          .replaceAll('{{AccessKeyID}}', accessKeyId)
          .replaceAll('{{AccountID}}', this.#opts.cluster.account);
        return { username, groups: match.groups ?? [] };
      }
    }
    return undefined;
  }
}

function describe(c: ClusterState): Record<string, unknown> {
  return {
    name: c.name,
    arn: `arn:aws:eks:${c.region}:${c.account}:cluster/${c.name}`,
    createdAt: 1764000000,
    version: c.version,
    endpoint: c.endpoint,
    roleArn: `arn:aws:iam::${c.account}:role/eks-cluster-role`,
    resourcesVpcConfig: {
      subnetIds: ['subnet-0a1b2c3d4e5f60718'], securityGroupIds: [], clusterSecurityGroupId: 'sg-0a1b2c3d4e5f60718',
      vpcId: 'vpc-0a1b2c3d4e5f60718', endpointPublicAccess: c.endpointPublicAccess,
      endpointPrivateAccess: c.endpointPrivateAccess, publicAccessCidrs: ['0.0.0.0/0'],
    },
    kubernetesNetworkConfig: { serviceIpv4Cidr: '10.0.0.0/24', ipFamily: 'ipv4' },
    status: c.status,
    certificateAuthority: { data: Buffer.from(c.caPem).toString('base64') },
    platformVersion: c.platformVersion,
    accessConfig: { authenticationMode: c.authenticationMode },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

export { canonicalizeArn };

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCerts } from './certs';
import { ControlServer } from './ControlServer';
import { provisionStandIn } from './provision';
import { StandInClient, type StandInConnection } from './StandInClient';

export interface StandInOptions {
  clusterName?: string;
  region?: string;
  account?: string;
  bucket?: string;
  /** Print progress to stderr. @default true */
  verbose?: boolean;
  /**
   * How long the API server caches a token review (`--authentication-token-webhook-cache-ttl`). Short
   * for the tests, which watch the webhook decide; the bench uses kube-apiserver's default, 2m.
   * @default '1s'
   */
  tokenReviewCacheTtl?: string;
}

const READY_TIMEOUT_MS = 90_000;

/**
 * A real local EKS stand-in (DESIGN section 6): etcd + kube-apiserver 1.20 with RBAC and the token webhook,
 * moto for S3/STS, and the control server (webhook, EKS API stub). Everything listens on 127.0.0.1 on free
 * ports; stop() ends every process it started and removes its files.
 */
export class StandIn {
  readonly #opts: Required<StandInOptions>;
  readonly #procs: ChildProcess[] = [];
  #dir = '';
  #control: ControlServer | undefined;
  #conn: StandInConnection | undefined;
  #exitHook = () => this.#killAll('SIGKILL');

  constructor(opts: StandInOptions = {}) {
    this.#opts = {
      clusterName: opts.clusterName ?? 'standin',
      region: opts.region ?? 'us-east-1',
      account: opts.account ?? '123456789012',
      bucket: opts.bucket ?? 'recovery-bucket',
      verbose: opts.verbose ?? true,
      tokenReviewCacheTtl: opts.tokenReviewCacheTtl ?? '1s',
    };
  }

  get connection(): StandInConnection {
    if (!this.#conn) throw new Error('stand-in not started');
    return this.#conn;
  }

  get control(): ControlServer {
    if (!this.#control) throw new Error('stand-in not started');
    return this.#control;
  }

  /** Process ids of the running etcd, moto and kube-apiserver (empty once stopped). */
  get pids(): number[] {
    return this.#procs.map((p) => p.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** Folder holding the stand-in's logs (etcd.log, kube-apiserver.log, moto.log). */
  get logDir(): string {
    return this.#dir;
  }

  async start(): Promise<StandInConnection> {
    const t0 = Date.now();
    const bins = provisionStandIn();
    process.on('exit', this.#exitHook);
    // tmpfs is fastest for etcd, and nothing here needs to survive.
    const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
    this.#dir = mkdtempSync(join(base, 'eks-standin-'));
    const certs = makeCerts(this.#dir);
    const [etcdPort, etcdPeerPort, apiPort, motoPort] = await freePorts(4);
    const adminToken = randomBytes(24).toString('hex');
    const apiServerUrl = `https://127.0.0.1:${apiPort}`;

    this.#log('starting etcd and moto');
    this.#spawn('etcd', bins.etcd, [
      '--data-dir', join(this.#dir, 'etcd'), '--name', 'standin',
      '--listen-client-urls', `http://127.0.0.1:${etcdPort}`, '--advertise-client-urls', `http://127.0.0.1:${etcdPort}`,
      '--listen-peer-urls', `http://127.0.0.1:${etcdPeerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeerPort}`,
      '--initial-cluster', `standin=http://127.0.0.1:${etcdPeerPort}`, '--unsafe-no-fsync', '--log-level', 'warn',
    ]);
    this.#spawn('moto', bins.python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(motoPort)], {
      PYTHONPATH: bins.motoPythonPath,
    });

    // The control server needs the API server's address for DescribeCluster and the admin token to read aws-auth.
    const client = () => new StandInClient(this.connection);
    this.#control = new ControlServer({
      cluster: {
        name: this.#opts.clusterName, region: this.#opts.region, account: this.#opts.account, status: 'ACTIVE',
        endpoint: apiServerUrl, caPem: certs.caPem, version: '1.20', platformVersion: 'eks.standin',
        authenticationMode: 'API_AND_CONFIG_MAP', endpointPublicAccess: true, endpointPrivateAccess: false,
      },
      readAwsAuth: async () => {
        const res = await client().kube('GET', '/api/v1/namespaces/kube-system/configmaps/aws-auth');
        if (res.status === 404) return undefined;
        if (res.status !== 200) throw new Error(`reading aws-auth: ${res.status}`);
        return res.json<{ data?: { mapRoles?: string } }>().data?.mapRoles;
      },
    });
    const controlUrl = await this.#control.listen();
    writeFileSync(join(this.#dir, 'tokens.csv'), `${adminToken},standin-admin,standin-admin,"system:masters"\n`);
    writeFileSync(join(this.#dir, 'webhook.kubeconfig'), [
      'apiVersion: v1', 'kind: Config',
      'clusters: [{name: webhook, cluster: {server: "' + controlUrl + '/authenticate"}}]',
      'users: [{name: apiserver, user: {}}]',
      'contexts: [{name: webhook, context: {cluster: webhook, user: apiserver}}]',
      'current-context: webhook', '',
    ].join('\n'));

    await waitFor('etcd', () => httpOk(`http://127.0.0.1:${etcdPort}/health`));
    this.#log('starting kube-apiserver');
    this.#spawn('kube-apiserver', bins.kubeApiserver, [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`, '--insecure-port=0',
      '--endpoint-reconciler-type=none',
      `--tls-cert-file=${certs.serverCert}`, `--tls-private-key-file=${certs.serverKey}`,
      `--client-ca-file=${certs.caCert}`,
      '--authorization-mode=RBAC',
      `--token-auth-file=${join(this.#dir, 'tokens.csv')}`,
      `--authentication-token-webhook-config-file=${join(this.#dir, 'webhook.kubeconfig')}`,
      `--authentication-token-webhook-cache-ttl=${this.#opts.tokenReviewCacheTtl}`,
      `--service-account-key-file=${certs.serviceAccountPub}`,
      `--service-account-signing-key-file=${certs.serviceAccountKey}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      '--api-audiences=https://kubernetes.default.svc',
      '--service-cluster-ip-range=10.0.0.0/24',
      // No controller-manager runs, so no namespace gets a default service account: let pods in anyway.
      '--disable-admission-plugins=ServiceAccount',
      '--enable-priority-and-fairness=false',
      '--max-requests-inflight=1000', '--max-mutating-requests-inflight=500',
      '--v=1',
    ]);

    this.#conn = {
      region: this.#opts.region, clusterName: this.#opts.clusterName, account: this.#opts.account,
      apiServerUrl, caPem: certs.caPem, adminToken, controlUrl, motoUrl: `http://127.0.0.1:${motoPort}`, bucket: this.#opts.bucket,
    };
    const c = client();
    await waitFor('kube-apiserver', async () => (await c.kube('GET', '/readyz').catch(() => ({ status: 0 }))).status === 200);
    await waitFor('moto', () => httpOk(`http://127.0.0.1:${motoPort}/moto-api/`));
    await this.#bootstrap(c);
    this.#log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)}s: API server ${apiServerUrl}, EKS/webhook ${controlUrl}, S3/STS ${this.#conn.motoUrl}`);
    return this.#conn;
  }

  /** Writes the connection to a file that StandInClient.fromEnv() reads. */
  writeConnectionFile(path: string): void {
    writeFileSync(path, JSON.stringify(this.connection), { mode: 0o600 });
  }

  async stop(): Promise<void> {
    await this.#control?.close();
    await this.#killAll('SIGTERM');
    process.off('exit', this.#exitHook);
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
  }

  async #bootstrap(c: StandInClient): Promise<void> {
    // Groups standing in for EKS access policies (see ACCESS_POLICY_GROUPS).
    await c.apply('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'eks-standin:admin-view' },
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] }],
    });
    for (const [group, role] of [['eks-standin:admin-view', 'eks-standin:admin-view'], ['eks-standin:view', 'view']] as const) {
      await c.apply('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: group },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
      });
    }
    await aggregateClusterRoles(c);
    await c.createBucket(this.#opts.bucket);
  }

  #spawn(name: string, cmd: string, args: string[], env: Record<string, string> = {}): void {
    const out = openSync(join(this.#dir, `${name}.log`), 'a');
    const child = spawn(cmd, args, { stdio: ['ignore', out, out], env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => {
      if (this.#procs.includes(child) && code !== 0 && signal === null) {
        this.#log(`${name} exited with ${code}; last log lines:\n${tail(join(this.#dir, `${name}.log`))}`);
      }
    });
    this.#procs.push(child);
  }

  async #killAll(signal: NodeJS.Signals): Promise<void> {
    const procs = this.#procs.splice(0);
    await Promise.all(procs.map((p) => new Promise<void>((resolve) => {
      if (p.exitCode !== null || p.signalCode !== null) return resolve();
      const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
      p.once('exit', () => { clearTimeout(timer); resolve(); });
      p.kill(signal);
    })));
  }

  #log(msg: string): void {
    if (this.#opts.verbose) process.stderr.write(`[standin] ${msg}\n`);
  }
}

interface ClusterRoleJson {
  metadata: { name: string; labels?: Record<string, string>; resourceVersion?: string };
  rules?: unknown[];
  aggregationRule?: { clusterRoleSelectors?: Array<{ matchLabels?: Record<string, string> }> };
  [field: string]: unknown;
}

/**
 * What kube-controller-manager's clusterrole-aggregation controller does, once: fill aggregated roles
 * (admin, edit, view) with the rules of the roles their selectors match. Without it `view` grants nothing.
 */
async function aggregateClusterRoles(c: StandInClient): Promise<void> {
  const path = '/apis/rbac.authorization.k8s.io/v1/clusterroles';
  const roles = (await c.kube('GET', path)).json<{ items: ClusterRoleJson[] }>().items;
  // admin aggregates edit, which aggregates view: repeat until nothing changes.
  for (let round = 0; round < 3; round++) {
    for (const role of roles) {
      const selectors = role.aggregationRule?.clusterRoleSelectors;
      if (!selectors?.length) continue;
      const matches = (r: ClusterRoleJson) => r.metadata.name !== role.metadata.name && selectors.some((s) =>
        Object.entries(s.matchLabels ?? {}).every(([k, v]) => r.metadata.labels?.[k] === v));
      role.rules = roles.filter(matches).flatMap((r) => r.rules ?? []);
    }
  }
  for (const role of roles.filter((r) => r.aggregationRule)) {
    const res = await c.kube('PUT', `${path}/${role.metadata.name}`, role);
    if (res.status !== 200) throw new Error(`aggregating ${role.metadata.name}: ${res.status} ${res.body}`);
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<import('node:net').Server>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as import('node:net').AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function waitFor(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not become ready within ${READY_TIMEOUT_MS / 1000}s`);
}

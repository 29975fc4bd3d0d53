import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiServerFlags } from './apiServerFlags';
import { makeCerts } from './certs';
import { ControlServer, type ApiServerRestartReport, type EtcdCompaction } from './ControlServer';
import { majorMinor, readKubeApiserverVersion, type KubeVersion } from './kubeVersion';
import { provisionStandIn, type StandInBinaries } from './provision';
import type { IdentityRecord } from './tokenVerifier';
import { StandInClient, type StandInCluster, type StandInConnection } from './StandInClient';

export interface StandInOptions {
  /** @default 'standin' */
  clusterName?: string;
  /** @default 'us-east-1' */
  region?: string;
  /** @default '123456789012' */
  account?: string;
  /** The one bucket both clusters use (moto is shared). @default 'recovery-bucket' */
  bucket?: string;
  /** Print progress to stderr. @default true */
  verbose?: boolean;
  /**
   * How long the API server caches a token review (`--authentication-token-webhook-cache-ttl`). Short
   * for the tests, which watch the webhook decide; the bench uses kube-apiserver's default, 2m.
   * @default '1s'
   */
  tokenReviewCacheTtl?: string;
  /**
   * kube-apiserver's watch cache (`--watch-cache`). With it, 1.20 keeps every object of a cached type in
   * memory: a million seeded objects held 14.3 GiB of this 23.5 GiB machine. Off, lists read etcd page by
   * page, as they do for a paginated list with a continue token anyway; the bench turns it off for its
   * largest one-off sizes (`--no-watch-cache`).
   * @default true
   */
  watchCache?: boolean;
  /**
   * Also start a second cluster, the recovery cluster a restore writes into (DESIGN section 8): its own etcd,
   * kube-apiserver (the same binary), CA and control server, in another account and region, sharing moto
   * and the bucket. `true` takes every default of RecoveryClusterOptions.
   * @default false
   */
  recoveryCluster?: boolean | RecoveryClusterOptions;
}

export interface RecoveryClusterOptions {
  /** @default 'standin-dr' */
  clusterName?: string;
  /** @default 'us-west-2' */
  region?: string;
  /** @default '444455556666' */
  account?: string;
  /**
   * The recovery delegate's role, mapped in the recovery cluster's aws-auth to system:masters at start-up.
   * @default `ArpioPrimaryK8sDel-<account>-<region>`
   */
  delegateRoleName?: string;
  /**
   * The recovery kube-apiserver's `--max-mutating-requests-inflight`: writes it serves at once before it
   * answers 429 with Retry-After, as an API server under load (or EKS's priority and fairness) does. The
   * bench's cap curve lowers it to see what a restore's cap of writes does against such a server. Given, the
   * delegate is mapped to a group bound to cluster-admin instead of system:masters, which the limit exempts.
   * @default 500 (apiServerFlags)
   */
  maxMutatingRequestsInflight?: number;
}

interface ClusterSpec {
  /** Prefix of its processes' names and log files: '' for the primary, 'recovery-' for the recovery cluster. */
  prefix: string;
  name: string;
  region: string;
  account: string;
  /** Mapped to system:masters in aws-auth at start-up. */
  delegateRoleName?: string;
  maxMutatingRequestsInflight?: number;
}

interface RunningCluster {
  spec: ClusterSpec;
  conn: StandInConnection;
  control: ControlServer;
  etcdUrl: string;
  /** The kube-apiserver command line, to start it again the same way after restartApiServer's kill. */
  apiServer: { cmd: string; args: string[] };
  /** etcd's command line and data directory, to start it again empty (resetCluster). */
  etcd: { cmd: string; args: string[]; dataDir: string };
}

const READY_TIMEOUT_MS = 90_000;
/** The recovery delegate's group when its cluster limits writes (RecoveryClusterOptions.maxMutatingRequestsInflight). */
const DELEGATE_ADMIN_GROUP = 'eks-standin:delegate-admin';

/**
 * A real local EKS stand-in (DESIGN section 6): etcd + kube-apiserver (1.20 built here, or any current
 * envtest binary) with RBAC and the token webhook, moto for S3/STS, and the control server (webhook, EKS API
 * stub); optionally a second cluster as the recovery cluster. Everything listens on 127.0.0.1 on free ports;
 * stop() ends every process it started and removes its files.
 */
export class StandIn {
  readonly #opts: Required<Omit<StandInOptions, 'recoveryCluster'>>;
  readonly #clusters: ClusterSpec[];
  readonly #procs: ChildProcess[] = [];
  /** The latest process started under each name (kube-apiserver is started again by restartApiServer). */
  readonly #named = new Map<string, ChildProcess>();
  /** One STS (moto) serves both clusters, so both webhooks know every identity it issued. */
  readonly #identities = new Map<string, IdentityRecord>();
  #dir = '';
  #running: RunningCluster[] = [];
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
      watchCache: opts.watchCache ?? true,
    };
    this.#clusters = [{ prefix: '', name: this.#opts.clusterName, region: this.#opts.region, account: this.#opts.account }];
    if (opts.recoveryCluster) {
      const r = opts.recoveryCluster === true ? {} : opts.recoveryCluster;
      const region = r.region ?? 'us-west-2';
      const account = r.account ?? '444455556666';
      this.#clusters.push({
        prefix: 'recovery-', name: r.clusterName ?? 'standin-dr', region, account,
        delegateRoleName: r.delegateRoleName ?? `ArpioPrimaryK8sDel-${account}-${region}`,
        ...(r.maxMutatingRequestsInflight !== undefined ? { maxMutatingRequestsInflight: r.maxMutatingRequestsInflight } : {}),
      });
    }
  }

  /** The primary cluster's connection; `.recovery` holds the recovery cluster's when one was asked for. */
  get connection(): StandInConnection {
    if (!this.#conn) throw new Error('stand-in not started');
    return this.#conn;
  }

  /** The primary cluster's control server. */
  get control(): ControlServer {
    const primary = this.#running[0];
    if (!primary) throw new Error('stand-in not started');
    return primary.control;
  }

  /** The recovery cluster's control server. */
  get recoveryControl(): ControlServer {
    const recovery = this.#running[1];
    if (!recovery) throw new Error('stand-in not started, or started without a recovery cluster');
    return recovery.control;
  }

  /** Process ids of the running moto, etcd and kube-apiserver processes (empty once stopped). */
  get pids(): number[] {
    return this.#procs.map((p) => p.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** Folder holding the stand-in's logs (moto.log, etcd.log, kube-apiserver.log, recovery-etcd.log, ...). */
  get logDir(): string {
    return this.#dir;
  }

  async start(): Promise<StandInConnection> {
    const t0 = Date.now();
    const bins = provisionStandIn();
    const version = readKubeApiserverVersion(bins.kubeApiserver);
    process.on('exit', this.#exitHook);
    // tmpfs is fastest for etcd, and nothing here needs to survive.
    const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
    this.#dir = mkdtempSync(join(base, 'eks-standin-'));
    const [motoPort, ...clusterPorts] = await freePorts(1 + 3 * this.#clusters.length);
    const motoUrl = `http://127.0.0.1:${motoPort!}`;

    this.#log(`starting moto and ${this.#clusters.map((c) => c.name).join(' + ')} (kube-apiserver ${version.gitVersion})`);
    // moto's server, its ranged GET reading only the range (moto_server.py): as S3 costs it, not the whole object.
    this.#spawn('moto', bins.python, [join(__dirname, 'moto_server.py'), '-H', '127.0.0.1', '-p', String(motoPort)], {
      PYTHONPATH: bins.motoPythonPath,
    });
    // The clusters share nothing but moto: they start side by side, so a second one costs little wall time.
    this.#running = await Promise.all(this.#clusters.map((spec, i) =>
      this.#startCluster(spec, bins, version, motoUrl, clusterPorts.slice(3 * i, 3 * i + 3))));
    const [primary, recovery] = this.#running;
    this.#conn = { ...primary!.conn, ...(recovery ? { recovery: recovery.conn } : {}) };

    await waitFor('moto', () => httpOk(`${motoUrl}/moto-api/`));
    await Promise.all(this.#running.map((c) => this.#bootstrap(c)));
    await new StandInClient(primary!.conn).createBucket(this.#opts.bucket);
    const where = this.#running.map((c) => `${c.spec.name}: API server ${c.conn.apiServerUrl}, EKS/webhook ${c.conn.controlUrl}`);
    this.#log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${where.join('; ')}; S3/STS ${motoUrl}`);
    return this.#conn;
  }

  /** Writes the connection to a file that StandInClient.fromEnv() reads. */
  writeConnectionFile(path: string): void {
    writeFileSync(path, JSON.stringify(this.connection), { mode: 0o600 });
  }

  async stop(): Promise<void> {
    await Promise.all(this.#running.map((c) => c.control.close()));
    await this.#killAll('SIGTERM');
    process.off('exit', this.#exitHook);
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
  }

  async #startCluster(spec: ClusterSpec, bins: StandInBinaries, version: KubeVersion, motoUrl: string, ports: number[]): Promise<RunningCluster> {
    const [etcdPort, etcdPeerPort, apiPort] = ports;
    const dir = join(this.#dir, spec.prefix ? spec.prefix.replace(/-$/, '') : 'primary');
    mkdirSync(dir);
    const certs = makeCerts(dir);
    const adminToken = randomBytes(24).toString('hex');
    const apiServerUrl = `https://127.0.0.1:${apiPort}`;
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const which: StandInCluster = spec.prefix ? 'recovery' : 'primary';

    const etcdDataDir = join(dir, 'etcd');
    const etcdArgs = [
      '--data-dir', etcdDataDir, '--name', 'standin',
      '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl,
      '--listen-peer-urls', `http://127.0.0.1:${etcdPeerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeerPort}`,
      '--initial-cluster', `standin=http://127.0.0.1:${etcdPeerPort}`, '--unsafe-no-fsync', '--log-level', 'warn',
    ];
    this.#spawn(`${spec.prefix}etcd`, bins.etcd, etcdArgs);

    const conn: StandInConnection = {
      region: spec.region, clusterName: spec.name, account: spec.account, kubernetesVersion: majorMinor(version),
      apiServerUrl, caPem: certs.caPem, adminToken, controlUrl: '', motoUrl, bucket: this.#opts.bucket, etcdUrl,
      ...(spec.delegateRoleName ? { delegateRoleName: spec.delegateRoleName } : {}),
    };
    // The control server needs the API server's address for DescribeCluster and the admin token to read aws-auth.
    const client = new StandInClient(conn);
    const control = new ControlServer({
      cluster: {
        name: spec.name, region: spec.region, account: spec.account, status: 'ACTIVE',
        endpoint: apiServerUrl, caPem: certs.caPem, version: majorMinor(version), platformVersion: 'eks.standin',
        authenticationMode: 'API_AND_CONFIG_MAP', endpointPublicAccess: true, endpointPrivateAccess: false,
      },
      identities: this.#identities,
      readAwsAuth: async () => {
        const res = await client.kube('GET', '/api/v1/namespaces/kube-system/configmaps/aws-auth');
        if (res.status === 404) return undefined;
        if (res.status !== 200) throw new Error(`reading aws-auth: ${res.status}`);
        return res.json<{ data?: { mapRoles?: string } }>().data?.mapRoles;
      },
      faults: {
        restartApiServer: (opts) => this.restartApiServer(which, opts),
        compactEtcd: () => this.compactEtcd(which),
      },
    });
    conn.controlUrl = await control.listen();
    writeFileSync(join(dir, 'tokens.csv'), `${adminToken},standin-admin,standin-admin,"system:masters"\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'webhook.kubeconfig'), [
      'apiVersion: v1', 'kind: Config',
      'clusters: [{name: webhook, cluster: {server: "' + conn.controlUrl + '/authenticate"}}]',
      'users: [{name: apiserver, user: {}}]',
      'contexts: [{name: webhook, context: {cluster: webhook, user: apiserver}}]',
      'current-context: webhook', '',
    ].join('\n'));

    await waitFor(`${spec.prefix}etcd`, () => httpOk(`${etcdUrl}/health`));
    const apiServerArgs = apiServerFlags(version, {
      etcdUrl, securePort: apiPort!,
      tlsCertFile: certs.serverCert, tlsKeyFile: certs.serverKey, clientCaFile: certs.caCert,
      tokenAuthFile: join(dir, 'tokens.csv'), webhookConfigFile: join(dir, 'webhook.kubeconfig'),
      webhookCacheTtl: this.#opts.tokenReviewCacheTtl,
      watchCache: this.#opts.watchCache,
      ...(spec.maxMutatingRequestsInflight !== undefined ? { maxMutatingRequestsInflight: spec.maxMutatingRequestsInflight } : {}),
      serviceAccountKeyFile: certs.serviceAccountPub, serviceAccountSigningKeyFile: certs.serviceAccountKey,
    });
    this.#spawn(`${spec.prefix}kube-apiserver`, bins.kubeApiserver, apiServerArgs);
    await waitFor(`${spec.prefix}kube-apiserver`, () => apiServerReady(client));
    return { spec, conn, control, etcdUrl, apiServer: { cmd: bins.kubeApiserver, args: apiServerArgs }, etcd: { cmd: bins.etcd, args: etcdArgs, dataDir: etcdDataDir } };
  }

  /**
   * A real API server restart (issue 15): SIGKILL the cluster's kube-apiserver (every open connection is
   * cut, in-flight requests die), wait `downMs` with nothing listening, then start it again with the same
   * binary, flags and port, and resolve once its /readyz answers 200. etcd keeps running, so every object
   * survives, as on an EKS control-plane restart.
   */
  async restartApiServer(cluster: StandInCluster, opts: { downMs: number }): Promise<ApiServerRestartReport> {
    const running = this.#cluster(cluster);
    const name = `${running.spec.prefix}kube-apiserver`;
    if (!this.#named.has(name)) throw new Error(`${name} is not running`);
    const killedAt = Date.now();
    await this.#killNamed(name, 'SIGKILL');
    await new Promise((r) => setTimeout(r, Math.max(0, opts.downMs - (Date.now() - killedAt))));
    const startedAt = Date.now();
    this.#spawn(name, running.apiServer.cmd, running.apiServer.args);
    this.#log(`${name} killed and started again after ${startedAt - killedAt} ms`);
    const client = new StandInClient(running.conn);
    let answeringAt: number | undefined;
    await waitFor(name, async () => {
      const status = await readyzStatus(client);
      if (status !== 0) answeringAt ??= Date.now();
      return status === 200;
    });
    const readyAt = Date.now();
    return { downMs: startedAt - killedAt, answeringAfterMs: (answeringAt ?? readyAt) - startedAt, readyAfterMs: readyAt - startedAt };
  }

  /**
   * Stops a cluster's kube-apiserver and etcd and removes etcd's data (on tmpfs: memory). moto and the control
   * server keep running, so S3 and STS still answer. The bench's million-object restore stops the source
   * cluster once its recovery point is written: a restore reads only S3, and this machine's memory does not
   * hold two million-object clusters at once.
   */
  async stopCluster(cluster: StandInCluster): Promise<void> {
    const running = this.#cluster(cluster);
    for (const name of [`${running.spec.prefix}kube-apiserver`, `${running.spec.prefix}etcd`]) await this.#killNamed(name);
    rmSync(running.etcd.dataDir, { recursive: true, force: true });
    this.#log(`${running.spec.name} stopped (kube-apiserver and etcd; its objects removed)`);
  }

  /**
   * A cluster as it was at start-up: kube-apiserver and etcd stopped, etcd's data removed, both started again
   * on the same ports with the same flags, and the start-up's RBAC and aws-auth written again. The bench
   * restores a million objects into the recovery cluster, then resets it so the POST baseline writes into a
   * cluster as empty as the restore found.
   */
  async resetCluster(cluster: StandInCluster): Promise<void> {
    const running = this.#cluster(cluster);
    await this.stopCluster(cluster);
    this.#spawn(`${running.spec.prefix}etcd`, running.etcd.cmd, running.etcd.args);
    await waitFor(`${running.spec.prefix}etcd`, () => httpOk(`${running.etcdUrl}/health`));
    this.#spawn(`${running.spec.prefix}kube-apiserver`, running.apiServer.cmd, running.apiServer.args);
    await waitFor(`${running.spec.prefix}kube-apiserver`, () => apiServerReady(new StandInClient(running.conn)));
    await this.#bootstrap(running);
    this.#log(`${running.spec.name} reset: empty etcd, kube-apiserver started again`);
  }

  /** Ends the latest process started under `name` (`signal`, SIGKILL after 5 s) and forgets it. */
  async #killNamed(name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#named.get(name);
    if (!child) return;
    const index = this.#procs.indexOf(child);
    if (index >= 0) this.#procs.splice(index, 1);
    this.#named.delete(name);
    await endProcess(child, signal);
  }

  /**
   * Compacts the cluster's etcd at its current revision, through etcd's v3 JSON gateway: what etcd's own
   * periodic compaction (kube-apiserver asks for one every 5 minutes) does to a list that takes longer.
   * A continue token names the revision its list started at, so after this every open token is expired
   * (HTTP 410 from the API server).
   */
  async compactEtcd(cluster: StandInCluster): Promise<EtcdCompaction> {
    const { etcdUrl } = this.#cluster(cluster);
    // A range over one key is enough: every answer's header carries the store's current revision.
    const range = await etcdPost<{ header: { revision: string } }>(`${etcdUrl}/v3/kv/range`, { key: Buffer.from('/').toString('base64') });
    const revision = Number(range.header.revision);
    await etcdPost(`${etcdUrl}/v3/kv/compaction`, { revision: String(revision), physical: true });
    this.#log(`${cluster} etcd compacted at revision ${revision}`);
    return { revision };
  }

  #cluster(cluster: StandInCluster): RunningCluster {
    const running = this.#running[cluster === 'primary' ? 0 : 1];
    if (!running) throw new Error(`stand-in not started, or started without a ${cluster} cluster`);
    return running;
  }

  async #bootstrap({ spec, conn }: RunningCluster): Promise<void> {
    const c = new StandInClient(conn);
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
    if (spec.delegateRoleName) {
      // What `eksctl create iamidentitymapping --group system:masters` left for the delegate in the recovery account.
      // system:masters is exempt from the API server's in-flight limits (and from EKS's priority and fairness): a
      // cluster limiting writes binds the delegate to cluster-admin through a group of its own, so its limit applies.
      const group = spec.maxMutatingRequestsInflight === undefined ? 'system:masters' : DELEGATE_ADMIN_GROUP;
      if (group === DELEGATE_ADMIN_GROUP) {
        await c.apply('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
          apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: DELEGATE_ADMIN_GROUP },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
          subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: DELEGATE_ADMIN_GROUP }],
        });
      }
      await c.setAwsAuth([{ rolearn: `arn:aws:iam::${spec.account}:role/${spec.delegateRoleName}`, username: 'eks-delegate', groups: [group] }]);
    }
  }

  #spawn(name: string, cmd: string, args: string[], env: Record<string, string> = {}): void {
    const out = openSync(join(this.#dir, `${name}.log`), 'a');
    const child = spawn(cmd, args, { stdio: ['ignore', out, out], env: { ...process.env, ...env } });
    closeSync(out);
    child.on('exit', (code, signal) => {
      if (this.#procs.includes(child) && code !== 0 && signal === null) {
        this.#log(`${name} exited with ${code}; last log lines:\n${tail(join(this.#dir, `${name}.log`))}`);
      }
    });
    this.#procs.push(child);
    this.#named.set(name, child);
  }

  async #killAll(signal: NodeJS.Signals): Promise<void> {
    const procs = this.#procs.splice(0);
    await Promise.all(procs.map((p) => endProcess(p, signal)));
  }

  #log(msg: string): void {
    if (this.#opts.verbose) process.stderr.write(`[standin] ${msg}\n`);
  }
}

/** Sends `signal` and resolves once the process has exited (SIGKILL after 5 s if it has not). */
function endProcess(p: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise<void>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
    p.once('exit', () => { clearTimeout(timer); resolve(); });
    p.kill(signal);
  });
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

/**
 * `n` free ports below the kernel's ephemeral range (ip_local_port_range): a port from that range, once free
 * between a kill and a start (restartApiServer), can become the local port of any client's outgoing connection,
 * and kube-apiserver then fails to bind it ("address already in use"; seen once in a full run).
 */
async function freePorts(n: number): Promise<number[]> {
  const range = '/proc/sys/net/ipv4/ip_local_port_range';
  const low = 10_000;
  const ephemeralFirst = Number((existsSync(range) ? readFileSync(range, 'utf8') : '').trim().split(/\s+/)[0]);
  // Linux's default range starts at 32768; an unreadable or odd one falls back to it.
  const high = (ephemeralFirst > low ? Math.min(ephemeralFirst, 32_768) : 32_768) - 1;
  const ports: number[] = [];
  while (ports.length < n) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (!ports.includes(port) && await bindable(port)) ports.push(port);
  }
  return ports;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** The API server's /readyz status; 0 when nothing answered. */
async function readyzStatus(client: StandInClient): Promise<number> {
  return (await client.kube('GET', '/readyz').catch(() => ({ status: 0 }))).status;
}

async function apiServerReady(client: StandInClient): Promise<boolean> {
  return (await readyzStatus(client)) === 200;
}

async function etcdPost<T = unknown>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`etcd ${new URL(url).pathname}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

async function waitFor(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not become ready within ${READY_TIMEOUT_MS / 1000}s`);
}

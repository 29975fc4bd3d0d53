import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { stringify as toYaml } from 'yaml';
import { discoverResources } from '../../lib/kube/discovery';
import { resourceListPath } from '../../lib/kube/listPath';
import type { KubeRequest, KubeResponse, KubeTransport } from '../../lib/kube/types';
import type { AccessEntry, ApiServerRestartReport, ClusterState, EtcdCompaction, PodIdentityAssociation } from './ControlServer';
import { parseKubeVersion, type KubeVersion } from './kubeVersion';

/** Everything a test needs to reach the running stand-in; written to a JSON file by whoever started it. */
export interface StandInConnection {
  region: string;
  clusterName: string;
  account: string;
  apiServerUrl: string;
  caPem: string;
  /** Static token of a system:masters user, for seeding and inspecting; never given to the delegate. */
  adminToken: string;
  /** The control server: EKS API stub, token webhook, test controls. */
  controlUrl: string;
  /** S3 and STS (moto); one for both clusters. */
  motoUrl: string;
  /** The recovery-point bucket; one for both clusters (a restore reads the primary's recovery points). */
  bucket: string;
  /** etcd's client URL (plain http on 127.0.0.1): the bench's large run seeds straight into it. */
  etcdUrl?: string;
  /** `major.minor` of the running kube-apiserver, as DescribeCluster reports it, e.g. `1.20`. */
  kubernetesVersion: string;
  /** Recovery cluster only: the delegate role mapped to system:masters in its aws-auth at start-up. */
  delegateRoleName?: string;
  /** Primary only, when the stand-in was started with `recoveryCluster`: the recovery cluster's connection. */
  recovery?: StandInConnection;
}

/** Which cluster of a running stand-in a client talks to. */
export type StandInCluster = 'primary' | 'recovery';

export interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  roleArn: string;
  assumedRoleArn: string;
}

export interface KubeAnswer {
  status: number;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export interface MapRoleEntry {
  rolearn: string;
  username: string;
  groups: string[];
}

/** Any Kubernetes object as JSON, with the metadata the helpers need. */
export interface KubeObject {
  metadata: { name: string; namespace?: string; [field: string]: unknown };
  [field: string]: unknown;
}

export const CONNECTION_FILE_ENV = 'EKS_STANDIN_CONNECTION';

const API_SERVICES = '/apis/apiregistration.k8s.io/v1/apiservices';

/** Types left out of snapshot(): not stored, or changed by the API server on its own. */
const SNAPSHOT_SKIPPED_RESOURCES = new Set(['events', 'events.events.k8s.io', 'componentstatuses']);
const SNAPSHOT_SKIPPED_OBJECTS: Array<(resource: string, namespace: string | undefined, name: string) => boolean> = [
  (resource, namespace) => resource === 'leases.coordination.k8s.io' && namespace === 'kube-system',
  (resource, namespace, name) => (resource === 'endpoints' || resource === 'endpointslices.discovery.k8s.io')
    && namespace === 'default' && name === 'kubernetes',
];

interface SnapshotList {
  metadata?: { continue?: string };
  items: Array<{ metadata: { namespace?: string; name: string; resourceVersion?: string } }>;
}

/** Talks to a running stand-in over HTTP only, so it works from jest workers, the demo and the bench. */
export class StandInClient {
  readonly conn: StandInConnection;

  constructor(conn: StandInConnection) {
    this.conn = conn;
  }

  /** The running stand-in's primary cluster, or its recovery cluster, from the connection file. */
  static fromEnv(cluster: StandInCluster = 'primary'): StandInClient {
    const file = process.env[CONNECTION_FILE_ENV];
    if (!file) throw new Error(`${CONNECTION_FILE_ENV} is not set: is the stand-in running (jest globalSetup)?`);
    const primary = new StandInClient(JSON.parse(readFileSync(file, 'utf8')) as StandInConnection);
    return cluster === 'recovery' ? primary.recovery() : primary;
  }

  /** A client of the recovery cluster started beside this (primary) one. */
  recovery(): StandInClient {
    if (!this.conn.recovery) throw new Error(`stand-in ${this.conn.clusterName} was started without a recovery cluster (StandIn option recoveryCluster)`);
    return new StandInClient(this.conn.recovery);
  }

  /** The server's own answer to `/version`. */
  async serverVersion(): Promise<KubeVersion> {
    const res = await this.kube('GET', '/version');
    if (res.status !== 200) throw new Error(`GET /version: ${res.status} ${res.body}`);
    return parseKubeVersion(res.json<{ gitVersion: string }>().gitVersion);
  }

  /** The API server as a lib/kube transport, authenticated as the admin: discovery and lists as the delegate does them. */
  transport(): KubeTransport {
    return {
      request: async (req: KubeRequest): Promise<KubeResponse> => {
        const url = new URL(req.path, this.conn.apiServerUrl);
        for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
        const res = await this.#send(this.conn.adminToken, req.method, `${url.pathname}${url.search}`, req.body, 'application/json');
        return { status: res.status, headers: res.headers, body: res.body };
      },
    };
  }

  /**
   * The group version a resource is served at, as discovery (client-go's ServerPreferredResources, so the
   * delegate too) prefers it: `preferredGroupVersion('cronjobs.batch')` is `batch/v1beta1` on 1.20 and
   * `batch/v1` from 1.21. Resources are named as in the archive (`<plural>[.<group>]`).
   */
  async preferredGroupVersion(resourceName: string): Promise<string> {
    const { resources } = await discoverResources(this.transport());
    const found = resources.find((r) => r.name === resourceName);
    if (!found) throw new Error(`${this.conn.clusterName} does not serve ${resourceName}`);
    return found.groupVersion;
  }

  /**
   * Every object the cluster stores, as `<resource>/<namespace>/<name>` (or `<resource>/<name>` when
   * cluster-scoped; resources named as in the archive, e.g. `deployments.apps`) -> resourceVersion.
   * Compare two snapshots to prove that nothing was written: any create, update or delete changes the map.
   * Lists every listable type that legacy discovery finds (custom resources too), as the admin, and leaves out
   * what changes by itself: events, leases in kube-system (the API server renews its own), the API server's
   * own `default/kubernetes` endpoints, and componentstatuses (probed, not stored). Throws when a group
   * cannot be discovered, rather than quietly compare less.
   */
  async snapshot(): Promise<Map<string, string>> {
    const transport = this.transport();
    const discovered = await discoverResources(transport);
    if (discovered.failedGroups.length > 0) throw new Error(`snapshot: discovery failed for ${discovered.warnings.join('; ')}`);
    const entries: Array<[string, string]> = [];
    for (const resource of discovered.resources) {
      if (SNAPSHOT_SKIPPED_RESOURCES.has(resource.name)) continue;
      let cont: string | undefined;
      do {
        const path = resourceListPath(resource);
        const res = await transport.request({ method: 'GET', path, query: { limit: 500, continue: cont } });
        if (res.status !== 200) throw new Error(`snapshot: GET ${path}: ${res.status} ${res.body.toString('utf8')}`);
        const list = JSON.parse(res.body.toString('utf8')) as SnapshotList;
        for (const item of list.items) {
          const { namespace, name, resourceVersion } = item.metadata;
          if (SNAPSHOT_SKIPPED_OBJECTS.some((skip) => skip(resource.name, namespace, name))) continue;
          entries.push([namespace ? `${resource.name}/${namespace}/${name}` : `${resource.name}/${name}`, resourceVersion ?? '']);
        }
        cont = list.metadata?.continue || undefined;
      } while (cont);
    }
    return new Map(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** A request to the API server as the stand-in's admin (system:masters). */
  kube(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<KubeAnswer> {
    return this.kubeAs(this.conn.adminToken, method, path, body, contentType);
  }

  async kubeAs(token: string, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<KubeAnswer> {
    const res = await this.#send(token, method, path, body, contentType);
    const text = res.body.toString('utf8');
    return { status: res.status, body: text, json: <T>() => JSON.parse(text) as T };
  }

  #send(token: string, method: string, path: string, body: unknown, contentType: string): Promise<KubeResponse> {
    const url = new URL(path, this.conn.apiServerUrl);
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(url, {
        method, ca: this.conn.caPem,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(payload ? { 'content-type': contentType } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Creates an object, or replaces it when it exists. Throws on anything else. */
  async apply(path: string, obj: KubeObject): Promise<void> {
    const created = await this.kube('POST', path, obj);
    if (created.status === 409) {
      const current = await this.kube('GET', `${path}/${obj.metadata.name}`);
      const rv = current.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
      const replaced = await this.kube('PUT', `${path}/${obj.metadata.name}`, { ...obj, metadata: { ...obj.metadata, resourceVersion: rv } });
      if (replaced.status >= 300) throw new Error(`PUT ${path}/${obj.metadata.name}: ${replaced.status} ${replaced.body}`);
      return;
    }
    if (created.status >= 300) throw new Error(`POST ${path}: ${created.status} ${created.body}`);
  }

  async delete(path: string): Promise<void> {
    const res = await this.kube('DELETE', path);
    if (res.status >= 300 && res.status !== 404) throw new Error(`DELETE ${path}: ${res.status} ${res.body}`);
  }

  /**
   * Registers an aggregated API whose backing service does not exist, as a cluster with metrics-server
   * uninstalled or down has (by default `v1beta1.metrics.k8s.io` -> kube-system/metrics-server). Waits
   * until the API server lists the group in `/apis` and answers 503 for its group version, which is
   * what discovery then meets. Returns the APIService's name, for deleteApiService.
   */
  async createBrokenApiService(group = 'metrics.k8s.io', version = 'v1beta1', service = { namespace: 'kube-system', name: 'metrics-server' }): Promise<string> {
    const name = `${version}.${group}`;
    await this.apply(API_SERVICES, {
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name },
      spec: { group, version, service, groupPriorityMinimum: 100, versionPriority: 100, insecureSkipTLSVerify: true },
    });
    await this.#until(`${name} answering 503`, async () => {
      const groups = (await this.kube('GET', '/apis')).json<{ groups: Array<{ name: string }> }>().groups;
      return groups.some((g) => g.name === group) && (await this.kube('GET', `/apis/${group}/${version}`)).status === 503;
    });
    return name;
  }

  /** Deletes an APIService and waits until `/apis` no longer lists its group. */
  async deleteApiService(name: string): Promise<void> {
    await this.delete(`${API_SERVICES}/${name}`);
    const group = name.slice(name.indexOf('.') + 1);
    await this.#until(`${name} gone from /apis`, async () =>
      !(await this.kube('GET', '/apis')).json<{ groups: Array<{ name: string }> }>().groups.some((g) => g.name === group));
  }

  async #until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`${this.conn.clusterName}: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Writes kube-system/aws-auth mapRoles (replacing the ConfigMap), as `eksctl create iamidentitymapping` would. */
  async setAwsAuth(mapRoles: MapRoleEntry[]): Promise<void> {
    await this.apply('/api/v1/namespaces/kube-system/configmaps', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system' },
      data: { mapRoles: toYaml(mapRoles) },
    });
  }

  /**
   * Temporary credentials for an IAM role, issued by the STS emulator (so STS GetCallerIdentity knows them)
   * and registered with the token webhook (so EKS authentication knows them too).
   */
  async issueRoleCredentials(roleName: string, sessionName = 'delegate'): Promise<RoleCredentials> {
    const sts = new STSClient({
      region: this.conn.region, endpoint: this.conn.motoUrl,
      credentials: { accessKeyId: 'AKIASTANDINADMIN0000', secretAccessKey: 'standin-admin-secret' },
    });
    const roleArn = `arn:aws:iam::${this.conn.account}:role/${roleName}`;
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }));
    sts.destroy();
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !out.AssumedRoleUser?.Arn) throw new Error('AssumeRole returned no credentials');
    const creds: RoleCredentials = {
      accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken,
      roleArn, assumedRoleArn: out.AssumedRoleUser.Arn,
    };
    await this.control('POST', '/_standin/identities', {
      accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken, arn: creds.assumedRoleArn,
    });
    return creds;
  }

  patchCluster(patch: Partial<ClusterState>): Promise<unknown> {
    return this.control('PATCH', '/_standin/cluster', patch);
  }

  putAccessEntry(entry: AccessEntry): Promise<unknown> {
    return this.control('PUT', '/_standin/access-entries', entry);
  }

  clearAccessEntries(): Promise<unknown> {
    return this.control('DELETE', '/_standin/access-entries');
  }

  setPodIdentityAssociations(assocs: PodIdentityAssociation[]): Promise<unknown> {
    return this.control('PUT', '/_standin/pod-identity-associations', assocs);
  }

  /** Moves the webhook's clock (e.g. +16 minutes to make every token look expired). */
  setWebhookClockOffset(offsetMs: number): Promise<unknown> {
    return this.control('PUT', '/_standin/clock', { offsetMs });
  }

  /** Makes the webhook's clock run `rate` times as fast from now on (1 puts it back to real time). */
  setWebhookClockRate(rate: number): Promise<unknown> {
    return this.control('PUT', '/_standin/clock', { offsetMs: 0, rate });
  }

  /**
   * Kills this cluster's kube-apiserver (SIGKILL), leaves it down for `downMs`, starts it again on the same
   * port with the same flags and resolves once it is ready (/readyz 200). etcd keeps running.
   */
  async restartApiServer(opts: { downMs: number }): Promise<ApiServerRestartReport> {
    return (await this.control('POST', '/_standin/apiserver/restart', opts)) as ApiServerRestartReport;
  }

  /** Compacts this cluster's etcd at its current revision: every continue token handed out so far expires (410). */
  async compactEtcd(): Promise<EtcdCompaction> {
    return (await this.control('POST', '/_standin/etcd/compact')) as EtcdCompaction;
  }

  /** The webhook's most recent TokenReview answers (who was authenticated as whom, or why not). */
  async recentReviews(): Promise<Array<{ authenticated: boolean; username?: string; reason?: string }>> {
    return (await this.control('GET', '/_standin/reviews')) as Array<{ authenticated: boolean; username?: string; reason?: string }>;
  }

  async createBucket(bucket: string): Promise<void> {
    const s3 = this.s3();
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (e) {
      if (!(e instanceof Error && /BucketAlready(OwnedByYou|Exists)/.test(e.name))) throw e;
    } finally {
      s3.destroy();
    }
  }

  /** An S3 client for the emulator (as an administrator, for tests to inspect what the delegate wrote). */
  s3(): S3Client {
    return new S3Client({
      region: this.conn.region, endpoint: this.conn.motoUrl, forcePathStyle: true,
      credentials: { accessKeyId: 'AKIASTANDINADMIN0000', secretAccessKey: 'standin-admin-secret' },
    });
  }

  /** The environment the delegate runs with against this stand-in, as the given role. */
  delegateEnv(creds: RoleCredentials, extra: Record<string, string> = {}): Record<string, string> {
    return {
      AWS_REGION: this.conn.region,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      AWS_SESSION_TOKEN: creds.sessionToken,
      AWS_ENDPOINT_URL_S3: this.conn.motoUrl,
      AWS_ENDPOINT_URL_STS: this.conn.motoUrl,
      AWS_ENDPOINT_URL_KMS: this.conn.motoUrl,
      AWS_ENDPOINT_URL_EKS: this.conn.controlUrl,
      // What readiness looks up in the recovery account: moto serves these too, so no test reaches real AWS.
      ...Object.fromEntries(['IAM', 'ECR', 'ACM', 'EFS', 'EC2', 'SNS', 'SQS'].map((s) => [`AWS_ENDPOINT_URL_${s}`, this.conn.motoUrl])),
      S3_FORCE_PATH_STYLE: 'true',
      CLUSTER_NAME: this.conn.clusterName,
      RECOVERY_BUCKET: this.conn.bucket,
      ...extra,
    };
  }

  private async control(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(new URL(path, this.conn.controlUrl), {
      method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' },
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : res.json();
  }
}

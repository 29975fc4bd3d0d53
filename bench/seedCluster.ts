import type { ApiConnection } from './ApiConnection';

/**
 * The seeded cluster: tenant namespaces of OBJECTS_PER_NAMESPACE objects each, in proportions seen in
 * real application clusters (config maps and secrets outnumber workloads), with realistic sizes:
 * deployments carry full pod templates, config maps a few KiB of configuration, and the API server adds
 * managedFields to every object. Object `i` is a pure function of `i`, so a cluster can be grown from
 * 1k to 100k objects in place and a re-run finds the same objects.
 */
export const OBJECTS_PER_NAMESPACE = 50;
const MIX: ReadonlyArray<readonly [Kind, number]> = [
  ['namespace', 1], ['serviceaccount', 4], ['deployment', 6], ['service', 6], ['configmap', 16], ['secret', 10], ['widget', 7],
];
type Kind = 'namespace' | 'serviceaccount' | 'deployment' | 'service' | 'configmap' | 'secret' | 'widget';

export const BENCH_CRD_GROUP = 'bench.example.com';
const ACCOUNT = '123456789012';

export interface SeedProgress {
  done: number;
  total: number;
}

export interface SeedOptions {
  /**
   * POSTs in flight.
   * @default 64
   */
  concurrency?: number;
  /** Told every few thousand objects. @default undefined */
  onProgress?: (p: SeedProgress) => void;
}

export interface SeededObjectSpec {
  kind: Kind;
  collection: string;
  body: Record<string, unknown>;
}

/** Creates the CRD the custom resources need and waits until it is served. */
export async function installBenchCrd(api: ApiConnection): Promise<void> {
  await api.create('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `widgets.${BENCH_CRD_GROUP}` },
    spec: {
      group: BENCH_CRD_GROUP, scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  });
  for (let i = 0; i < 200; i++) {
    const list = await api.getJson<{ resources?: Array<{ name: string }> }>(`/apis/${BENCH_CRD_GROUP}/v1`).catch(() => undefined);
    if (list?.resources?.some((r) => r.name === 'widgets')) {
      // Served in discovery is not quite established for writes; one list proves the storage is ready.
      await api.getJson(`/apis/${BENCH_CRD_GROUP}/v1/widgets?limit=1`);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`widgets.${BENCH_CRD_GROUP} was never served`);
}

/**
 * Creates objects [from, to) concurrently. Namespaces in the range go first, so no object is posted
 * into a namespace that does not exist yet.
 */
export async function seedObjects(api: ApiConnection, from: number, to: number, options: SeedOptions = {}): Promise<void> {
  const concurrency = options.concurrency ?? 64;
  const indexes = Array.from({ length: to - from }, (_, k) => from + k);
  const namespaces = indexes.filter((i) => i % OBJECTS_PER_NAMESPACE === 0);
  const rest = indexes.filter((i) => i % OBJECTS_PER_NAMESPACE !== 0);
  let done = 0;
  const total = to - from;
  let reported = 0;
  for (const batch of [namespaces, rest]) {
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, async () => {
      while (next < batch.length) {
        const spec = objectAt(batch[next++]!);
        await api.create(spec.collection, spec.body);
        done++;
        if (options.onProgress && done - reported >= 5000) {
          reported = done;
          options.onProgress({ done, total });
        }
      }
    }));
  }
}

/** Object number `i` of the benchmark cluster. */
export function objectAt(i: number): SeededObjectSpec {
  const nsIndex = Math.floor(i / OBJECTS_PER_NAMESPACE);
  let slot = i % OBJECTS_PER_NAMESPACE;
  const ns = `tenant-${String(nsIndex).padStart(5, '0')}`;
  for (const [kind, count] of MIX) {
    if (slot < count) return build(kind, ns, nsIndex, slot);
    slot -= count;
  }
  throw new Error(`object ${i} falls outside the namespace mix`);
}

const APPS = ['orders', 'payments', 'catalog', 'search', 'checkout', 'inventory', 'shipping', 'accounts'];

function build(kind: Kind, ns: string, nsIndex: number, n: number): SeededObjectSpec {
  const team = `team-${nsIndex % 40}`;
  const labels = (app: string) => ({ app, team, 'app.kubernetes.io/part-of': ns, 'app.kubernetes.io/managed-by': 'helm' });
  const app = APPS[(nsIndex + n) % APPS.length]!;
  const name = `${app}-${n}`;
  const nsPath = (p: string) => `/api/v1/namespaces/${ns}/${p}`;
  switch (kind) {
    case 'namespace':
      return { kind, collection: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team, environment: nsIndex % 3 === 0 ? 'prod' : 'staging' } } } };
    case 'serviceaccount':
      return {
        kind, collection: nsPath('serviceaccounts'),
        body: {
          apiVersion: 'v1', kind: 'ServiceAccount',
          metadata: { name, namespace: ns, labels: labels(app), ...(n % 2 === 0 ? { annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::${ACCOUNT}:role/${ns}-${app}-irsa` } } : {}) },
        },
      };
    case 'deployment':
      return {
        kind, collection: `/apis/apps/v1/namespaces/${ns}/deployments`,
        body: {
          apiVersion: 'apps/v1', kind: 'Deployment',
          metadata: { name, namespace: ns, labels: labels(app), annotations: { 'deployment.kubernetes.io/revision': String(1 + (n % 7)), 'meta.helm.sh/release-name': app } },
          spec: {
            replicas: 1 + (n % 3), revisionHistoryLimit: 5,
            selector: { matchLabels: { app, team } },
            strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
            template: {
              metadata: { labels: { app, team }, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' } },
              spec: {
                serviceAccountName: `${APPS[nsIndex % APPS.length]}-0`,
                containers: [{
                  name: app, image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/${team}/${app}:1.${n}.${nsIndex % 10}`,
                  ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }],
                  env: [
                    { name: 'APP_ENV', value: 'production' },
                    { name: 'QUEUE_URL', value: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${ns}-${app}` },
                    { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: `${app}-db-0`, key: 'password' } } },
                  ],
                  envFrom: [{ configMapRef: { name: `${app}-config-0` } }],
                  resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
                  readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
                  livenessProbe: { httpGet: { path: '/livez', port: 'http' }, initialDelaySeconds: 15 },
                  volumeMounts: [{ name: 'config', mountPath: '/etc/app' }],
                }, {
                  name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0',
                  resources: { requests: { cpu: '50m', memory: '64Mi' } },
                }],
                volumes: [{ name: 'config', configMap: { name: `${app}-config-1` } }],
              },
            },
          },
        },
      };
    case 'service':
      return {
        kind, collection: nsPath('services'),
        body: {
          // Headless: the stand-in's service CIDR has only ~250 cluster IPs.
          apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, labels: labels(app) },
          spec: { clusterIP: 'None', selector: { app, team }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9090, targetPort: 'metrics' }] },
        },
      };
    case 'configmap':
      return {
        kind, collection: nsPath('configmaps'),
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${app}-config-${n}`, namespace: ns, labels: labels(app) }, data: configData(ns, app, n) },
      };
    case 'secret':
      return {
        kind, collection: nsPath('secrets'),
        body: {
          apiVersion: 'v1', kind: 'Secret', metadata: { name: `${app}-db-${n}`, namespace: ns, labels: labels(app) }, type: 'Opaque',
          data: {
            username: b64(`${app}_svc`), password: b64(pseudoRandom(`${ns}/${n}`, 32)),
            url: b64(`postgres://${app}.${ns}.cluster-abc123.us-east-1.rds.amazonaws.com:5432/${app}`),
          },
        },
      };
    case 'widget':
      return {
        kind, collection: `/apis/${BENCH_CRD_GROUP}/v1/namespaces/${ns}/widgets`,
        body: {
          apiVersion: `${BENCH_CRD_GROUP}/v1`, kind: 'Widget', metadata: { name, namespace: ns, labels: labels(app) },
          spec: { size: n, color: ['blue', 'green', 'red'][n % 3], replicas: 1 + (n % 4), owner: team, tags: [app, team, ns], rules: [{ match: `/${app}/*`, action: 'allow' }] },
        },
      };
  }
}

/** About 1-2 KiB of configuration, the median size of application config maps. */
function configData(ns: string, app: string, n: number): Record<string, string> {
  const props = Array.from({ length: 12 + (n % 20) }, (_, k) => `${app}.setting${k}=${pseudoRandom(`${ns}${n}${k}`, 24)}`).join('\n');
  return {
    'application.properties': props,
    'log-level': ['info', 'debug', 'warn'][n % 3]!,
    'feature-flags.json': JSON.stringify({ newCheckout: n % 2 === 0, region: 'us-east-1', topic: `arn:aws:sns:us-east-1:${ACCOUNT}:${ns}-${app}` }),
  };
}

function b64(s: string): string {
  return Buffer.from(s).toString('base64');
}

/** Deterministic filler (FNV-1a based), so re-seeding produces identical objects. */
function pseudoRandom(seed: string, length: number): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < length; i++) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    h = (h + 0x6d2b79f5) >>> 0;
    out += alphabet[h % alphabet.length];
  }
  return out;
}

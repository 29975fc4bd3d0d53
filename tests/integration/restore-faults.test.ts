import type { IncomingMessage } from 'node:http';
import { prepareForRestore } from '../../lib/restore';
import { StandInClient, type KubeObject, type RoleCredentials } from '../standin/StandInClient';
import { getObjectBytes } from './archive';
import { frontApiServer, frontS3, type Front, type FaultRule } from './faultFronts';
import { mapRestoreDelegates } from './restoreDelegates';
import { invokeBundle, unique } from './helpers';

// Faults between the bundled recovery delegate and the recovery cluster's API server or moto S3 (issue 12),
// and the Lambda deadline landing mid-restore. One backup of a small namespace on the primary; each test
// restores it into its own namespace of the recovery cluster (namespaceMapping), so they do not meet.
const primary = StandInClient.fromEnv();
const recovery = primary.recovery();
const s3 = primary.s3();
const bucket = primary.conn.bucket;
const prefix = `restore-faults/${unique('run')}/`;
const ns = unique('rf');
const CONFIGMAPS = 20;
const SECRETS = 6;

interface RestoreResponse {
  action: string; status: string; reason?: string; error?: string; problems?: string[];
  created: number; updated: number; failed: number; notAttempted?: number; report?: string;
  skipped: { exists: number; notRestorable: number; owned: number; excluded: number; needsCrd: number };
  failures: Array<{ resource: string; namespace?: string; name: string; status?: number; error: string }>;
  warnings: string[]; durationMs: number;
}
interface ReportRow { resource: string; namespace?: string; name: string; outcome: string; skipped?: string; reason?: string }
interface Seeded { resource: string; collection: (namespace: string) => string; name: string }

const seeded: Seeded[] = [];
let sourceCreds: RoleCredentials;
let recoveryCreds: RoleCredentials;
let recoveryPointId: string;
let archiveKey: string;

const collections: Record<string, (namespace: string) => string> = {
  configmaps: (n) => `/api/v1/namespaces/${n}/configmaps`,
  secrets: (n) => `/api/v1/namespaces/${n}/secrets`,
  services: (n) => `/api/v1/namespaces/${n}/services`,
  'deployments.apps': (n) => `/apis/apps/v1/namespaces/${n}/deployments`,
};

const kubeStatus = (code: number, reason: string) => ({
  kind: 'respond' as const, status: code, headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `injected ${reason}`, reason, code }),
});
const isWriteInto = (req: IncomingMessage, namespace: string) => req.method === 'POST'
  && [`/api/v1/namespaces/${namespace}/`, `/apis/apps/v1/namespaces/${namespace}/`].some((p) => (req.url ?? '').startsWith(p));

/** A restore of the recovery point into `target` by the bundled handler in the recovery account. */
function restore(target: string, extra: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  return invokeBundle<RestoreResponse>({
    action: 'restore', translate: 'off', includeNamespaces: [ns], namespaceMapping: { [ns]: target },
    source: { clusterName: primary.conn.clusterName, region: primary.conn.region, recoveryPointId },
    ...extra,
  }, recovery.delegateEnv(recoveryCreds, { RECOVERY_PREFIX: prefix, ...env }));
}

async function reportRows(location: string | undefined): Promise<ReportRow[]> {
  if (!location) throw new Error('the response names no report');
  const key = location.replace(`s3://${bucket}/`, '');
  return (JSON.parse((await getObjectBytes(s3, bucket, key)).toString('utf8')) as { objects: ReportRow[] }).objects;
}

async function withFront<T>(open: Promise<Front>, fn: (front: Front) => Promise<T>): Promise<T> {
  const front = await open;
  try {
    return await fn(front);
  } finally {
    await front.close();
  }
}

/**
 * Every seeded object is in `target`, equal to its source but for what restore changes, and nothing else
 * is: each collection of `target` holds exactly the seeded names.
 */
async function expectRestoredInto(target: string): Promise<void> {
  const mapping = { [ns]: target };
  const nsObj = await recovery.kube('GET', `/api/v1/namespaces/${target}`);
  expect(nsObj.status).toBe(200);
  for (const [resource, collection] of Object.entries(collections)) {
    const names = (await recovery.kube('GET', collection(target))).json<{ items: KubeObject[] }>().items.map((i) => i.metadata.name).sort();
    expect(`${resource}: ${names.join(',')}`).toBe(`${resource}: ${seeded.filter((s) => s.resource === resource).map((s) => s.name).sort().join(',')}`);
  }
  for (const s of seeded) {
    const source = (await primary.kube('GET', `${s.collection(ns)}/${s.name}`)).json<KubeObject>();
    const restored = await recovery.kube('GET', `${s.collection(target)}/${s.name}`);
    expect(`${s.resource}/${s.name}: ${restored.status}`).toBe(`${s.resource}/${s.name}: 200`);
    expect(prepareForRestore(s.resource, restored.json<KubeObject>())).toEqual(prepareForRestore(s.resource, source, { namespaceMapping: mapping }));
  }
}

beforeAll(async () => {
  ({ sourceCreds, recoveryCreds } = await mapRestoreDelegates(primary, recovery, unique('rfaults-source')));

  await primary.apply('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const seed = async (resource: string, obj: KubeObject) => {
    const collection = collections[resource]!;
    await primary.apply(collection(ns), { ...obj, metadata: { ...obj.metadata, namespace: ns } });
    seeded.push({ resource, collection, name: obj.metadata.name });
  };
  await Promise.all(Array.from({ length: CONFIGMAPS }, (_, i) => seed('configmaps', {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${String(i).padStart(2, '0')}`, labels: { app: 'api' } }, data: { i: String(i), 'app.properties': `slot=${i}\n` },
  })));
  await Promise.all(Array.from({ length: SECRETS }, (_, i) => seed('secrets', {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: `secret-${i}` }, type: 'Opaque', data: { value: Buffer.from(`value-${i}-${unique('s')}`).toString('base64') },
  })));
  await seed('deployments.apps', {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', labels: { app: 'api' } },
    spec: { replicas: 2, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } },
      spec: { containers: [{ name: 'api', image: 'public.ecr.aws/nginx/nginx:1.27', ports: [{ containerPort: 8080 }] }] } } },
  });
  await seed('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' }, spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080 }] } });
  await seed('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api-headless' }, spec: { clusterIP: 'None', selector: { app: 'api' }, ports: [{ port: 80 }] } });
  await seed('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } });

  const backup = await invokeBundle<{ status: string; recoveryPointId: string; location: string }>(
    { action: 'backup', includeNamespaces: [ns], includeResources: ['namespaces', ...Object.keys(collections)] },
    primary.delegateEnv(sourceCreds, { RECOVERY_PREFIX: prefix }),
  );
  expect(backup.response.status).toBe('COMPLETED');
  recoveryPointId = backup.response.recoveryPointId;
  archiveKey = `${backup.response.location.replace(`s3://${bucket}/`, '')}resources.tar.gz`;
}, 120_000);

afterAll(async () => {
  await primary.setAwsAuth([]);
  s3.destroy();
});

const isArchiveUrl = (url: string) => url.split('?')[0]!.endsWith(`/${archiveKey}`);

// The namespace and every seeded object: what each restore below must account for.
const objectCount = () => seeded.length + 1;

describe('API server faults during the writes', () => {
  it('503s and resets during the writes -> COMPLETED, nothing duplicated', async () => {
    const target = unique('rf-503');
    let posts = 0;
    let dropped = 0;
    const rule: FaultRule = (req) => {
      if (req.method !== 'POST') return undefined;
      if (++posts % 3 === 0) return kubeStatus(503, 'ServiceUnavailable');
      // A few writes reach the server and are carried out, but the answer is lost: the retried POST meets
      // the object it made itself.
      if (isWriteInto(req, target) && posts % 5 === 1 && dropped < 4) {
        dropped++;
        return { kind: 'drop-answer' };
      }
      return undefined;
    };
    await withFront(frontApiServer(recovery, rule), async (front) => {
      const { response } = await restore(target);
      expect({ status: response.status, failed: response.failed, failures: response.failures, error: response.error })
        .toEqual({ status: 'COMPLETED', failed: 0, failures: [], error: undefined });
      expect(response.created).toBe(objectCount());
      expect(front.seen.filter((s) => s.status === 503).length).toBeGreaterThanOrEqual(8);
      expect(front.seen.filter((s) => s.action === 'drop-answer')).toHaveLength(4);

      const rows = await reportRows(response.report);
      expect(rows).toHaveLength(objectCount());
      expect(rows.filter((r) => r.outcome !== 'created' && r.outcome !== 'exists')).toEqual([]);
      // Each lost answer: the object was made by the first POST, and counted created, not failed or made twice.
      // With 8 writes in flight a lost answer can also fall on the retry of an earlier one (both for one
      // object), so there are between 1 and 4 such rows.
      const alreadyMade = rows.filter((r) => /already made/.test(r.reason ?? '')).length;
      expect(alreadyMade).toBeGreaterThanOrEqual(1);
      expect(alreadyMade).toBeLessThanOrEqual(4);
    });
    await expectRestoredInto(target);
  });
});

describe('the recovery cluster throttling writes', () => {
  it('429 with Retry-After on half the writes -> slowed down, never failed: COMPLETED with every object, the 429s counted', async () => {
    const target = unique('rf-429');
    const MAX_429 = 16;
    let writes = 0;
    let throttled = 0;
    const rule: FaultRule = (req) => {
      if (!isWriteInto(req, target) || ++writes % 2 === 1 || throttled >= MAX_429) return undefined;
      throttled++;
      return { ...kubeStatus(429, 'TooManyRequests'), headers: { 'content-type': 'application/json', 'retry-after': '1' } };
    };
    await withFront(frontApiServer(recovery, rule), async (front) => {
      const { response, stdout } = await restore(target);
      expect({ status: response.status, failed: response.failed, failures: response.failures, notAttempted: response.notAttempted })
        .toEqual({ status: 'COMPLETED', failed: 0, failures: [], notAttempted: undefined });
      expect(response.created).toBe(objectCount());
      // Every 429 the server sent reached the restore (none retried blindly inside the client), and is reported.
      const seen429 = front.seen.filter((s) => s.status === 429).length;
      expect(seen429).toBe(MAX_429);
      expect((response as RestoreResponse & { throttled?: number }).throttled).toBe(seen429);
      const rows = await reportRows(response.report);
      expect(rows).toHaveLength(objectCount());
      expect(rows.filter((r) => r.outcome !== 'created')).toEqual([]);
      // Slowed down: the cap of writes in flight (8) was lowered, as the log says.
      const logged = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.message === 'restore throttled');
      expect(logged).toMatchObject({ throttled: MAX_429, concurrency: 8 });
      expect(Number(logged?.lowestConcurrency)).toBeLessThan(8);
    });
    await expectRestoredInto(target);
  });
});

describe('S3 faults while the recovery point is read', () => {
  // The backup is a seekable recovery point (format 1.2): the restore reads its gzip members by Range GET.
  const isArchive = (req: IncomingMessage) => req.method === 'GET' && isArchiveUrl(req.url ?? '');
  /** Half of the member a Range GET asks for (`bytes=a-b`). */
  const halfOfRange = (req: IncomingMessage) => {
    const [, a, b] = /^bytes=(\d+)-(\d+)$/.exec(String(req.headers.range ?? '')) ?? [];
    return Math.floor((Number(b) - Number(a) + 1) / 2);
  };

  it('a member\'s body cut on every read -> FAILED naming the archive and the bytes, zero writes', async () => {
    const target = unique('rf-cut');
    const before = await recovery.snapshot();
    await withFront(frontS3(recovery, (req) => (isArchive(req) ? { kind: 'truncate', afterBytes: halfOfRange(req) } : undefined)), async (front) => {
      const { response, code } = await restore(target, {}, { AWS_ENDPOINT_URL_S3: front.url });
      expect({ code, status: response.status, reason: response.reason }).toEqual({ code: 0, status: 'FAILED', reason: 'error' });
      expect(response.error).toMatch(new RegExp(`${archiveKey}: the archive's bytes 0-\\d+ could not be read`));
      expect(response.error).toMatch(/tried twice/);
      // Each Range GET tried 3 times (the SDK does not retry a body that breaks after it was handed over;
      // the reader does), and the whole read once more by the restore: 6 tries of the first member at least.
      const first = front.seen.filter((s) => s.action === 'truncate');
      expect(first.length).toBeGreaterThanOrEqual(6);
    });
    expect(await recovery.snapshot()).toEqual(before);
  });

  it('a member\'s body cut once is fetched again, and the restore completes', async () => {
    const target = unique('rf-cut1');
    let cuts = 0;
    await withFront(frontS3(recovery, (req) => (isArchive(req) && cuts++ === 0 ? { kind: 'truncate', afterBytes: halfOfRange(req) } : undefined)), async (front) => {
      const { response } = await restore(target, {}, { AWS_ENDPOINT_URL_S3: front.url });
      expect({ status: response.status, failed: response.failed, created: response.created }).toEqual({ status: 'COMPLETED', failed: 0, created: objectCount() });
      const actions = front.seen.filter((s) => isArchiveUrl(s.url)).map((s) => s.action);
      expect(actions[0]).toBe('truncate');
      expect(actions.slice(1).every((a) => a === 'pass')).toBe(true);
    });
    await expectRestoredInto(target);
  });
});

describe('the Lambda deadline', () => {
  it('stops mid-restore with PARTIAL deadline and a full report; a second run with skip completes it', async () => {
    const target = unique('rf-late');
    // Each ConfigMap write held 1.5 s, two at a time: the ConfigMaps alone would take 15 s. The deadline
    // (20 s of Lambda time, stop with 12 s left) strikes 8 s into the run, amid them.
    const slow: FaultRule = (req) => (req.method === 'POST' && (req.url ?? '').startsWith(`/api/v1/namespaces/${target}/configmaps`) ? { kind: 'delay', ms: 1500 } : undefined);
    await withFront(frontApiServer(recovery, slow), async () => {
      const started = Date.now();
      const { response } = await restore(target, {}, { LAMBDA_TIMEOUT_MS: '20000', DEADLINE_MARGIN_MS: '12000', RESTORE_CONCURRENCY: '2' });
      expect(Date.now() - started).toBeLessThan(20_000);
      expect({ status: response.status, reason: response.reason, failed: response.failed }).toEqual({ status: 'PARTIAL', reason: 'deadline', failed: 0 });
      expect(response.error).toMatch(/run the restore again/);
      expect(response.created).toBeGreaterThan(0);
      expect(response.notAttempted).toBeGreaterThan(0);
      // One row per object, every object accounted for: written, or said not to have been attempted.
      const rows = await reportRows(response.report);
      expect(rows).toHaveLength(objectCount());
      expect(rows.filter((r) => r.outcome === 'not-attempted').length).toBe(response.notAttempted);
      expect(response.created + response.skipped.exists + (response.notAttempted ?? 0)).toBe(objectCount());
      // Everything after the ConfigMaps was not reached.
      const late = rows.filter((r) => r.resource === 'services' || r.resource === 'deployments.apps');
      expect(late.map((r) => r.outcome)).toEqual(late.map(() => 'not-attempted'));
    });

    const { response } = await restore(target, { existingResourcePolicy: 'skip' });
    expect({ status: response.status, failed: response.failed, notAttempted: response.notAttempted }).toEqual({ status: 'COMPLETED', failed: 0, notAttempted: undefined });
    expect(response.created + response.skipped.exists).toBe(objectCount());
    expect(response.created).toBeGreaterThan(0);
    await expectRestoredInto(target);
  });
});

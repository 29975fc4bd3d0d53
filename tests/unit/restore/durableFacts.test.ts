// A durable restore's parts through runRestore: prepare reads the whole seekable archive once and stores its
// facts; each step then reads only its own type's members (and the facts), and no step touches the lock.
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type GetObjectCommandInput } from '@aws-sdk/client-s3';
import type { ClusterConnection } from '../../../lib/eks';
import type { KubeResponse, KubeTransport } from '../../../lib/kube/types';
import { silentLogger } from '../../../lib/observability/DelegateLogger';
import { membersInArchiveOrder, membersOfType, RecoveryPointReader, recoveryPointFolder, restoreExistingNamesKey, restoreFactsKey, restoreLockKey } from '../../../lib/recovery-point';
import { runRestore, type RestoreOptions } from '../../../lib/restore';
import { fakeS3, type FakeS3 } from '../recovery-point/fakeS3';
import { writeRecoveryPoint, type RecoveryPointObjectSpec } from '../recovery-point/writeRecoveryPoint';

const BUCKET = 'recovery-bucket';
const FOLDER = recoveryPointFolder('eks/', 'prod', '20261123T200501Z-7f3a');
const ARCHIVE = `${FOLDER}resources.tar.gz`;
const REPORT = `${FOLDER}restores/d1.json`;
const STORE = { bucket: BUCKET, reportKey: REPORT };
const FACTS = { bucket: BUCKET, key: restoreFactsKey(REPORT) };
const uid = (i: number): string => `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`;

const OBJECTS: RecoveryPointObjectSpec[] = [
  { resource: 'namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', uid: uid(1) } } },
  { resource: 'services', object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop', uid: uid(2) }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } },
  // Its Service has a selector (a fact of another type's member): the control plane rebuilds it, never written.
  { resource: 'endpoints', object: { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'shop', uid: uid(3) } } },
  ...Array.from({ length: 30 }, (_, i): RecoveryPointObjectSpec => ({
    resource: 'configmaps', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'shop', uid: uid(100 + i) }, data: { i: String(i), pad: 'x'.repeat(2000 + i) } },
  })),
];

const json = (status: number, body: unknown): KubeResponse => ({ status, headers: {}, body: Buffer.from(JSON.stringify(body)) });
/** `lists`: the list requests of each type; `there`: objects the recovery cluster already has (its lists show them). */
function fakeCluster(lists: string[] = [], there: Array<Record<string, unknown>> = []): KubeTransport {
  return {
    async request(req) {
      const path = req.path.split('?')[0];
      if (req.method === 'POST' && path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') return json(201, { status: { allowed: true } });
      if (req.method === 'GET' && path === '/api/v1') {
        return json(200, { kind: 'APIResourceList', groupVersion: 'v1', resources: ['namespaces', 'services', 'endpoints', 'configmaps'].map((name) => ({ name, kind: name, namespaced: name !== 'namespaces', verbs: ['create', 'list'] })) });
      }
      if (req.method === 'GET') {
        lists.push(path ?? '');
        return json(200, { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: path?.endsWith('/configmaps') ? there : [] });
      }
      if (req.method === 'POST') return json(201, req.body);
      return json(405, {});
    },
  };
}

const connection = { name: 'dr', arn: 'arn:aws:eks:us-west-2:444455556666:cluster/dr', region: 'us-west-2', account: '444455556666' } as ClusterConnection;
const options = (extra: Partial<RestoreOptions>): RestoreOptions => ({
  source: { bucket: BUCKET, folder: FOLDER }, dryRun: false, existingResourcePolicy: 'skip',
  filters: { includeNamespaces: [], excludeNamespaces: [], includeResources: [], excludeResources: [] },
  namespaceMapping: {}, report: { bucket: BUCKET, key: REPORT }, restoreId: 'd1', ...extra,
});
const run = (s3: FakeS3, extra: Partial<RestoreOptions>, kube = fakeCluster()) => runRestore(options(extra), { connection, kube, sourceS3: s3.client, reportS3: s3.client, logger: silentLogger });

function archiveRanges(s3: FakeS3): Array<string | undefined> {
  return s3.mock.commandCalls(GetObjectCommand).map((c) => c.args[0].input as GetObjectCommandInput).filter((i) => i.Key === ARCHIVE).map((i) => i.Range);
}
const rangeOf = (m: { offset: number; length: number }) => `bytes=${m.offset}-${m.offset + m.length - 1}`;
const lockKey = restoreLockKey(FOLDER, 'd1');
const lockWrites = (s3: FakeS3) => s3.mock.commandCalls(PutObjectCommand).filter((c) => c.args[0].input.Key === lockKey).length;
const lockDeletes = (s3: FakeS3) => s3.mock.commandCalls(DeleteObjectCommand).filter((c) => c.args[0].input.Key === lockKey).length;

describe('runRestore as a part of a durable restore', () => {
  it('prepare reads the whole archive once, stores the facts and keeps the lock; a step reads only its type\'s members', async () => {
    const s3 = fakeS3();
    await writeRecoveryPoint(s3, BUCKET, FOLDER, OBJECTS);
    const reader = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    s3.mock.resetHistory();

    const prepared = await run(s3, { slice: { resources: [] }, durable: { part: 'prepare', store: STORE } });
    expect(prepared.status).toBe('COMPLETED');
    expect(archiveRanges(s3)).toEqual(membersInArchiveOrder(reader.index!).map(rangeOf));
    const facts = JSON.parse(s3.objects.get(FACTS.key)!.toString('utf8')) as { selectorServices: string[]; uids: unknown[]; types: unknown[] };
    expect(facts.selectorServices).toEqual(['shop/web']);
    // Only owners some object names as its controller (none here): the facts do not grow with the cluster.
    expect(facts.uids).toEqual([]);
    expect({ written: lockWrites(s3), deleted: lockDeletes(s3) }).toEqual({ written: 1, deleted: 0 });

    s3.mock.resetHistory();
    const step = await run(s3, { slice: { resources: ['endpoints'] }, resumable: true, durable: { part: 'step', store: STORE } });
    // The Service's selector came from the facts, not from reading the services member.
    expect(step).toMatchObject({ status: 'COMPLETED', failed: 0, skipped: { notRestorable: 1 } });
    expect(archiveRanges(s3)).toEqual(membersOfType(reader.index!, 'endpoints').map(rangeOf));
    expect({ written: lockWrites(s3), deleted: lockDeletes(s3) }).toEqual({ written: 0, deleted: 0 });

    s3.mock.resetHistory();
    const chunk = await run(s3, { slice: { resources: ['configmaps'], objects: { from: 10, to: 20 } }, resumable: true, durable: { part: 'step', store: STORE } });
    expect(chunk).toMatchObject({ status: 'COMPLETED', created: 10, failed: 0 });
    const ranges = archiveRanges(s3);
    expect(ranges).toEqual(membersOfType(reader.index!, 'configmaps').map(rangeOf));
    expect(ranges.length).toBeLessThan(membersInArchiveOrder(reader.index!).length);
  });

  it('a 1.1 recovery point: prepare stores no facts and each step reads the whole archive, as before', async () => {
    const s3 = fakeS3();
    await writeRecoveryPoint(s3, BUCKET, FOLDER, OBJECTS, undefined, { seekable: false });
    await run(s3, { slice: { resources: [] }, durable: { part: 'prepare', store: STORE } });
    expect(s3.objects.has(FACTS.key)).toBe(false);
    s3.mock.resetHistory();
    const step = await run(s3, { slice: { resources: ['configmaps'] }, resumable: true, durable: { part: 'step', store: STORE } });
    expect(step).toMatchObject({ status: 'COMPLETED', created: 30 });
    expect(archiveRanges(s3)).toEqual([undefined]);
  });

  it('a prepare refused after taking the lock removes it', async () => {
    const s3 = fakeS3();
    await writeRecoveryPoint(s3, BUCKET, FOLDER, OBJECTS);
    const archive = s3.objects.get(ARCHIVE)!;
    s3.objects.set(ARCHIVE, Buffer.concat([archive.subarray(0, 40), Buffer.alloc(archive.length - 40, 7)]));
    await expect(run(s3, { slice: { resources: [] }, durable: { part: 'prepare', store: STORE } })).rejects.toThrow();
    expect({ written: lockWrites(s3), deleted: lockDeletes(s3) }).toEqual({ written: 1, deleted: 1 });
    expect(s3.objects.has(FACTS.key)).toBe(false);
  });

  it('the chunks of a type list it in the recovery cluster once: the first chunk stores the names, the others read them', async () => {
    const s3 = fakeS3();
    await writeRecoveryPoint(s3, BUCKET, FOLDER, OBJECTS);
    await run(s3, { slice: { resources: [] }, durable: { part: 'prepare', store: STORE } });
    const lists: string[] = [];
    // cm-12 is already there: a list shows it, so it is never created (an admission webhook could refuse the
    // create before the API server's conflict check: a 409 is not how existing objects are found).
    const kube = fakeCluster(lists, [{ metadata: { name: 'cm-12', namespace: 'shop', resourceVersion: '3' }, data: { theirs: 'yes' } }]);
    const chunk = (from: number, to: number) => run(s3, { slice: { resources: ['configmaps'], objects: { from, to } }, resumable: true, durable: { part: 'step', store: STORE } }, kube);
    const outcomes = [await chunk(0, 10), await chunk(10, 20), await chunk(20, 30)];
    expect(outcomes.map((o) => o.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(outcomes.map((o) => o.created + o.skipped.exists)).toEqual([10, 10, 10]);
    expect({ created: outcomes.reduce((n, o) => n + o.created, 0), exists: outcomes.reduce((n, o) => n + o.skipped.exists, 0) }).toEqual({ created: 29, exists: 1 });
    expect(lists.filter((p) => p.endsWith('/configmaps'))).toHaveLength(1);
    expect(JSON.parse(s3.objects.get(restoreExistingNamesKey(REPORT, 'configmaps'))!.toString('utf8'))).toEqual(['shop/cm-12']);
  });
});

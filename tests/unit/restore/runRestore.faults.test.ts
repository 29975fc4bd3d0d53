import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import type { ClusterConnection } from '../../../lib/eks';
import type { KubeRequest, KubeResponse, KubeTransport } from '../../../lib/kube/types';
import { silentLogger } from '../../../lib/observability/DelegateLogger';
import { recoveryPointFolder } from '../../../lib/recovery-point';
import {
  RestoreDeadlineError, RestorePreconditionError, RestoreSourceError, runRestore, type RestoreOptions, type RestoreOutcome,
} from '../../../lib/restore';
import { sdkStreamBody } from '../helpers/sdkStreamBody';
import { fakeS3, type FakeS3 } from '../recovery-point/fakeS3';
import { writeRecoveryPoint } from '../recovery-point/writeRecoveryPoint';

// runRestore against an in-memory S3 and a fake API server: what it does when the archive's download
// breaks off, and when the Lambda deadline strikes with writes in flight.
const BUCKET = 'recovery-bucket';
const ID = '20261123T200501Z-7f3a';
const FOLDER = recoveryPointFolder('eks/', 'prod', ID);
const ARCHIVE = `${FOLDER}resources.tar.gz`;
const REPORT = `${FOLDER}restores/r1.json`;
const CONFIGMAPS = 12;
const cmName = (i: number) => `cm-${String(i).padStart(2, '0')}`;

type Json = Record<string, unknown>;
interface ReportRow { resource: string; namespace?: string; name: string; outcome: string; reason?: string }

/**
 * A recovery point of namespace `shop` and its ConfigMaps, written by the real writer in the 1.1 layout:
 * these tests break off the one GetObject of a whole archive (a 1.2 one is read by Range, RestoreSpool.test.ts).
 */
async function recoveryPoint(): Promise<FakeS3> {
  const s3 = fakeS3();
  await writeRecoveryPoint(s3, BUCKET, FOLDER, [
    { resource: 'namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } } },
    ...Array.from({ length: CONFIGMAPS }, (_, i) => ({
      resource: 'configmaps', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: cmName(i), namespace: 'shop' }, data: { i: String(i) } },
    })),
  ], undefined, { seekable: false });
  return s3;
}

/**
 * The archive's GetObject hands over the first half of the body, then the connection breaks (as the SDK's
 * Node body does: the stream errors), for the first `cuts` reads; later reads get the whole archive.
 */
function cutArchiveReads(s3: FakeS3, cuts: number): { reads: () => number } {
  let reads = 0;
  s3.mock.on(GetObjectCommand).callsFake(async (input: { Key?: string }) => {
    const body = s3.objects.get(input.Key ?? '');
    if (body === undefined) throw new Error(`no object ${input.Key}`);
    let stream: Readable;
    if (input.Key === ARCHIVE && reads++ < cuts) {
      stream = new Readable({ read() {} });
      stream.push(body.subarray(0, Math.floor(body.length / 2)));
      setImmediate(() => stream.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
    } else {
      stream = Readable.from([body]);
    }
    return { Body: sdkStreamBody(body, stream), ContentLength: body.length };
  });
  return { reads: () => reads };
}

const json = (status: number, body: unknown): KubeResponse => ({ status, headers: {}, body: Buffer.from(JSON.stringify(body)) });
const RESOURCES = { kind: 'APIResourceList', groupVersion: 'v1', resources: [
  { name: 'namespaces', kind: 'Namespace', namespaced: false, verbs: ['create', 'get', 'list'] },
  { name: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['create', 'get', 'list'] },
] };

/** A recovery cluster that allows everything, holds nothing, and leaves object writes to `write` (lists to `list`). */
function fakeCluster(write: (req: KubeRequest) => Promise<KubeResponse>, list?: (req: KubeRequest) => Promise<KubeResponse> | undefined): KubeTransport & { writes: KubeRequest[] } {
  const writes: KubeRequest[] = [];
  return {
    writes,
    async request(req) {
      req.signal?.throwIfAborted();
      const path = req.path.split('?')[0];
      if (req.method === 'POST' && path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') return json(201, { status: { allowed: true } });
      if (req.method === 'GET' && path === '/api/v1') return json(200, RESOURCES);
      if (req.method === 'GET') return list?.(req) ?? json(200, { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] });
      if (req.method === 'POST') {
        writes.push(req);
        return write(req);
      }
      return json(405, { kind: 'Status', code: 405 });
    },
  };
}

/** Resolves 201 at once, or when `hold` says so: then as the real transport does, it rejects when the signal aborts. */
function writeAnswering(hold: (req: KubeRequest) => 'now' | 'until-aborted' | number) {
  return (req: KubeRequest): Promise<KubeResponse> => {
    const how = hold(req);
    if (how === 'now') return Promise.resolve(json(201, req.body));
    if (typeof how === 'number') return new Promise((resolve) => setTimeout(() => resolve(json(201, req.body)), how));
    return new Promise((_resolve, reject) => {
      req.signal?.addEventListener('abort', () => reject(req.signal?.reason), { once: true });
    });
  };
}

const connection: ClusterConnection = {
  name: 'dr', arn: 'arn:aws:eks:us-west-2:444455556666:cluster/dr', region: 'us-west-2', account: '444455556666',
  endpoint: 'https://dr.example', caPem: '', kubernetesVersion: '1.31', platformVersion: 'eks.12', authenticationMode: 'API',
  endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: [], status: 'ACTIVE',
};

const options = (extra: Partial<RestoreOptions> = {}): RestoreOptions => ({
  source: { bucket: BUCKET, folder: FOLDER }, dryRun: false, existingResourcePolicy: 'skip',
  filters: { includeNamespaces: [], excludeNamespaces: [], includeResources: [], excludeResources: [] },
  namespaceMapping: {}, report: { bucket: BUCKET, key: REPORT }, restoreId: 'r1', concurrency: 3, ...extra,
});

function restore(s3: FakeS3, kube: KubeTransport, extra: Partial<RestoreOptions> = {}, remainingTimeMs?: () => number): Promise<RestoreOutcome> {
  return runRestore(options(extra), { connection, kube, sourceS3: s3.client, reportS3: s3.client, logger: silentLogger, ...(remainingTimeMs ? { remainingTimeMs } : {}) });
}

function reportRows(s3: FakeS3): ReportRow[] {
  const stored = s3.objects.get(REPORT);
  if (!stored) throw new Error('no report was written');
  return (JSON.parse(stored.toString('utf8')) as { objects: ReportRow[] }).objects;
}

const objectWrites = (kube: { writes: KubeRequest[] }) => kube.writes.filter((w) => !w.path.includes('selfsubjectaccessreviews'));

describe('runRestore: the archive download breaking off', () => {
  it('reads a cut archive again and completes', async () => {
    const s3 = await recoveryPoint();
    const gets = cutArchiveReads(s3, 1);
    const kube = fakeCluster(writeAnswering(() => 'now'));
    const outcome = await restore(s3, kube);
    expect(gets.reads()).toBe(2);
    expect(outcome).toMatchObject({ status: 'COMPLETED', created: CONFIGMAPS + 1, failed: 0, notAttempted: 0 });
  });

  it('cut on every read: RestoreSourceError naming the archive and how far it got, nothing written', async () => {
    const s3 = await recoveryPoint();
    const gets = cutArchiveReads(s3, Infinity);
    const kube = fakeCluster(writeAnswering(() => 'now'));
    const err = await restore(s3, kube).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestoreSourceError);
    expect((err as Error).message).toMatch(/resources\.tar\.gz.*broke off after \d+ of \d+ bytes: aborted/);
    expect(gets.reads()).toBe(2);
    expect(objectWrites(kube)).toEqual([]);
  });

  it('a corrupt archive (it downloads whole, then fails to parse) is bad input and is not read again', async () => {
    const s3 = await recoveryPoint();
    const archive = s3.objects.get(ARCHIVE)!;
    s3.objects.set(ARCHIVE, Buffer.concat([archive.subarray(0, 40), Buffer.alloc(archive.length - 40, 7)]));
    const gets = cutArchiveReads(s3, 0);
    const kube = fakeCluster(writeAnswering(() => 'now'));
    const err = await restore(s3, kube).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestorePreconditionError);
    expect(gets.reads()).toBe(1);
    expect(objectWrites(kube)).toEqual([]);
  });
});

describe('runRestore: the deadline', () => {
  it('with writes in flight: each is awaited and reported, the rest is not-attempted, and the report has every object', async () => {
    const s3 = await recoveryPoint();
    const margin = 1_000;
    const started = Date.now();
    // The Namespace and the first ConfigMaps are written at once; cm-03 takes its time and answers only after
    // the deadline (a write the server finished); the ConfigMaps after it hang until the deadline aborts them.
    const kube = fakeCluster(writeAnswering((req) => {
      const name = String(((req.body as Json).metadata as Json).name);
      if (name === 'shop' || name < cmName(3)) return 'now';
      if (name === cmName(3)) return 600;
      return 'until-aborted';
    }));
    const outcome = await restore(s3, kube, { deadlineMarginMs: margin }, () => margin + 300 - (Date.now() - started));
    const writesAtEnd = kube.writes.length;

    expect(outcome).toMatchObject({ status: 'PARTIAL', stoppedReason: 'deadline', failed: 0, created: 5 });
    expect(outcome.error).toMatch(/run the restore again/);
    expect(outcome.notAttempted).toBe(CONFIGMAPS - 4);
    expect(outcome.report).toBe(`s3://${BUCKET}/${REPORT}`);
    const rows = reportRows(s3);
    expect(rows.map((r) => `${r.name} ${r.outcome}`).sort()).toEqual([
      'shop created',
      ...Array.from({ length: CONFIGMAPS }, (_, i) => `${cmName(i)} ${i <= 3 ? 'created' : 'not-attempted'}`),
    ].sort());
    // The two writes the deadline cut short may have been made: the report says so.
    expect(rows.filter((r) => /interrupted/.test(r.reason ?? '')).map((r) => r.name).sort()).toEqual([cmName(4), cmName(5)]);
    // Nothing was still running when the restore answered.
    await new Promise((r) => setTimeout(r, 800));
    expect(kube.writes.length).toBe(writesAtEnd);
  });

  it('while the existing objects of a type are listed: that type and every later one not-attempted, in the report', async () => {
    const s3 = await recoveryPoint();
    const margin = 1_000;
    const started = Date.now();
    const hang = (req: KubeRequest) => new Promise<KubeResponse>((_resolve, reject) => {
      req.signal?.addEventListener('abort', () => reject(req.signal?.reason), { once: true });
    });
    const kube = fakeCluster(writeAnswering(() => 'now'), (req) => (req.path.includes('configmaps') ? hang(req) : undefined));
    const outcome = await restore(s3, kube, { deadlineMarginMs: margin }, () => margin + 300 - (Date.now() - started));
    expect(outcome).toMatchObject({ status: 'PARTIAL', stoppedReason: 'deadline', created: 1, failed: 0, notAttempted: CONFIGMAPS });
    const rows = reportRows(s3);
    expect(rows).toHaveLength(CONFIGMAPS + 1);
    expect(rows.filter((r) => r.outcome === 'not-attempted').map((r) => r.name).sort()).toEqual(Array.from({ length: CONFIGMAPS }, (_, i) => cmName(i)));
    expect(objectWrites(kube).map((w) => w.path)).toEqual(['/api/v1/namespaces']);
  });

  it('a write that throws stops the restore only once the writes beside it have ended: one row each', async () => {
    const s3 = await recoveryPoint();
    const kube = fakeCluster((req) => {
      const name = String(((req.body as Json).metadata as Json).name);
      if (name === cmName(4)) return Promise.reject(new TypeError('not a KubeError'));
      return writeAnswering(() => (name === cmName(3) ? 300 : 'now'))(req);
    });
    const outcome = await restore(s3, kube);
    expect(outcome).toMatchObject({ status: 'PARTIAL', stoppedReason: 'error', error: 'not a KubeError' });
    const rows = reportRows(s3);
    expect(rows).toHaveLength(CONFIGMAPS + 1);
    expect(rows.find((r) => r.name === cmName(3))?.outcome).toBe('created');
    expect(outcome.created + outcome.notAttempted).toBe(CONFIGMAPS + 1);
  });

  it('before anything is written: RestoreDeadlineError, no write', async () => {
    const s3 = await recoveryPoint();
    const kube = fakeCluster(writeAnswering(() => 'now'));
    const err = await restore(s3, kube, { deadlineMarginMs: 1_000 }, () => 1_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestoreDeadlineError);
    expect(objectWrites(kube)).toEqual([]);
  });
});

describe('runRestore: the recovery cluster throttling writes (429 with Retry-After)', () => {
  const tooMany = (retryAfter: string): KubeResponse => ({
    status: 429, headers: { 'retry-after': retryAfter }, body: Buffer.from(JSON.stringify({ kind: 'Status', code: 429, reason: 'TooManyRequests' })),
  });

  it('every first write of a ConfigMap answered 429: each waits the Retry-After and is written once; COMPLETED, throttled counted', async () => {
    const s3 = await recoveryPoint();
    const answered429At = new Map<string, number>();
    const sentAgainAfter: number[] = [];
    const created = new Map<string, number>();
    const kube = fakeCluster(async (req) => {
      const name = String(((req.body as Json).metadata as Json).name);
      const throttledAt = answered429At.get(name);
      if (name !== 'shop' && throttledAt === undefined) {
        answered429At.set(name, Date.now());
        return tooMany('0.05');
      }
      if (throttledAt !== undefined) sentAgainAfter.push(Date.now() - throttledAt);
      created.set(name, (created.get(name) ?? 0) + 1);
      return json(201, req.body);
    });
    const outcome = await restore(s3, kube);
    expect(outcome).toMatchObject({ status: 'COMPLETED', created: CONFIGMAPS + 1, failed: 0, notAttempted: 0, throttled: CONFIGMAPS });
    expect([...created.values()].every((n) => n === 1)).toBe(true);
    expect(created.size).toBe(CONFIGMAPS + 1);
    expect(reportRows(s3)).toHaveLength(CONFIGMAPS + 1);
    // Slowed down: no throttled write was sent again before its Retry-After (50 ms) had passed.
    expect(sentAgainAfter).toHaveLength(CONFIGMAPS);
    expect(Math.min(...sentAgainAfter)).toBeGreaterThanOrEqual(45);
  });

  it('429 until the deadline: the waiting objects are not-attempted, never failed', async () => {
    const s3 = await recoveryPoint();
    const margin = 1_000;
    const started = Date.now();
    const kube = fakeCluster(async (req) => {
      const name = String(((req.body as Json).metadata as Json).name);
      return name === 'shop' ? json(201, req.body) : tooMany('10');
    });
    const outcome = await restore(s3, kube, { deadlineMarginMs: margin }, () => margin + 400 - (Date.now() - started));
    expect(outcome).toMatchObject({ status: 'PARTIAL', stoppedReason: 'deadline', created: 1, failed: 0, notAttempted: CONFIGMAPS });
    expect(outcome.throttled).toBeGreaterThan(0);
    expect(reportRows(s3)).toHaveLength(CONFIGMAPS + 1);
  });
});

import type { DurableContext, RetryDecision, StepConfig } from '@aws/durable-execution-sdk-js';
import type { ClusterConnection } from '../../../../lib/eks';
import type { KubeRequest, KubeResponse, KubeTransport } from '../../../../lib/kube/types';
import { silentLogger } from '../../../../lib/observability/DelegateLogger';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { recoveryPointFolder, restoreFactsKey, restoreStatusKey } from '../../../../lib/recovery-point';
import { RecoveryPointReader } from '../../../../lib/recovery-point/RecoveryPointReader';
import { RestorePreconditionError } from '../../../../lib/restore';
import { runDurableRestore, type DurableRestoreDependencies, type DurableRestoreInput } from '../../../../lib/restore/durable';
import { fakeS3, type FakeS3 } from '../../recovery-point/fakeS3';
import { writeRecoveryPoint } from '../../recovery-point/writeRecoveryPoint';

// The orchestration of a durable restore against an in-memory S3, a fake API server that keeps what is
// written, and a fake engine that does what the durable execution service does: checkpoints step results as
// JSON, ends an invocation at a wait, and replays the finished steps in the next one. (The real engine, AWS's
// local runner, drives the bundled function in tests/integration/durable-restore.test.ts.)
const BUCKET = 'recovery-bucket';
const FOLDER = recoveryPointFolder('eks/', 'prod', '20261207T030000Z-ab12');
const REPORT = `${FOLDER}restores/r1.json`;
const CONFIGMAPS = 10;

type Json = Record<string, unknown>;
const json = (status: number, body: unknown): KubeResponse => ({ status, headers: {}, body: Buffer.from(JSON.stringify(body)) });
const RESOURCES = { kind: 'APIResourceList', groupVersion: 'v1', resources: [
  { name: 'namespaces', kind: 'Namespace', namespaced: false, verbs: ['create', 'get', 'list'] },
  { name: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['create', 'get', 'list'] },
] };

/** An API server that stores what is created (as written by the delegate's field manager) and lists and gets it. */
function cluster(beforePost: (req: KubeRequest) => void = () => undefined): KubeTransport & { objects: Map<string, Json>; posts: number; reviews: number } {
  const objects = new Map<string, Json>();
  const fake = {
    objects, posts: 0, reviews: 0,
    async request(req: KubeRequest): Promise<KubeResponse> {
      const path = req.path.split('?')[0] ?? '';
      if (req.method === 'POST' && path.endsWith('/selfsubjectaccessreviews')) {
        fake.reviews++;
        return json(201, { status: { allowed: true } });
      }
      if (req.method === 'GET' && path === '/api/v1') return json(200, RESOURCES);
      if (req.method === 'POST') {
        fake.posts++;
        beforePost(req);
        const meta = (req.body as Json).metadata as Json;
        const key = `${path}/${String(meta.name)}`;
        if (objects.has(key)) return json(409, { kind: 'Status', code: 409, reason: 'AlreadyExists' });
        objects.set(key, { ...(req.body as Json), metadata: { ...meta, uid: `u-${objects.size}`, managedFields: [{ manager: 'eks-delegate', operation: 'Update' }] } });
        return json(201, objects.get(key));
      }
      if (req.method === 'GET' && objects.has(path)) return json(200, objects.get(path));
      if (req.method === 'GET') {
        // A collection, in one namespace or (`/api/v1/<plural>`) in all of them.
        const plural = path.slice(path.lastIndexOf('/') + 1);
        const inCollection = (k: string) => k.slice(0, k.lastIndexOf('/')) === path || (path === `/api/v1/${plural}` && k.slice(0, k.lastIndexOf('/')).endsWith(`/${plural}`));
        const items = [...objects].filter(([k]) => inCollection(k)).map(([, v]) => v);
        return json(items.length || /\/(configmaps|namespaces)$/.test(path) ? 200 : 404, { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items });
      }
      return json(405, { kind: 'Status', code: 405 });
    },
  };
  return fake;
}

class Suspended extends Error {}

/** The engine: step results checkpointed (as JSON), a wait ends the invocation, the next replays. */
function engine() {
  const checkpoints = new Map<string, { result?: unknown; error?: string }>();
  const runs = new Map<string, number>();
  let invocations = 0;
  const context = {
    async step<T>(name: string, fn: () => Promise<T>, config?: StepConfig<T>): Promise<T> {
      const done = checkpoints.get(name);
      if (done) {
        if (done.error !== undefined) throw new Error(done.error);
        return done.result as T;
      }
      for (let attempt = 1; ; attempt++) {
        runs.set(name, (runs.get(name) ?? 0) + 1);
        try {
          const result = JSON.parse(JSON.stringify(await fn())) as T;
          checkpoints.set(name, { result });
          return result;
        } catch (err) {
          const decision: RetryDecision = config?.retryStrategy?.(err as Error, attempt) ?? { shouldRetry: false };
          if (!decision.shouldRetry) {
            checkpoints.set(name, { error: (err as Error).message });
            throw err;
          }
        }
      }
    },
    async wait(name: string): Promise<void> {
      if (checkpoints.has(name)) return;
      checkpoints.set(name, { result: null });
      throw new Suspended(name);
    },
  };
  return {
    checkpoints, runs, invocations: () => invocations,
    /** Invokes until the execution returns. */
    async run(fn: (c: DurableContext) => Promise<Json>): Promise<Json> {
      for (;;) {
        invocations++;
        try {
          return await fn(context as unknown as DurableContext);
        } catch (err) {
          if (!(err instanceof Suspended)) throw err;
        }
      }
    },
  };
}

const connection: ClusterConnection = {
  name: 'dr', arn: 'arn:aws:eks:us-west-2:444455556666:cluster/dr', region: 'us-west-2', account: '444455556666',
  endpoint: 'https://dr.example', caPem: '', kubernetesVersion: '1.31', platformVersion: 'eks.12', authenticationMode: 'API',
  endpointPublicAccess: true, endpointPrivateAccess: false, publicAccessCidrs: [], status: 'ACTIVE',
};
const STATUS = { bucket: BUCKET, key: restoreStatusKey('eks/', 'dr', 'r1') };
const input: DurableRestoreInput = {
  options: {
    source: { bucket: BUCKET, folder: FOLDER }, dryRun: false, existingResourcePolicy: 'skip',
    filters: { includeNamespaces: [], excludeNamespaces: [], includeResources: [], excludeResources: [] }, namespaceMapping: {}, restoreId: 'r1', concurrency: 2,
  },
  report: { bucket: BUCKET, key: REPORT }, status: STATUS, clusterName: 'dr', sourceLocation: `s3://${BUCKET}/${FOLDER}`,
  sliceObjects: 4, invocationBudgetMs: 0,
};

async function recoveryPoint(): Promise<FakeS3> {
  const s3 = fakeS3();
  await writeRecoveryPoint(s3, BUCKET, FOLDER, [
    { resource: 'namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } } },
    ...Array.from({ length: CONFIGMAPS }, (_, i) => ({
      resource: 'configmaps', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${String(i).padStart(2, '0')}`, namespace: 'shop' }, data: { i: String(i) } },
    })),
  ]);
  return s3;
}

function deps(s3: FakeS3, kube: KubeTransport): DurableRestoreDependencies {
  return {
    openSession: async () => ({ deps: { connection, kube, sourceS3: s3.client, reportS3: s3.client, logger: silentLogger }, close: () => undefined }),
    readManifest: async () => {
      const { manifest } = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
      return { recoveryPointId: manifest.recoveryPointId, sourceCluster: manifest.cluster.name, objects: manifest.archive.objects, resources: manifest.resources };
    },
    refusal: (err) => (err instanceof RestorePreconditionError ? { reason: 'invalid-input', error: err.problems.join('; ') } : undefined),
    reportS3: s3.client, statusS3: s3.client,
  };
}

const rowsOf = (s3: FakeS3) => (JSON.parse(s3.objects.get(REPORT)!.toString('utf8')) as { objects: Array<{ name: string; outcome: string; reason?: string }> }).objects;
const statusOf = (s3: FakeS3) => JSON.parse(s3.objects.get(STATUS.key)!.toString('utf8')) as Json;

describe('runDurableRestore', () => {
  it('runs one step per slice, each in an invocation of its own, replaying the finished ones from their checkpoints', async () => {
    const s3 = await recoveryPoint();
    const kube = cluster();
    const e = engine();
    const response = await e.run((c) => runDurableRestore(input, c, deps(s3, kube)));

    expect(response).toMatchObject({ status: 'COMPLETED', mode: 'durable', created: CONFIGMAPS + 1, failed: 0, steps: 4 });
    expect([...e.checkpoints.keys()].filter((k) => !k.startsWith('continue-after/'))).toEqual([
      'prepare', 'tier-1/namespaces', 'tier-11/configmaps#1', 'tier-11/configmaps#2', 'tier-11/configmaps#3', 'finish',
    ]);
    expect(e.invocations()).toBe(4);
    // Replayed, never run again: each step ran once, and each object was written once.
    expect([...e.runs.values()].every((n) => n === 1)).toBe(true);
    expect(kube.posts).toBe(CONFIGMAPS + 1);
    expect(rowsOf(s3).map((r) => r.name).sort()).toEqual(['shop', ...Array.from({ length: CONFIGMAPS }, (_, i) => `cm-${String(i).padStart(2, '0')}`)].sort());
    expect(statusOf(s3)).toMatchObject({ state: 'COMPLETED', steps: { done: 4, total: 4 }, objects: { done: CONFIGMAPS + 1, total: CONFIGMAPS + 1 } });
  });

  it('opens one cluster session per invocation and closes it before the invocation ends', async () => {
    const s3 = await recoveryPoint();
    const open: Array<{ closed: boolean }> = [];
    const d = deps(s3, cluster());
    const counted: DurableRestoreDependencies = {
      ...d,
      openSession: async () => {
        const session = await d.openSession();
        const state = { closed: false };
        open.push(state);
        return { ...session, close: () => (state.closed = true) };
      },
    };
    await engine().run((c) => runDurableRestore({ ...input, invocationBudgetMs: 60_000 }, c, counted));
    await new Promise((r) => setImmediate(r));
    expect(open).toEqual([{ closed: true }]);

    open.length = 0;
    const perStep = engine();
    await perStep.run((c) => runDurableRestore(input, c, counted));
    await new Promise((r) => setImmediate(r));
    expect(open).toHaveLength(perStep.invocations());
    expect(open.every((o) => o.closed)).toBe(true);
  });

  it('reads the manifest and the prepare\'s facts, and asks its access review, once per invocation, not once per step', async () => {
    const manifestKey = `${FOLDER}manifest.json`;
    const reads = (s3: FakeS3, key: string) => s3.mock.commandCalls(GetObjectCommand).filter((c) => c.args[0].input.Key === key).length;

    // One invocation for the whole restore: prepare reads the manifest, every step after it uses that read.
    const once = await recoveryPoint();
    once.mock.resetHistory();
    const oneInvocation = engine();
    const onceCluster = cluster();
    const response = await oneInvocation.run((c) => runDurableRestore({ ...input, invocationBudgetMs: 60_000 }, c, deps(once, onceCluster)));
    expect(response).toMatchObject({ status: 'COMPLETED', created: CONFIGMAPS + 1, steps: 4 });
    expect(oneInvocation.invocations()).toBe(1);
    // prepare's own read, and readManifest's (the plan's rows).
    expect(reads(once, manifestKey)).toBe(2);
    expect(reads(once, restoreFactsKey(REPORT))).toBe(1);
    expect(onceCluster.reviews).toBe(1);

    // An invocation per step (the first also runs prepare): each reads them afresh, as a new sandbox would.
    const each = await recoveryPoint();
    each.mock.resetHistory();
    const perStep = engine();
    const eachCluster = cluster();
    await perStep.run((c) => runDurableRestore(input, c, deps(each, eachCluster)));
    expect(perStep.invocations()).toBe(4);
    expect(reads(each, manifestKey)).toBe(2 + 3);
    expect(reads(each, restoreFactsKey(REPORT))).toBe(4);
    expect(eachCluster.reviews).toBe(4);
  });

  it('writes a report whose summary names the recovery point, the source and the target cluster, as a sync restore\'s does', async () => {
    const s3 = await recoveryPoint();
    await engine().run((c) => runDurableRestore(input, c, deps(s3, cluster())));

    const report = JSON.parse(s3.objects.get(REPORT)!.toString('utf8')) as Json;
    const { manifest } = await RecoveryPointReader.open(s3.client, BUCKET, FOLDER);
    expect(report).toMatchObject({
      restoreId: 'r1', status: 'COMPLETED', mode: 'durable', recoveryPointId: manifest.recoveryPointId, sourceCluster: manifest.cluster.name, targetCluster: 'dr',
    });
  });

  it('a step that breaks off mid-write runs again: what it made counts as created, once', async () => {
    const s3 = await recoveryPoint();
    let broke = false;
    // The 6th write (the 2nd of chunk #2) is made, and then the transport breaks, once.
    const kube = cluster((req) => {
      if (!broke && (req.path.includes('/configmaps')) && kube.posts === 7) {
        broke = true;
        kube.objects.set(`${req.path.split('?')[0]}/${String(((req.body as Json).metadata as Json).name)}`, { ...(req.body as Json), metadata: { ...((req.body as Json).metadata as Json), managedFields: [{ manager: 'eks-delegate' }] } });
        throw new Error('socket hang up');
      }
    });
    const e = engine();
    const response = await e.run((c) => runDurableRestore(input, c, deps(s3, kube)));

    expect(response).toMatchObject({ status: 'COMPLETED', created: CONFIGMAPS + 1, failed: 0, skipped: { exists: 0 } });
    expect(e.runs.get('tier-11/configmaps#2')).toBe(2);
    const rows = rowsOf(s3);
    expect(rows).toHaveLength(CONFIGMAPS + 1);
    expect(new Set(rows.map((r) => r.name)).size).toBe(CONFIGMAPS + 1);
    // What the broken attempt had made (cm-05, and cm-04 beside it) is found by the next one and counted created by it.
    const madeEarlier = rows.filter((r) => r.reason === 'created (an earlier attempt of this step made it)').map((r) => r.name);
    expect(madeEarlier).toContain('cm-05');
    expect(madeEarlier.every((n) => ['cm-04', 'cm-05'].includes(n))).toBe(true);
  });

  it('a step that fails for good ends the restore PARTIAL, the rest not attempted, and the status says so', async () => {
    const s3 = await recoveryPoint();
    const kube = cluster((req) => {
      if (req.path.includes('/configmaps') && ((req.body as Json).metadata as Json).name === 'cm-05') throw new Error('connection refused');
    });
    const e = engine();
    const response = await e.run((c) => runDurableRestore(input, c, deps(s3, kube)));

    expect(response).toMatchObject({ status: 'PARTIAL', reason: 'error', error: expect.stringMatching(/^step tier-11\/configmaps#2 failed: .*connection refused/) });
    expect(response.created).toBe(1 + 4);
    expect(response.notAttempted).toBe(CONFIGMAPS - 4);
    expect(e.runs.get('tier-11/configmaps#2')).toBe(8);
    expect(e.checkpoints.has('tier-11/configmaps#3')).toBe(false);
    expect(statusOf(s3)).toMatchObject({ state: 'PARTIAL', error: expect.stringContaining('connection refused') });
  });
});

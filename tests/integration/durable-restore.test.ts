import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareForRestore } from '../../lib/restore';
import { restoreStatusKey } from '../../lib/recovery-point/layout';
import { StandInClient, type KubeObject, type RoleCredentials } from '../standin/StandInClient';
import { getObjectBytes } from './archive';
import { frontApiServer, type FaultRule } from './faultFronts';
import { mapRestoreDelegates } from './restoreDelegates';
import { REPO_ROOT, invokeBundle, unique } from './helpers';

// A restore as a durable execution (issue 26 item 1, docs/durable-restore.md), driven by AWS's local runner
// (LocalDurableTestRunner: the engine's checkpoint server, in process) against the stand-in's two real
// clusters. tests/integration/durable/runner.cjs runs the runner on Node 22 (the SDK's engine) and serves
// each invocation of the bundled durable restore function (dist/durable-restore) from a fresh process, so
// nothing can survive from one invocation to the next but the checkpoints.
const primary = StandInClient.fromEnv();
const recovery = primary.recovery();
const s3 = primary.s3();
const bucket = primary.conn.bucket;
const prefix = `durable-restore/${unique('run')}/`;
const ns = unique('dr');
const CONFIGMAPS = 30;
const SECRETS = 6;

interface RestoreResult {
  action: string; status: string; mode: string; restoreId: string; report: string; steps: number;
  created: number; updated: number; failed: number; notAttempted?: number;
  skipped: Record<string, number>; failures: unknown[]; warnings: string[];
}
interface RunnerResult {
  status: string; result: RestoreResult | undefined; error?: unknown; invocations: number; processes: number;
  died: Array<{ process: number; code: number | null; signal: string | null }>;
  operations: Array<{ name: string; type?: string; status: string }>;
  checkpoints: string;
}
interface ReportRow { resource: string; namespace?: string; name: string; outcome: string; reason?: string }
interface Seeded { resource: string; collection: (namespace: string) => string; name: string }

const collections: Record<string, (namespace: string) => string> = {
  configmaps: (n) => `/api/v1/namespaces/${n}/configmaps`,
  secrets: (n) => `/api/v1/namespaces/${n}/secrets`,
  services: (n) => `/api/v1/namespaces/${n}/services`,
  'deployments.apps': (n) => `/apis/apps/v1/namespaces/${n}/deployments`,
};
const seeded: Seeded[] = [];
/** The seeded Secrets' values: never in a checkpoint, a log line or the status object. */
const secretValues: string[] = [];
let recoveryCreds: RoleCredentials;
let recoveryPointId: string;
// The namespace and every seeded object.
const objectCount = () => seeded.length + 1;

/** Node 22 for the runner: the durable execution SDK's engine. Fails (never skips) when there is none. */
function node22(): string {
  const given = process.env.DELEGATE_NODE;
  const node = given && execFileSync(given, ['--version'], { encoding: 'utf8' }).startsWith('v22.') ? given
    : execFileSync('bash', [join(REPO_ROOT, 'scripts', 'node22.sh')], { encoding: 'utf8' }).trim();
  if (!execFileSync(node, ['--version'], { encoding: 'utf8' }).startsWith('v22.')) throw new Error(`${node} is not Node 22`);
  return node;
}

/**
 * One durable restore of the recovery point into `target`, on the local runner, with the recovery
 * delegate's environment. `onProcess` is told the pid of each invocation's process as it starts.
 */
async function durableRestore(
  target: string, env: Record<string, string>, onProcess: (n: number, pid: number) => void = () => undefined, onId: (restoreId: string) => void = () => undefined,
): Promise<{ run: RunnerResult; result: RestoreResult; restoreId: string; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'durable-'));
  const restoreId = unique('dr-restore');
  onId(restoreId);
  const eventFile = join(dir, 'event.json');
  const resultFile = join(dir, 'result.json');
  writeFileSync(eventFile, JSON.stringify({
    action: 'restore', mode: 'durable', restoreId, translate: 'off', includeNamespaces: [ns], namespaceMapping: { [ns]: target },
    source: { clusterName: primary.conn.clusterName, region: primary.conn.region, recoveryPointId },
  }));
  const child = spawn(node22(), [join(__dirname, 'durable', 'runner.cjs'), eventFile, resultFile], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'WARN', ...recovery.delegateEnv(recoveryCreds, { RECOVERY_PREFIX: prefix, ...env }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const line of d.toString().split('\n')) {
      const m = /^\{"process":(\d+),"pid":(\d+)\}$/.exec(line.trim());
      if (m) onProcess(Number(m[1]), Number(m[2]));
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`the durable runner failed (exit ${code}).\nstdout:\n${stdout.slice(-4000)}\nstderr:\n${stderr.slice(-4000)}`);
  const run = JSON.parse(readFileSync(resultFile, 'utf8')) as RunnerResult;
  if (run.status !== 'SUCCEEDED' || run.result === undefined) throw new Error(`execution ${run.status}: ${JSON.stringify(run.error)}\n${stderr.slice(-4000)}`);
  return { run, result: run.result, restoreId, output: stdout + stderr };
}

/** describe-restore, answered by the bundled delegate from the status object. */
async function describeRestore(restoreId: string): Promise<Record<string, unknown>> {
  return (await invokeBundle({ action: 'describe-restore', restoreId }, recovery.delegateEnv(recoveryCreds, { RECOVERY_PREFIX: prefix }))).response;
}

async function reportRows(location: string): Promise<ReportRow[]> {
  const key = location.replace(`s3://${bucket}/`, '');
  return (JSON.parse((await getObjectBytes(s3, bucket, key)).toString('utf8')) as { objects: ReportRow[] }).objects;
}

/** Every seeded object is in `target` once, equal to its source but for what restore changes; nothing else is. */
async function expectRestoredInto(target: string): Promise<void> {
  const mapping = { [ns]: target };
  expect((await recovery.kube('GET', `/api/v1/namespaces/${target}`)).status).toBe(200);
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

/** One row per object of the recovery point: no object twice, none missing. */
function expectOneRowPerObject(rows: ReportRow[]): void {
  const keys = rows.map((r) => `${r.resource}/${r.namespace ?? ''}/${r.name}`);
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys).toHaveLength(objectCount());
}

beforeAll(async () => {
  let sourceCreds: RoleCredentials;
  ({ sourceCreds, recoveryCreds } = await mapRestoreDelegates(primary, recovery, unique('durable-source')));
  await primary.apply('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const seed = async (resource: string, obj: KubeObject) => {
    const collection = collections[resource]!;
    await primary.apply(collection(ns), { ...obj, metadata: { ...obj.metadata, namespace: ns } });
    seeded.push({ resource, collection, name: obj.metadata.name });
  };
  await Promise.all(Array.from({ length: CONFIGMAPS }, (_, i) => seed('configmaps', {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${String(i).padStart(2, '0')}`, labels: { app: 'api' } }, data: { i: String(i) },
  })));
  await Promise.all(Array.from({ length: SECRETS }, (_, i) => {
    const value = `value-${i}-${unique('s')}`;
    secretValues.push(value, Buffer.from(value).toString('base64'));
    return seed('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: `secret-${i}` }, type: 'Opaque', data: { value: Buffer.from(value).toString('base64') } });
  }));
  await seed('deployments.apps', {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', labels: { app: 'api' } },
    spec: { replicas: 2, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } },
      spec: { containers: [{ name: 'api', image: 'public.ecr.aws/nginx/nginx:1.27' }] } } },
  });
  await seed('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' }, spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080 }] } });
  await seed('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } });
  const backup = await invokeBundle<{ status: string; recoveryPointId: string }>(
    { action: 'backup', includeNamespaces: [ns], includeResources: ['namespaces', ...Object.keys(collections)] },
    primary.delegateEnv(sourceCreds, { RECOVERY_PREFIX: prefix }),
  );
  expect(backup.response.status).toBe('COMPLETED');
  recoveryPointId = backup.response.recoveryPointId;
}, 120_000);

afterAll(async () => {
  await primary.setAwsAuth([]);
  s3.destroy();
});

describe('a durable restore on the local durable execution runner', () => {
  it('continues across invocations by itself: COMPLETED, every object once and equal to its source, one report row each', async () => {
    const target = unique('dr-all');
    // 8 objects a step and no time for a second step in one invocation: every step ends its invocation.
    const { run, result, restoreId, output } = await durableRestore(target, { RESTORE_SLICE_OBJECTS: '8', RESTORE_INVOCATION_BUDGET_MS: '0', POWERTOOLS_LOG_LEVEL: 'DEBUG' });

    expect(run.invocations).toBeGreaterThanOrEqual(5);
    expect(run.processes).toBe(run.invocations);
    expect({ status: result.status, mode: result.mode, failed: result.failed, failures: result.failures })
      .toEqual({ status: 'COMPLETED', mode: 'durable', failed: 0, failures: [] });
    expect(result.created).toBe(objectCount());
    // Steps named after what they restore, tiers in order, the configmaps cut in chunks of 8.
    const steps = run.operations.filter((o) => o.type === 'STEP').map((o) => o.name);
    expect(steps).toEqual([
      'prepare', 'tier-1/namespaces', 'tier-10/secrets', 'tier-11/configmaps#1', 'tier-11/configmaps#2', 'tier-11/configmaps#3',
      'tier-11/configmaps#4', 'tier-14/deployments.apps', 'tier-14/services', 'finish',
    ]);
    expect(result.steps).toBe(steps.length - 2);
    await expectRestoredInto(target);
    const rows = await reportRows(result.report);
    expectOneRowPerObject(rows);
    expect(rows.every((r) => r.outcome === 'created')).toBe(true);

    // The status object describe-restore reads says what happened.
    const status = JSON.parse((await getObjectBytes(s3, bucket, restoreStatusKey(prefix, recovery.conn.clusterName, restoreId))).toString('utf8')) as Record<string, unknown>;
    expect(status).toMatchObject({ restoreId, state: 'COMPLETED', objects: { done: objectCount(), total: objectCount() }, steps: { done: 8, total: 8 }, report: result.report });
    // Secrets were restored, and none of their values is in what the engine checkpointed, the logs (at DEBUG)
    // or the status object.
    expect(run.checkpoints).toContain('tier-10/secrets');
    for (const value of secretValues) {
      expect(run.checkpoints.includes(value) || output.includes(value) || JSON.stringify(status).includes(value)).toBe(false);
    }
    const described = await describeRestore(restoreId);
    // Finished: described from its report (found in the source cluster's folder the status names), with the
    // durable state and steps beside it.
    expect(described).toMatchObject({
      action: 'describe-restore', status: 'OK', restoreId, mode: 'durable', state: 'COMPLETED', steps: { done: 8, total: 8 },
      restoreStatus: 'COMPLETED', report: result.report, outcomes: { created: objectCount(), failed: 0, 'not-attempted': 0 },
    });
  }, 180_000);

  it('a step whose process is killed mid-write runs again: nothing duplicated, counts exact', async () => {
    const target = unique('dr-kill');
    let configmapPosts = 0;
    let current: { n: number; pid: number } | undefined;
    let killed: { n: number; pid: number; atPost: number } | undefined;
    let restoreId = '';
    let whileRunning: Promise<Record<string, unknown>> | undefined;
    // One write at a time, so the count is exact: at the 6th configmap write of the second chunk (of 10), the
    // five before it answered, the process of that invocation is SIGKILLed with this write on the wire.
    const rule: FaultRule = (req) => {
      if (req.method !== 'POST' || !(req.url ?? '').startsWith(`/api/v1/namespaces/${target}/configmaps`)) return undefined;
      if (++configmapPosts === 16 && current && !killed) {
        killed = { ...current, atPost: configmapPosts };
        process.kill(current.pid, 'SIGKILL');
        // Asked while the restore runs on: its progress, from the status object the finished steps wrote.
        whileRunning = describeRestore(restoreId);
      }
      return undefined;
    };
    const front = await frontApiServer(recovery, rule);
    let outcome: Awaited<ReturnType<typeof durableRestore>>;
    try {
      outcome = await durableRestore(target, { RESTORE_SLICE_OBJECTS: '10', RESTORE_INVOCATION_BUDGET_MS: '0', RESTORE_CONCURRENCY: '1' }, (n, pid) => (current = { n, pid }), (id) => (restoreId = id));
    } finally {
      await front.close();
    }
    const { run, result } = outcome;
    expect(killed).toBeDefined();
    expect(run.died).toEqual([{ process: killed!.n, code: null, signal: 'SIGKILL' }]);
    // The killed process's invocation was served again by a new one: one process more than invocations.
    expect(run.processes).toBe(run.invocations + 1);
    expect({ status: result.status, failed: result.failed, exists: result.skipped.exists, notAttempted: result.notAttempted })
      .toEqual({ status: 'COMPLETED', failed: 0, exists: 0, notAttempted: undefined });
    expect(result.created).toBe(objectCount());
    await expectRestoredInto(target);
    const rows = await reportRows(result.report);
    expectOneRowPerObject(rows);
    // The rerun found what the killed attempt had written, and counted each of those once, as created by it.
    const madeEarlier = rows.filter((r) => r.reason === 'created (an earlier attempt of this step made it)');
    expect(madeEarlier.length).toBeGreaterThanOrEqual(5);
    expect(madeEarlier.length).toBeLessThanOrEqual(6);
    expect(madeEarlier.every((r) => r.resource === 'configmaps' && r.outcome === 'created')).toBe(true);
    // More configmap writes were sent than there are configmaps: the killed ones were not lost, nor made twice.
    expect(configmapPosts).toBeLessThan(CONFIGMAPS + 10);

    const progress = await whileRunning;
    expect(progress).toMatchObject({ action: 'describe-restore', status: 'OK', state: 'RUNNING', objects: { total: objectCount() } });
    const { objects, current: step, etaSeconds } = progress as { objects: { done: number }; current: { tier: number; resource: string }; etaSeconds: number };
    expect(objects.done).toBeGreaterThanOrEqual(1 + SECRETS + 10);
    expect(objects.done).toBeLessThan(objectCount());
    expect(step.tier).toBeGreaterThanOrEqual(11);
    expect(etaSeconds).toEqual(expect.any(Number));
  }, 180_000);
});

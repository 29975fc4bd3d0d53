// The recovery time of a restore as a durable execution: the recovery point of the seeded cluster restored by
// the bundled durable restore function (dist/durable-restore) into fresh namespaces of the stand-in's recovery
// cluster, driven by AWS's local runner (tests/integration/durable/runner.cjs: LocalDurableTestRunner on Node
// 22, each invocation in a process of its own, with the Lambda runtime's node flags for the function's memory),
// against the POST baseline writing the same objects at the same total concurrency (bench/postBaseline.ts), run
// before the restore and after it.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newRecoveryPointId, RecoveryPointReader } from '../lib/recovery-point';
import { sliceResource } from '../lib/restore/durable';
import type { StandInClient } from '../tests/standin/StandInClient';
import { withAdminApi } from './ApiConnection';
import { apiRequests, requestsBetween, type ApiRequests } from './apiRequests';
import { clusterCpu, cpuBetween, type ClusterCpu } from './clusterCpu';
import { pinnedArgv, type CpuPin } from './CpuPin';
import { BenchProcessError } from './errors';
import { lambdaRuntimeNodeArgs, lambdaWallMs, templateRuntimeEnv } from './lambdaRuntime';
import { baseEnv, measureProcesses } from './measureProcesses';
import { TENANT, meanBaseline, postBaselineAsAdmin, preparedWrites, type BaselineRun, type BaselineType } from './postBaseline';
import { installBenchCrd } from './seedCluster';

/** The delegate's defaults (lib/config/environment.ts), used unless the bench is told otherwise. */
export const DEFAULT_SLICE_OBJECTS = 2000;
export const DEFAULT_INVOCATION_BUDGET_MS = 600_000;

export interface DurableRestoreFigures {
  /** Objects the restore created (the seeded tenants' and whatever else the recovery cluster lacked). */
  objects: number;
  /** RESTORE_CONCURRENCY: writes in flight, for the delegate and the baseline alike. */
  concurrency: number;
  sliceObjects: number;
  invocationBudgetMs: number;
  memorySizeMb: number;
  /** The node that ran the runner and every invocation. */
  nodeVersion: string;
  /** The runner and its invocations on the under-test core, the two clusters on the other. */
  pinned: boolean;
  durable: {
    /** Wall time from starting the execution to its COMPLETED result: the recovery time (RTO) here. */
    rtoMs: number;
    /** The restore's own durationMs: from its first step's start to its last's end. */
    restoreMs: number;
    /** Invocations the local runner made (the Lambda service's count), and steps run. */
    invocations: number;
    steps: number;
    /** CPU (user + system, all threads) of every invocation process, added up: the delegate's. */
    cpuMs: number;
    cpuPer100kMs: number;
    /** The largest peak RSS of any invocation process. */
    peakRssMiB: number;
    /** Each invocation process's peak RSS, in order (the first runs `prepare`); absent from older results. */
    peakRssByInvocationMiB?: number[];
    objectsPerSecond: number;
    /** The runner process's own CPU (AWS's checkpoint server): not the delegate's, and not billed on Lambda. */
    runnerCpuMs: number;
    /** Where the restore's wall time went, from the engine's step timestamps (stepTimeline). */
    timeline?: StepTimeline;
  };
  /**
   * The POST baseline: the tenants' objects, prepared, written at the same concurrency, tier by tier; run once
   * before the restore and once after it, and averaged (meanBaseline), so the machine's drift during the bench
   * and the cluster's growth weigh on both sides alike.
   */
  baseline: { objects: number; ms: number; cpuMs: number; cpuPer100kMs: number; objectsPerSecond: number };
  /** The two baseline runs, before and after the restore; absent from results written before they were two. */
  baselineRuns?: Array<{ when: 'before' | 'after'; ms: number; cpuMs: number }>;
  /**
   * sourceStoppedAfterBackup: a million-object run does not fit this machine with both clusters full (bench/run.ts
   * LARGE_RESTORE_OBJECTS), so the source cluster is stopped once the recovery point is written.
   * recoveryEmptiedBeforeBaseline: the recovery cluster was emptied between the phases (with baselineRuns: before
   * the restore and before the second baseline, so each phase wrote into an empty cluster). Absent: neither was done.
   */
  clusters?: { sourceStoppedAfterBackup: boolean; recoveryEmptiedBeforeBaseline: boolean };
  /** durable.rtoMs / baseline.ms (target <= 1.1) */
  ratio: number;
  /** The two side by side, type by type (typeComparison); absent without step timestamps. */
  byType?: TypeComparison[];
  /**
   * The stand-in's CPU (ms, by process: kube-apiserver, etcd, moto) while the restore ran and while the baseline
   * wrote: the same cluster work per write in both means a slower restore left the cluster waiting.
   */
  clusterCpu?: { durable: ClusterCpu; baseline: ClusterCpu };
  /**
   * The recovery cluster's requests served during the restore and during a baseline (the mean of its runs)
   * (apiserver_request_total), by verb, resource and code.
   */
  apiRequests?: { durable: ApiRequests; baseline: ApiRequests };
  /** (delegate CPU - baseline CPU) per object written, ms: what the delegate adds to each write. */
  overheadPerWriteMs: number;
  /**
   * On Lambda at memorySizeMb (an estimate): the wall time (lambdaWallMs: the CPU over the function's vCPU share,
   * never less than here), the invocations that takes at the budget (never fewer than measured), and the
   * GB-seconds billed.
   */
  lambda: { wallMs: number; invocations: number; gbSeconds: number };
}

export interface MeasureDurableRestoreOptions {
  python: string;
  repoRoot: string;
  workDir: string;
  primary: StandInClient;
  recovery: StandInClient;
  /** The recovery delegate's environment (recovery.delegateEnv). */
  delegateEnv: Record<string, string>;
  /** `s3://bucket/<folder>` of the recovery point to restore. */
  location: string;
  memorySizeMb: number;
  /** Node 22: the durable execution SDK's engine (scripts/node22.sh). */
  node22: string;
  /** @default 8 */
  concurrency?: number;
  /** RESTORE_SLICE_OBJECTS. @default DEFAULT_SLICE_OBJECTS */
  sliceObjects?: number;
  /** RESTORE_INVOCATION_BUDGET_MS. @default DEFAULT_INVOCATION_BUDGET_MS */
  invocationBudgetMs?: number;
  /**
   * The tenant namespaces are restored as `<ns>-<suffix>` (the delegate), `<ns>-<suffix>a` (the baseline before
   * it) and `<ns>-<suffix>b` (the baseline after it).
   */
  namespaceSuffix: string;
  /**
   * Restore only the first this many tenant namespaces (the event's includeNamespaces), e.g. to keep the smoke
   * run to a few hundred objects. @default undefined (every tenant)
   */
  tenants?: number;
  pin?: CpuPin;
  /** The stand-in's processes (StandIn.pids), for their CPU in each phase (clusterCpu). @default not measured */
  clusterPids?: () => number[];
  /**
   * Runs before the restore and before the second baseline: bench/run.ts empties the recovery cluster here, so
   * each of the three phases writes into an empty cluster. @default the cluster is left as the phase before left it
   * (the CI smoke run)
   */
  emptyRecovery?: () => Promise<void>;
  log: (msg: string) => void;
}

/**
 * The restore's wall time by the engine's own step timestamps: `prepare`, the slices' steps added up, the time
 * between one step's end and the next one's start (checkpoint round trips, waits, invocations started), and
 * `finish`. The slowest step, to see whether one type holds the rest up.
 */
export interface StepTimeline {
  prepareMs: number;
  stepsMs: number;
  betweenStepsMs: number;
  finishMs: number;
  slowest: { step: string; ms: number };
  /** Each resource type's steps added up, in restore order (`tier-<rank>/<type>` or `...#<n>`). */
  byType: Array<{ type: string; ms: number; steps: number }>;
}

interface RunnerOperation { name: string; type?: string; startedAt?: number; endedAt?: number }

/** StepTimeline of the runner's operations (undefined when a step has no timestamps). */
export function stepTimeline(operations: readonly RunnerOperation[]): StepTimeline | undefined {
  const steps = operations.filter((o) => o.type === 'STEP');
  if (steps.length < 2 || steps.some((o) => o.startedAt === undefined || o.endedAt === undefined)) return undefined;
  const ms = (o: RunnerOperation) => o.endedAt! - o.startedAt!;
  const sorted = [...steps].sort((a, b) => a.startedAt! - b.startedAt!);
  const slices = sorted.filter((o) => o.name !== 'prepare' && o.name !== 'finish');
  let between = 0;
  for (let i = 1; i < sorted.length; i++) between += Math.max(0, sorted[i]!.startedAt! - sorted[i - 1]!.endedAt!);
  const slowest = slices.reduce((a, b) => (ms(b) > ms(a) ? b : a), slices[0] ?? sorted[0]!);
  return {
    prepareMs: ms(sorted.find((o) => o.name === 'prepare') ?? sorted[0]!),
    stepsMs: slices.reduce((n, o) => n + ms(o), 0),
    betweenStepsMs: between,
    finishMs: ms(sorted.find((o) => o.name === 'finish') ?? sorted.at(-1)!),
    slowest: { step: slowest.name, ms: ms(slowest) },
    byType: stepsByType(slices, ms),
  };
}

/** The slices' steps grouped by the type in their names, in the order the types began. */
function stepsByType(slices: readonly RunnerOperation[], ms: (o: RunnerOperation) => number): StepTimeline['byType'] {
  const byType = new Map<string, { type: string; ms: number; steps: number }>();
  for (const o of slices) {
    const type = sliceResource(o.name);
    if (type === undefined) continue;
    const t = byType.get(type) ?? { type, ms: 0, steps: 0 };
    t.ms += ms(o);
    t.steps += 1;
    byType.set(type, t);
  }
  return [...byType.values()];
}

/**
 * The durable restore's time on each type beside the baseline's, for the types the baseline wrote: where the
 * gap between the two is (a type the API server is slower to create is slower for both).
 */
export function typeComparison(timeline: StepTimeline, baseline: readonly BaselineType[]): TypeComparison[] {
  const durable = new Map(timeline.byType.map((t) => [t.type, t]));
  return baseline.flatMap((b) => {
    const d = durable.get(b.type);
    if (!d || b.ms <= 0) return [];
    return [{ type: b.type, objects: b.objects, durableMs: d.ms, baselineMs: Math.round(b.ms), ratio: Math.round((d.ms / b.ms) * 100) / 100 }];
  });
}

/** One type of typeComparison. */
export interface TypeComparison {
  type: string;
  /** The baseline's objects of the type (the seeded tenants'; the restore's step also holds the few others). */
  objects: number;
  durableMs: number;
  baselineMs: number;
  ratio: number;
}

interface RunnerResult {
  operations?: RunnerOperation[];
  status: string;
  result?: { status: string; created: number; failed: number; steps: number; durationMs: number };
  error?: unknown;
  invocations: number;
  usage: Array<{ process: number; userMs: number; systemMs: number; maxRssKiB: number }>;
  self: { userMs: number; systemMs: number; maxRssKiB: number };
}

export async function measureDurableRestore(o: MeasureDurableRestoreOptions): Promise<DurableRestoreFigures> {
  const concurrency = o.concurrency ?? 8;
  const sliceObjects = o.sliceObjects ?? DEFAULT_SLICE_OBJECTS;
  const invocationBudgetMs = o.invocationBudgetMs ?? DEFAULT_INVOCATION_BUDGET_MS;
  const bucket = o.primary.conn.bucket;
  const folder = o.location.replace(`s3://${bucket}/`, '');
  const recoveryPointId = folder.split('/').at(-2) ?? '';
  const underTest = o.pin?.layout.underTest;
  const s3 = o.primary.s3();
  try {
    const reader = await RecoveryPointReader.open(s3, bucket, folder);
    const tenants: string[] = [];
    for await (const entry of reader.objects()) if (entry.resourceName === 'namespaces' && TENANT.test(entry.name)) tenants.push(entry.name);
    const chosen = new Set(o.tenants === undefined ? tenants : tenants.sort().slice(0, o.tenants));
    const namespaceMapping = Object.fromEntries([...chosen].map((ns) => [ns, `${ns}-${o.namespaceSuffix}`]));

    o.log(`durable restore: ${recoveryPointId} into ${o.recovery.conn.clusterName} on the local durable runner (${concurrency} writes in flight, ${sliceObjects} objects a step, ${invocationBudgetMs} ms of steps an invocation)`);
    const eventFile = join(o.workDir, 'durable-event.json');
    const resultFile = join(o.workDir, 'durable-result.json');
    writeFileSync(eventFile, JSON.stringify({
      action: 'restore', mode: 'durable', restoreId: newRecoveryPointId(new Date()), namespaceMapping,
      ...(o.tenants !== undefined ? { includeNamespaces: [...chosen] } : {}),
      source: { clusterName: o.primary.conn.clusterName, region: o.primary.conn.region, recoveryPointId },
    }));
    const nodeVersion = execFileSync(o.node22, ['--version'], { encoding: 'utf8' }).trim();
    const cpuNow = () => (o.clusterPids ? clusterCpu(o.clusterPids()) : undefined);
    const requestsNow = () => withAdminApi(o.recovery, 1, apiRequests);

    // Baseline, restore, baseline: what drifts during the bench (the machine, the cluster's size) weighs on both sides.
    const before = await runBaseline(o, reader, chosen, 'before', cpuNow, requestsNow);

    await o.emptyRecovery?.();
    const requestsBefore = await requestsNow();
    const clusterBefore = cpuNow();
    // The invocations are forked by the runner and inherit its node flags (the Lambda runtime's) and its cores.
    const [run] = await measureProcesses(o.python, [{
      argv: pinnedArgv([o.node22, ...lambdaRuntimeNodeArgs(o.memorySizeMb), join(o.repoRoot, 'tests', 'integration', 'durable', 'runner.cjs'), eventFile, resultFile], underTest),
      env: baseEnv({
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'WARN', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(o.memorySizeMb),
        ...templateRuntimeEnv(join(o.repoRoot, 'template.yaml')), ...o.delegateEnv,
        RESTORE_CONCURRENCY: String(concurrency), RESTORE_SLICE_OBJECTS: String(sliceObjects), RESTORE_INVOCATION_BUDGET_MS: String(invocationBudgetMs),
      }),
      stdout: join(o.workDir, 'durable.stdout'), stderr: join(o.workDir, 'durable.stderr'),
    }]);
    const clusterAfter = cpuNow();
    const requestsAfter = await requestsNow();
    const text = run?.exitCode === 0 ? readFileSync(resultFile, 'utf8') : '';
    const result = text ? (JSON.parse(text) as RunnerResult) : undefined;
    if (!run || run.exitCode !== 0 || result?.status !== 'SUCCEEDED' || result.result?.status !== 'COMPLETED') {
      throw new BenchProcessError('durable restore', run?.exitCode ?? null, `${text.slice(0, 2000)}\n${readFileSync(join(o.workDir, 'durable.stderr'), 'utf8').slice(-2000)}`);
    }
    const restore = result.result;
    const cpuMs = result.usage.reduce((n, u) => n + u.userMs + u.systemMs, 0);
    const peakRssByInvocationMiB = result.usage.map((u) => Math.round(u.maxRssKiB / 1024));
    const peakRssMiB = Math.max(...peakRssByInvocationMiB);
    const runnerCpuMs = result.self.userMs + result.self.systemMs;
    o.log(`durable restore: ${restore.created} objects in ${(run.wallMs / 1000).toFixed(2)} s, ${result.invocations} invocation(s), ${restore.steps} steps, CPU ${(cpuMs / 1000).toFixed(2)} s, peak ${peakRssMiB} MiB (by invocation: ${peakRssByInvocationMiB.join(', ')})`);
    const timeline = stepTimeline(result.operations ?? []);
    if (timeline) o.log(`durable restore: prepare ${timeline.prepareMs} ms, steps ${timeline.stepsMs} ms, between steps ${timeline.betweenStepsMs} ms, finish ${timeline.finishMs} ms; slowest step ${timeline.slowest.step} ${timeline.slowest.ms} ms`);

    await o.emptyRecovery?.();
    const after = await runBaseline(o, reader, chosen, 'after', cpuNow, requestsNow);
    const base = meanBaseline([before.run, after.run]);
    const standInCpu = clusterBefore && clusterAfter && before.cpu && after.cpu
      ? { durable: cpuBetween(clusterBefore, clusterAfter), baseline: meanOf([before.cpu, after.cpu]) }
      : undefined;
    if (standInCpu) o.log(`stand-in CPU (ms): during the restore ${JSON.stringify(standInCpu.durable)}, during a baseline (mean) ${JSON.stringify(standInCpu.baseline)}`);
    const served = { durable: requestsBetween(requestsBefore, requestsAfter), baseline: meanOf([before.requests, after.requests]) };
    o.log(`recovery cluster's requests: during the restore ${JSON.stringify(served.durable)}, during a baseline (mean) ${JSON.stringify(served.baseline)}`);

    const wallMs = lambdaWallMs(cpuMs, run.wallMs, o.memorySizeMb);
    return {
      objects: restore.created, concurrency, sliceObjects, invocationBudgetMs, memorySizeMb: o.memorySizeMb, nodeVersion, pinned: underTest !== undefined,
      durable: {
        rtoMs: Math.round(run.wallMs), restoreMs: restore.durationMs, invocations: result.invocations, steps: restore.steps,
        cpuMs: Math.round(cpuMs), cpuPer100kMs: Math.round((cpuMs / restore.created) * 100_000), peakRssMiB, peakRssByInvocationMiB,
        objectsPerSecond: Math.round(restore.created / (run.wallMs / 1000)), runnerCpuMs: Math.round(runnerCpuMs),
        ...(timeline ? { timeline } : {}),
      },
      baseline: {
        objects: base.objects, ms: Math.round(base.ms), cpuMs: Math.round(base.cpuMs), cpuPer100kMs: Math.round((base.cpuMs / base.objects) * 100_000),
        objectsPerSecond: Math.round(base.objects / (base.ms / 1000)),
      },
      baselineRuns: [before, after].map((b) => ({ when: b.when, ms: Math.round(b.run.ms), cpuMs: Math.round(b.run.cpuMs) })),
      ratio: Math.round((run.wallMs / base.ms) * 1000) / 1000,
      ...(timeline ? { byType: typeComparison(timeline, base.byType) } : {}),
      ...(standInCpu ? { clusterCpu: standInCpu } : {}),
      apiRequests: served,
      overheadPerWriteMs: Math.round(((cpuMs / restore.created) - (base.cpuMs / base.objects)) * 1000) / 1000,
      lambda: {
        wallMs: Math.round(wallMs),
        // A budget of 0 hands over after every step: then the count is the steps', as measured.
        invocations: invocationBudgetMs > 0 ? Math.max(result.invocations, Math.ceil(wallMs / invocationBudgetMs)) : result.invocations,
        gbSeconds: Math.round((wallMs / 1000) * (o.memorySizeMb / 1024) * 10) / 10,
      },
    };
  } finally {
    s3.destroy();
  }
}

interface BaselinePhase {
  when: 'before' | 'after';
  run: BaselineRun;
  /** The stand-in's CPU during the run (cpuBetween), when measured. */
  cpu: ClusterCpu | undefined;
  requests: ApiRequests;
}

/**
 * One run of the POST baseline into the recovery cluster, under `<ns>-<suffix>a` (before the restore) or
 * `<suffix>b` (after): the bench's CRD installed first (the restore brings its own from the recovery point; the
 * baseline writes objects only), the objects prepared, then only the writes measured, with the cluster's CPU
 * and requests around them.
 */
async function runBaseline(
  o: MeasureDurableRestoreOptions, reader: RecoveryPointReader, chosen: ReadonlySet<string>, when: 'before' | 'after',
  cpuNow: () => ClusterCpu | undefined, requestsNow: () => Promise<ApiRequests>,
): Promise<BaselinePhase> {
  const concurrency = o.concurrency ?? 8;
  await withAdminApi(o.recovery, 1, installBenchCrd);
  const suffix = `${o.namespaceSuffix}${when === 'before' ? 'a' : 'b'}`;
  const byType = await preparedWrites(reader, (ns) => `${ns}-${suffix}`, (ns) => chosen.has(ns));
  const objects = [...byType.values()].reduce((n, l) => n + l.length, 0);
  o.log(`durable restore baseline (${when} the restore): POST ${objects} prepared objects, ${concurrency} in flight, tiers in restore order`);
  const requests0 = await requestsNow();
  const cpu0 = cpuNow();
  const run = await postBaselineAsAdmin(o.recovery, byType, concurrency, o.pin);
  const cpu1 = cpuNow();
  const requests = requestsBetween(requests0, await requestsNow());
  o.log(`durable restore baseline (${when} the restore): ${(run.ms / 1000).toFixed(2)} s, CPU ${(run.cpuMs / 1000).toFixed(2)} s`);
  return { when, run, cpu: cpu0 && cpu1 ? cpuBetween(cpu0, cpu1) : undefined, requests };
}

/** The mean of counters by name (CPU by process, requests by kind), rounded; a name one of them lacks counts 0 there. */
function meanOf(readings: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const r of readings) for (const [k, v] of Object.entries(r)) sum[k] = (sum[k] ?? 0) + v;
  return Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, Math.round(v / readings.length)]));
}

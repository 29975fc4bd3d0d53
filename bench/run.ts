// `npm run bench`: seeds the local stand-in with a realistic cluster at each size, then measures the
// bundled delegate's backup against a plain paged fetch and a kubectl dump, and the bundle's cold load
// (issue 8, DESIGN.md section 7). Writes bench/results.json and the table in docs/benchmark.md.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseManifest } from '../lib/recovery-point';
import { provisionStandIn } from '../tests/standin/provision';
import { StandIn } from '../tests/standin/StandIn';
import { StandInClient, type StandInConnection } from '../tests/standin/StandInClient';
import { ApiConnection } from './ApiConnection';
import { baselineFetch, type ListedResource } from './baselineFetch';
import { buildS3OnlyBundle, compareBundles } from './bundleLoad';
import { CpuPin, cpuLayout, tasksetInstalled } from './CpuPin';
import { BenchSanityError, BenchUsageError } from './errors';
import { KUBECTL, kubectlDump } from './kubectlDump';
import { lambdaRuntimeNodeArgs, templateMemorySizeMb } from './lambdaRuntime';
import { parseBenchOptions, type BenchOptions } from './options';
import {
  cpuFigures, evaluateTargets, median, mib, recordedCpuFloor, recordedLargeRuns, recordedRestoreRuns, recordedSeekableFormat, round, updateReadme, withDurableRun, withLargeRun, writeResults,
  type ActionFigures, type BackupFigures, type BaselineFigures, type BenchResults, type BrokenApiResult, type CpuFloorResult, type DurableRestoreRun, type LargeResult,
  type MachineInfo, type SizeResult,
  withCapCurve,
} from './report';
import { measureRestore, type RestoreFigures } from './restoreBench';
import { measureDurableRestore, type DurableRestoreFigures } from './durableRestoreBench';
import { measureCapCurve, type CapCurvePoint } from './restoreCapCurve';
import { seedObjectsViaEtcd } from './etcdSeed';
import { measureCpuFloor } from './cpuFloor';
import { measureFormatSizes } from './formatSize';
import { runAction, runDelegate, type ActionResponse, type DelegateRun } from './runDelegate';
import { BENCH_CRD_GROUP, installBenchCrd, seedObjects } from './seedCluster';

const REPO_ROOT = join(__dirname, '..');
/** Where the bench's table lives (between its markers); the README links to it. */
const BENCH_DOC = 'docs/benchmark.md';
const DELEGATE_BUNDLE = join(REPO_ROOT, 'dist', 'delegate', 'index.js');
const BENCH_TOKEN_REVIEW_CACHE_TTL = '2m';
/** The stand-in's kube-apiserver `--max-mutating-requests-inflight` unless --recovery-max-writes says otherwise. */
const STANDIN_MAX_WRITES = 500;

interface Context {
  opts: BenchOptions;
  memorySizeMb: number;
  conn: StandInConnection;
  client: StandInClient;
  python: string;
  work: string;
  delegateEnv: Record<string, string>;
  /** The recovery point of the last warm-up backup (what the restore measurement restores). */
  lastLocation?: string;
  /** The Node 22 binary that runs the delegate too (--node 22). */
  node22: string | undefined;
  /** Set with --pin: moves the stand-in and this process between the pinned and the co-located layout. */
  pin: CpuPin | undefined;
  /** The stand-in's processes now (kube-apiserver, etcd, moto, ...). */
  standInPids: () => number[];
  /** Stops or empties one of the stand-in's clusters (the large restore run: LARGE_RESTORE_OBJECTS). */
  clusters: Pick<StandIn, 'stopCluster' | 'resetCluster'>;
}

/** How one measurement runs: pinned (stand-in and process under test on separate cores) or co-located. */
type Mode = 'pinned' | 'colocated';

/**
 * `--format-size`: no cluster, no stand-in; the archive sizes of both layouts recorded under results.json's
 * `seekableFormat` key, every other key kept as recorded.
 */
async function recordFormatSize(file: string, sizes: readonly number[]): Promise<void> {
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
  const run = await measureFormatSizes(sizes, command, log);
  const recorded = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BenchResults) : undefined;
  if (!recorded) throw new BenchUsageError(`${file} does not exist: run the normal bench first, then this one (seekableFormat)`);
  writeResults(file, { ...recorded, seekableFormat: run });
  log(`recorded in ${file} (key "seekableFormat")`);
}

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

async function main(): Promise<void> {
  const benchT0 = performance.now();
  // The stand-in's STS/S3 clients run in this process; the SDK's Node 20 notice is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const taskset = tasksetInstalled();
  const opts = parseBenchOptions(process.argv.slice(2), REPO_ROOT, { cpus: cpus().length, taskset });
  const pinNote = opts.pin ? undefined : !taskset ? 'taskset (util-linux) is not installed' : cpus().length < 2 ? `${cpus().length} core` : '--no-pin';
  if (pinNote && opts.pin === false && !process.argv.includes('--no-pin')) log(`not pinning: ${pinNote}`);
  if (opts.formatSize) {
    await recordFormatSize(opts.out, opts.sizes);
    return;
  }
  const memorySizeMb = opts.memorySizeMb ?? templateMemorySizeMb(join(REPO_ROOT, 'template.yaml'));
  if (!existsSync(DELEGATE_BUNDLE)) throw new BenchUsageError(`${DELEGATE_BUNDLE} is missing: run \`npm run build\` (npm run bench does)`);
  const node22 = opts.node22 ? pinnedNode22() : undefined;
  const node22Version = node22 === undefined ? undefined : execFileSync(node22, ['--version'], { encoding: 'utf8' }).trim();
  if (node22Version) log(`the delegate runs on ${process.version} and on ${node22Version} (${node22}), alternately`);
  const machineStart = loadavg()[0]!;
  const work = mkdtempSync(join(tmpdir(), 'eks-bench-'));
  if (opts.cpuProfDir) mkdirSync(opts.cpuProfDir, { recursive: true });
  // EKS, like kube-apiserver by default, caches a token review for 2 minutes; the tests' 1 s would bill
  // the delegate a webhook round trip (and an STS check in moto) every second.
  const restoreRun = opts.restoreDurableAt !== undefined || opts.restoreCurveAt !== undefined;
  const standIn = new StandIn({ tokenReviewCacheTtl: BENCH_TOKEN_REVIEW_CACHE_TTL, recoveryCluster: opts.recoveryMaxWrites !== undefined ? { maxMutatingRequestsInflight: opts.recoveryMaxWrites } : opts.restoreAt.length > 0 || restoreRun, watchCache: opts.watchCache });
  const onSignal = () => void standIn.stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const pin = opts.pin ? new CpuPin(cpuLayout(cpus().length), () => standIn.pids) : undefined;
  const large = opts.oneOff;

  const sizes: SizeResult[] = [];
  const restores: NonNullable<BenchResults['restores']> = [];
  let brokenApi: BrokenApiResult | undefined;
  let largeRun: LargeResult | undefined;
  let cpuFloorRun: Awaited<ReturnType<typeof measureCpuFloor>> | undefined;
  let restoreRuns: RestoreRuns | undefined;
  let smokeDurable: DurableRestoreRun | undefined;
  let seeder: ApiConnection | undefined;
  let kubernetesVersion: string | undefined;
  let loadAverageAtBackup: number | undefined;
  try {
    const conn = await standIn.start();
    kubernetesVersion = conn.kubernetesVersion;
    const client = new StandInClient(conn);
    const python = provisionStandIn().python;
    const creds = await client.issueRoleCredentials('bench-delegate');
    await client.setAwsAuth([{ rolearn: creds.roleArn, username: 'delegate', groups: ['system:masters'] }]);
    const ctx: Context = {
      opts, conn, client, python, work, memorySizeMb, node22, pin, standInPids: () => standIn.pids, clusters: standIn,
      delegateEnv: client.delegateEnv(creds, { KUBE_PAGE_SIZE: String(opts.pageSize) }),
    };
    seeder = new ApiConnection({ apiServerUrl: conn.apiServerUrl, caPem: conn.caPem, token: conn.adminToken, maxSockets: opts.seedConcurrency });
    await installBenchCrd(seeder);
    let seeded = 0;
    for (const size of opts.sizes) {
      // Seeding is not measured against anything: it may use every core.
      pin?.colocated();
      log(`seeding objects ${seeded} to ${size} (${opts.seedConcurrency} in flight)`);
      const t0 = performance.now();
      const onProgress = (p: { done: number; total: number }) => log(`  seeded ${p.done}/${p.total} (${Math.round(p.done / ((performance.now() - t0) / 1000))}/s)`);
      if (opts.seedVia === 'etcd') await seedObjectsViaEtcd(seeded, size, { etcdUrl: conn.etcdUrl ?? '', concurrency: opts.seedConcurrency, onProgress });
      else await seedObjects(seeder, seeded, size, { concurrency: opts.seedConcurrency, onProgress });
      const seedMs = performance.now() - t0;
      log(`seeded ${size - seeded} objects in ${(seedMs / 1000).toFixed(1)} s`);
      seeded = size;
      if (opts.cpuFloor) {
        cpuFloorRun = await runCpuFloor(ctx, size);
        continue;
      }
      if (restoreRun) {
        restoreRuns = await measureRestoreRuns(ctx, client, size);
        continue;
      }
      if (large) {
        loadAverageAtBackup = round(loadavg()[0]!, 2);
        largeRun = await measureLarge(ctx, size, seedMs, seeder);
        continue;
      }
      sizes.push(await measureSize(ctx, size, seedMs));
      if (opts.brokenApi && size === opts.sizes[0]) brokenApi = await measureBrokenApi(ctx, size);
      const restoreIndex = opts.restoreAt.indexOf(size);
      if (restoreIndex >= 0) {
        // The first restore is compared with the baseline and kubectl; later ones measure the delegate alone.
        restores.push({ atObjects: size, ...(await benchRestore(ctx, client, restoreIndex === 0 ? undefined : `r${restoreIndex}`)) });
      }
      if (opts.smoke) smokeDurable = await measureSmokeDurable(ctx, client, size);
    }
  } finally {
    seeder?.destroy();
    pin?.colocated();
    await standIn.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const machine: MachineInfo = {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown', cpus: cpus().length, memoryGiB: round(totalmem() / 2 ** 30, 1),
    nodeVersion: process.version, ...(node22Version ? { node22Version } : {}), kernel: release(), loadAverageStart: round(machineStart, 2), loadAverageEnd: round(loadavg()[0]!, 2),
    ...(kubernetesVersion ? { kubernetesVersion } : {}),
    ...(loadAverageAtBackup !== undefined ? { loadAverageAtBackup } : {}),
  };
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, '');
  // A one-off large run or a CPU-floor run changes only its own key of the recorded results.
  const recordOwnKey = (key: string, merge: (recorded: BenchResults) => BenchResults) => {
    const file = opts.out;
    if (!existsSync(file)) throw new BenchUsageError(`${file} does not exist: run the normal bench first, then this one (${key})`);
    const results = merge(JSON.parse(readFileSync(file, 'utf8')) as BenchResults);
    writeResults(file, results);
    log(`recorded in ${file} (key "${key}")`);
    if (opts.updateReadme) updateReadme(join(REPO_ROOT, BENCH_DOC), results);
    rmSync(work, { recursive: true, force: true });
  };
  if (cpuFloorRun) {
    const run: CpuFloorResult = { ...cpuFloorRun, generatedAt: new Date().toISOString(), command, machine, seededObjects: opts.sizes[0]! };
    recordOwnKey('cpuFloor', (recorded) => ({ ...recorded, cpuFloor: run }));
    return;
  }
  if (restoreRuns) {
    const { durable, curve } = restoreRuns;
    const at = opts.sizes[0]!;
    const stamp = { generatedAt: new Date().toISOString(), command, machine, atObjects: at, seedVia: opts.seedVia };
    recordOwnKey([durable ? 'durableRestores' : '', curve ? 'restoreCapCurves' : ''].filter(Boolean).join('", "'), (recorded) => ({
      ...recorded,
      ...(durable ? { durableRestores: withDurableRun(recorded.durableRestores ?? [], { ...stamp, ...durable }) } : {}),
      ...(curve ? { restoreCapCurves: withCapCurve(recorded.restoreCapCurves ?? [], { ...stamp, pinned: opts.pin, memorySizeMb, recoveryMaxWrites: opts.recoveryMaxWrites ?? STANDIN_MAX_WRITES, points: curve }) } : {}),
    }));
    return;
  }
  if (largeRun) {
    const run: LargeResult = { ...largeRun, generatedAt: new Date().toISOString(), command, machine };
    recordOwnKey('large', (recorded) => ({ ...recorded, large: withLargeRun(recorded.large ?? [], run) }));
    log(`large: ${JSON.stringify(run.backups)}; verify ${JSON.stringify(run.verify)}; diff ${JSON.stringify(run.diff)}`);
    return;
  }

  log(`bundle: building the S3-only reference and loading each bundle ${opts.loadRuns} times`);
  const s3OnlyBundle = await buildS3OnlyBundle(work);
  const bundle = compareBundles(DELEGATE_BUNDLE, s3OnlyBundle, opts.loadRuns);
  const bundleNode22 = node22 === undefined ? undefined : compareBundles(DELEGATE_BUNDLE, s3OnlyBundle, opts.loadRuns, node22);
  rmSync(work, { recursive: true, force: true });

  const largeRuns = recordedLargeRuns(opts.out);
  const cpuFloor = recordedCpuFloor(opts.out);
  const { durableRestores, restoreCapCurves } = recordedRestoreRuns(opts.out);
  const seekableFormat = recordedSeekableFormat(opts.out);
  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    command,
    machine, pageSize: opts.pageSize, runs: opts.runs,
    lambda: { memorySizeMb, nodeArgs: lambdaRuntimeNodeArgs(memorySizeMb) },
    baselineToken: `the stand-in's static admin token (system:masters), so the baseline pays no token webhook; the delegate's EKS token is reviewed by the webhook once, then cached (--authentication-token-webhook-cache-ttl=${BENCH_TOKEN_REVIEW_CACHE_TTL}, kube-apiserver's default)`,
    pin: pin?.layout ?? null,
    ...(pinNote ? { pinNote } : {}),
    sizes,
    bundle,
    ...(bundleNode22 ? { bundleNode22 } : {}),
    ...(restores.length ? { restores } : {}),
    ...(brokenApi ? { brokenApi } : {}),
    ...(largeRuns.length ? { large: largeRuns } : {}),
    ...(cpuFloor ? { cpuFloor } : {}),
    ...(seekableFormat ? { seekableFormat } : {}),
    ...(smokeDurable ? { durableRestores: [{ ...smokeDurable, generatedAt: new Date().toISOString(), command, machine }] } : durableRestores ? { durableRestores } : {}),
    ...(restoreCapCurves ? { restoreCapCurves } : {}),
    benchMs: round(performance.now() - benchT0, 0),
    targets: evaluateTargets(sizes, bundle, restores),
  };
  writeResults(opts.out, results);
  log(`results written to ${opts.out}`);
  if (opts.updateReadme) {
    updateReadme(join(REPO_ROOT, BENCH_DOC), results);
    log(`${BENCH_DOC} table updated`);
  }
  printSummary(results);
  log(`the whole bench took ${((performance.now() - benchT0) / 60_000).toFixed(1)} min`);
  if (opts.smoke) log('smoke run: the figures are plausible; targets are judged only by a full `npm run bench` on a quiet machine');
  const problems = sanityProblems(results, smokeDurable);
  if (problems.length) throw new BenchSanityError(problems);
}

/** Puts the stand-in and this process in the mode's layout; returns the cores the process under test gets. */
function enter(ctx: Context, mode: Mode): string | undefined {
  if (!ctx.pin) return undefined;
  if (mode === 'colocated') {
    ctx.pin.colocated();
    return undefined;
  }
  ctx.pin.pinned();
  return ctx.pin.layout.underTest;
}

interface ModeRuns {
  warm: DelegateRun;
  warm22?: DelegateRun;
  baselines: Array<{ ms: number; cpuMs: number; pages: number; bytes: number; items: number }>;
  backups: DelegateRun[];
  backups22: DelegateRun[];
}

async function measureSize(ctx: Context, size: number, seedMs: number): Promise<SizeResult> {
  const { opts, conn, client, node22 } = ctx;
  // The first mode is the primary one (its figures fill `backup`, `baseline`, the Node 22 runs and kubectl).
  const modes: Mode[] = ctx.pin ? ['pinned', 'colocated'] : ['colocated'];
  const delegate = (mode: Mode, cpuProf: boolean, node?: string) => {
    const cpuList = enter(ctx, mode);
    return runDelegate({
      repoRoot: REPO_ROOT, python: ctx.python, workDir: ctx.work, env: ctx.delegateEnv, memorySizeMb: ctx.memorySizeMb,
      ...(cpuProf && opts.cpuProfDir ? { cpuProfDir: opts.cpuProfDir } : {}),
      ...(node ? { node } : {}),
      ...(cpuList ? { cpuList } : {}),
    });
  };
  const api = new ApiConnection({ apiServerUrl: conn.apiServerUrl, caPem: conn.caPem, token: conn.adminToken, maxSockets: 1 });
  const baseline = async (mode: Mode, resources: ListedResource[]) => {
    enter(ctx, mode);
    const run = () => baselineFetch(api, resources, opts.pageSize);
    return ctx.pin ? ctx.pin.onUnderTestCore(mode === 'pinned', run) : run();
  };
  try {
    log(`${size}: warm-up backup`);
    const runs = new Map<Mode, ModeRuns>();
    let resources: ListedResource[] | undefined;
    for (const mode of modes) {
      const warm = await delegate(mode, false);
      ctx.lastLocation = warm.response.location;
      const warm22 = node22 === undefined || mode !== modes[0] ? undefined : await delegate(mode, false, node22);
      resources ??= await listedResources(client, warm.response.location);
      await baseline(mode, resources);
      runs.set(mode, { warm, ...(warm22 ? { warm22 } : {}), baselines: [], backups: [], backups22: [] });
    }
    for (let i = 0; i < opts.runs; i++) {
      // The modes take turns going first, and so do the two nodes, so none always follows the same work.
      const order = i % 2 === 0 ? modes : [...modes].reverse();
      for (const mode of order) {
        const r = runs.get(mode)!;
        r.baselines.push(await baseline(mode, resources!));
        const with22 = node22 !== undefined && mode === modes[0];
        const on22First = with22 && i % 2 === 1;
        if (on22First) r.backups22.push(await delegate(mode, true, node22));
        r.backups.push(await delegate(mode, true));
        if (with22 && !on22First) r.backups22.push(await delegate(mode, true, node22));
        const b = r.backups[i]!;
        const b22 = r.backups22[i];
        log(`${size}: run ${i + 1}/${opts.runs}, ${mode}: baseline ${ms(r.baselines[i]!.ms)} (CPU ${ms(r.baselines[i]!.cpuMs)}), backup ${ms(b.response.durationMs)} (process ${ms(b.process.wallMs)}, CPU ${ms(b.process.userMs + b.process.systemMs)}, ${mib(b.process.maxRssKiB)} MiB)`
          + (b22 ? `, on Node 22 ${ms(b22.response.durationMs)} (process ${ms(b22.process.wallMs)}, ${mib(b22.process.maxRssKiB)} MiB)` : ''));
      }
    }
    const primaryMode = modes[0]!;
    const primary = runs.get(primaryMode)!;
    const backup = backupFigures(primary.warm, primary.backups);
    const baselineFigures = baselineOf(primary.baselines);
    const objects = primary.warm.response.objects;
    const backup22 = primary.warm22 === undefined ? undefined : backupFigures(primary.warm22, primary.backups22);
    const co = primaryMode === 'pinned' ? runs.get('colocated') : undefined;
    const colocated = co === undefined ? undefined : (() => {
      const b = backupFigures(co.warm, co.backups);
      const base = baselineOf(co.baselines);
      return { backup: b, baseline: base, ratio: round(b.ms / base.ms, 3), objectsPerSecond: round(objects / (b.ms / 1000), 0) };
    })();

    let kubectl: SizeResult['kubectl'] = null;
    let kubectlSkipped: string | undefined;
    if (!opts.kubectl) kubectlSkipped = 'turned off (--no-kubectl)';
    else if (!existsSync(KUBECTL)) kubectlSkipped = `${KUBECTL} not installed`;
    else {
      log(`${size}: kubectl dump of every listable type (${primaryMode})`);
      const cpuList = enter(ctx, primaryMode);
      const dir = mkdtempSync(join(ctx.work, 'kubectl-'));
      const k = await kubectlDump({ python: ctx.python, workDir: dir, apiServerUrl: conn.apiServerUrl, caPem: conn.caPem, token: conn.adminToken, pageSize: opts.pageSize, ...(cpuList ? { cpuList } : {}) });
      rmSync(dir, { recursive: true, force: true });
      const { peakRssKiB, ...rest } = k;
      kubectl = {
        ...rest, ms: round(k.ms), peakRssMiB: mib(peakRssKiB),
        speedup: round(k.ms / backup.processMs, 2), memoryRatio: round(mib(peakRssKiB) / backup.peakRssMiB, 2),
      };
      log(`${size}: kubectl ${ms(k.ms)}, peak ${mib(peakRssKiB)} MiB (${k.peakRssType}), ${k.types} types`);
    }
    return {
      seededObjects: size,
      backedUpObjects: objects,
      resourceTypes: resources!.length,
      seedMs: round(seedMs),
      seedObjectsPerSecond: round(size / (seedMs / 1000), 0),
      backup,
      baseline: baselineFigures,
      ratio: round(backup.ms / baselineFigures.ms, 3),
      objectsPerSecond: round(objects / (backup.ms / 1000), 0),
      pinned: primaryMode === 'pinned',
      ...(colocated ? { colocated } : {}),
      cpu: cpuFigures(backup, objects, baselineFigures, ctx.memorySizeMb),
      kubectl,
      ...(kubectlSkipped ? { kubectlSkipped } : {}),
      ...(backup22 ? {
        node22: { backup: backup22, ratio: round(backup22.ms / baselineFigures.ms, 3), objectsPerSecond: round(objects / (backup22.ms / 1000), 0) },
      } : {}),
    };
  } finally {
    api.destroy();
  }
}

function baselineOf(runs: ModeRuns['baselines']): BaselineFigures {
  return {
    ms: round(median(runs.map((b) => b.ms))), runsMs: runs.map((b) => round(b.ms)), cpuMs: round(median(runs.map((b) => b.cpuMs))),
    pages: runs[0]!.pages, bytes: runs[0]!.bytes, items: runs[0]!.items,
  };
}

/** One backup without, then one with a broken APIService (issue 16 item 3), in the primary mode. */
async function measureBrokenApi(ctx: Context, size: number): Promise<BrokenApiResult> {
  const cpuList = enter(ctx, ctx.pin ? 'pinned' : 'colocated');
  const backup = () => runDelegate({
    repoRoot: REPO_ROOT, python: ctx.python, workDir: ctx.work, env: ctx.delegateEnv, memorySizeMb: ctx.memorySizeMb, ...(cpuList ? { cpuList } : {}),
  });
  const without = await backup();
  log(`${size}: registering an APIService whose service is missing`);
  const apiService = await ctx.client.createBrokenApiService();
  let broken: DelegateRun;
  try {
    broken = await backup();
  } finally {
    await ctx.client.deleteApiService(apiService);
  }
  log(`${size}: backup ${ms(without.response.durationMs)} without, ${ms(broken.response.durationMs)} with the broken APIService (${broken.response.status}; ${(broken.response.warnings ?? []).join('; ')})`);
  return {
    atObjects: size, apiService,
    without: { ms: without.response.durationMs, processMs: round(without.process.wallMs) },
    with: { ms: broken.response.durationMs, processMs: round(broken.process.wallMs) },
    warnings: broken.response.warnings ?? [],
    status: broken.response.status,
  };
}

/** What a restore run (--restore-durable-at, --restore-curve-at) measured. */
interface RestoreRuns {
  durable?: DurableRestoreFigures;
  curve?: CapCurvePoint[];
}

/**
 * `--restore-durable-at` / `--restore-curve-at`: one backup of the seeded cluster, then its recovery point
 * restored as a durable execution against the POST baseline, and/or at each cap of writes in flight.
 */
async function measureRestoreRuns(ctx: Context, primary: StandInClient, size: number): Promise<RestoreRuns> {
  const { opts } = ctx;
  const cpuList = enter(ctx, ctx.pin ? 'pinned' : 'colocated');
  log(`${size}: backup (the recovery point to restore)`);
  const backup = await runDelegate({ repoRoot: REPO_ROOT, python: ctx.python, workDir: ctx.work, env: ctx.delegateEnv, memorySizeMb: ctx.memorySizeMb, ...(cpuList ? { cpuList } : {}) });
  log(`${size}: ${backup.response.objects} objects backed up in ${ms(backup.response.durationMs)}`);
  const recovery = primary.recovery();
  const creds = await recovery.issueRoleCredentials(recovery.conn.delegateRoleName ?? 'bench-recovery-delegate');
  const common = {
    python: ctx.python, repoRoot: REPO_ROOT, primary, recovery, delegateEnv: recovery.delegateEnv(creds),
    location: backup.response.location, memorySizeMb: ctx.memorySizeMb, log, ...(ctx.pin ? { pin: ctx.pin } : {}),
    clusterPids: ctx.standInPids,
  };
  // A restore reads only S3: at a million objects the source cluster goes once its recovery point is written, or
  // this machine's memory runs out. The durable restore and its baselines each write into an emptied recovery cluster.
  const large = size >= LARGE_RESTORE_OBJECTS;
  if (large) {
    log(`${size}: stopping the source cluster (the restore reads only S3; two clusters of ${size} objects do not fit in this machine's memory)`);
    await ctx.clusters.stopCluster('primary');
  }
  const runs: RestoreRuns = {};
  if (opts.restoreDurableAt !== undefined) {
    const dir = mkdtempSync(join(ctx.work, 'durable-'));
    // Emptied before the restore and before the second baseline: otherwise the restore would list the first
    // baseline's objects (its existing names) and the second write into a cluster twice as full as the first did.
    const emptyRecovery = async () => {
      log(`${size}: emptying the recovery cluster (etcd wiped, kube-apiserver started again)`);
      await ctx.clusters.resetCluster('recovery');
    };
    const figures = await measureDurableRestore({
      ...common, workDir: dir, node22: ctx.node22 ?? pinnedNode22(), concurrency: opts.restoreConcurrency,
      sliceObjects: opts.durableSlice, invocationBudgetMs: opts.durableBudgetMs, namespaceSuffix: 'd', emptyRecovery,
    });
    runs.durable = { ...figures, clusters: { sourceStoppedAfterBackup: large, recoveryEmptiedBeforeBaseline: true } };
    rmSync(dir, { recursive: true, force: true });
  }
  if (opts.restoreCurveAt !== undefined) {
    const dir = mkdtempSync(join(ctx.work, 'curve-'));
    runs.curve = await measureCapCurve({ ...common, workDir: dir, caps: opts.restoreCaps });
    rmSync(dir, { recursive: true, force: true });
  }
  return runs;
}

/**
 * From this size a restore run stops the source cluster after its backup and empties the recovery cluster
 * before the baseline: a million objects take about 7 GiB of etcd and more of kube-apiserver per cluster.
 */
const LARGE_RESTORE_OBJECTS = 500_000;

/** Tenant namespaces of the smoke run's durable restore: 6 x 50 objects, a few hundred, so CI stays quick. */
const SMOKE_DURABLE_TENANTS = 6;

/** `--smoke`: the last backup's recovery point, a few tenants of it, restored as a durable execution. */
async function measureSmokeDurable(ctx: Context, primary: StandInClient, size: number): Promise<DurableRestoreRun> {
  enter(ctx, ctx.pin ? 'pinned' : 'colocated');
  const recovery = primary.recovery();
  const creds = await recovery.issueRoleCredentials(recovery.conn.delegateRoleName ?? 'bench-recovery-delegate');
  const dir = mkdtempSync(join(ctx.work, 'durable-'));
  try {
    const figures = await measureDurableRestore({
      python: ctx.python, repoRoot: REPO_ROOT, workDir: dir, primary, recovery, delegateEnv: recovery.delegateEnv(creds),
      location: ctx.lastLocation ?? '', memorySizeMb: ctx.memorySizeMb, node22: ctx.node22 ?? pinnedNode22(), log,
      namespaceSuffix: 'd', tenants: SMOKE_DURABLE_TENANTS, ...(ctx.pin ? { pin: ctx.pin } : {}),
    });
    // generatedAt, command and machine are the whole run's, set when the results are written.
    return { ...figures, generatedAt: '', command: '', machine: { cpuModel: '', cpus: 0, memoryGiB: 0, nodeVersion: '', kernel: '', loadAverageStart: 0, loadAverageEnd: 0 }, atObjects: size, seedVia: ctx.opts.seedVia };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `--cpu-floor`: the delegate, the receive-only and the parsing client, each alone on the under-test core. */
async function runCpuFloor(ctx: Context, size: number): Promise<Awaited<ReturnType<typeof measureCpuFloor>>> {
  const cpuList = enter(ctx, 'pinned');
  if (!cpuList || !ctx.pin) throw new BenchUsageError('--cpu-floor needs pinning');
  const base = { repoRoot: REPO_ROOT, python: ctx.python, workDir: ctx.work, env: ctx.delegateEnv, memorySizeMb: ctx.memorySizeMb, cpuList };
  log(`${size}: warm-up backup`);
  const warm = await runDelegate(base);
  const resources = await listedResources(ctx.client, warm.response.location);
  return measureCpuFloor({
    workDir: ctx.work, layout: ctx.pin.layout, pageSize: ctx.opts.pageSize, objects: warm.response.objects, resources,
    api: { apiServerUrl: ctx.conn.apiServerUrl, caPem: ctx.conn.caPem, token: ctx.conn.adminToken },
    backup: async () => {
      const b = await runDelegate(base);
      return { cpuMs: b.process.userMs + b.process.systemMs };
    },
    log,
  });
}

/** A one-off large size: list count, two backups, verify of the second, diff of the two (issue 16 item 4). */
async function measureLarge(ctx: Context, size: number, seedMs: number, seeder: ApiConnection): Promise<LargeResult> {
  const listedObjects = await countSeeded(seeder);
  log(`${size}: the API server lists ${listedObjects} objects of the seeded types`);
  if (listedObjects < size) throw new BenchSanityError([`the API server lists ${listedObjects} seeded objects, fewer than the ${size} seeded`]);
  const cpuList = enter(ctx, ctx.pin ? 'pinned' : 'colocated');
  const base = { repoRoot: REPO_ROOT, python: ctx.python, workDir: ctx.work, env: ctx.delegateEnv, memorySizeMb: ctx.memorySizeMb, ...(cpuList ? { cpuList } : {}) };
  const figures = (r: { response: ActionResponse; process: DelegateRun['process'] }): ActionFigures => ({
    ms: r.response.durationMs, processMs: round(r.process.wallMs), peakRssMiB: mib(r.process.maxRssKiB), cpuMs: round(r.process.userMs + r.process.systemMs),
  });
  const backups: LargeResult['backups'] = [];
  let objects = 0;
  for (let i = 1; i <= 2; i++) {
    log(`${size}: backup ${i}/2`);
    const b = await runDelegate(base);
    objects = b.response.objects;
    backups.push({ ...figures(b), objectsPerSecond: round(objects / (b.response.durationMs / 1000), 0), archiveBytes: b.response.bytes });
    log(`${size}: backup ${i}: ${objects} objects in ${ms(b.response.durationMs)}, peak ${mib(b.process.maxRssKiB)} MiB, CPU ${ms(b.process.userMs + b.process.systemMs)}`);
  }
  log(`${size}: verify-recovery-point latest`);
  const verify = await runAction<ActionResponse>({ ...base, event: { action: 'verify-recovery-point', recoveryPointId: 'latest' }, okStatuses: ['VALID', 'INVALID'] });
  log(`${size}: verify ${verify.response.status} in ${ms(verify.response.durationMs)}, peak ${mib(verify.process.maxRssKiB)} MiB`);
  log(`${size}: diff-recovery-points (the two backups)`);
  const diff = await runAction<ActionResponse & { counts: { added: number; removed: number; changed: number } }>({ ...base, event: { action: 'diff-recovery-points' }, okStatuses: ['OK'] });
  log(`${size}: diff ${JSON.stringify(diff.response.counts)} in ${ms(diff.response.durationMs)}, peak ${mib(diff.process.maxRssKiB)} MiB`);
  return {
    generatedAt: '', command: '', machine: { cpuModel: '', cpus: 0, memoryGiB: 0, nodeVersion: '', kernel: '', loadAverageStart: 0, loadAverageEnd: 0 },
    pinned: cpuList !== undefined, memorySizeMb: ctx.memorySizeMb,
    seededObjects: size, listedObjects, seedMs: round(seedMs), seedObjectsPerSecond: round(size / (seedMs / 1000), 0), seedConcurrency: ctx.opts.seedConcurrency, seedVia: ctx.opts.seedVia,
    watchCache: ctx.opts.watchCache, standInPeakRssMiB: standInPeakRss(ctx.standInPids()),
    backedUpObjects: objects, backups,
    verify: { ...figures(verify), status: verify.response.status },
    diff: { ...figures(diff), ...diff.response.counts },
  };
}

/**
 * The stand-in's kube-apiserver and etcd high-water marks (VmHWM), by process name: at a million objects
 * the stand-in, not the delegate, is what this machine's memory bounds.
 */
function standInPeakRss(pids: number[]): { kubeApiserver: number; etcd: number } {
  const peak = { kubeApiserver: 0, etcd: 0 };
  for (const pid of pids) {
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      const kib = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      if (comm === 'kube-apiserver') peak.kubeApiserver = Math.max(peak.kubeApiserver, mib(kib));
      if (comm === 'etcd') peak.etcd = Math.max(peak.etcd, mib(kib));
    } catch {
      // Gone already: nothing to read.
    }
  }
  return peak;
}

/** Objects of the seeded types the API server lists (page by page, counting items): proof the seed is served. */
async function countSeeded(api: ApiConnection): Promise<number> {
  const paths = ['/api/v1/namespaces', '/api/v1/serviceaccounts', '/apis/apps/v1/deployments', '/api/v1/services', '/api/v1/configmaps', '/api/v1/secrets', `/apis/${BENCH_CRD_GROUP}/v1/widgets`];
  let n = 0;
  for (const p of paths) {
    let token: string | undefined;
    do {
      const page = await api.getJson<{ items: Array<{ metadata: { namespace?: string; name: string } }>; metadata?: { continue?: string } }>(`${p}?limit=5000${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
      n += page.items.filter((o) => (o.metadata.namespace ?? o.metadata.name).startsWith('tenant-')).length;
      token = page.metadata?.continue || undefined;
    } while (token);
  }
  return n;
}

/** Medians of the timed runs; the peak RSS of any run, the warm-up's included. */
function backupFigures(warm: DelegateRun, runs: DelegateRun[]): BackupFigures {
  return {
    ms: round(median(runs.map((b) => b.response.durationMs))),
    runsMs: runs.map((b) => b.response.durationMs),
    processMs: round(median(runs.map((b) => b.process.wallMs))),
    peakRssMiB: mib(Math.max(warm.process.maxRssKiB, ...runs.map((b) => b.process.maxRssKiB))),
    cpuMs: round(median(runs.map((b) => b.process.userMs + b.process.systemMs))),
    archiveBytes: warm.response.bytes,
  };
}

/** scripts/node22.sh's pinned Node 22, fetched into the user's cache the first time. */
function pinnedNode22(): string {
  return execFileSync('bash', [join(REPO_ROOT, 'scripts', 'node22.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/**
 * The delegate restores the last backup into the recovery cluster (issue 12's restore figure), pinned when
 * pinning. Without `namespaceSuffix`, against the POST baseline and kubectl; with it, the delegate alone,
 * into `<tenant>-<suffix>` namespaces so that every object is created anew.
 */
async function benchRestore(ctx: Context, primary: StandInClient, namespaceSuffix?: string): Promise<RestoreFigures> {
  enter(ctx, ctx.pin ? 'pinned' : 'colocated');
  const recovery = primary.recovery();
  const creds = await recovery.issueRoleCredentials(recovery.conn.delegateRoleName ?? 'bench-recovery-delegate');
  const dir = mkdtempSync(join(ctx.work, 'restore-'));
  try {
    return await measureRestore({
      python: ctx.python, repoRoot: REPO_ROOT, workDir: dir, primary, recovery,
      delegateEnv: recovery.delegateEnv(creds), location: ctx.lastLocation ?? '', memorySizeMb: ctx.memorySizeMb,
      kubectl: ctx.opts.kubectl && existsSync(KUBECTL), log,
      compare: namespaceSuffix === undefined,
      ...(namespaceSuffix !== undefined ? { namespaceSuffix } : {}),
      ...(ctx.pin ? { pin: ctx.pin } : {}),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The types the backup actually listed, from its manifest: the baseline fetches exactly those. */
async function listedResources(client: StandInClient, location: string): Promise<ListedResource[]> {
  const bucket = client.conn.bucket;
  const key = `${location.replace(`s3://${bucket}/`, '')}manifest.json`;
  const s3 = client.s3();
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const manifest = parseManifest(Buffer.from(await out.Body!.transformToByteArray()));
    return manifest.resources.filter((r) => r.status === 'ok')
      .map((r) => ({ name: r.name, group: r.group, version: r.version, resource: r.resource, namespaced: r.namespaced }));
  } finally {
    s3.destroy();
  }
}

/** Figures that cannot be right whatever the machine: the smoke run's real check. */
function sanityProblems(r: BenchResults, durable?: DurableRestoreRun): string[] {
  const p: string[] = [];
  for (const s of r.sizes) {
    const at = `at ${s.seededObjects}`;
    if (s.backedUpObjects < s.seededObjects) p.push(`${at}: the backup holds ${s.backedUpObjects} objects, fewer than the ${s.seededObjects} seeded`);
    if (!(s.backup.ms > 0) || !(s.baseline.ms > 0)) p.push(`${at}: a time is not positive`);
    if (s.baseline.pages < s.resourceTypes) p.push(`${at}: the baseline fetched ${s.baseline.pages} pages for ${s.resourceTypes} types`);
    if (!(s.backup.peakRssMiB > 20 && s.backup.peakRssMiB < 4096)) p.push(`${at}: peak RSS ${s.backup.peakRssMiB} MiB is implausible`);
    if (s.backup.archiveBytes <= 0) p.push(`${at}: empty archive`);
    if (s.kubectl && (s.kubectl.types === 0 || s.kubectl.bytes === 0)) p.push(`${at}: kubectl dumped nothing`);
    if (s.node22 && !(s.node22.backup.ms > 0 && s.node22.backup.peakRssMiB > 20 && s.node22.backup.peakRssMiB < 4096)) p.push(`${at}: the Node 22 figures are implausible`);
  }
  if (r.bundleNode22 && !(r.bundleNode22.delegate.loadMs > 0)) p.push('the Node 22 bundle load is empty');
  for (const x of r.restores ?? []) if (x.objects < x.atObjects) p.push(`the restore at ${x.atObjects} created ${x.objects} objects, fewer than the ${x.atObjects} seeded`);
  // Only this run's own (the smoke run's): recorded ones were checked when they were measured.
  for (const d of durable ? [durable] : []) {
    const at = `the durable restore at ${d.atObjects}`;
    if (d.baseline.objects < SMOKE_DURABLE_TENANTS * 50 || d.objects < d.baseline.objects) p.push(`${at} created ${d.objects} objects, its baseline wrote ${d.baseline.objects}`);
    if (!(d.durable.invocations >= 1 && d.durable.steps >= 1 && d.durable.cpuMs > 0 && d.baseline.cpuMs > 0)) p.push(`${at}: no invocation, step or CPU time recorded`);
    if (!(d.durable.peakRssMiB > 20 && d.durable.peakRssMiB < 4096)) p.push(`${at}: peak RSS ${d.durable.peakRssMiB} MiB is implausible`);
  }
  if (r.brokenApi && r.brokenApi.status !== 'COMPLETED') p.push(`the backup with a broken APIService is ${r.brokenApi.status}, not COMPLETED`);
  if (r.brokenApi && !r.brokenApi.warnings.some((w) => w.startsWith('metrics.k8s.io/'))) p.push('the backup with a broken APIService gave no warning for metrics.k8s.io');
  for (const s of r.sizes) if (!(s.baseline.cpuMs > 0 && s.backup.cpuMs > 0)) p.push(`at ${s.seededObjects}: a CPU time is not positive`);
  if (!(r.bundle.delegate.bytes > 0 && r.bundle.s3Only.bytes > 0 && r.bundle.delegate.loadMs > 0 && r.bundle.s3Only.loadMs > 0)) p.push('bundle figures are empty');
  return p;
}

function printSummary(r: BenchResults): void {
  for (const s of r.sizes) {
    if (!s.node22) continue;
    const a = s.backup;
    const b = s.node22.backup;
    log(`${s.seededObjects}: Node 20 -> 22: backup ${ms(a.ms)} -> ${ms(b.ms)}, invocation ${ms(a.processMs)} -> ${ms(b.processMs)}, CPU ${ms(a.cpuMs)} -> ${ms(b.cpuMs)}, peak RSS ${a.peakRssMiB} -> ${b.peakRssMiB} MiB`);
  }
  for (const t of r.targets) {
    log(`${t.met === null ? 'n/a ' : t.met ? 'MET ' : 'MISS'} ${t.description}: ${t.value ?? '-'}${t.note ? ` (${t.note})` : ''}`);
  }
}

function ms(n: number): string {
  return `${(n / 1000).toFixed(2)} s`;
}

main().catch((err: unknown) => {
  console.error(err instanceof BenchUsageError ? err.message : err);
  process.exit(err instanceof BenchUsageError ? 2 : 1);
});

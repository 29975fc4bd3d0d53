import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchUsageError } from './errors';

/** What `npm run bench -- ...` was asked to do. */
export interface BenchOptions {
  /**
   * Cluster sizes to measure, ascending; the cluster is seeded up to each in turn (`--objects 1000,100000`).
   * The middle size shows whether memory stays flat once the fixed-size buffers have filled.
   * @default [1000, 20000, 100000] ([1000] with --smoke)
   */
  sizes: number[];
  /**
   * Items per list page, for the delegate (KUBE_PAGE_SIZE), the baseline and kubectl's --chunk-size (`--page-size`).
   * @default 500
   */
  pageSize: number;
  /**
   * Timed backup and baseline runs per size, after one untimed warm-up of each; the median counts (`--runs`).
   * @default 3 (1 with --smoke)
   */
  runs: number;
  /**
   * Fresh-process module loads per bundle; the median counts (`--load-runs`).
   * @default 15 (5 with --smoke)
   */
  loadRuns: number;
  /**
   * POST requests in flight while seeding (`--seed-concurrency`).
   * @default 64
   */
  seedConcurrency: number;
  /**
   * Where the results go (`--out`).
   * @default bench/results.json (a file in the temp folder with --smoke)
   */
  out: string;
  /**
   * Rewrite the bench region of docs/benchmark.md (`--no-readme` turns it off).
   * @default true (false with --smoke)
   */
  updateReadme: boolean;
  /**
   * Time the kubectl dump (`--no-kubectl` turns it off). Skipped with a note when kubectl is not installed.
   * @default true
   */
  kubectl: boolean;
  /**
   * Write a V8 CPU profile of each timed delegate run into this folder (`--cpu-prof DIR`).
   * @default undefined (no profile)
   */
  cpuProfDir: string | undefined;
  /**
   * The function's memory in MB (`--memory-size`): the delegate runs with the Lambda runtime's node flags
   * for it (bench/lambdaRuntime.ts).
   * @default template.yaml's MemorySize default
   */
  memorySizeMb: number | undefined;
  /**
   * Also run every delegate backup and bundle load on Node 22, the Lambda runtime's major (`--node 22`),
   * alternating with the bench's own node, so both columns see the same machine load. The binary is
   * scripts/node22.sh's pinned, integrity-checked one.
   * @default false
   */
  node22: boolean;
  /**
   * Measure a restore of the recovery point taken at each of these sizes into the stand-in's recovery
   * cluster (`--restore-at 20000,100000`; `--no-restore` turns it off). Each must be one of the sizes. The
   * first is compared with the POST baseline and kubectl create; the others measure the delegate alone
   * (wall time and peak RSS), which keeps a full bench under half an hour.
   * @default [20000, 100000] where they are sizes, else the smallest size; [] with --no-restore
   */
  restoreAt: number[];
  /**
   * Pin the stand-in (kube-apiserver, etcd, moto) to one core and the process under test (the delegate,
   * the baseline client, kubectl) to another, as on EKS where the API server runs elsewhere (`--pin`,
   * `--no-pin`). Every size is then measured both pinned and co-located, alternating run by run.
   * @default true when the machine has at least two cores and taskset is installed
   */
  pin: boolean;
  /**
   * Also time a backup at the smallest size with one broken aggregated API (an APIService whose service
   * is missing, so the API server answers 503 for its group), against one without (`--no-broken-api`
   * turns it off).
   * @default true
   */
  brokenApi: boolean;
  /**
   * Measure the (single) size as a one-off large run (`--one-off`; implied by any size above LARGE_SIZE),
   * e.g. to try the large run's steps on a small cluster.
   * @default false
   */
  oneOff: boolean;
  /**
   * How the cluster is seeded (`--seed-via api|etcd`): POSTs through the API server, or puts straight into
   * the stand-in's etcd (bench/etcdSeed.ts; only for a one-off run, which then counts what the API serves).
   * @default 'api'
   */
  seedVia: 'api' | 'etcd';
  /**
   * kube-apiserver's watch cache (`--no-watch-cache` turns it off). Off only for one-off sizes the stand-in's
   * API server cannot cache on this machine (1.20 held 14.3 GiB for a million objects).
   * @default true
   */
  watchCache: boolean;
  /**
   * The CPU-floor run (`--cpu-floor`, one size, pinned, 100000 by default): the delegate's CPU beside the
   * baseline client receiving the same pages without parsing them and with parsing them, each alone on the
   * under-test core, and how much a fixed workload's CPU on that core grows while the cluster's core is busy.
   * Recorded under results.json's `cpuFloor` key, which other runs keep.
   * @default false
   */
  cpuFloor: boolean;
  /**
   * The format-size run (`--format-size`, sizes from --objects, 1000,20000 by default): the seekable archive
   * (format 1.2) against the single-stream 1.1 one, written by the real writer from the seed's objects, no
   * cluster (bench/formatSize.ts). Recorded under results.json's `seekableFormat` key, which other runs keep.
   * @default false
   */
  formatSize: boolean;
  /**
   * The durable-restore run (`--restore-durable-at N`, one size N, seeded as --seed-via says): one backup, then
   * its recovery point restored as a durable execution (the bundled durable function on AWS's local runner, Node
   * 22, MemorySize flags) into fresh namespaces, against the POST baseline at the same concurrency. Recorded under
   * results.json's `durableRestores` key (one entry per size), which other runs keep.
   * @default undefined (not run)
   */
  restoreDurableAt: number | undefined;
  /**
   * The cap curve of restore writes (`--restore-curve-at N`, one size N; may go with --restore-durable-at N): the
   * same restore at each of --restore-caps, each into fresh namespaces: objects/s and the API server's 429s.
   * Recorded under results.json's `restoreCapCurve` key, which other runs keep.
   * @default undefined (not run)
   */
  restoreCurveAt: number | undefined;
  /**
   * Caps of writes in flight (RESTORE_CONCURRENCY) the curve measures, ascending (`--restore-caps`).
   * @default [2, 4, 8, 16, 32]
   */
  restoreCaps: number[];
  /**
   * The recovery kube-apiserver's `--max-mutating-requests-inflight` for a restore run (`--recovery-max-writes`):
   * lower than the caps, it answers 429 with Retry-After, as a loaded API server does.
   * @default undefined (the stand-in's 500)
   */
  recoveryMaxWrites: number | undefined;
  /**
   * Writes in flight of the durable restore and its baseline (`--restore-concurrency`).
   * @default 8 (the delegate's RESTORE_CONCURRENCY default)
   */
  restoreConcurrency: number;
  /**
   * RESTORE_SLICE_OBJECTS of the durable restore (`--durable-slice`).
   * @default 2000 (the delegate's default)
   */
  durableSlice: number;
  /**
   * RESTORE_INVOCATION_BUDGET_MS of the durable restore (`--durable-budget-ms`): lower it to see more invocations.
   * @default 600000 (the delegate's default)
   */
  durableBudgetMs: number;
  /**
   * Smoke mode (`--smoke`): 1k objects, one run, checks that the figures are plausible, not that targets are met.
   * @default false
   */
  smoke: boolean;
}

export const USAGE = `usage: npm run bench -- [--objects 1000,20000,100000] [--page-size 500] [--runs 3] [--load-runs 15]
                       [--seed-concurrency 64] [--memory-size MB] [--out FILE] [--no-readme] [--no-kubectl]
                       [--cpu-prof DIR] [--node 22] [--restore-at SIZE,... | --no-restore] [--pin | --no-pin]
                       [--no-broken-api] [--one-off] [--seed-via api|etcd] [--no-watch-cache] [--cpu-floor] [--smoke]
       npm run bench -- --format-size [--objects 1000,20000]   (archive size of format 1.2 against 1.1, no cluster)
       npm run bench -- --restore-durable-at 100000 [--restore-curve-at 100000] [--restore-caps 2,4,8,16,32]
                       [--restore-concurrency 8] [--durable-slice 2000] [--durable-budget-ms 600000] [--seed-via api|etcd]
                       [--recovery-max-writes N]
       npm run bench -- --objects 1000000   (a one-off large size: see LARGE_SIZE)`;

/**
 * Sizes above this are one-off large sizes (`--objects 1000000`): one cluster, two backups (the second
 * gives diff-recovery-points two recovery points), verify-recovery-point and diff-recovery-points, no
 * baseline, no kubectl, no restore; recorded under results.json's `large` key, which other runs keep.
 */
export const LARGE_SIZE = 200_000;

/** Parses the bench's arguments; a flag given explicitly wins over what --smoke implies. */
export function parseBenchOptions(argv: string[], repoRoot: string, machine: PinMachine = { cpus: 1, taskset: false }): BenchOptions {
  const given = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new BenchUsageError(`unexpected argument "${arg}"\n${USAGE}`);
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (['--no-readme', '--no-kubectl', '--no-restore', '--pin', '--no-pin', '--no-broken-api', '--one-off', '--no-watch-cache', '--cpu-floor', '--format-size', '--smoke', '--help'].includes(flag)) {
      given.set(flag, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new BenchUsageError(`${flag} needs a value\n${USAGE}`);
    given.set(flag, value);
  }
  if (given.has('--help')) throw new BenchUsageError(USAGE);
  const known = new Set(['--restore-durable-at', '--restore-curve-at', '--restore-caps', '--restore-concurrency', '--durable-slice', '--durable-budget-ms', '--recovery-max-writes', '--objects', '--page-size', '--runs', '--load-runs', '--seed-concurrency', '--memory-size', '--out', '--no-readme', '--no-kubectl', '--cpu-prof', '--node', '--restore-at', '--no-restore', '--pin', '--no-pin', '--no-broken-api', '--one-off', '--seed-via', '--no-watch-cache', '--cpu-floor', '--format-size', '--smoke']);
  for (const flag of given.keys()) if (!known.has(flag)) throw new BenchUsageError(`unknown option ${flag}\n${USAGE}`);

  const smoke = given.has('--smoke');
  const text = (flag: string): string | undefined => {
    const v = given.get(flag);
    return typeof v === 'string' ? v : undefined;
  };
  const int = (flag: string, def: number, min: number, max: number): number => {
    const raw = text(flag);
    if (raw === undefined) return def;
    const n = Number(raw.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < min || n > max) throw new BenchUsageError(`${flag} must be an integer from ${min} to ${max} (got "${raw}")`);
    return n;
  };
  const nodeText = text('--node');
  if (nodeText !== undefined && nodeText !== '22') {
    throw new BenchUsageError(`--node: only 22 (the Lambda runtime's major, beside this node ${process.version}) is supported (got "${nodeText}")`);
  }
  const sizesText = text('--objects');
  const cpuFloor = given.has('--cpu-floor');
  const formatSize = given.has('--format-size');
  const durableText = text('--restore-durable-at');
  const curveText = text('--restore-curve-at');
  const restoreDurableAt = durableText === undefined ? undefined : parseSize(durableText.trim());
  const restoreCurveAt = curveText === undefined ? undefined : parseSize(curveText.trim());
  const restoreRun = restoreDurableAt ?? restoreCurveAt;
  const sizes = sizesText === undefined
    ? (restoreRun !== undefined ? [restoreRun] : smoke ? [1000] : cpuFloor ? [100_000] : formatSize ? [1000, 20_000] : [1000, 20_000, 100_000])
    : sizesText.split(',').map((s) => parseSize(s.trim()));
  if (restoreRun !== undefined) {
    if (restoreDurableAt !== undefined && restoreCurveAt !== undefined && restoreDurableAt !== restoreCurveAt) {
      throw new BenchUsageError(`--restore-durable-at and --restore-curve-at measure the same recovery point: give them one size (got ${restoreDurableAt} and ${restoreCurveAt})`);
    }
    if (sizes.length !== 1 || sizes[0] !== restoreRun) throw new BenchUsageError(`--restore-durable-at / --restore-curve-at ${restoreRun} measure one size on its own: --objects ${restoreRun} or no --objects`);
    if (smoke || cpuFloor || formatSize || given.has('--one-off')) throw new BenchUsageError('--restore-durable-at / --restore-curve-at run on their own, without --smoke, --cpu-floor, --format-size or --one-off');
  }
  const caps = (text('--restore-caps') ?? '2,4,8,16,32').split(',').map((c) => Number(c.trim()));
  if (caps.length === 0 || caps.some((c, i) => !Number.isInteger(c) || c < 1 || c > 256 || (i > 0 && c <= caps[i - 1]!))) {
    throw new BenchUsageError(`--restore-caps must list ascending integers from 1 to 256, e.g. 2,4,8,16,32 (got "${text('--restore-caps')}")`);
  }
  for (const flag of ['--restore-caps', '--restore-concurrency', '--durable-slice', '--durable-budget-ms', '--recovery-max-writes']) {
    if (given.has(flag) && restoreRun === undefined) throw new BenchUsageError(`${flag} goes with --restore-durable-at or --restore-curve-at`);
  }
  if (sizes.length === 0 || sizes.some((s, i) => i > 0 && s <= sizes[i - 1]!)) {
    throw new BenchUsageError(`--objects must list ascending sizes, e.g. 1000,100000 (got "${sizesText}")`);
  }
  const large = restoreRun !== undefined ? [] : given.has('--one-off') ? sizes : sizes.filter((s) => s > LARGE_SIZE);
  if (large.length > 0 && (sizes.length > 1 || smoke)) {
    throw new BenchUsageError(`--objects: a one-off run (--one-off, or a size above ${LARGE_SIZE}) measures one size on its own (got "${sizesText ?? sizes.join(',')}")`);
  }
  if (cpuFloor) {
    if (sizes.length > 1 || smoke || large.length > 0) throw new BenchUsageError('--cpu-floor measures one size of at most 200000 on its own, without --one-off or --smoke');
    if (given.has('--no-pin') || !(machine.cpus >= 2 && machine.taskset)) throw new BenchUsageError('--cpu-floor needs pinning: two cores and taskset, and no --no-pin');
  }
  const restoreText = text('--restore-at');
  const restoreDefault = [20_000, 100_000].filter((s) => sizes.includes(s));
  const restoreAt = given.has('--no-restore') || large.length > 0 || cpuFloor || restoreRun !== undefined ? []
    : restoreText !== undefined ? restoreText.split(',').map((s) => parseSize(s.trim()))
      : restoreDefault.length > 0 ? restoreDefault : [sizes[0]!];
  for (const at of restoreAt) if (!sizes.includes(at)) throw new BenchUsageError(`--restore-at ${at} must be one of --objects (${sizes.join(', ')})`);
  if (given.has('--pin') && given.has('--no-pin')) throw new BenchUsageError('--pin and --no-pin exclude each other');
  if (given.has('--pin') && !(machine.cpus >= 2 && machine.taskset)) {
    throw new BenchUsageError(`--pin needs two cores and taskset (util-linux); this machine has ${machine.cpus} core(s)${machine.taskset ? '' : ' and no taskset'}`);
  }
  return {
    sizes,
    restoreAt,
    pin: !given.has('--no-pin') && machine.cpus >= 2 && machine.taskset,
    brokenApi: !given.has('--no-broken-api') && large.length === 0 && !cpuFloor && restoreRun === undefined,
    restoreDurableAt,
    restoreCurveAt,
    restoreCaps: caps,
    recoveryMaxWrites: given.has('--recovery-max-writes') ? int('--recovery-max-writes', 500, 1, 500) : undefined,
    restoreConcurrency: int('--restore-concurrency', 8, 1, 256),
    durableSlice: int('--durable-slice', 2000, 1, 100_000),
    durableBudgetMs: int('--durable-budget-ms', 600_000, 0, 900_000),
    cpuFloor,
    formatSize,
    oneOff: large.length > 0,
    seedVia: seedVia(text('--seed-via'), large.length > 0 || restoreRun !== undefined),
    pageSize: int('--page-size', 500, 1, 10_000),
    runs: int('--runs', smoke ? 1 : 3, 1, 50),
    loadRuns: int('--load-runs', smoke ? 5 : 15, 1, 200),
    seedConcurrency: int('--seed-concurrency', 64, 1, 512),
    memorySizeMb: text('--memory-size') === undefined ? undefined : int('--memory-size', 0, 128, 10_240),
    out: text('--out') ?? (smoke ? join(tmpdir(), `eks-delegate-bench-smoke-${process.pid}.json`) : join(repoRoot, 'bench', 'results.json')),
    updateReadme: !smoke && !given.has('--no-readme'),
    kubectl: !given.has('--no-kubectl'),
    cpuProfDir: text('--cpu-prof'),
    node22: nodeText === '22',
    watchCache: watchCache(given.has('--no-watch-cache'), large.length > 0 || restoreRun !== undefined),
    smoke,
  };
}

function seedVia(value: string | undefined, oneOff: boolean): 'api' | 'etcd' {
  if (value === undefined || value === 'api') return 'api';
  if (value !== 'etcd') throw new BenchUsageError(`--seed-via must be api or etcd (got "${value}")`);
  if (!oneOff) throw new BenchUsageError('--seed-via etcd is only for a one-off run (--one-off, a size above 200000, or a restore run): the normal sizes measure a cluster seeded through the API');
  return 'etcd';
}

function watchCache(off: boolean, oneOff: boolean): boolean {
  if (off && !oneOff) throw new BenchUsageError('--no-watch-cache is only for a one-off run (--one-off, a size above 200000, or a restore run): the normal sizes measure lists served as EKS serves them');
  return !off;
}

/** What decides whether pinning is possible: cores, and whether taskset is installed. */
export interface PinMachine {
  cpus: number;
  taskset: boolean;
}

const SIZE_SUFFIX: Record<string, number> = { k: 1000, m: 1_000_000 };

/** `1000`, `1k`, `100k`, `1m`, `100_000`. */
function parseSize(s: string): number {
  const m = /^(\d[\d_]*)([km]?)$/i.exec(s);
  const n = m ? Number(m[1]!.replace(/_/g, '')) * (SIZE_SUFFIX[m[2]!.toLowerCase()] ?? 1) : NaN;
  if (!Number.isInteger(n) || n < 50 || n > 2_000_000) throw new BenchUsageError(`--objects: "${s}" is not a size from 50 to 2000000`);
  return n;
}

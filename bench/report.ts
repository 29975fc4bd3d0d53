import type { RestoreFigures } from './restoreBench';
import type { DurableRestoreFigures } from './durableRestoreBench';
import type { ClusterCpu } from './clusterCpu';
import type { CapCurvePoint } from './restoreCapCurve';
import type { SeekableFormatResult } from './formatSize';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { BundleComparison } from './bundleLoad';
import type { CpuLayout } from './CpuPin';
import type { KubectlDumpResult } from './kubectlDump';
import { LAMBDA_MB_PER_VCPU, lambdaWallMs } from './lambdaRuntime';
import { LARGE_SIZE } from './options';

export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  nodeVersion: string;
  /** The Node 22 that ran the delegate too (--node 22). */
  node22Version?: string;
  kernel: string;
  /** 1-minute load average when the bench started and ended: other work on the machine skews the figures. */
  loadAverageStart: number;
  loadAverageEnd: number;
  /** `major.minor` of the stand-in's kube-apiserver; absent in results measured before it was recorded (1.20). */
  kubernetesVersion?: string;
  /** 1-minute load average just before a one-off large run's backup (the machine is shared). */
  loadAverageAtBackup?: number;
}

/** One node's figures for the delegate's backups at one size. */
export interface BackupFigures {
  /** Median of the handler's own durationMs: discovery, listing, archive, upload, manifest. */
  ms: number;
  runsMs: number[];
  /** Median wall time of the whole invocation: node start, bundle load, EKS token, backup, exit. */
  processMs: number;
  /** Largest peak RSS of any invocation at this size (warm-up included). */
  peakRssMiB: number;
  /** Median CPU time (user + system) of the invocation. */
  cpuMs: number;
  archiveBytes: number;
}

/** The delegate on Node 22 (`--node 22`), against the same baseline as `backup`. */
export interface Node22Result {
  backup: BackupFigures;
  /** backup.ms / the size's baseline.ms */
  ratio: number;
  objectsPerSecond: number;
}

/** The baseline client at one size: fetch + JSON.parse of the same pages, one after another. */
export interface BaselineFigures {
  /** Median wall time. */
  ms: number;
  runsMs: number[];
  /** Median CPU time (user + system) of the client. */
  cpuMs: number;
  pages: number;
  bytes: number;
  /** Items parsed, all pages. */
  items: number;
}

/** The same size measured with everything on every core (the first bench's way), beside the pinned figures. */
export interface ColocatedResult {
  backup: BackupFigures;
  baseline: BaselineFigures;
  /** backup.ms / baseline.ms */
  ratio: number;
  objectsPerSecond: number;
}

/** CPU of the delegate's invocation against the baseline client's, and the Lambda wall time it implies. */
export interface CpuFigures {
  /** The delegate process's median CPU (user + system, all threads) per 100,000 backed-up objects. */
  delegatePer100kMs: number;
  /** The baseline client's median CPU per 100,000 objects fetched and parsed. */
  baselinePer100kMs: number;
  /** delegate / baseline CPU */
  ratio: number;
  /** Wall time of this invocation on Lambda at each memory size (lambdaWallMs). */
  lambda: Array<{ memorySizeMb: number; wallMs: number }>;
}

export interface SizeResult {
  /** Objects the bench seeded (the size asked for). */
  seededObjects: number;
  /** Objects the backup wrote: the seeded ones plus what the API server itself keeps (RBAC, namespaces...). */
  backedUpObjects: number;
  resourceTypes: number;
  /** Time to seed this size, from the previous one. */
  seedMs: number;
  seedObjectsPerSecond: number;
  /** The delegate on the bench's own node. */
  /** Pinned when `pinned` (results.pin is set), else co-located. */
  backup: BackupFigures;
  baseline: BaselineFigures;
  /** backup.ms / baseline.ms */
  ratio: number;
  /** backedUpObjects / backup.ms */
  objectsPerSecond: number;
  /** Whether backup and baseline above ran pinned. */
  pinned: boolean;
  /** With pinning: the co-located figures, measured alternately with the pinned ones. */
  colocated?: ColocatedResult;
  /** From the pinned (primary) figures. */
  cpu: CpuFigures;
  kubectl: (Omit<KubectlDumpResult, 'peakRssKiB'> & { peakRssMiB: number; speedup: number; memoryRatio: number }) | null;
  kubectlSkipped?: string;
  /** With --node 22. */
  node22?: Node22Result;
}

export interface TargetResult {
  id: string;
  description: string;
  value: number | null;
  limit: number;
  met: boolean | null;
  note?: string;
}

/** A backup at the smallest size with one broken aggregated API against one without. */
export interface BrokenApiResult {
  atObjects: number;
  /** The APIService registered, and the group version its missing service makes answer 503. */
  apiService: string;
  /** Handler's durationMs and the whole invocation, without and with the broken APIService. */
  without: { ms: number; processMs: number };
  with: { ms: number; processMs: number };
  /** The backup's warnings with the broken APIService. */
  warnings: string[];
  /** Its status with the broken APIService (a warning must not lower it). */
  status: string;
}

/** One handler action of the one-off large run, through the bundle like the backup. */
export interface ActionFigures {
  ms: number;
  processMs: number;
  peakRssMiB: number;
  cpuMs: number;
}

/** A one-off large size (`--objects 1000000`): kept under results.json's `large` key across normal runs. */
export interface LargeResult {
  generatedAt: string;
  command: string;
  machine: MachineInfo;
  pinned: boolean;
  memorySizeMb: number;
  seededObjects: number;
  /** Objects the API server lists, counted page by page after seeding. */
  listedObjects: number;
  seedMs: number;
  seedObjectsPerSecond: number;
  seedConcurrency: number;
  /** Through the API server, or straight into etcd (then listedObjects proves the API server serves them). */
  seedVia: 'api' | 'etcd';
  /** Whether the stand-in's kube-apiserver ran with its watch cache (--no-watch-cache turns it off). */
  watchCache?: boolean;
  /** Peak resident memory (VmHWM) of the stand-in's kube-apiserver and etcd at the end of the run. */
  standInPeakRssMiB?: { kubeApiserver: number; etcd: number };
  backedUpObjects: number;
  /** Two backups of the same cluster (the second gives the diff two recovery points). */
  backups: Array<ActionFigures & { objectsPerSecond: number; archiveBytes: number }>;
  verify: ActionFigures & { status: string };
  diff: ActionFigures & { changed: number; added: number; removed: number };
}

/** `--cpu-floor`: what bounds the delegate's CPU per 100k objects on this machine (issue 16 item 2). */
export interface CpuFloorResult {
  generatedAt: string;
  command: string;
  machine: MachineInfo;
  seededObjects: number;
  /** Objects in each backup (the seeded ones and what the API server keeps). */
  objects: number;
  bytes: number;
  /** Every process under test ran alone on this core, the stand-in on the other. */
  cores: { underTest: string; cluster: string };
  /** The delegate's backups: CPU (user + sys, all threads) of each whole invocation. */
  delegate: { cpuMs: number[]; per100kMs: number };
  /** The same pages received and dropped, one process, one request at a time: no client can do less. */
  receive: { cpuMs: number[]; per100kMs: number };
  /** The same pages received and JSON.parse'd: the bench's baseline client. */
  parse: { cpuMs: number[]; per100kMs: number };
  /**
   * One fixed workload (bench/cpuWorkload.ts) on the under-test core with the cluster's core idle, then
   * while the stand-in serves lists on it: `factor` is busy / idle, medians.
   */
  interference: { idleMs: number[]; busyMs: number[]; factor: number };
}

/** `--restore-durable-at N`: a restore as a durable execution against the POST baseline; one per size, kept by later runs. */
export interface DurableRestoreRun extends DurableRestoreFigures {
  generatedAt: string;
  command: string;
  machine: MachineInfo;
  /** Objects seeded: the recovery point's tenants. */
  atObjects: number;
  seedVia: 'api' | 'etcd';
}

/** `--restore-curve-at N`: the same restore at each cap of writes in flight; the last run, kept by later runs. */
export interface RestoreCapCurve {
  generatedAt: string;
  command: string;
  machine: MachineInfo;
  atObjects: number;
  seedVia: 'api' | 'etcd';
  pinned: boolean;
  memorySizeMb: number;
  /**
   * The recovery kube-apiserver's `--max-mutating-requests-inflight` (`--recovery-max-writes`): writes it serves
   * at once before answering 429 with Retry-After. 500, the stand-in's default, never answers 429 here.
   */
  recoveryMaxWrites: number;
  points: CapCurvePoint[];
}

/** `curves` with `run` in place of the one measured against the same server limit, ordered by that limit. */
export function withCapCurve(curves: readonly RestoreCapCurve[], run: RestoreCapCurve): RestoreCapCurve[] {
  return [...curves.filter((c) => c.recoveryMaxWrites !== run.recoveryMaxWrites), run].sort((a, b) => a.recoveryMaxWrites - b.recoveryMaxWrites);
}

export interface BenchResults {
  generatedAt: string;
  command: string;
  machine: MachineInfo;
  pageSize: number;
  runs: number;
  /** The function memory the delegate ran with, and the node flags the Lambda runtime derives from it. */
  lambda: { memorySizeMb: number; nodeArgs: string[] };
  /** How the baseline authenticates; the delegate uses an EKS token checked by the webhook. */
  baselineToken: string;
  sizes: SizeResult[];
  bundle: BundleComparison;
  /** The same bundles loaded by Node 22 (--node 22). */
  bundleNode22?: BundleComparison;
  /** The cores each side used when pinned (--pin); null when not pinned, with why in pinNote. */
  pin: CpuLayout | null;
  pinNote?: string;
  /** Restores of the recovery points taken at `atObjects` into the recovery cluster (--restore-at). */
  restores?: Array<RestoreFigures & { atObjects: number }>;
  brokenApi?: BrokenApiResult;
  /** One-off large runs (`--objects 1000000`), kept from earlier results by every later run. */
  large?: LargeResult[];
  /** The last `--cpu-floor` run, kept by every later run. */
  cpuFloor?: CpuFloorResult;
  /** The last `--format-size` run (format 1.2's archive size against 1.1), kept by every later run. */
  seekableFormat?: SeekableFormatResult;
  /** `--restore-durable-at` runs, one per size, kept by every later run. */
  durableRestores?: DurableRestoreRun[];
  /** `--restore-curve-at` runs, one per recovery API server limit (`--recovery-max-writes`), kept by every later run. */
  restoreCapCurves?: RestoreCapCurve[];
  /** Wall time of the whole bench run, seeding included. */
  benchMs?: number;
  targets: TargetResult[];
}

/** The CPU figures of one size: per 100k objects, and the Lambda wall time at `memorySizeMb` and at one vCPU. */
export function cpuFigures(backup: BackupFigures, objects: number, baseline: BaselineFigures, memorySizeMb: number): CpuFigures {
  const delegatePer100kMs = (backup.cpuMs / objects) * 100_000;
  const baselinePer100kMs = (baseline.cpuMs / Math.max(1, baseline.items)) * 100_000;
  const sizes = memorySizeMb === LAMBDA_MB_PER_VCPU ? [memorySizeMb] : [memorySizeMb, LAMBDA_MB_PER_VCPU];
  return {
    delegatePer100kMs: round(delegatePer100kMs),
    baselinePer100kMs: round(baselinePer100kMs),
    ratio: round(delegatePer100kMs / baselinePer100kMs, 2),
    lambda: sizes.map((mb) => ({ memorySizeMb: mb, wallMs: round(lambdaWallMs(backup.cpuMs, backup.processMs, mb)) })),
  };
}


/**
 * The issues' targets (issue 8, issue 16, DESIGN.md section 7), judged on the figures: the backup/baseline
 * ratios pinned (issue 16: <= 1.5 under 20k objects, <= 1.05 from 20k), the delegate's CPU, the restore.
 */
export function evaluateTargets(sizes: SizeResult[], bundle: BundleComparison, restores: ReadonlyArray<RestoreFigures & { atObjects: number }> = []): TargetResult[] {
  const targets: TargetResult[] = [];
  const first = sizes[0]!;
  const last = sizes[sizes.length - 1]!;
  const at100k = last.seededObjects >= 100_000 ? undefined : `measured at ${last.seededObjects} objects; the target is at 100,000`;
  for (const s of sizes) {
    const limit = s.seededObjects < 20_000 ? 1.5 : 1.05;
    targets.push(target(`ratio@${s.seededObjects}`, `backup / baseline wall time${s.pinned ? ', pinned,' : ''} at ${s.seededObjects} objects`, s.ratio, limit, s.ratio <= limit, s.pinned ? undefined : 'not pinned: the target is pinned'));
  }
  if (sizes.length > 1) {
    const growth = last.backup.peakRssMiB / first.backup.peakRssMiB;
    targets.push(target('rss-flat', `peak RSS at ${last.seededObjects} / at ${first.seededObjects} objects`, growth, 1.25, growth <= 1.25, at100k));
  } else {
    targets.push({ id: 'rss-flat', description: 'peak RSS growth between sizes', value: null, limit: 1.25, met: null, note: 'needs two sizes' });
  }
  targets.push(target('rss-cap', `peak RSS (MiB) at ${last.seededObjects} objects`, last.backup.peakRssMiB, 256, last.backup.peakRssMiB < 256, at100k));
  targets.push(target('throughput', `objects per second at ${last.seededObjects} objects`, last.objectsPerSecond, 10_000, last.objectsPerSecond >= 10_000, at100k, true));
  const cpuS = last.cpu.delegatePer100kMs / 1000;
  targets.push(target('cpu', `delegate CPU seconds per 100k objects, at ${last.seededObjects}`, cpuS, 2.5, cpuS <= 2.5, at100k));
  targets.push(target('cpu-vs-baseline', `delegate CPU / baseline client CPU (fetch + JSON.parse), at ${last.seededObjects}`, last.cpu.ratio, 2, last.cpu.ratio <= 2, at100k));
  if (last.kubectl) {
    targets.push(target('vs-kubectl-time', `kubectl dump time / delegate invocation time at ${last.seededObjects}`, last.kubectl.speedup, 5, last.kubectl.speedup >= 5, at100k, true));
    targets.push(target('vs-kubectl-memory', `kubectl peak RSS / delegate peak RSS at ${last.seededObjects}`, last.kubectl.memoryRatio, 4, last.kubectl.memoryRatio >= 4, at100k, true));
  } else {
    for (const id of ['vs-kubectl-time', 'vs-kubectl-memory']) targets.push({ id, description: 'against the kubectl dump', value: null, limit: id.endsWith('time') ? 5 : 4, met: null, note: last.kubectlSkipped ?? 'kubectl not run' });
  }
  const compared = restores.find((r) => r.baseline);
  if (compared?.baseline) {
    targets.push(target('restore-ratio', `restore / POST baseline wall time${compared.pinned ? ', pinned,' : ''} at ${compared.atObjects} objects`, compared.ratio ?? 0, 1.1, (compared.ratio ?? Infinity) <= 1.1, compared.pinned ? undefined : 'not pinned: the target is pinned'));
    if (compared.kubectl) targets.push(target('restore-vs-kubectl', `kubectl create time / restore invocation time at ${compared.atObjects} objects`, compared.kubectl.speedup, 5, compared.kubectl.speedup >= 5, undefined, true));
  }
  const sizeMb = bundle.delegate.bytes / 1e6;
  targets.push(target('bundle-size', 'bundle size (MB, 10^6 bytes)', sizeMb, 1.5, sizeMb < 1.5));
  targets.push(target('cold-load', 'cold load / S3-only bundle cold load', bundle.loadRatio, 1.5, bundle.loadRatio <= 1.5));
  return targets;
}

function target(id: string, description: string, value: number, limit: number, met: boolean, note?: string, atLeast = false): TargetResult {
  return { id, description: `${description} ${atLeast ? '>=' : '<='} ${limit}`, value: round(value, 3), limit, met, ...(note ? { note } : {}) };
}

export function writeResults(file: string, results: BenchResults): void {
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

/** The one-off large runs already recorded in `file`, which a new run keeps (none when there is no file). */
export function recordedLargeRuns(file: string): LargeResult[] {
  if (!existsSync(file)) return [];
  const recorded = JSON.parse(readFileSync(file, 'utf8')) as Partial<BenchResults>;
  return recorded.large ?? [];
}

/** The `--cpu-floor` run already recorded in `file`, which a new run keeps. */
export function recordedCpuFloor(file: string): CpuFloorResult | undefined {
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as Partial<BenchResults>).cpuFloor;
}

/** The `--format-size` run already recorded in `file`, which a new run keeps. */
export function recordedSeekableFormat(file: string): SeekableFormatResult | undefined {
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as Partial<BenchResults>).seekableFormat;
}

/** The restore runs (`durableRestores`, `restoreCapCurves`) already recorded in `file`, which a new run keeps. */
export function recordedRestoreRuns(file: string): Pick<BenchResults, 'durableRestores' | 'restoreCapCurves'> {
  if (!existsSync(file)) return {};
  const { durableRestores, restoreCapCurves } = JSON.parse(readFileSync(file, 'utf8')) as Partial<BenchResults>;
  return { ...(durableRestores ? { durableRestores } : {}), ...(restoreCapCurves ? { restoreCapCurves } : {}) };
}

/** `runs` with `run` in place of any earlier durable restore of the same size. */
export function withDurableRun(runs: readonly DurableRestoreRun[], run: DurableRestoreRun): DurableRestoreRun[] {
  return [...runs.filter((r) => r.atObjects !== run.atObjects), run].sort((a, b) => a.atObjects - b.atObjects);
}

/** `runs` with `run` in place of any earlier run of the same size. */
export function withLargeRun(runs: readonly LargeResult[], run: LargeResult): LargeResult[] {
  return [...runs.filter((r) => r.seededObjects !== run.seededObjects), run].sort((a, b) => a.seededObjects - b.seededObjects);
}

export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';

/** Replaces only what lies between the bench markers of the README. */
export function updateReadme(readmePath: string, results: BenchResults): void {
  const text = readFileSync(readmePath, 'utf8');
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`${readmePath} has no ${README_START} ... ${README_END} region`);
  writeFileSync(readmePath, `${text.slice(0, start + README_START.length)}\n${renderReadme(results)}${text.slice(end)}`);
}

export function renderReadme(r: BenchResults): string {
  const m = r.machine;
  const on22 = r.sizes.some((s) => s.node22);
  const pinned = r.pin !== null && r.sizes.some((s) => s.pinned);
  const v20 = `Node ${m.nodeVersion.replace(/^v?(\d+)\..*$/, '$1')}`;
  const v22 = 'Node 22';
  const miB = (n: number) => `${n.toFixed(0)} MiB`;
  const lines = [
    `Measured by \`${r.command}\` on ${r.generatedAt.slice(0, 10)}: ${m.cpus} x ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.nodeVersion}${m.node22Version ? ` and ${m.node22Version}` : ''}, Linux ${m.kernel};`,
    `the stand-in's kube-apiserver ${m.kubernetesVersion ?? '1.20'}, etcd (tmpfs) and moto S3 on the same machine (load average ${m.loadAverageStart} at the start, ${m.loadAverageEnd} at the end${r.benchMs ? `; the whole run took ${fmtMinutes(r.benchMs)}` : ''}).`,
    `The delegate runs as the bundled handler in its own process with the Lambda Node.js runtime's flags for ${r.lambda.memorySizeMb} MB of function memory (\`${r.lambda.nodeArgs.join(' ')}\`)${on22 ? `, on ${m.nodeVersion} and, alternately, on ${m.node22Version ?? 'Node 22'} (the major of the nodejs22.x runtime it is deployed on)` : ''}.`,
    pinned
      ? `Pinned (\`--pin\`, as on EKS, where the API server runs elsewhere): kube-apiserver, etcd and moto on core ${r.pin!.cluster}, the process under test (the delegate, the baseline client, kubectl) on core ${r.pin!.underTest}, with \`taskset\`, all threads; co-located: everything on cores ${r.pin!.all}, as in the first bench. The two modes take turns run by run.`
      : `Not pinned: everything shares every core${r.pinNote ? ` (${r.pinNote})` : ''}.`,
    `Page size ${r.pageSize}; times are ${r.runs === 1 ? 'from one run' : `medians of ${r.runs} runs`} after a warm-up. The baseline fetches the same list pages one after another and JSON.parse's each.`,
    '',
    `| Cluster objects | Backup${on22 ? ` (${v20})` : ''} |${on22 ? ` Backup (${v22}) |` : ''} Baseline fetch | Ratio${pinned ? ', pinned' : ''} |${pinned ? ' Co-located: backup | baseline | ratio |' : ''} Objects/s | Peak RSS | Whole invocation | kubectl dump | kubectl peak RSS |`,
    `|---:|---:|${on22 ? '---:|' : ''}---:|---:|${pinned ? '---:|---:|---:|' : ''}---:|---:|---:|---:|---:|`,
    ...r.sizes.map((s) => {
      const c = s.colocated;
      const colocated = pinned ? (c ? ` ${sec(c.backup.ms)} | ${sec(c.baseline.ms)} | ${c.ratio.toFixed(2)} |` : ' - | - | - |') : '';
      return `| ${fmtInt(s.backedUpObjects)} (${fmtInt(s.seededObjects)} seeded) | ${sec(s.backup.ms)} |${on22 ? ` ${s.node22 ? sec(s.node22.backup.ms) : '-'} |` : ''} ${sec(s.baseline.ms)} | ${s.ratio.toFixed(2)} |${colocated} ${fmtInt(s.objectsPerSecond)} | ${miB(s.backup.peakRssMiB)} | ${sec(s.backup.processMs)} | ${s.kubectl ? `${sec(s.kubectl.ms)} (${s.kubectl.speedup.toFixed(1)}x slower)` : 'not run'} | ${s.kubectl ? `${s.kubectl.peakRssMiB.toFixed(0)} MiB (${s.kubectl.memoryRatio.toFixed(1)}x the delegate's)` : '-'} |`;
    }),
    '',
  ];
  const lambdaSizes = r.sizes[0]?.cpu.lambda.map((l) => l.memorySizeMb) ?? [];
  lines.push(
    `CPU (user + system, all threads) of the whole delegate invocation${pinned ? ', pinned' : ''}, against the baseline client's for the same pages (fetch + JSON.parse of every page); the Lambda wall time is the invocation's CPU over the function's share of a vCPU (memory / ${fmtInt(LAMBDA_MB_PER_VCPU)} MB), never less than its wall time here:`,
    '',
    `| Cluster objects | Delegate CPU | per 100k objects | Baseline client CPU | per 100k objects | Delegate / baseline |${lambdaSizes.map((mb) => ` Lambda wall at ${fmtInt(mb)} MB |`).join('')}`,
    `|---:|---:|---:|---:|---:|---:|${lambdaSizes.map(() => '---:|').join('')}`,
    ...r.sizes.map((s) => `| ${fmtInt(s.backedUpObjects)} | ${sec(s.backup.cpuMs)} | ${sec(s.cpu.delegatePer100kMs)} | ${sec(s.baseline.cpuMs)} | ${sec(s.cpu.baselinePer100kMs)} | ${s.cpu.ratio.toFixed(2)} |${s.cpu.lambda.map((l) => ` ${sec(l.wallMs)} |`).join('')}`),
    '',
  );
  if (on22) {
    const pair = (a: number, b: number, f: (n: number) => string) => `${f(a)} | ${f(b)} (${signedPercent(b / a - 1)})`;
    lines.push(
      `${v20} against ${v22}, the same bundle on the same cluster${pinned ? ', pinned' : ''} (ratio and objects/s above are ${v20}'s; in brackets, ${v22} against ${v20}):`,
      '',
      `| Cluster objects | Backup, ${v20} | ${v22} | Whole invocation, ${v20} | ${v22} | CPU, ${v20} | ${v22} | Peak RSS, ${v20} | ${v22} | Ratio on ${v22} |`,
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...r.sizes.filter((s) => s.node22).map((s) => {
        const a = s.backup;
        const b = s.node22!.backup;
        return `| ${fmtInt(s.backedUpObjects)} | ${pair(a.ms, b.ms, sec)} | ${pair(a.processMs, b.processMs, sec)} | ${pair(a.cpuMs, b.cpuMs, sec)} | ${pair(a.peakRssMiB, b.peakRssMiB, miB)} | ${s.node22!.ratio.toFixed(2)} |`;
      }),
      '',
    );
  }
  if (r.brokenApi) {
    const x = r.brokenApi;
    lines.push(
      `A broken aggregated API (metrics-server uninstalled or down is common): at ${fmtInt(x.atObjects)} seeded objects, the APIService \`${x.apiService}\` points at a service that does not exist, so the API server answers 503 for its group. One backup each${pinned ? ', pinned' : ''}:`,
      '',
      '| APIService | Backup | Whole invocation | Status | Warnings |',
      '|---|---:|---:|---|---|',
      `| none | ${sec(x.without.ms)} | ${sec(x.without.processMs)} | COMPLETED | - |`,
      `| broken | ${sec(x.with.ms)} (${signedPercent(x.with.ms / x.without.ms - 1)}) | ${sec(x.with.processMs)} | ${x.status} | ${x.warnings.map((w) => w.replace(/\|/g, '\\|')).join('; ') || '-'} |`,
      '',
    );
  }
  const restores = r.restores ?? [];
  if (restores.length > 0) {
    const c = restores.find((x) => x.baseline);
    lines.push(
      `Restore of the recovery point taken at each size into the recovery cluster (a second kube-apiserver and etcd on the same machine${pinned ? `, pinned with the primary's to core ${r.pin!.cluster}` : ''}), ${restores[0]!.concurrency} writes in flight${c ? `; at ${fmtInt(c.atObjects)}, the baseline POSTs the same objects, already prepared, in the same order with the same concurrency, and kubectl creates the extracted, prepared files (\`kubectl create -f\`)` : ''}; larger restores measure the delegate alone:`,
      '',
      `| Objects created | Restore${pinned ? ', pinned' : ''} | Baseline POSTs | Ratio | Objects/s | Peak RSS | CPU | Baseline CPU | Whole invocation | kubectl create |`,
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...restores.map((x) => `| ${fmtInt(x.objects)} | ${sec(x.delegate.ms)} | ${x.baseline ? sec(x.baseline.ms) : '-'} | ${x.ratio === null ? '-' : x.ratio.toFixed(2)} | ${fmtInt(x.delegate.objectsPerSecond)} | ${miB(x.delegate.peakRssMiB)} | ${sec(x.delegate.cpuMs)} | ${x.baseline?.cpuMs !== undefined ? sec(x.baseline.cpuMs) : '-'} | ${sec(x.delegate.processMs)} | ${x.kubectl ? `${sec(x.kubectl.ms)} (${x.kubectl.speedup.toFixed(1)}x slower)` : x.baseline ? 'not run' : '-'} |`),
      '',
    );
  }
  for (const x of r.durableRestores ?? []) {
    const d = x.durable;
    const b = x.baseline;
    lines.push(
      `Restore as a durable execution (\`${x.command}\`, ${x.generatedAt.slice(0, 10)}${x.pinned ? ', pinned' : ''}; ${fmtInt(x.atObjects)} objects seeded ${x.seedVia === 'etcd' ? 'straight into etcd' : 'through the API server'}): the bundled durable restore function on AWS's local runner (\`LocalDurableTestRunner\`, ${x.nodeVersion}, each invocation a process of its own with the Lambda runtime's flags for ${x.memorySizeMb} MB), ${x.concurrency} writes in flight, ${fmtInt(x.sliceObjects)} objects a step, ${fmtMinutes(x.invocationBudgetMs)} of steps an invocation, into fresh namespaces; against the POST baseline writing the seeded tenants' objects, prepared, tier by tier at the same concurrency. CPU is user + system of every invocation process added up (the runner's own checkpoint server, ${sec(d.runnerCpuMs)}, not counted); the Lambda estimate stretches that CPU over ${x.memorySizeMb} MB's share of a vCPU (never less than the wall time here):`,
      '',
      '| Objects created | RTO (wall) | Invocations | Steps | Delegate CPU | per 100k | Peak RSS | Baseline POSTs | Baseline CPU | per 100k | Ratio (target <= 1.1) | CPU added per write | On Lambda: wall, invocations, GB-s |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      `| ${fmtInt(x.objects)} | ${sec(d.rtoMs)} | ${d.invocations} | ${d.steps} | ${sec(d.cpuMs)} | ${sec(d.cpuPer100kMs)} | ${miB(d.peakRssMiB)} | ${fmtInt(b.objects)} in ${sec(b.ms)} | ${sec(b.cpuMs)} | ${sec(b.cpuPer100kMs)} | ${x.ratio.toFixed(2)} | ${x.overheadPerWriteMs.toFixed(3)} ms | ${sec(x.lambda.wallMs)}, ${x.lambda.invocations}, ${x.lambda.gbSeconds} |`,
      '',
    );
    const t = d.timeline;
    const notes = [
      ...(t ? [`Where the restore's wall time went, by the engine's step timestamps: \`prepare\` ${sec(t.prepareMs)}, the ${d.steps - 2} slices' steps ${sec(t.stepsMs)}, between steps (checkpoints, hand-overs to the next invocation) ${sec(t.betweenStepsMs)}, \`finish\` ${sec(t.finishMs)}; the slowest step \`${t.slowest.step}\` ${sec(t.slowest.ms)}.`] : []),
      ...(x.clusterCpu ? [clusterCpuNote(x.clusterCpu, d.rtoMs, b.ms, x.objects, b.objects)] : []),
      ...(d.peakRssByInvocationMiB && d.peakRssByInvocationMiB.length > 1 ? [`Peak RSS by invocation, in order (the first runs \`prepare\`, which reads the whole archive): ${d.peakRssByInvocationMiB.map((m) => miB(m)).join(', ')}.`] : []),
      ...(x.baselineRuns?.length ? [`The baseline ran ${x.baselineRuns.map((r) => `${r.when} the restore (${sec(r.ms)}, ${sec(r.cpuMs)} of CPU)`).join(' and ')}; the table has their mean, so the machine's drift during the bench and the cluster's growth weigh on both sides.`] : []),
      ...(x.clusters ? [clustersNote(x.clusters, x.baselineRuns !== undefined)].filter((note) => note !== '') : []),
    ];
    if (notes.length) lines.push(notes.join(' '), '');
    if (x.byType?.length) {
      lines.push(
        'Type by type, the durable restore\'s steps against the baseline\'s writes of the same type (the step\'s time includes what it does besides writing; the baseline\'s runs from its first POST of the type to its last answer):',
        '',
        '| Type | Objects | Durable steps | Baseline | Ratio |',
        '|---|---:|---:|---:|---:|',
        ...x.byType.map((t) => `| ${t.type} | ${fmtInt(t.objects)} | ${sec(t.durableMs)} | ${sec(t.baselineMs)} | ${t.ratio.toFixed(2)} |`),
        '',
      );
    }
  }
  for (const curve of r.restoreCapCurves ?? []) {
    lines.push(
      `Cap curve of restore writes (\`${curve.command}\`, ${curve.generatedAt.slice(0, 10)}${curve.pinned ? ', pinned' : ''}): the same restore of the recovery point of ${fmtInt(curve.atObjects)} seeded objects at each RESTORE_CONCURRENCY, each into fresh namespaces, a synchronous restore through the bundle at ${curve.memorySizeMb} MB, against a recovery API server that serves ${fmtInt(curve.recoveryMaxWrites)} writes at once (\`--max-mutating-requests-inflight\`) and answers 429 with Retry-After beyond (the delegate bound to cluster-admin when the limit is lowered: system:masters is exempt from it); 429s are the rise of its \`apiserver_dropped_requests_total\` (1.20's in-flight limit counts them there) or \`apiserver_request_total{code="429"}\`, whichever is larger, during the run:`,
      '',
      '| Writes in flight | Objects created | Restore | Objects/s | CPU | Peak RSS | 429s |',
      '|---:|---:|---:|---:|---:|---:|---:|',
      ...curve.points.map((p) => `| ${p.cap} | ${fmtInt(p.objects)} | ${sec(p.ms)} | ${fmtInt(p.objectsPerSecond)} | ${sec(p.cpuMs)} | ${miB(p.peakRssMiB)} | ${p.apiServer429s === null ? 'unavailable' : fmtInt(p.apiServer429s)}${p.throttled !== undefined ? ` (${fmtInt(p.throttled)} waited out by the delegate)` : ''} |`),
      '',
    );
  }
  for (const x of r.large ?? []) {
    const lm = x.machine;
    lines.push(
      `One-off large run (\`${x.command}\`, ${x.generatedAt.slice(0, 10)}${x.pinned ? ', pinned' : ''}, MemorySize ${x.memorySizeMb}): ${fmtInt(x.seededObjects)} objects seeded in ${fmtMinutes(x.seedMs)} (${fmtInt(x.seedObjectsPerSecond)}/s, ${x.seedConcurrency} in flight, ${x.seedVia === 'etcd' ? 'straight into etcd' : 'through the API server'}), ${fmtInt(x.listedObjects)} listed by the API server${x.watchCache === false ? ' (kube-apiserver without its watch cache: `--no-watch-cache`)' : ''}; load average ${lm.loadAverageStart} at the start, ${lm.loadAverageAtBackup ?? '-'} before the first backup, ${lm.loadAverageEnd} at the end (the machine is shared)${x.standInPeakRssMiB ? `; the stand-in peaked at ${(x.standInPeakRssMiB.kubeApiserver / 1024).toFixed(1)} GiB (kube-apiserver) and ${(x.standInPeakRssMiB.etcd / 1024).toFixed(1)} GiB (etcd)` : ''}:`,
      '',
      '| Action | Objects | Wall time | Objects/s | Peak RSS | CPU | Whole invocation |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...x.backups.map((b, i) => `| backup ${i + 1} | ${fmtInt(x.backedUpObjects)} | ${sec(b.ms)} | ${fmtInt(b.objectsPerSecond)} | ${miB(b.peakRssMiB)} | ${sec(b.cpuMs)} | ${sec(b.processMs)} |`),
      `| verify-recovery-point (${x.verify.status}) | ${fmtInt(x.backedUpObjects)} | ${sec(x.verify.ms)} | ${fmtInt(x.backedUpObjects / (x.verify.ms / 1000))} | ${miB(x.verify.peakRssMiB)} | ${sec(x.verify.cpuMs)} | ${sec(x.verify.processMs)} |`,
      `| diff-recovery-points (${x.diff.changed} changed, ${x.diff.added} added, ${x.diff.removed} removed) | ${fmtInt(x.backedUpObjects)} x 2 | ${sec(x.diff.ms)} | ${fmtInt(x.backedUpObjects / (x.diff.ms / 1000))} | ${miB(x.diff.peakRssMiB)} | ${sec(x.diff.cpuMs)} | ${sec(x.diff.processMs)} |`,
      '',
    );
  }
  const f = r.cpuFloor;
  if (f) {
    lines.push(
      `CPU floor (\`${f.command}\`, ${f.generatedAt.slice(0, 10)}, ${fmtInt(f.objects)} objects, ${(f.bytes / 1e6).toFixed(0)} MB of list pages): each process alone on core ${f.cores.underTest}, the stand-in on core ${f.cores.cluster}; CPU is user + system of all threads, per 100k objects:`,
      '',
      '| Process | CPU per 100k objects | Runs (CPU) |',
      '|---|---:|---|',
      `| the delegate's backup (whole invocation) | ${sec(f.delegate.per100kMs)} | ${f.delegate.cpuMs.map((x) => sec(x)).join(', ')} |`,
      `| receive the pages and drop them (no client does less) | ${sec(f.receive.per100kMs)} | ${f.receive.cpuMs.map((x) => sec(x)).join(', ')} |`,
      `| receive and JSON.parse every page (the baseline client) | ${sec(f.parse.per100kMs)} | ${f.parse.cpuMs.map((x) => sec(x)).join(', ')} |`,
      '',
      `The same fixed workload on core ${f.cores.underTest} took ${sec(median(f.interference.idleMs))} of CPU with core ${f.cores.cluster} idle and ${sec(median(f.interference.busyMs))} while the stand-in served lists on it: **${f.interference.factor.toFixed(2)}x**: how much the cluster's load on the other core can add to any CPU figure measured during a backup (the delegate's and the baseline's alike).`,
      '',
    );
  }
  const b22 = r.bundleNode22;
  lines.push(
    `| Bundle | Size | Cold \`require()\` (median)${b22 ? `, ${v20} | ${v22}` : ''} |`,
    `|---|---:|---:|${b22 ? '---:|' : ''}`,
    `| dist/delegate/index.js | ${(r.bundle.delegate.bytes / 1e6).toFixed(2)} MB | ${r.bundle.delegate.loadMs.toFixed(0)} ms (${r.bundle.loadRatio.toFixed(2)}x) |${b22 ? ` ${b22.delegate.loadMs.toFixed(0)} ms (${b22.loadRatio.toFixed(2)}x) |` : ''}`,
    `| only @aws-sdk/client-s3 | ${(r.bundle.s3Only.bytes / 1e6).toFixed(2)} MB | ${r.bundle.s3Only.loadMs.toFixed(0)} ms |${b22 ? ` ${b22.s3Only.loadMs.toFixed(0)} ms |` : ''}`,
    '',
    `| Target${on22 ? ` (on ${v20}'s figures)` : ''} | Figure | Met |`,
    '|---|---:|:---:|',
    ...r.targets.map((t) => `| ${t.description}${t.note ? ` (${t.note})` : ''} | ${t.value === null ? '-' : fmtNum(t.value)} | ${t.met === null ? 'n/a' : t.met ? 'yes' : '**no**'} |`),
    '',
    'Figures and raw runs: [bench/results.json](../bench/results.json). Options (defaults first): `npm run bench -- --objects 1000,20000,100000 --page-size 500 --runs 3 --memory-size 320 --restore-at 20000,100000`, and:',
    '',
    '- `--pin` / `--no-pin`: pinned (the default on two or more cores with `taskset`) measures every size pinned and co-located, alternating; `--no-pin` only co-located. A 1-core machine, or one without util-linux\'s `taskset`, is not pinned, with a note.',
    '- `--restore-at 20000,100000`: the first size is restored against the POST baseline and `kubectl create`, the others by the delegate alone (wall time, peak RSS) into renamed namespaces; `--no-restore` skips restores.',
    '- `--no-broken-api`: leaves out the backup with a broken APIService (by default at the smallest size).',
    '- `--node 22`: the delegate also on the Lambda runtime\'s major, alternating with the bench\'s own node.',
    '- `--cpu-floor [--objects 100000]`: one size, pinned: three backups, each beside a client that only receives the same pages and one that also parses them, each alone on the under-test core; then a fixed workload (bench/cpuWorkload.ts) on that core with the cluster\'s core idle and busy. Recorded under `cpuFloor` in bench/results.json, which later normal runs keep.',
    '- `--restore-durable-at 100000 --restore-curve-at 100000 [--restore-caps 2,4,8,16,32] [--restore-concurrency 8] [--durable-slice 2000] [--durable-budget-ms 600000]`: one size on its own, one backup, then its recovery point restored as a durable execution (AWS\'s local runner on the Lambda runtime\'s major, each invocation in its own process at the function\'s MemorySize flags) against the POST baseline at the same concurrency, and the same restore at each cap of writes in flight; recorded under `durableRestores` (one per size) and `restoreCapCurves` (one per `--recovery-max-writes N`, the recovery API server\'s `--max-mutating-requests-inflight`, 500 unless given) in bench/results.json, which later normal runs keep. With `--seed-via etcd --no-watch-cache` for a million objects, the bench process given `NODE_OPTIONS=--max-old-space-size=8192` (it holds the baseline\'s million prepared objects); from 500,000 objects the source cluster is stopped after the backup and the recovery cluster emptied before the baseline (two such clusters do not fit in 24 GiB).',
    `- \`--objects 1000000 --seed-via etcd --seed-concurrency 16\`: a one-off large run (any size above ${fmtInt(LARGE_SIZE)}, alone; \`--one-off\` makes any single size one): seeds, counts what the API server lists, two backups, \`verify-recovery-point\` of the second and \`diff-recovery-points\` of the two, through the bundle; recorded under \`large\` in bench/results.json, which later normal runs keep. Not in CI. \`--seed-via etcd\` (one-off runs only) writes the objects straight into the stand-in's etcd, batched (1,635 objects/s against 100 to 300/s through the API server, both measured on the shared machine under load 15 to 25); the run proves the API server serves them by counting them through it. \`--no-watch-cache\` (one-off runs only) starts the stand-in's kube-apiserver without its watch cache, which for a million objects would need more memory than this machine has.`,
    '',
  );
  return lines.join('\n');
}

function fmtMinutes(ms: number): string {
  return ms < 120_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 60_000).toFixed(1)} min`;
}

function signedPercent(x: number): string {
  const p = Math.round(x * 100);
  return `${p > 0 ? '+' : p < 0 ? '\u2212' : '\u00b1'}${Math.abs(p)}%`;
}

function sec(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`;
}

function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function fmtNum(n: number): string {
  return Math.abs(n) >= 100 ? fmtInt(n) : String(round(n, 2));
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function mib(kib: number): number {
  return round(kib / 1024, 1);
}

/**
 * The stand-in's CPU in each phase, per write and as a share of the phase's wall time (its core's busy share
 * when pinned): the same work per write and a lower share means the restore left the cluster waiting.
 */
/** How the bench's clusters were stopped or emptied around a durable restore's phases. */
function clustersNote(clusters: NonNullable<DurableRestoreRun['clusters']>, twoBaselines: boolean): string {
  const emptied = clusters.recoveryEmptiedBeforeBaseline
    ? twoBaselines
      ? 'the recovery cluster was emptied (etcd wiped, kube-apiserver started again) before the restore and before the second baseline, so every phase wrote into an empty cluster'
      : 'the recovery cluster was emptied (etcd wiped, kube-apiserver started again) between the restore and the baseline, so both wrote into an empty cluster'
    : '';
  if (!clusters.sourceStoppedAfterBackup) return emptied ? `${emptied.charAt(0).toUpperCase()}${emptied.slice(1)}.` : '';
  return `Two clusters of this size do not fit in this machine's memory: the source cluster was stopped once its recovery point was written (a restore reads only S3)${emptied ? `, and ${emptied}` : ''}.`;
}

export function clusterCpuNote(cpu: { durable: ClusterCpu; baseline: ClusterCpu }, durableMs: number, baselineMs: number, durableObjects: number, baselineObjects: number): string {
  const phase = (c: ClusterCpu, ms: number, objects: number) => {
    const cluster = (c['kube-apiserver'] ?? 0) + (c['etcd'] ?? 0);
    return `kube-apiserver ${sec(c['kube-apiserver'] ?? 0)}, etcd ${sec(c['etcd'] ?? 0)}, moto ${sec(c['moto'] ?? 0)}: ${(cluster / objects).toFixed(2)} ms of API server and etcd per write, ${Math.round((100 * (cluster + (c['moto'] ?? 0))) / ms)}% of the wall time`;
  };
  return `The stand-in's CPU while the restore ran: ${phase(cpu.durable, durableMs, durableObjects)}; while the baseline wrote: ${phase(cpu.baseline, baselineMs, baselineObjects)}.`;
}

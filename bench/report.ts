import type { RestoreFigures } from './restoreBench';
import { readFileSync, writeFileSync } from 'node:fs';
import type { BundleComparison } from './bundleLoad';
import type { KubectlDumpResult } from './kubectlDump';

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
  backup: BackupFigures;
  baseline: { ms: number; runsMs: number[]; pages: number; bytes: number };
  /** backup.ms / baseline.ms */
  ratio: number;
  /** backedUpObjects / backup.ms */
  objectsPerSecond: number;
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
  /** A restore of the recovery point taken at `atObjects` into the recovery cluster (--restore-at). */
  restore?: RestoreFigures & { atObjects: number };
  targets: TargetResult[];
}


/** The issue's targets (issue 8, DESIGN.md section 7), judged on the figures. */
export function evaluateTargets(sizes: SizeResult[], bundle: BundleComparison): TargetResult[] {
  const targets: TargetResult[] = [];
  const first = sizes[0]!;
  const last = sizes[sizes.length - 1]!;
  const at100k = last.seededObjects >= 100_000 ? undefined : `measured at ${last.seededObjects} objects; the target is at 100,000`;
  for (const s of sizes) {
    targets.push(target(`ratio@${s.seededObjects}`, `backup / baseline wall time at ${s.seededObjects} objects`, s.ratio, 1.0, s.ratio <= 1.0));
  }
  if (sizes.length > 1) {
    const growth = last.backup.peakRssMiB / first.backup.peakRssMiB;
    targets.push(target('rss-flat', `peak RSS at ${last.seededObjects} / at ${first.seededObjects} objects`, growth, 1.25, growth <= 1.25, at100k));
  } else {
    targets.push({ id: 'rss-flat', description: 'peak RSS growth between sizes', value: null, limit: 1.25, met: null, note: 'needs two sizes' });
  }
  targets.push(target('rss-cap', `peak RSS (MiB) at ${last.seededObjects} objects`, last.backup.peakRssMiB, 256, last.backup.peakRssMiB < 256, at100k));
  targets.push(target('throughput', `objects per second at ${last.seededObjects} objects`, last.objectsPerSecond, 10_000, last.objectsPerSecond >= 10_000, at100k, true));
  if (last.kubectl) {
    targets.push(target('vs-kubectl-time', `kubectl dump time / delegate invocation time at ${last.seededObjects}`, last.kubectl.speedup, 5, last.kubectl.speedup >= 5, at100k, true));
    targets.push(target('vs-kubectl-memory', `kubectl peak RSS / delegate peak RSS at ${last.seededObjects}`, last.kubectl.memoryRatio, 4, last.kubectl.memoryRatio >= 4, at100k, true));
  } else {
    for (const id of ['vs-kubectl-time', 'vs-kubectl-memory']) targets.push({ id, description: 'against the kubectl dump', value: null, limit: id.endsWith('time') ? 5 : 4, met: null, note: last.kubectlSkipped ?? 'kubectl not run' });
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
  const v20 = `Node ${m.nodeVersion.replace(/^v?(\d+)\..*$/, '$1')}`;
  const v22 = 'Node 22';
  const lines = [
    `Measured by \`${r.command}\` on ${r.generatedAt.slice(0, 10)}: ${m.cpus} x ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.nodeVersion}${m.node22Version ? ` and ${m.node22Version}` : ''}, Linux ${m.kernel};`,
    `the stand-in's kube-apiserver ${m.kubernetesVersion ?? '1.20'}, etcd (tmpfs) and moto S3 on the same machine (load average ${m.loadAverageStart} at the start, ${m.loadAverageEnd} at the end).`,
    `The delegate runs as the bundled handler in its own process with the Lambda Node.js runtime's flags for ${r.lambda.memorySizeMb} MB of function memory (\`${r.lambda.nodeArgs.join(' ')}\`)${on22 ? `, on ${m.nodeVersion} and, alternately, on ${m.node22Version ?? 'Node 22'} (the major of the nodejs22.x runtime it is deployed on)` : ''}.`,
    `Page size ${r.pageSize}; times are ${r.runs === 1 ? 'from one run' : `medians of ${r.runs} runs`} after a warm-up. The baseline fetches the same list pages one after another and discards them.`,
    '',
    `| Cluster objects | Backup${on22 ? ` (${v20})` : ''} |${on22 ? ` Backup (${v22}) |` : ''} Baseline fetch | Ratio | Objects/s | Peak RSS | Whole invocation | kubectl dump | kubectl peak RSS |`,
    `|---:|---:|${on22 ? '---:|' : ''}---:|---:|---:|---:|---:|---:|---:|`,
    ...r.sizes.map((s) => `| ${fmtInt(s.backedUpObjects)} (${fmtInt(s.seededObjects)} seeded) | ${sec(s.backup.ms)} |${on22 ? ` ${s.node22 ? sec(s.node22.backup.ms) : '-'} |` : ''} ${sec(s.baseline.ms)} | ${s.ratio.toFixed(2)} | ${fmtInt(s.objectsPerSecond)} | ${s.backup.peakRssMiB.toFixed(0)} MiB | ${sec(s.backup.processMs)} | ${s.kubectl ? `${sec(s.kubectl.ms)} (${s.kubectl.speedup.toFixed(1)}x slower)` : 'not run'} | ${s.kubectl ? `${s.kubectl.peakRssMiB.toFixed(0)} MiB (${s.kubectl.memoryRatio.toFixed(1)}x the delegate's)` : '-'} |`),
    '',
  ];
  if (on22) {
    const pair = (a: number, b: number, f: (n: number) => string) => `${f(a)} | ${f(b)} (${signedPercent(b / a - 1)})`;
    const miB = (n: number) => `${n.toFixed(0)} MiB`;
    lines.push(
      `${v20} against ${v22}, the same bundle on the same cluster (ratio and objects/s above are ${v20}'s; in brackets, ${v22} against ${v20}):`,
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
  if (r.restore) {
    const x = r.restore;
    lines.push(
      `Restore of the ${fmtInt(x.atObjects)}-object recovery point into the recovery cluster (a second kube-apiserver and etcd on the same machine), ${x.concurrency} writes in flight; the baseline POSTs the same objects, already prepared, in the same order with the same concurrency; kubectl creates the extracted, prepared files (\`kubectl create -f\`):`,
      '',
      '| Objects created | Restore | Baseline POSTs | Ratio | Objects/s | Peak RSS | Whole invocation | kubectl create |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|',
      `| ${fmtInt(x.objects)} | ${sec(x.delegate.ms)} | ${sec(x.baseline.ms)} | ${x.ratio.toFixed(2)} | ${fmtInt(x.delegate.objectsPerSecond)} | ${x.delegate.peakRssMiB.toFixed(0)} MiB | ${sec(x.delegate.processMs)} | ${x.kubectl ? `${sec(x.kubectl.ms)} (${x.kubectl.speedup.toFixed(1)}x slower)` : 'not run'} |`,
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
    'Figures and raw runs: [bench/results.json](bench/results.json). Options: `npm run bench -- --objects 1000,20000,100000 --page-size 500 --runs 3 --memory-size 320 --node 22`.',
    '',
  );
  return lines.join('\n');
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

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function mib(kib: number): number {
  return round(kib / 1024, 1);
}


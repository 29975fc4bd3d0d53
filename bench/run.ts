// `npm run bench`: seeds the local stand-in with a realistic cluster at each size, then measures the
// bundled delegate's backup against a plain paged fetch and a kubectl dump, and the bundle's cold load
// (issue 8, DESIGN.md section 7). Writes bench/results.json and the README's Performance table.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseManifest } from '../lib/recovery-point';
import { provisionStandIn } from '../tests/standin/provision';
import { StandIn } from '../tests/standin/StandIn';
import { StandInClient, type StandInConnection } from '../tests/standin/StandInClient';
import { ApiConnection } from './ApiConnection';
import { baselineFetch, type ListedResource } from './baselineFetch';
import { buildS3OnlyBundle, compareBundles, median } from './bundleLoad';
import { BenchSanityError, BenchUsageError } from './errors';
import { KUBECTL, kubectlDump } from './kubectlDump';
import { lambdaRuntimeNodeArgs, templateMemorySizeMb } from './lambdaRuntime';
import { parseBenchOptions, type BenchOptions } from './options';
import { evaluateTargets, mib, round, updateReadme, writeResults, type BackupFigures, type BenchResults, type MachineInfo, type SizeResult } from './report';
import { measureRestore, type RestoreFigures } from './restoreBench';
import { runDelegate, type DelegateRun } from './runDelegate';
import { installBenchCrd, seedObjects } from './seedCluster';

const REPO_ROOT = join(__dirname, '..');
const DELEGATE_BUNDLE = join(REPO_ROOT, 'dist', 'delegate', 'index.js');
const BENCH_TOKEN_REVIEW_CACHE_TTL = '2m';

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
}

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

async function main(): Promise<void> {
  // The stand-in's STS/S3 clients run in this process; the SDK's Node 20 notice is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const opts = parseBenchOptions(process.argv.slice(2), REPO_ROOT);
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
  const standIn = new StandIn({ tokenReviewCacheTtl: BENCH_TOKEN_REVIEW_CACHE_TTL, recoveryCluster: opts.restoreAt !== undefined });
  const onSignal = () => void standIn.stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const sizes: SizeResult[] = [];
  let restore: BenchResults['restore'];
  let seeder: ApiConnection | undefined;
  let kubernetesVersion: string | undefined;
  try {
    const conn = await standIn.start();
    kubernetesVersion = conn.kubernetesVersion;
    const client = new StandInClient(conn);
    const python = provisionStandIn().python;
    const creds = await client.issueRoleCredentials('bench-delegate');
    await client.setAwsAuth([{ rolearn: creds.roleArn, username: 'delegate', groups: ['system:masters'] }]);
    const ctx: Context = {
      opts, conn, client, python, work, memorySizeMb, node22,
      delegateEnv: client.delegateEnv(creds, { KUBE_PAGE_SIZE: String(opts.pageSize) }),
    };
    seeder = new ApiConnection({ apiServerUrl: conn.apiServerUrl, caPem: conn.caPem, token: conn.adminToken, maxSockets: opts.seedConcurrency });
    await installBenchCrd(seeder);
    let seeded = 0;
    for (const size of opts.sizes) {
      log(`seeding objects ${seeded} to ${size} (${opts.seedConcurrency} in flight)`);
      const t0 = performance.now();
      await seedObjects(seeder, seeded, size, {
        concurrency: opts.seedConcurrency,
        onProgress: (p) => log(`  seeded ${p.done}/${p.total}`),
      });
      const seedMs = performance.now() - t0;
      log(`seeded ${size - seeded} objects in ${(seedMs / 1000).toFixed(1)} s`);
      seeded = size;
      sizes.push(await measureSize(ctx, size, seedMs));
      if (size === opts.restoreAt) restore = { atObjects: size, ...(await benchRestore(ctx, client)) };
    }
  } finally {
    seeder?.destroy();
    await standIn.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  log(`bundle: building the S3-only reference and loading each bundle ${opts.loadRuns} times`);
  const s3OnlyBundle = await buildS3OnlyBundle(work);
  const bundle = compareBundles(DELEGATE_BUNDLE, s3OnlyBundle, opts.loadRuns);
  const bundleNode22 = node22 === undefined ? undefined : compareBundles(DELEGATE_BUNDLE, s3OnlyBundle, opts.loadRuns, node22);
  rmSync(work, { recursive: true, force: true });

  const machine: MachineInfo = {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown', cpus: cpus().length, memoryGiB: round(totalmem() / 2 ** 30, 1),
    nodeVersion: process.version, ...(node22Version ? { node22Version } : {}), kernel: release(), loadAverageStart: round(machineStart, 2), loadAverageEnd: round(loadavg()[0]!, 2),
    ...(kubernetesVersion ? { kubernetesVersion } : {}),
  };
  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, ''),
    machine, pageSize: opts.pageSize, runs: opts.runs,
    lambda: { memorySizeMb, nodeArgs: lambdaRuntimeNodeArgs(memorySizeMb) },
    baselineToken: `the stand-in's static admin token (system:masters), so the baseline pays no token webhook; the delegate's EKS token is reviewed by the webhook once, then cached (--authentication-token-webhook-cache-ttl=${BENCH_TOKEN_REVIEW_CACHE_TTL}, kube-apiserver's default)`,
    sizes,
    bundle,
    ...(bundleNode22 ? { bundleNode22 } : {}),
    ...(restore ? { restore } : {}),
    targets: evaluateTargets(sizes, bundle),
  };
  writeResults(opts.out, results);
  log(`results written to ${opts.out}`);
  if (opts.updateReadme) {
    updateReadme(join(REPO_ROOT, 'README.md'), results);
    log('README.md Performance table updated');
  }
  printSummary(results);
  if (opts.smoke) log('smoke run: the figures are plausible; targets are judged only by a full `npm run bench` on a quiet machine');
  const problems = sanityProblems(results);
  if (problems.length) throw new BenchSanityError(problems);
}

async function measureSize(ctx: Context, size: number, seedMs: number): Promise<SizeResult> {
  const { opts, conn, client, node22 } = ctx;
  const delegate = (cpuProf: boolean, node?: string) => runDelegate({
    repoRoot: REPO_ROOT, python: ctx.python, workDir: ctx.work, env: ctx.delegateEnv, memorySizeMb: ctx.memorySizeMb,
    ...(cpuProf && opts.cpuProfDir ? { cpuProfDir: opts.cpuProfDir } : {}),
    ...(node ? { node } : {}),
  });
  log(`${size}: warm-up backup`);
  const warm = await delegate(false);
  ctx.lastLocation = warm.response.location;
  const warm22 = node22 === undefined ? undefined : await delegate(false, node22);
  const resources = await listedResources(client, warm.response.location);
  const api = new ApiConnection({ apiServerUrl: conn.apiServerUrl, caPem: conn.caPem, token: conn.adminToken, maxSockets: 1 });
  try {
    await baselineFetch(api, resources, opts.pageSize);
    const baselines = [];
    const backups: DelegateRun[] = [];
    const backups22: DelegateRun[] = [];
    for (let i = 0; i < opts.runs; i++) {
      baselines.push(await baselineFetch(api, resources, opts.pageSize));
      // With Node 22 too, the two nodes take turns going first, so neither always follows the baseline.
      const on22First = node22 !== undefined && i % 2 === 1;
      if (on22First) backups22.push(await delegate(true, node22));
      backups.push(await delegate(true));
      if (node22 !== undefined && !on22First) backups22.push(await delegate(true, node22));
      const b = backups[i]!;
      log(`${size}: run ${i + 1}/${opts.runs}: baseline ${ms(baselines[i]!.ms)}, backup ${ms(b.response.durationMs)} (process ${ms(b.process.wallMs)}, ${mib(b.process.maxRssKiB)} MiB)`
        + (backups22[i] ? `, on Node 22 ${ms(backups22[i]!.response.durationMs)} (process ${ms(backups22[i]!.process.wallMs)}, ${mib(backups22[i]!.process.maxRssKiB)} MiB)` : ''));
    }
    const backup = backupFigures(warm, backups);
    const baselineMs = median(baselines.map((b) => b.ms));
    const processMs = backup.processMs;
    const peakRssMiB = backup.peakRssMiB;
    const objects = warm.response.objects;
    const backup22 = warm22 === undefined ? undefined : backupFigures(warm22, backups22);

    let kubectl: SizeResult['kubectl'] = null;
    let kubectlSkipped: string | undefined;
    if (!opts.kubectl) kubectlSkipped = 'turned off (--no-kubectl)';
    else if (!existsSync(KUBECTL)) kubectlSkipped = `${KUBECTL} not installed`;
    else {
      log(`${size}: kubectl dump of every listable type`);
      const dir = mkdtempSync(join(ctx.work, 'kubectl-'));
      const k = await kubectlDump({ python: ctx.python, workDir: dir, apiServerUrl: conn.apiServerUrl, caPem: conn.caPem, token: conn.adminToken, pageSize: opts.pageSize });
      rmSync(dir, { recursive: true, force: true });
      const { peakRssKiB, ...rest } = k;
      kubectl = {
        ...rest, ms: round(k.ms), peakRssMiB: mib(peakRssKiB),
        speedup: round(k.ms / processMs, 2), memoryRatio: round(mib(peakRssKiB) / peakRssMiB, 2),
      };
      log(`${size}: kubectl ${ms(k.ms)}, peak ${mib(peakRssKiB)} MiB (${k.peakRssType}), ${k.types} types`);
    }
    return {
      seededObjects: size,
      backedUpObjects: objects,
      resourceTypes: resources.length,
      seedMs: round(seedMs),
      seedObjectsPerSecond: round(size / (seedMs / 1000), 0),
      backup,
      baseline: { ms: round(baselineMs), runsMs: baselines.map((b) => round(b.ms)), pages: baselines[0]!.pages, bytes: baselines[0]!.bytes },
      ratio: round(backup.ms / baselineMs, 3),
      objectsPerSecond: round(objects / (backup.ms / 1000), 0),
      kubectl,
      ...(kubectlSkipped ? { kubectlSkipped } : {}),
      ...(backup22 ? {
        node22: { backup: backup22, ratio: round(backup22.ms / baselineMs, 3), objectsPerSecond: round(objects / (backup22.ms / 1000), 0) },
      } : {}),
    };
  } finally {
    api.destroy();
  }
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

/** The delegate restores the last backup into the recovery cluster (issue 12's restore figure). */
async function benchRestore(ctx: Context, primary: StandInClient): Promise<RestoreFigures> {
  const recovery = primary.recovery();
  const creds = await recovery.issueRoleCredentials(recovery.conn.delegateRoleName ?? 'bench-recovery-delegate');
  const dir = mkdtempSync(join(ctx.work, 'restore-'));
  try {
    return await measureRestore({
      python: ctx.python, repoRoot: REPO_ROOT, workDir: dir, primary, recovery,
      delegateEnv: recovery.delegateEnv(creds), location: ctx.lastLocation ?? '', memorySizeMb: ctx.memorySizeMb,
      kubectl: ctx.opts.kubectl && existsSync(KUBECTL), log,
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
function sanityProblems(r: BenchResults): string[] {
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
  if (r.restore && r.restore.objects < r.restore.atObjects) p.push(`the restore created ${r.restore.objects} objects, fewer than the ${r.restore.atObjects} seeded`);
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

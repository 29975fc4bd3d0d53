// Where a restore's CPU goes (docs/restore-cpu.md):
//   npm run build && npx tsx bench/profileRestore.ts [--objects 20000] [--runs 2] [--no-floor] [--format 1.1] [--bundle-root DIR] [--compare-root DIR] [--no-profile] [--out DIR] [--node PATH]
// For each run, and once more for the profile, a fresh stand-in with its recovery cluster: the bench's
// cluster seeded (bench/seedCluster.ts) through the API and backed up by the bundled delegate (a format 1.2
// recovery point); then the bundled delegate (dist/, the production bundle) restores it into the empty
// recovery cluster under new namespace names (`<tenant>-c`), its process's CPU measured from outside; and
// the POST floor: a plain keep-alive client (bench/postFloorClient.ts) POSTs the same objects, prepared as
// the delegate prepares them, into `<tenant>-f` over the same TLS with the same concurrency, its CPU
// measured around the writes; then the same with the delegate's KubeClient (into `<tenant>-k`), and with
// KubeClient asking for the metadata of the created object only (into `<tenant>-m`), and over one HTTP/2
// connection (into `<tenant>-h`). The last
// stand-in's restore is made by a readable (unminified) build of the same sources under --cpu-prof, and
// summarized by function, module and area (bench/cpuProfile.ts). Everything runs on Node 22 with the
// Lambda runtime's node flags for the template's MemorySize, as the bench runs the delegate. Writes
// DIR/results.json and DIR/summary.txt.
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { manifestKey, RecoveryPointReader } from '../lib/recovery-point';
import { prepareForRestore, restoreOrder } from '../lib/restore';
import { provisionStandIn } from '../tests/standin/provision';
import { StandIn } from '../tests/standin/StandIn';
import { StandInClient } from '../tests/standin/StandInClient';
import { ApiConnection } from './ApiConnection';
import { formatSummary, summarizeProfileFile } from './cpuProfile';
import { templateMemorySizeMb } from './lambdaRuntime';
import { runToEnd } from './measureProcesses';
import type { FloorClientKind, PostFloorJob, PostFloorResult } from './postFloorClient';
import { runAction, runDelegate, type ActionResponse } from './runDelegate';
import { installBenchCrd, seedObjects } from './seedCluster';

const REPO_ROOT = join(__dirname, '..');
const TENANT = /^tenant-\d+$/;
const CONCURRENCY = 8;

interface Options {
  objects: number;
  runs: number;
  /** Measure the POST floor too (`--no-floor`: the delegate only). */
  floor: boolean;
  /**
   * `1.1`: the backup's manifest is rewritten without its index (formatVersion 1.1.0), so the restore reads
   * the archive as one stream and spools it to /tmp, as it reads a recovery point written before 1.2.
   * @default '1.2'
   */
  format: '1.1' | '1.2';
  /**
   * Folder holding the production bundle (`dist/delegate/index.js`) and `scripts/invoke-bundle.cjs`, e.g. a
   * build of another commit to compare with (`git archive <commit> lib handlers scripts`, node_modules
   * linked, `node scripts/build.mjs`); its sources, when there, are what the profile is made of.
   * @default the repository
   */
  bundleRoot: string;
  /**
   * A second bundle folder (as bundleRoot) to compare with: runs alternate between the two, each on its own
   * stand-in, so that the machine's load drifts over both alike (`--compare-root`). @default undefined
   */
  compareRoot: string | undefined;
  /** Make the profiled restore at the end (`--no-profile`: not). */
  profile: boolean;
  out: string;
  node: string;
}

interface RestoreResponse extends ActionResponse {
  created: number;
  failed: number;
}

function parseOptions(argv: string[]): Options {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const node = value('--node') ?? execFileSync('bash', [join(REPO_ROOT, 'scripts', 'node22.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  return { objects: Number(value('--objects') ?? 20_000), runs: Number(value('--runs') ?? 2), floor: !argv.includes('--no-floor'), format: value('--format') === '1.1' ? '1.1' : '1.2', bundleRoot: value('--bundle-root') ?? REPO_ROOT, compareRoot: value('--compare-root'), profile: !argv.includes('--no-profile'), out: value('--out') ?? '/tmp/restore-profile', node };
}

const log = (msg: string) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/** The delegate built as `npm run build` builds it, but readable: module comments and names kept for the profile. */
async function buildReadableBundle(dir: string, sourceRoot: string): Promise<string> {
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  copyFileSync(join(sourceRoot, 'scripts', 'invoke-bundle.cjs'), join(dir, 'scripts', 'invoke-bundle.cjs'));
  const outfile = join(dir, 'dist', 'delegate', 'index.js');
  await build({
    entryPoints: [join(sourceRoot, 'handlers', 'delegate.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs',
    minify: false, keepNames: true, legalComments: 'none', alias: { punycode: 'punycode/' }, logLevel: 'warning',
  });
  return outfile;
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  mkdirSync(o.out, { recursive: true });
  const nodeVersion = execFileSync(o.node, ['--version'], { encoding: 'utf8' }).trim();
  const memorySizeMb = templateMemorySizeMb(join(REPO_ROOT, 'template.yaml'));
  log(`restore profile: ${o.objects} objects, format ${o.format}, ${o.runs} measured runs, node ${nodeVersion}, MemorySize ${memorySizeMb}, out ${o.out}`);
  const readable = join(o.out, 'readable');
  // The profiled build is of the measured bundle's sources: another commit's, when --bundle-root holds them.
  const readableBundle = await buildReadableBundle(readable, existsSync(join(o.bundleRoot, 'handlers', 'delegate.ts')) ? o.bundleRoot : REPO_ROOT);
  const floorClient = join(o.out, 'post-floor-client.js');
  await build({ entryPoints: [join(__dirname, 'postFloorClient.ts')], outfile: floorClient, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });

  const results: Record<string, unknown> = { objects: o.objects, format: o.format, node: nodeVersion, memorySizeMb, concurrency: CONCURRENCY, restores: [], floors: [] };
  // Each restore gets a stand-in of its own: a restore lists what the recovery cluster already holds of
  // each type, so one made after another (or after a floor) would pay for its predecessors' objects.
  const measured = o.compareRoot ? 2 * o.runs : o.runs;
  for (let run = 1; run <= measured + (o.profile ? 1 : 0); run++) {
    const profiled = run > measured;
    // With --compare-root, odd runs measure bundleRoot's bundle and even runs compareRoot's.
    const bundle = o.compareRoot && run % 2 === 0 ? o.compareRoot : o.bundleRoot;
    await withSeededBackup(o, run, memorySizeMb, async (s) => {
      if (!profiled) {
        const r = await runAction<RestoreResponse>({ ...s.common, repoRoot: bundle, env: s.restoreEnv, event: s.restoreEvent('c'), okStatuses: ['COMPLETED'] });
        const cpuMs = r.process.userMs + r.process.systemMs;
        const entry = { run, bundle, created: r.response.created, cpuMs: Math.round(cpuMs), userMs: Math.round(r.process.userMs), systemMs: Math.round(r.process.systemMs), per100kMs: Math.round((cpuMs / r.response.created) * 100_000), wallMs: Math.round(r.process.wallMs), peakRssMiB: Math.round(r.process.maxRssKiB / 1024) };
        (results.restores as unknown[]).push(entry);
        results.formatVersion = s.reader.manifest.formatVersion;
        log(`restore ${run}: ${JSON.stringify(entry)}`);
        if (!o.floor) return;
        for (const kind of o.compareRoot ? (['plain'] as const) : (['plain', 'kube', 'kube-meta', 'h2'] as const)) {
          const floor = await postFloor(s.reader, s.recovery, { plain: 'f', kube: 'k', 'kube-meta': 'm', h2: 'h' }[kind], o, floorClient, kind);
          const f = { run, client: kind, objects: floor.objects, cpuMs: Math.round(floor.cpuMs), userMs: Math.round(floor.userMs), systemMs: Math.round(floor.systemMs), per100kMs: Math.round((floor.cpuMs / floor.objects) * 100_000), ms: Math.round(floor.ms) };
          (results.floors as unknown[]).push(f);
          log(`POST floor ${run} (${kind} client): ${JSON.stringify(f)}`);
        }
        return;
      }
      const profDir = join(o.out, 'cpuprofile');
      mkdirSync(profDir, { recursive: true });
      for (const f of readdirSync(profDir)) if (f.endsWith('.cpuprofile')) throw new Error(`${profDir} already holds ${f}: use a fresh --out`);
      const p = await runAction<RestoreResponse>({ ...s.common, repoRoot: readable, env: s.restoreEnv, event: s.restoreEvent('p'), okStatuses: ['COMPLETED'], cpuProfDir: profDir });
      const profile = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
      if (!profile) throw new Error(`no .cpuprofile in ${profDir}`);
      const summary = summarizeProfileFile(join(profDir, profile), readableBundle, p.process.userMs + p.process.systemMs);
      const text = formatSummary(summary, p.response.created, 60);
      results.profiled = { created: p.response.created, cpuMs: Math.round(p.process.userMs + p.process.systemMs), sampledMs: Math.round(summary.totalMs), byArea: summary.byArea.map((a) => ({ area: a.key, ms: Math.round(a.ms), per100kMs: Math.round((a.ms / p.response.created) * 100_000) })) };
      let floorText = '';
      if (o.floor) {
        // The floor client profiled too, to see what HTTP and TLS cost per object with nothing else around them.
        const floorProfDir = join(o.out, 'floor-cpuprofile');
        mkdirSync(floorProfDir, { recursive: true });
        const pf = await postFloor(s.reader, s.recovery, 'fp', o, floorClient, 'plain', floorProfDir);
        const floorProfile = readdirSync(floorProfDir).find((f) => f.endsWith('.cpuprofile'));
        floorText = `\n\n== POST floor client, profiled (${Math.round(pf.cpuMs)} ms CPU)\n${floorProfile ? formatSummary(summarizeProfileFile(join(floorProfDir, floorProfile), floorClient, pf.cpuMs), pf.objects, 30) : 'no profile'}`;
      }
      writeFileSync(join(o.out, 'summary.txt'), `${text}${floorText}\n`);
      log(`profiled restore (readable bundle): ${p.response.created} objects, process CPU ${Math.round(p.process.userMs + p.process.systemMs)} ms\n${text}`);
    });
  }
  writeFileSync(join(o.out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  log(`written ${join(o.out, 'results.json')}`);
}

/** The tenant objects, prepared as the delegate prepares them (into `<ns>-<suffix>`), POSTed by the floor client. */
interface SeededBackup {
  common: { repoRoot: string; python: string; workDir: string; memorySizeMb: number; node: string };
  reader: RecoveryPointReader;
  recovery: StandInClient;
  restoreEvent: (suffix: string) => Record<string, unknown>;
  restoreEnv: Record<string, string>;
}

/** A fresh stand-in with its recovery cluster, the bench's cluster seeded and backed up; stopped after `fn`. */
async function withSeededBackup(o: Options, run: number, memorySizeMb: number, fn: (s: SeededBackup) => Promise<void>): Promise<void> {
  const standIn = new StandIn({ tokenReviewCacheTtl: '2m', recoveryCluster: true });
  const onSignal = () => void standIn.stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const conn = await standIn.start();
    const python = provisionStandIn().python;
    const primary = new StandInClient(conn);
    const recovery = primary.recovery();
    const creds = await primary.issueRoleCredentials('bench-delegate');
    await primary.setAwsAuth([{ rolearn: creds.roleArn, username: 'delegate', groups: ['system:masters'] }]);
    const recoveryCreds = await recovery.issueRoleCredentials(recovery.conn.delegateRoleName ?? 'bench-recovery-delegate');
    const seeder = new ApiConnection({ apiServerUrl: conn.apiServerUrl, caPem: conn.caPem, token: conn.adminToken, maxSockets: 64 });
    try {
      await installBenchCrd(seeder);
      const t0 = performance.now();
      await seedObjects(seeder, 0, o.objects);
      log(`run ${run}: seeded ${o.objects} objects in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    } finally {
      seeder.destroy();
    }
    const workDir = join(o.out, `run-${run}`);
    mkdirSync(workDir, { recursive: true });
    const common = { repoRoot: o.bundleRoot, python, workDir, memorySizeMb, node: o.node };
    const backup = await runDelegate({ ...common, env: primary.delegateEnv(creds) });
    log(`run ${run}: backup of ${backup.response.objects} objects at ${backup.response.location}`);
    const bucket = conn.bucket;
    const folder = backup.response.location.replace(`s3://${bucket}/`, '');
    const recoveryPointId = folder.split('/').at(-2) ?? '';
    if (o.format === '1.1') await dropIndex(primary, bucket, folder);
    const reader = await RecoveryPointReader.open(primary.s3(), bucket, folder);
    const tenants: string[] = [];
    for await (const entry of reader.objects()) if (entry.resourceName === 'namespaces' && TENANT.test(entry.name)) tenants.push(entry.name);
    await fn({
      common, reader, recovery,
      restoreEvent: (suffix) => ({
        action: 'restore', source: { clusterName: conn.clusterName, region: conn.region, recoveryPointId },
        namespaceMapping: Object.fromEntries(tenants.map((t) => [t, `${t}-${suffix}`])),
      }),
      restoreEnv: { ...recovery.delegateEnv(recoveryCreds), POWERTOOLS_LOG_LEVEL: 'WARN', RESTORE_CONCURRENCY: String(CONCURRENCY) },
    });
  } finally {
    await standIn.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The manifest as a 1.1 one: no index, so readers read the (still valid, multi-member) archive as one stream. */
async function dropIndex(primary: StandInClient, bucket: string, folder: string): Promise<void> {
  const s3 = primary.s3();
  try {
    const key = manifestKey(folder);
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const { index: _index, ...manifest } = JSON.parse(await out.Body!.transformToString('utf8')) as Record<string, unknown>;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify({ ...manifest, formatVersion: '1.1.0' }, null, 2), ContentType: 'application/json' }));
  } finally {
    s3.destroy();
  }
}

async function postFloor(
  reader: RecoveryPointReader, recovery: StandInClient, suffix: string, o: Options, client: string, kind: FloorClientKind, profDir?: string,
): Promise<PostFloorResult> {
  const byType = new Map<string, string[]>();
  for await (const entry of reader.objects()) {
    const ns = entry.resourceName === 'namespaces' ? entry.name : entry.namespace;
    if (ns === undefined || !TENANT.test(ns)) continue;
    const body = prepareForRestore(entry.resourceName, entry.object, { namespaceMapping: { [ns]: `${ns}-${suffix}` } });
    const list = byType.get(entry.resourceName) ?? [];
    list.push(JSON.stringify({ collection: collectionOf(entry.resourceName, String(body.apiVersion), `${ns}-${suffix}`), body }));
    byType.set(entry.resourceName, list);
  }
  const objectsFile = join(o.out, `floor-${suffix}.jsonl`);
  writeFileSync(objectsFile, `${restoreOrder(byType.keys()).flatMap((t) => byType.get(t)!).join('\n')}\n`);
  const job: PostFloorJob = { apiServerUrl: recovery.conn.apiServerUrl, caPem: recovery.conn.caPem, token: recovery.conn.adminToken, concurrency: CONCURRENCY, objectsFile, client: kind };
  const jobFile = join(o.out, `floor-${suffix}.json`);
  writeFileSync(jobFile, JSON.stringify(job));
  const out = await runToEnd([o.node, ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []), client, jobFile]);
  return JSON.parse(out.trim().split('\n').at(-1)!) as PostFloorResult;
}

function collectionOf(resourceName: string, apiVersion: string, ns: string): string {
  const plural = resourceName.split('.')[0]!;
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return resourceName === 'namespaces' ? `${base}/namespaces` : `${base}/namespaces/${ns}/${plural}`;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});

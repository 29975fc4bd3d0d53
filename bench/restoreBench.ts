// The restore figure (issue 12): the bundled delegate restoring a recovery point of the seeded cluster
// into the stand-in's recovery cluster, against a baseline that only POSTs the same objects (already
// prepared, in the same order) with the same concurrency (bench/postBaseline.ts), and against `kubectl create -f`
// of the extracted, prepared objects. Each writes into its own namespaces (`<ns>`, `<ns>-b`, `<ns>-k`).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecoveryPointReader } from '../lib/recovery-point';
import { prepareForRestore } from '../lib/restore';
import type { StandInClient } from '../tests/standin/StandInClient';
import { pinnedArgv, type CpuPin } from './CpuPin';
import { BenchProcessError } from './errors';
import { KUBECTL } from './kubectlDump';
import { lambdaRuntimeNodeArgs, templateRuntimeEnv } from './lambdaRuntime';
import { baseEnv, measureProcesses } from './measureProcesses';
import { TENANT, postBaselineAsAdmin, preparedWrites } from './postBaseline';

export interface RestoreFigures {
  /** Objects the delegate created. */
  objects: number;
  concurrency: number;
  /** Whether the delegate, the baseline and kubectl ran on their own core, the two clusters on the other. */
  pinned: boolean;
  delegate: { ms: number; processMs: number; peakRssMiB: number; cpuMs: number; objectsPerSecond: number };
  /**
   * Null when only the delegate was measured (MeasureRestoreOptions.compare). `cpuMs`: the baseline client's own
   * CPU while it wrote (absent in results recorded before it was measured).
   */
  baseline: { ms: number; objectsPerSecond: number; cpuMs?: number } | null;
  /** delegate / baseline wall time of the writes; null without a baseline. */
  ratio: number | null;
  kubectl: { ms: number; peakRssMiB: number; speedup: number } | null;
  /** The restore response's count of 429 answers it waited out, when the delegate reports one. */
  throttled?: number;
}

export interface MeasureRestoreOptions {
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
  /** Writes in flight, for the delegate (RESTORE_CONCURRENCY) and the baseline alike. @default 8 */
  concurrency?: number;
  /** Run kubectl create too (only with compare). */
  kubectl: boolean;
  /**
   * Measure the POST baseline (and kubectl) too; without, only the delegate's restore (its wall time and
   * peak RSS), which is what the larger restore is for. @default true
   */
  compare?: boolean;
  /**
   * Restore the tenant namespaces under `<ns>-<suffix>` (the event's namespaceMapping), so a second
   * restore into the same recovery cluster creates every object anew. @default undefined (same names)
   */
  namespaceSuffix?: string;
  /** Pin: the delegate, the baseline and kubectl run on the under-test core. @default undefined (not pinned) */
  pin?: CpuPin;
  /** Node binary for the delegate. @default process.execPath */
  node?: string;
  log: (msg: string) => void;
}

export async function measureRestore(o: MeasureRestoreOptions): Promise<RestoreFigures> {
  const concurrency = o.concurrency ?? 8;
  const bucket = o.primary.conn.bucket;
  const folder = o.location.replace(`s3://${bucket}/`, '');
  const recoveryPointId = folder.split('/').at(-2) ?? '';
  const compare = o.compare ?? true;
  const underTest = o.pin?.layout.underTest;
  const reader = await RecoveryPointReader.open(o.primary.s3(), bucket, folder);
  const namespaceMapping: Record<string, string> = {};
  if (o.namespaceSuffix !== undefined) {
    for await (const entry of reader.objects()) {
      if (entry.resourceName === 'namespaces' && TENANT.test(entry.name)) namespaceMapping[entry.name] = `${entry.name}-${o.namespaceSuffix}`;
    }
  }

  o.log(`restore: the delegate restores ${recoveryPointId} into ${o.recovery.conn.clusterName} (${concurrency} writes in flight)`);
  const eventFile = join(o.workDir, 'restore-event.json');
  const responseFile = join(o.workDir, 'restore.response.json');
  writeFileSync(eventFile, JSON.stringify({
    action: 'restore', source: { clusterName: o.primary.conn.clusterName, region: o.primary.conn.region, recoveryPointId },
    ...(o.namespaceSuffix !== undefined ? { namespaceMapping } : {}),
  }));
  writeFileSync(responseFile, '');
  const [run] = await measureProcesses(o.python, [{
    argv: pinnedArgv([o.node ?? process.execPath, ...lambdaRuntimeNodeArgs(o.memorySizeMb), join(o.repoRoot, 'scripts', 'invoke-bundle.cjs'), eventFile, '--response-file', responseFile], underTest),
    env: baseEnv({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'WARN', RESTORE_CONCURRENCY: String(concurrency), ...templateRuntimeEnv(join(o.repoRoot, 'template.yaml')), ...o.delegateEnv }),
    stdout: join(o.workDir, 'restore.stdout'), stderr: join(o.workDir, 'restore.stderr'),
  }]);
  const text = readFileSync(responseFile, 'utf8');
  const response = text ? (JSON.parse(text) as { status: string; created: number; failed: number; durationMs: number; throttled?: unknown }) : undefined;
  if (!run || run.exitCode !== 0 || !response || response.status !== 'COMPLETED') {
    throw new BenchProcessError('restore', run?.exitCode ?? null, `${text.slice(0, 2000)}\n${readFileSync(join(o.workDir, 'restore.stderr'), 'utf8').slice(-2000)}`);
  }
  o.log(`restore: ${response.created} objects in ${(response.durationMs / 1000).toFixed(2)} s, peak ${Math.round(run.maxRssKiB / 1024)} MiB`);
  const delegate = {
    ms: response.durationMs, processMs: Math.round(run.wallMs), peakRssMiB: Math.round(run.maxRssKiB / 1024),
    cpuMs: Math.round(run.userMs + run.systemMs), objectsPerSecond: Math.round(response.created / (response.durationMs / 1000)),
  };
  const throttled = typeof response.throttled === 'number' ? { throttled: response.throttled } : {};
  if (!compare) return { objects: response.created, concurrency, pinned: underTest !== undefined, delegate, baseline: null, ratio: null, kubectl: null, ...throttled };

  // The same objects, prepared as the delegate prepares them, into `<ns>-b` (baseline) and `<ns>-k` (kubectl).
  const byType = await preparedWrites(reader, (ns) => `${ns}-b`);
  const kubectlDir = join(o.workDir, 'kubectl-create');
  for await (const entry of reader.objects()) {
    const ns = entry.resourceName === 'namespaces' ? entry.name : entry.namespace;
    if (ns === undefined || !TENANT.test(ns)) continue;
    const body = prepareForRestore(entry.resourceName, entry.object, { namespaceMapping: { [ns]: `${ns}-k` } });
    // Namespaces first: kubectl reads a folder in name order, and `configmaps` sorts before `namespaces`.
    const dir = join(kubectlDir, entry.resourceName === 'namespaces' ? '0-namespaces' : '1-objects');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${entry.resourceName}.${ns}.${entry.name}.json`), JSON.stringify(body));
  }
  const objects = [...byType.values()].reduce((n, l) => n + l.length, 0);

  o.log(`restore baseline: POST ${objects} prepared objects, ${concurrency} in flight, tiers in restore order`);
  const base = await postBaselineAsAdmin(o.recovery, byType, concurrency, o.pin);
  const baselineMs = base.ms;
  o.log(`restore baseline: ${(baselineMs / 1000).toFixed(2)} s, CPU ${(base.cpuMs / 1000).toFixed(2)} s`);

  let kubectl: RestoreFigures['kubectl'] = null;
  if (o.kubectl) {
    o.log('restore: kubectl create -f of the extracted, prepared objects');
    const kubeconfig = join(o.workDir, 'restore-kubeconfig');
    writeFileSync(kubeconfig, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'r',
      clusters: [{ name: 'r', cluster: { server: o.recovery.conn.apiServerUrl, 'certificate-authority-data': Buffer.from(o.recovery.conn.caPem).toString('base64') } }],
      users: [{ name: 'r', user: { token: o.recovery.conn.adminToken } }],
      contexts: [{ name: 'r', context: { cluster: 'r', user: 'r' } }],
    }), { mode: 0o600 });
    const home = join(o.workDir, 'kubectl-home');
    mkdirSync(home, { recursive: true });
    const env = baseEnv({ HOME: home, KUBECONFIG: kubeconfig });
    const steps = await measureProcesses(o.python, ['0-namespaces', '1-objects'].map((d) => ({
      argv: pinnedArgv([KUBECTL, 'create', '-f', join(kubectlDir, d), '-o', 'name'], underTest), env,
      stdout: join(o.workDir, `kubectl-${d}.out`), stderr: join(o.workDir, `kubectl-${d}.err`),
    })));
    steps.forEach((s, i) => {
      if (s.exitCode !== 0) throw new BenchProcessError('kubectl create', s.exitCode, readFileSync(join(o.workDir, `kubectl-${['0-namespaces', '1-objects'][i]}.err`), 'utf8').slice(-2000));
    });
    const ms = steps.reduce((n, s) => n + s.wallMs, 0);
    kubectl = { ms: Math.round(ms), peakRssMiB: Math.round(Math.max(...steps.map((s) => s.maxRssKiB)) / 1024), speedup: Math.round((ms / run.wallMs) * 100) / 100 };
    o.log(`restore: kubectl create ${(ms / 1000).toFixed(2)} s`);
  }

  return {
    objects: response.created,
    concurrency,
    pinned: underTest !== undefined,
    delegate,
    baseline: { ms: Math.round(baselineMs), objectsPerSecond: Math.round(objects / (baselineMs / 1000)), cpuMs: Math.round(base.cpuMs) },
    ratio: Math.round((response.durationMs / baselineMs) * 1000) / 1000,
    kubectl,
    ...throttled,
  };
}

import { cpuFigures, evaluateTargets, type BackupFigures, type BaselineFigures, type BenchResults, type SizeResult } from '../../../bench/report';

const BUNDLE = {
  delegate: { bytes: 1_160_000, loadMs: 337 }, s3Only: { bytes: 630_000, loadMs: 232 }, loadRatio: 1.45,
} as BenchResults['bundle'];

function size(seeded: number, backupMs: number, baselineMs: number, pinned: boolean): SizeResult {
  const objects = seeded + 184;
  const backup: BackupFigures = { ms: backupMs, runsMs: [backupMs], processMs: backupMs + 500, peakRssMiB: 120, cpuMs: backupMs * 0.5, archiveBytes: 1000 };
  const baseline: BaselineFigures = { ms: baselineMs, runsMs: [baselineMs], cpuMs: baselineMs * 0.25, pages: 10, bytes: 1000, items: objects };
  return {
    seededObjects: seeded, backedUpObjects: objects, resourceTypes: 40, seedMs: 1000, seedObjectsPerSecond: 1000,
    backup, baseline, ratio: backupMs / baselineMs, objectsPerSecond: Math.round(objects / (backupMs / 1000)), pinned,
    ...(pinned ? { colocated: { backup: { ...backup, ms: backupMs * 1.5 }, baseline: { ...baseline, ms: baselineMs * 1.2 }, ratio: 1.25 * (backupMs / baselineMs), objectsPerSecond: 1 } } : {}),
    cpu: cpuFigures(backup, objects, baseline, 320),
    kubectl: null, kubectlSkipped: 'turned off (--no-kubectl)',
  };
}

/** Results as a pinned (or co-located) bench run writes them, with every optional section, on Node 20 only. */
export function benchResultsFixture(pinned = true): BenchResults {
  const sizes = [size(1000, 540, 400, pinned), size(20_000, 3160, 3000, pinned)];
  const restores = [
    { atObjects: 1000, objects: 1001, concurrency: 8, pinned, delegate: { ms: 4000, processMs: 4500, peakRssMiB: 110, cpuMs: 2000, objectsPerSecond: 250 }, baseline: { ms: 3800, objectsPerSecond: 263, cpuMs: 400 }, ratio: 1.053, kubectl: { ms: 30_000, peakRssMiB: 80, speedup: 6.67 } },
    { atObjects: 20_000, objects: 20_001, concurrency: 8, pinned, delegate: { ms: 40_000, processMs: 40_500, peakRssMiB: 140, cpuMs: 20_000, objectsPerSecond: 500 }, baseline: null, ratio: null, kubectl: null },
  ];
  return {
    generatedAt: '2026-11-30T10:00:00.000Z', command: 'npm run bench -- --objects 1000,20000',
    machine: { cpuModel: 'AMD EPYC', cpus: 2, memoryGiB: 23.5, nodeVersion: 'v20.20.2', kernel: '6.18', loadAverageStart: 1, loadAverageEnd: 2, kubernetesVersion: '1.20' },
    pageSize: 500, runs: 3, lambda: { memorySizeMb: 320, nodeArgs: ['--expose-gc'] }, baselineToken: 'static',
    pin: pinned ? { cluster: '0', underTest: '1', all: '0-1' } : null,
    ...(pinned ? {} : { pinNote: '--no-pin' }),
    sizes, bundle: BUNDLE, restores,
    brokenApi: {
      atObjects: 1000, apiService: 'v1beta1.metrics.k8s.io', without: { ms: 540, processMs: 1000 }, with: { ms: 5400, processMs: 5900 },
      warnings: ['metrics.k8s.io/v1beta1: discovery failed: 503 | unavailable'], status: 'COMPLETED',
    },
    benchMs: 600_000,
    targets: evaluateTargets(sizes, BUNDLE, restores),
  };
}

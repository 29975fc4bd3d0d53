import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { continueTokenOf } from '../../../bench/baselineFetch';
import {
  cpuFigures, recordedCpuFloor, recordedLargeRuns, recordedRestoreRuns, renderReadme, withCapCurve, withDurableRun, withLargeRun,
  type CpuFloorResult, type DurableRestoreRun, type LargeResult, type RestoreCapCurve,
} from '../../../bench/report';
import { sum429s } from '../../../bench/restoreCapCurve';
import { benchResultsFixture } from './benchResultsFixture';

function largeRun(objects: number, generatedAt: string): LargeResult {
  const action = { ms: 200_000, processMs: 201_000, peakRssMiB: 180, cpuMs: 100_000 };
  return {
    generatedAt, command: `npm run bench -- --objects ${objects}`, machine: benchResultsFixture().machine, pinned: true, memorySizeMb: 320,
    seededObjects: objects, listedObjects: objects, seedMs: 600_000, seedObjectsPerSecond: 500, seedConcurrency: 128, seedVia: 'etcd', backedUpObjects: objects + 184,
    backups: [{ ...action, objectsPerSecond: 5000, archiveBytes: 1 }],
    verify: { ...action, status: 'VALID' }, diff: { ...action, changed: 0, added: 0, removed: 0 },
  };
}

function durableRun(atObjects: number, generatedAt: string): DurableRestoreRun {
  return {
    generatedAt, command: `npm run bench -- --restore-durable-at ${atObjects}`, machine: benchResultsFixture().machine, atObjects, seedVia: 'api',
    objects: atObjects + 1, concurrency: 8, sliceObjects: 2000, invocationBudgetMs: 600_000, memorySizeMb: 320, nodeVersion: 'v22.23.5', pinned: true,
    durable: { rtoMs: 420_000, restoreMs: 410_000, invocations: 2, steps: 55, cpuMs: 95_000, cpuPer100kMs: 94_999, peakRssMiB: 190, objectsPerSecond: 238, runnerCpuMs: 1200 },
    baseline: { objects: atObjects, ms: 400_000, cpuMs: 9000, cpuPer100kMs: 9000, objectsPerSecond: 250 },
    ratio: 1.05, overheadPerWriteMs: 0.86, lambda: { wallMs: 525_000, invocations: 1, gbSeconds: 164.1 },
  };
}

describe('the bench report: CPU and Lambda wall time', () => {
  it('gives CPU per 100k objects for the delegate and the baseline client, and the Lambda wall time at 320 MB and 1,769 MB', () => {
    const backup = { ms: 14_000, runsMs: [], processMs: 15_000, peakRssMiB: 140, cpuMs: 4700, archiveBytes: 1 };
    const baseline = { ms: 13_000, runsMs: [], cpuMs: 1175, pages: 200, bytes: 1, items: 100_000 };
    expect(cpuFigures(backup, 200_000, baseline, 320)).toEqual({
      delegatePer100kMs: 2350, baselinePer100kMs: 1175, ratio: 2,
      lambda: [{ memorySizeMb: 320, wallMs: 25_982.2 }, { memorySizeMb: 1769, wallMs: 15_000 }],
    });
    expect(cpuFigures(backup, 200_000, baseline, 1769).lambda).toEqual([{ memorySizeMb: 1769, wallMs: 15_000 }]);
  });
});

describe('the bench README region', () => {
  it('shows the pinned figures first, the co-located ones beside them, and says which cores', () => {
    const text = renderReadme(benchResultsFixture(true));
    expect(text).toContain('| Cluster objects | Backup | Baseline fetch | Ratio, pinned | Co-located: backup | baseline | ratio | Objects/s |');
    expect(text).toContain('| 1,184 (1,000 seeded) | 0.54 s | 0.40 s | 1.35 | 0.81 s | 0.48 s | 1.69 |');
    expect(text).toContain('kube-apiserver, etcd and moto on core 0, the process under test (the delegate, the baseline client, kubectl) on core 1');
    expect(text).toContain('the whole run took 10.0 min');
  });

  it('has no co-located columns when not pinned, and says why', () => {
    const text = renderReadme(benchResultsFixture(false));
    expect(text).toContain('| Cluster objects | Backup | Baseline fetch | Ratio | Objects/s |');
    expect(text).toContain('Not pinned: everything shares every core (--no-pin).');
    expect(text).not.toContain('Co-located');
  });

  it('has a CPU table: per 100k objects, delegate against baseline, Lambda wall time at 320 MB and 1,769 MB', () => {
    const text = renderReadme(benchResultsFixture());
    expect(text).toContain('| Cluster objects | Delegate CPU | per 100k objects | Baseline client CPU | per 100k objects | Delegate / baseline | Lambda wall at 320 MB | Lambda wall at 1,769 MB |');
    // 20,184 objects: delegate 1.58 s CPU (7.83 s per 100k), baseline 0.75 s (3.72 s per 100k); at 320 MB 1.58 / (320 / 1769) = 8.73 s.
    expect(text).toContain('| 20,184 | 1.58 s | 7.83 s | 0.75 s | 3.72 s | 2.11 | 8.73 s | 3.66 s |');
  });

  it('has the broken-APIService case and a restore row per size, the larger without baseline', () => {
    const text = renderReadme(benchResultsFixture());
    expect(text).toContain('| broken | 5.40 s (+900%) | 5.90 s | COMPLETED | metrics.k8s.io/v1beta1: discovery failed: 503 \\| unavailable |');
    expect(text).toContain('| 1,001 | 4.00 s | 3.80 s | 1.05 | 250 | 110 MiB | 2.00 s | 0.40 s | 4.50 s | 30.0 s (6.7x slower) |');
    expect(text).toContain('| 20,001 | 40.0 s | - | - | 500 | 140 MiB | 20.0 s | - | 40.5 s | - |');
  });

  it('judges the issue 16 targets on the pinned figures, and marks them not pinned otherwise', () => {
    const pinned = benchResultsFixture(true).targets;
    expect(pinned.find((t) => t.id === 'ratio@1000')).toMatchObject({ limit: 1.5, met: true });
    expect(pinned.find((t) => t.id === 'ratio@20000')).toMatchObject({ limit: 1.05, met: false });
    expect(pinned.find((t) => t.id === 'restore-ratio')).toMatchObject({ value: 1.053, met: true });
    expect(pinned.find((t) => t.id === 'restore-vs-kubectl')).toMatchObject({ value: 6.67, met: true });
    expect(pinned.find((t) => t.id === 'cpu-vs-baseline')).toMatchObject({ value: 2.11, met: false });
    expect(benchResultsFixture(false).targets.find((t) => t.id === 'ratio@1000')?.note).toBe('not pinned: the target is pinned');
  });

  it('keeps one-off large runs across normal runs, one per size, and renders each', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
    expect(recordedLargeRuns(join(dir, 'missing.json'))).toEqual([]);
    const old = largeRun(1_000_000, '2026-11-29T00:00:00.000Z');
    writeFileSync(join(dir, 'results.json'), JSON.stringify({ ...benchResultsFixture(), large: [old] }));
    expect(recordedLargeRuns(join(dir, 'results.json'))).toEqual([old]);
    const again = largeRun(1_000_000, '2026-11-30T00:00:00.000Z');
    const smaller = largeRun(300_000, '2026-11-30T00:00:00.000Z');
    expect(withLargeRun(withLargeRun([old], again), smaller)).toEqual([smaller, again]);

    const text = renderReadme({ ...benchResultsFixture(), large: [again] });
    expect(text).toContain('1,000,000 objects seeded in 10.0 min (500/s, 128 in flight, straight into etcd), 1,000,000 listed by the API server');
    expect(text).toContain('| backup 1 | 1,000,184 | 200.0 s | 5,000 | 180 MiB | 100.0 s | 201.0 s |');
    expect(text).toContain('| verify-recovery-point (VALID) |');
    expect(text).toContain('| diff-recovery-points (0 changed, 0 added, 0 removed) | 1,000,184 x 2 |');
  });

  it('keeps durable restores (one per size) and the cap curve across normal runs, and renders both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
    expect(recordedRestoreRuns(join(dir, 'missing.json'))).toEqual({});
    const old = durableRun(100_000, '2026-12-06T00:00:00.000Z');
    const again = durableRun(100_000, '2026-12-07T00:00:00.000Z');
    const smaller = durableRun(2000, '2026-12-07T00:00:00.000Z');
    expect(withDurableRun(withDurableRun([old], again), smaller)).toEqual([smaller, again]);
    const curve: RestoreCapCurve = {
      generatedAt: '2026-12-07T00:00:00.000Z', command: 'npm run bench -- --restore-curve-at 1000', machine: benchResultsFixture().machine,
      atObjects: 1000, seedVia: 'api', pinned: true, memorySizeMb: 320, recoveryMaxWrites: 500,
      points: [
        { cap: 2, objects: 1000, ms: 10_000, objectsPerSecond: 100, cpuMs: 3000, peakRssMiB: 128, apiServer429s: 0 },
        { cap: 32, objects: 1000, ms: 2000, objectsPerSecond: 500, cpuMs: 3100, peakRssMiB: 130, apiServer429s: null, throttled: 12 },
      ],
    };
    const limited: RestoreCapCurve = { ...curve, recoveryMaxWrites: 4 };
    // One curve per server limit: a new run against the same limit replaces the old one.
    expect(withCapCurve(withCapCurve([curve], limited), { ...curve, atObjects: 2000 })).toEqual([limited, { ...curve, atObjects: 2000 }]);
    writeFileSync(join(dir, 'results.json'), JSON.stringify({ ...benchResultsFixture(), durableRestores: [again], restoreCapCurves: [limited, curve] }));
    expect(recordedRestoreRuns(join(dir, 'results.json'))).toEqual({ durableRestores: [again], restoreCapCurves: [limited, curve] });

    const text = renderReadme({ ...benchResultsFixture(), durableRestores: [again], restoreCapCurves: [limited, curve] });
    expect(text).toContain('serves 4 writes at once');
    expect(text).toContain('serves 500 writes at once');
    expect(text).toContain('the runner\'s own checkpoint server, 1.20 s, not counted');
    expect(text).toContain('| 100,001 | 420.0 s | 2 | 55 | 95.0 s | 95.0 s | 190 MiB | 100,000 in 400.0 s | 9.00 s | 9.00 s | 1.05 | 0.860 ms | 525.0 s, 1, 164.1 |');
    expect(text).not.toContain('Type by type');
    const typed = renderReadme({ ...benchResultsFixture(), durableRestores: [{ ...again, byType: [{ type: 'deployments.apps', objects: 20_000, durableMs: 30_000, baselineMs: 25_000, ratio: 1.2 }] }] });
    expect(typed).toContain('Type by type, the durable restore\'s steps against the baseline\'s writes of the same type');
    expect(typed).not.toContain('The stand-in\'s CPU');
    const measured = renderReadme({ ...benchResultsFixture(), durableRestores: [{ ...again, clusterCpu: { durable: { 'kube-apiserver': 15_850, etcd: 4_320, moto: 410 }, baseline: { 'kube-apiserver': 14_930, etcd: 3_570, moto: 0 } } }] });
    expect(measured).toContain(`The stand-in's CPU while the restore ran: kube-apiserver 15.8 s, etcd 4.32 s, moto 0.41 s: 0.20 ms of API server and etcd per write`);
    expect(typed).toContain('| deployments.apps | 20,000 | 30.0 s | 25.0 s | 1.20 |');
    expect(text).not.toContain('The baseline ran');
    expect(text).not.toContain('Peak RSS by invocation');
    const byInvocation = renderReadme({ ...benchResultsFixture(), durableRestores: [{ ...again, durable: { ...again.durable, peakRssByInvocationMiB: [264, 238] } }] });
    expect(byInvocation).toContain('Peak RSS by invocation, in order (the first runs `prepare`, which reads the whole archive): 264 MiB, 238 MiB.');
    const twice = renderReadme({ ...benchResultsFixture(), durableRestores: [{ ...again, baselineRuns: [{ when: 'before', ms: 380_000, cpuMs: 8_500 }, { when: 'after', ms: 420_000, cpuMs: 9_500 }], clusters: { sourceStoppedAfterBackup: true, recoveryEmptiedBeforeBaseline: true } }] });
    expect(twice).toContain('The baseline ran before the restore (380.0 s, 8.50 s of CPU) and after the restore (420.0 s, 9.50 s of CPU); the table has their mean');
    expect(twice).toContain('Two clusters of this size do not fit in this machine\'s memory: the source cluster was stopped once its recovery point was written (a restore reads only S3), and the recovery cluster was emptied (etcd wiped, kube-apiserver started again) before the restore and before the second baseline, so every phase wrote into an empty cluster.');
    const small = renderReadme({ ...benchResultsFixture(), durableRestores: [{ ...again, baselineRuns: [{ when: 'before', ms: 1, cpuMs: 1 }, { when: 'after', ms: 1, cpuMs: 1 }], clusters: { sourceStoppedAfterBackup: false, recoveryEmptiedBeforeBaseline: true } }] });
    expect(small).toContain('The recovery cluster was emptied (etcd wiped, kube-apiserver started again) before the restore and before the second baseline, so every phase wrote into an empty cluster.');
    expect(small).not.toContain('Two clusters of this size');
    expect(text).toContain('| 2 | 1,000 | 10.0 s | 100 | 3.00 s | 128 MiB | 0 |');
    expect(text).toContain('| 32 | 1,000 | 2.00 s | 500 | 3.10 s | 130 MiB | unavailable (12 waited out by the delegate) |');
  });

  it('counts the API server\'s 429 answers from its metrics, and none when it publishes no request counts', () => {
    const metrics = [
      '# HELP apiserver_request_total [STABLE] Counter of apiserver requests',
      'apiserver_request_total{code="201",component="apiserver",dry_run="",group="",resource="configmaps",scope="namespace",subresource="",verb="POST",version="v1"} 900',
      'apiserver_request_total{code="429",component="apiserver",dry_run="",group="",resource="configmaps",scope="namespace",subresource="",verb="POST",version="v1"} 7',
      'apiserver_request_total{component="apiserver",code="429",group="apps",resource="deployments",verb="POST",version="v1"} 3',
      'apiserver_request_total{code="4290",component="apiserver",verb="GET"} 100',
      'apiserver_flowcontrol_rejected_requests_total{flow_schema="global-default",priority_level="global-default",reason="queue-full"} 10',
    ].join('\n');
    expect(sum429s(metrics)).toBe(10);
    // 1.20's max-in-flight filter counts its 429s as dropped requests only; a server counting both is not counted twice.
    const dropped = 'apiserver_dropped_requests_total{request_kind="mutating"} 1807\napiserver_dropped_requests_total{request_kind="readOnly"} 3\n';
    expect(sum429s(`${dropped}apiserver_request_total{code="201",verb="POST"} 5000\n`)).toBe(1810);
    expect(sum429s(`${dropped}${metrics}`)).toBe(1810);
    expect(sum429s(`apiserver_dropped_requests_total{request_kind="mutating"} 4\n${metrics}`)).toBe(10);
    expect(sum429s('# no request counts here\nprocess_cpu_seconds_total 12\n')).toBeNull();
  });

  it('keeps the CPU floor across normal runs and renders it: per 100k, each run, and the interference factor', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
    expect(recordedCpuFloor(join(dir, 'missing.json'))).toBeUndefined();
    const floor: CpuFloorResult = {
      generatedAt: '2026-11-30T13:00:00.000Z', command: 'npm run bench -- --cpu-floor', machine: benchResultsFixture().machine,
      seededObjects: 100_000, objects: 100_184, bytes: 143_800_000, cores: { underTest: '1', cluster: '0' },
      delegate: { cpuMs: [5000, 4800, 5200], per100kMs: 4991 },
      receive: { cpuMs: [700, 690, 710], per100kMs: 699 },
      parse: { cpuMs: [2000, 1990, 2010], per100kMs: 1996 },
      interference: { idleMs: [200, 205, 199], busyMs: [310, 300, 320], factor: 1.55 },
    };
    writeFileSync(join(dir, 'results.json'), JSON.stringify({ ...benchResultsFixture(), cpuFloor: floor }));
    expect(recordedCpuFloor(join(dir, 'results.json'))).toEqual(floor);
    const text = renderReadme({ ...benchResultsFixture(), cpuFloor: floor });
    expect(text).toContain('100,184 objects, 144 MB of list pages): each process alone on core 1, the stand-in on core 0');
    expect(text).toContain("| the delegate's backup (whole invocation) | 4.99 s | 5.00 s, 4.80 s, 5.20 s |");
    expect(text).toContain('| receive the pages and drop them (no client does less) | 0.70 s |');
    expect(text).toContain('took 0.20 s of CPU with core 0 idle and 0.31 s while the stand-in served lists on it: **1.55x**');
  });

  it('finds a page\'s continue token without parsing it, before the items (built-in types) or after them (custom resources)', () => {
    // Item metadata never has a continue field; a value may spell one, escaped inside its string.
    const items = Array.from({ length: 300 }, (_, i) => ({ metadata: { name: `cm-${i}`, labels: { app: 'x' } }, data: { json: '{"metadata":{"continue":"not-this-one"}}' } }));
    const builtIn = Buffer.from(JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '9', continue: 'tok-a' }, items }));
    const custom = Buffer.from(JSON.stringify({ apiVersion: 'x/v1', items, kind: 'WidgetList', metadata: { continue: 'tok-b', resourceVersion: '9' } }));
    const last = Buffer.from(JSON.stringify({ kind: 'ConfigMapList', metadata: { resourceVersion: '9' }, items }));
    expect(continueTokenOf(builtIn)).toBe('tok-a');
    expect(continueTokenOf(custom)).toBe('tok-b');
    expect(continueTokenOf(last)).toBeUndefined();
  });
});

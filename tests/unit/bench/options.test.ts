import { join } from 'node:path';
import { cpuLayout, pinnedArgv, TASKSET } from '../../../bench/CpuPin';
import { BenchUsageError } from '../../../bench/errors';
import { LARGE_SIZE, parseBenchOptions } from '../../../bench/options';

const REPO_ROOT = join(__dirname, '..', '..', '..');
const TWO_CORES = { cpus: 2, taskset: true };

describe('npm run bench -- --pin / --no-pin', () => {
  it('pins by default on two cores with taskset, and not on one core or without taskset', () => {
    expect(parseBenchOptions([], REPO_ROOT, TWO_CORES).pin).toBe(true);
    expect(parseBenchOptions(['--smoke'], REPO_ROOT, TWO_CORES).pin).toBe(true);
    expect(parseBenchOptions([], REPO_ROOT, { cpus: 1, taskset: true }).pin).toBe(false);
    expect(parseBenchOptions([], REPO_ROOT, { cpus: 8, taskset: false }).pin).toBe(false);
    expect(parseBenchOptions([], REPO_ROOT).pin).toBe(false);
  });

  it('turns pinning off with --no-pin, and refuses --pin where it cannot pin', () => {
    expect(parseBenchOptions(['--no-pin'], REPO_ROOT, TWO_CORES).pin).toBe(false);
    expect(parseBenchOptions(['--pin'], REPO_ROOT, TWO_CORES).pin).toBe(true);
    expect(() => parseBenchOptions(['--pin'], REPO_ROOT, { cpus: 1, taskset: true })).toThrow(BenchUsageError);
    expect(() => parseBenchOptions(['--pin'], REPO_ROOT, { cpus: 2, taskset: false })).toThrow('no taskset');
    expect(() => parseBenchOptions(['--pin', '--no-pin'], REPO_ROOT, TWO_CORES)).toThrow('exclude each other');
  });

  it('puts the stand-in on core 0 and the process under test on core 1, through taskset', () => {
    expect(cpuLayout(2)).toEqual({ cluster: '0', underTest: '1', all: '0-1' });
    expect(cpuLayout(8).all).toBe('0-7');
    expect(() => cpuLayout(1)).toThrow('two cores');
    expect(pinnedArgv(['node', 'x.js'], '1')).toEqual([TASKSET, '-c', '1', 'node', 'x.js']);
    expect(pinnedArgv(['node', 'x.js'], undefined)).toEqual(['node', 'x.js']);
  });
});

describe('npm run bench -- --restore-at, --no-broken-api', () => {
  it('restores at 20k and 100k by default, at the smallest size otherwise, at the sizes given, or not at all', () => {
    expect(parseBenchOptions([], REPO_ROOT).restoreAt).toEqual([20_000, 100_000]);
    expect(parseBenchOptions(['--objects', '1000,20000'], REPO_ROOT).restoreAt).toEqual([20_000]);
    expect(parseBenchOptions(['--smoke'], REPO_ROOT).restoreAt).toEqual([1000]);
    expect(parseBenchOptions(['--objects', '1k,20k,100k', '--restore-at', '1k,100k'], REPO_ROOT).restoreAt).toEqual([1000, 100_000]);
    expect(parseBenchOptions(['--no-restore'], REPO_ROOT).restoreAt).toEqual([]);
    expect(() => parseBenchOptions(['--objects', '1000', '--restore-at', '20000'], REPO_ROOT)).toThrow('must be one of --objects');
  });

  it('measures the broken-APIService case unless told not to', () => {
    expect(parseBenchOptions(['--smoke'], REPO_ROOT).brokenApi).toBe(true);
    expect(parseBenchOptions(['--no-broken-api'], REPO_ROOT).brokenApi).toBe(false);
  });
});

describe('npm run bench -- --objects 1000000', () => {
  it('is a one-off large run: alone, without restore or the broken-APIService case', () => {
    const o = parseBenchOptions(['--objects', '1m'], REPO_ROOT, TWO_CORES);
    expect(o).toMatchObject({ sizes: [1_000_000], restoreAt: [], brokenApi: false, pin: true, oneOff: true });
    expect(parseBenchOptions(['--objects', String(LARGE_SIZE + 1)], REPO_ROOT)).toMatchObject({ restoreAt: [], oneOff: true });
    expect(parseBenchOptions(['--objects', String(LARGE_SIZE)], REPO_ROOT).oneOff).toBe(false);
    expect(parseBenchOptions(['--objects', '2000', '--one-off'], REPO_ROOT)).toMatchObject({ sizes: [2000], restoreAt: [], oneOff: true });
    expect(() => parseBenchOptions(['--objects', '100000,1000000'], REPO_ROOT)).toThrow('measures one size on its own');
    expect(() => parseBenchOptions(['--objects', '1000,2000', '--one-off'], REPO_ROOT)).toThrow('measures one size on its own');
  });

  it('seeds through the API server unless a one-off run asks for etcd', () => {
    expect(parseBenchOptions([], REPO_ROOT).seedVia).toBe('api');
    expect(parseBenchOptions(['--objects', '1m', '--seed-via', 'etcd'], REPO_ROOT).seedVia).toBe('etcd');
    expect(() => parseBenchOptions(['--seed-via', 'etcd'], REPO_ROOT)).toThrow('only for a one-off run');
    expect(() => parseBenchOptions(['--objects', '1m', '--seed-via', 'kubectl'], REPO_ROOT)).toThrow('must be api or etcd');
  });

  it('measures the CPU floor at one size, pinned, 100000 unless told', () => {
    const pinnable = { cpus: 2, taskset: true };
    expect(parseBenchOptions(['--cpu-floor'], REPO_ROOT, pinnable)).toMatchObject({ cpuFloor: true, sizes: [100_000], restoreAt: [], brokenApi: false, pin: true, oneOff: false });
    expect(parseBenchOptions(['--cpu-floor', '--objects', '20k'], REPO_ROOT, pinnable).sizes).toEqual([20_000]);
    expect(parseBenchOptions([], REPO_ROOT, pinnable).cpuFloor).toBe(false);
    expect(() => parseBenchOptions(['--cpu-floor', '--objects', '1k,20k'], REPO_ROOT, pinnable)).toThrow('one size');
    expect(() => parseBenchOptions(['--cpu-floor', '--objects', '1m'], REPO_ROOT, pinnable)).toThrow('one size');
    expect(() => parseBenchOptions(['--cpu-floor'], REPO_ROOT, { cpus: 1, taskset: true })).toThrow('needs pinning');
    expect(() => parseBenchOptions(['--cpu-floor', '--no-pin'], REPO_ROOT, pinnable)).toThrow('needs pinning');
  });

  it('turns the watch cache off only for a one-off run, and only when asked', () => {
    expect(parseBenchOptions(['--objects', '1m'], REPO_ROOT).watchCache).toBe(true);
    expect(parseBenchOptions(['--objects', '1m', '--no-watch-cache'], REPO_ROOT).watchCache).toBe(false);
    expect(parseBenchOptions([], REPO_ROOT).watchCache).toBe(true);
    expect(() => parseBenchOptions(['--no-watch-cache'], REPO_ROOT)).toThrow('only for a one-off run');
  });
});

describe('npm run bench -- --format-size', () => {
  it('measures 1k and 20k objects by default, or the sizes given, and is off otherwise', () => {
    expect(parseBenchOptions(['--format-size'], REPO_ROOT)).toMatchObject({ formatSize: true, sizes: [1000, 20_000] });
    expect(parseBenchOptions(['--format-size', '--objects', '5k'], REPO_ROOT).sizes).toEqual([5000]);
    expect(parseBenchOptions([], REPO_ROOT).formatSize).toBe(false);
  });
});

describe('npm run bench -- --restore-durable-at, --restore-curve-at', () => {
  it('measures one size on its own, with the delegate\'s defaults unless told, and no normal restore or broken-API case', () => {
    expect(parseBenchOptions(['--restore-durable-at', '2k'], REPO_ROOT)).toMatchObject({
      sizes: [2000], restoreDurableAt: 2000, restoreCurveAt: undefined, restoreAt: [], brokenApi: false, oneOff: false,
      restoreConcurrency: 8, durableSlice: 2000, durableBudgetMs: 600_000, restoreCaps: [2, 4, 8, 16, 32],
    });
    expect(parseBenchOptions(['--restore-curve-at', '1000', '--objects', '1000', '--restore-caps', '4,64'], REPO_ROOT)).toMatchObject({ sizes: [1000], restoreCurveAt: 1000, restoreCaps: [4, 64] });
    expect(parseBenchOptions(['--restore-durable-at', '100k', '--restore-curve-at', '100k', '--durable-budget-ms', '0', '--durable-slice', '500'], REPO_ROOT))
      .toMatchObject({ restoreDurableAt: 100_000, restoreCurveAt: 100_000, durableBudgetMs: 0, durableSlice: 500 });
    expect(parseBenchOptions([], REPO_ROOT)).toMatchObject({ restoreDurableAt: undefined, restoreCurveAt: undefined });
  });

  it('seeds a million objects through etcd without the watch cache, as a one-off run may', () => {
    expect(parseBenchOptions(['--restore-durable-at', '1m', '--seed-via', 'etcd', '--no-watch-cache'], REPO_ROOT))
      .toMatchObject({ sizes: [1_000_000], oneOff: false, seedVia: 'etcd', watchCache: false, restoreAt: [] });
  });

  it('refuses two sizes, other modes, bad caps, and its own flags without it', () => {
    expect(() => parseBenchOptions(['--restore-durable-at', '2k', '--objects', '1000,2000'], REPO_ROOT)).toThrow('measure one size on its own');
    expect(() => parseBenchOptions(['--restore-durable-at', '2k', '--restore-curve-at', '1k'], REPO_ROOT)).toThrow('give them one size');
    expect(() => parseBenchOptions(['--restore-durable-at', '2k', '--smoke'], REPO_ROOT)).toThrow('run on their own');
    expect(() => parseBenchOptions(['--restore-curve-at', '2k', '--restore-caps', '8,4'], REPO_ROOT)).toThrow('ascending integers');
    expect(() => parseBenchOptions(['--restore-curve-at', '2k', '--restore-caps', '0'], REPO_ROOT)).toThrow('ascending integers');
    expect(() => parseBenchOptions(['--restore-caps', '2,4'], REPO_ROOT)).toThrow('goes with --restore-durable-at');
    expect(() => parseBenchOptions(['--durable-budget-ms', '0'], REPO_ROOT)).toThrow(BenchUsageError);
  });
});

import { join } from 'node:path';
import { BenchUsageError } from '../../../bench/errors';
import { parseBenchOptions } from '../../../bench/options';
import { renderReadme, type BenchResults } from '../../../bench/report';
import { benchResultsFixture } from './benchResultsFixture';

const REPO_ROOT = join(__dirname, '..', '..', '..');

describe('npm run bench -- --node 22', () => {
  it('asks for the delegate on Node 22 beside the bench\'s own node, and only for 22', () => {
    expect(parseBenchOptions([], REPO_ROOT).node22).toBe(false);
    expect(parseBenchOptions(['--node', '22'], REPO_ROOT).node22).toBe(true);
    expect(parseBenchOptions(['--smoke', '--node=22'], REPO_ROOT)).toMatchObject({ node22: true, smoke: true });
    expect(() => parseBenchOptions(['--node', '20'], REPO_ROOT)).toThrow(BenchUsageError);
    expect(() => parseBenchOptions(['--node'], REPO_ROOT)).toThrow('--node needs a value');
  });

  it('puts a Node 22 column in the README table when the results have Node 22 figures, and none otherwise', () => {
    const results = benchResultsFixture();
    const only20: BenchResults = {
      ...results, machine: { ...results.machine, nodeVersion: 'v20.20.2' }, sizes: results.sizes.map(({ node22: _, ...s }) => s),
    };
    delete only20.machine.node22Version;
    delete only20.bundleNode22;
    expect(renderReadme(only20)).not.toContain('Node 22');

    const both: BenchResults = {
      ...only20,
      machine: { ...only20.machine, node22Version: 'v22.23.5' },
      sizes: only20.sizes.map((s) => ({ ...s, node22: { backup: { ...s.backup, ms: s.backup.ms / 2, peakRssMiB: 100 }, ratio: 0.5, objectsPerSecond: 1 } })),
      bundleNode22: only20.bundle,
    };
    const text = renderReadme(both);
    expect(text).toContain('| Cluster objects | Backup (Node 20) | Backup (Node 22) | Baseline fetch |');
    const first = both.sizes[0]!;
    expect(text).toContain(`| ${first.backedUpObjects.toLocaleString('en-US')} (${first.seededObjects.toLocaleString('en-US')} seeded) | ${(first.backup.ms / 1000).toFixed(2)} s | ${(first.backup.ms / 2000).toFixed(2)} s |`);
    expect(text).toMatch(/\(−50%\)/);
    expect(text).toContain('Node v20.20.2 and v22.23.5');
  });
});

import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BenchProcessError } from './errors';
import { median } from './report';

/**
 * scripts/build.mjs's esbuild options, repeated here because that script exports nothing; keep the two
 * in step so the reference bundle is built exactly like the delegate's.
 */
const BUILD_OPTIONS = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, sourcemap: false,
  legalComments: 'none', keepNames: true, logLevel: 'warning', alias: { punycode: 'punycode/' },
} as const;

export interface BundleFigures {
  bytes: number;
  /** Median `require()` time in a fresh node process. */
  loadMs: number;
  /** Every run, for the record. */
  loadRunsMs: number[];
}

export interface BundleComparison {
  delegate: BundleFigures;
  s3Only: BundleFigures;
  /** delegate load / S3-only load. */
  loadRatio: number;
}

/** Builds bench/s3-only.ts with the delegate's esbuild options into `outDir`, returns its path. */
export async function buildS3OnlyBundle(outDir: string): Promise<string> {
  const outfile = join(outDir, 's3-only.js');
  await build({ ...BUILD_OPTIONS, entryPoints: [join(__dirname, 's3-only.ts')], outfile });
  return outfile;
}

const LOAD_SCRIPT = [
  "const { performance } = require('node:perf_hooks');",
  'const t0 = performance.now();',
  'require(process.argv[1]);',
  'process.stdout.write(String(performance.now() - t0));',
].join('');

/** Cold `require()` of a bundle: a fresh node process each time, so nothing is cached but the OS's page cache. */
export function coldLoadMs(bundle: string, node = process.execPath): number {
  const r = spawnSync(node, ['-e', LOAD_SCRIPT, bundle], {
    encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const ms = Number(r.stdout);
  if (r.status !== 0 || !Number.isFinite(ms)) throw new BenchProcessError(`node -e require(${bundle})`, r.status, r.stderr.slice(-2000));
  return ms;
}

/**
 * Sizes and median cold loads of the two bundles by `node`, loaded alternately so drift in machine load
 * hits both.
 */
export function compareBundles(delegateBundle: string, s3OnlyBundle: string, runs: number, node = process.execPath): BundleComparison {
  // One untimed load each first: the first read of a file from disk is not what Lambda's warm page cache sees.
  coldLoadMs(delegateBundle, node);
  coldLoadMs(s3OnlyBundle, node);
  const d: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < runs; i++) {
    d.push(coldLoadMs(delegateBundle, node));
    s.push(coldLoadMs(s3OnlyBundle, node));
  }
  const delegate = { bytes: statSync(delegateBundle).size, loadMs: round1(median(d)), loadRunsMs: d.map(round1) };
  const s3Only = { bytes: statSync(s3OnlyBundle).size, loadMs: round1(median(s)), loadRunsMs: s.map(round1) };
  return { delegate, s3Only, loadRatio: Math.round((median(d) / median(s)) * 1000) / 1000 };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

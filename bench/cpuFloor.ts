// `npm run bench -- --cpu-floor`: what bounds the delegate's CPU per 100k objects on this machine (issue 16
// item 2). Every process under test runs alone on the under-test core while the stand-in has the other.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { BaselineResult, ListedResource } from './baselineFetch';
import { pinnedArgv, type CpuLayout } from './CpuPin';
import { runToEnd } from './measureProcesses';
import { median, round, type CpuFloorResult } from './report';

const BUILD = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' } as const;
/** Runs of each measurement (medians); the workload runs this many times idle and as many busy. */
const RUNS = 3;

export interface CpuFloorInputs {
  workDir: string;
  layout: CpuLayout;
  api: { apiServerUrl: string; caPem: string; token: string };
  resources: ListedResource[];
  pageSize: number;
  objects: number;
  /** One backup by the delegate, on the under-test core; returns its CPU (ms, user + sys, all threads). */
  backup: () => Promise<{ cpuMs: number }>;
  log: (msg: string) => void;
}

type Measured = Omit<CpuFloorResult, 'generatedAt' | 'command' | 'machine' | 'seededObjects'>;

export async function measureCpuFloor(i: CpuFloorInputs): Promise<Measured> {
  const client = join(i.workDir, 'cpu-floor-client.js');
  const workload = join(i.workDir, 'cpu-workload.js');
  await build({ ...BUILD, entryPoints: [join(__dirname, 'cpuFloorClient.ts')], outfile: client });
  await build({ ...BUILD, entryPoints: [join(__dirname, 'cpuWorkload.ts')], outfile: workload });
  const job = (parse: boolean, repeat: number) => {
    const file = join(i.workDir, `floor-${parse ? 'parse' : 'receive'}-${repeat}.json`);
    writeFileSync(file, JSON.stringify({ ...i.api, resources: i.resources, pageSize: i.pageSize, parse, repeat }));
    return file;
  };
  const receiveJob = job(false, 1);
  const parseJob = job(true, 1);
  // The cluster's core kept busy the way a backup keeps it: the stand-in serving list pages, to a client on that core.
  const busyJob = job(true, 1000);
  const per100k = (ms: number[]) => Math.round((median(ms) / i.objects) * 100_000);

  const delegate: number[] = [];
  const receive: number[] = [];
  const parse: number[] = [];
  let bytes = 0;
  for (let r = 1; r <= RUNS; r++) {
    delegate.push((await i.backup()).cpuMs);
    const [received] = await runJson<BaselineResult>(pinnedArgv([process.execPath, client, receiveJob], i.layout.underTest));
    const [parsed] = await runJson<BaselineResult>(pinnedArgv([process.execPath, client, parseJob], i.layout.underTest));
    receive.push(received!.cpuMs);
    parse.push(parsed!.cpuMs);
    bytes = parsed!.bytes;
    i.log(`cpu floor ${r}/${RUNS}: delegate ${delegate.at(-1)!.toFixed(0)} ms, receive ${received!.cpuMs.toFixed(0)} ms, receive+parse ${parsed!.cpuMs.toFixed(0)} ms (${(bytes / 1e6).toFixed(0)} MB)`);
  }

  const idle: number[] = [];
  for (let r = 0; r < RUNS; r++) idle.push((await runJson<{ cpuMs: number }>(pinnedArgv([process.execPath, workload], i.layout.underTest)))[0]!.cpuMs);
  const [cmd, ...args] = pinnedArgv([process.execPath, client, busyJob], i.layout.cluster);
  const busyLoad = spawn(cmd!, args, { stdio: 'ignore' });
  const busy: number[] = [];
  try {
    await new Promise((r) => setTimeout(r, 2000));
    for (let r = 0; r < RUNS; r++) busy.push((await runJson<{ cpuMs: number }>(pinnedArgv([process.execPath, workload], i.layout.underTest)))[0]!.cpuMs);
  } finally {
    busyLoad.kill();
  }
  const factor = Math.round((median(busy) / median(idle)) * 100) / 100;
  i.log(`cpu floor: the fixed workload took ${median(idle).toFixed(0)} ms idle, ${median(busy).toFixed(0)} ms beside a busy cluster core (${factor}x)`);
  return {
    objects: i.objects, bytes,
    cores: { underTest: i.layout.underTest, cluster: i.layout.cluster },
    delegate: { cpuMs: delegate.map((x) => round(x)), per100kMs: per100k(delegate) },
    receive: { cpuMs: receive.map((x) => round(x)), per100kMs: per100k(receive) },
    parse: { cpuMs: parse.map((x) => round(x)), per100kMs: per100k(parse) },
    interference: { idleMs: idle.map((x) => round(x)), busyMs: busy.map((x) => round(x)), factor },
  };
}

/** Runs a child that prints JSON lines; resolves with them once it exits 0. */
async function runJson<T>(argv: string[]): Promise<T[]> {
  const out = await runToEnd(argv);
  return out.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as T);
}


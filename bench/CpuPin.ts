import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { BenchUsageError } from './errors';

/** util-linux's taskset; Debian installs util-linux everywhere (it is Essential). */
export const TASKSET = '/usr/bin/taskset';

/** Which cores each side uses, as taskset cpu lists. */
export interface CpuLayout {
  /** kube-apiserver, etcd, moto (both clusters), and the bench process while it serves the stand-in's webhook. */
  cluster: string;
  /** The process under test: the delegate, the baseline client (the bench process, for its run), kubectl. */
  underTest: string;
  /** Every core: the co-located mode. */
  all: string;
}

/** The two-core layout: core 0 for the stand-in, core 1 for the process under test (issue 16). */
export function cpuLayout(cpus: number): CpuLayout {
  if (cpus < 2) throw new BenchUsageError(`pinning needs two cores (this machine has ${cpus})`);
  return { cluster: '0', underTest: '1', all: `0-${cpus - 1}` };
}

/** `argv`, started by taskset on the given cores; taskset execs it, so the pid (and wait4's rusage) is the command's. */
export function pinnedArgv(argv: readonly string[], cpuList: string | undefined): string[] {
  return cpuList === undefined ? [...argv] : [TASKSET, '-c', cpuList, ...argv];
}

export function tasksetInstalled(): boolean {
  return existsSync(TASKSET);
}

/**
 * Moves running processes, every thread of each (`taskset -a -p`), between the pinned and the co-located
 * layout. Threads started later inherit the affinity of the thread that starts them, and children
 * that of their parent, so one call per switch is enough.
 */
export class CpuPin {
  readonly layout: CpuLayout;
  readonly #clusterPids: () => number[];

  /** @param clusterPids the stand-in's processes, read at each switch (StandIn.pids) */
  constructor(layout: CpuLayout, clusterPids: () => number[]) {
    this.layout = layout;
    this.#clusterPids = clusterPids;
  }

  /** Stand-in and this process on the cluster core: the process under test gets the other one to itself. */
  pinned(): void {
    this.#set([...this.#clusterPids(), process.pid], this.layout.cluster);
  }

  /** Everything may run anywhere, as in the first bench. */
  colocated(): void {
    this.#set([...this.#clusterPids(), process.pid], this.layout.all);
  }

  /**
   * Runs `fn` (work done in this process, e.g. the baseline client) on the under-test core, then
   * puts this process back where it was.
   */
  async onUnderTestCore<T>(pinned: boolean, fn: () => Promise<T>): Promise<T> {
    if (!pinned) return fn();
    this.#set([process.pid], this.layout.underTest);
    try {
      return await fn();
    } finally {
      this.#set([process.pid], this.layout.cluster);
    }
  }

  #set(pids: number[], cpuList: string): void {
    for (const pid of pids) execFileSync(TASKSET, ['-a', '-p', '-c', cpuList, String(pid)], { stdio: 'ignore' });
  }
}

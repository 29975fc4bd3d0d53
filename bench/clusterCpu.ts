// The stand-in's own CPU (kube-apiserver, etcd, moto) over a phase of the bench, from /proc: whether a restore
// slower than its POST baseline made the cluster work more per write, or left it waiting for the client.
import { readFileSync } from 'node:fs';

/** CPU (user + system, ms) of the stand-in's processes by name: `kube-apiserver`, `etcd`, `moto` (python). */
export type ClusterCpu = Record<string, number>;

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU in these ticks (100 on every Linux that node runs on). */
const TICKS_PER_SECOND = 100;

/** What each named process has used so far; processes already gone are left out. */
export function clusterCpu(pids: readonly number[]): ClusterCpu {
  const cpu: ClusterCpu = {};
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const sample = parseStat(stat);
    if (sample) cpu[sample.name] = (cpu[sample.name] ?? 0) + sample.ms;
  }
  return cpu;
}

/** `after - before` by name, rounded; a process that started between them counts from zero. */
export function cpuBetween(before: ClusterCpu, after: ClusterCpu): ClusterCpu {
  return Object.fromEntries(Object.entries(after).map(([name, ms]) => [name, Math.round(ms - (before[name] ?? 0))]));
}

/**
 * One /proc/<pid>/stat line: its command (between the first '(' and the last ')', which may hold spaces) as
 * the bench names it (python is moto here), and utime + stime (fields 14 and 15) in ms.
 */
export function parseStat(stat: string): { name: string; ms: number } | undefined {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const comm = stat.slice(open + 1, close);
  // After ')': state is field 3, so utime (field 14) is the 12th of these.
  const fields = stat.slice(close + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ticks)) return undefined;
  return { name: comm.startsWith('python') ? 'moto' : comm, ms: (ticks * 1000) / TICKS_PER_SECOND };
}

import { clusterCpu, cpuBetween, parseStat } from '../../../bench/clusterCpu';

// /proc/<pid>/stat: pid (comm) state ppid ... utime(14) stime(15) ...
const stat = (comm: string, utime: number, stime: number) =>
  `4242 (${comm}) S 1 4242 4242 0 -1 4194560 9041 0 0 0 ${utime} ${stime} 0 0 20 0 12 0 5721301 3133440 393 18446744073709551615`;

describe('clusterCpu', () => {
  it('reads utime + stime in ms, by command, python counted as moto', () => {
    expect(parseStat(stat('kube-apiserver', 1234, 66))).toEqual({ name: 'kube-apiserver', ms: 13_000 });
    expect(parseStat(stat('python3', 5, 5))).toEqual({ name: 'moto', ms: 100 });
  });

  it('takes the command up to the last parenthesis, spaces and parentheses in it included', () => {
    expect(parseStat(stat('a (b) c', 1, 2))).toEqual({ name: 'a (b) c', ms: 30 });
    expect(parseStat('garbage')).toBeUndefined();
  });

  it('gives what each process used between two readings; one started between them counts from zero', () => {
    expect(cpuBetween({ etcd: 100, 'kube-apiserver': 1000 }, { etcd: 350.4, 'kube-apiserver': 1000, moto: 20 })).toEqual({ etcd: 250, 'kube-apiserver': 0, moto: 20 });
  });

  it('reads this process and leaves out one that is gone', () => {
    const cpu = clusterCpu([process.pid, 2 ** 22 + 1]);
    expect(Object.keys(cpu)).toHaveLength(1);
    expect(Object.values(cpu)[0]).toBeGreaterThanOrEqual(0);
  });
});

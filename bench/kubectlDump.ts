import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinnedArgv } from './CpuPin';
import { BenchProcessError } from './errors';
import { baseEnv, measureProcesses } from './measureProcesses';

export const KUBECTL = '/usr/bin/kubectl';

export interface KubectlDumpOptions {
  python: string;
  /** Folder for the kubeconfig, kubectl's cache (a fresh HOME) and the dumps. */
  workDir: string;
  apiServerUrl: string;
  caPem: string;
  token: string;
  /** kubectl --chunk-size. */
  pageSize: number;
  /** kubectl binary. @default /usr/bin/kubectl */
  kubectl?: string;
  /** Run kubectl on these cores only (taskset cpu list). @default undefined (any core) */
  cpuList?: string;
}

export interface KubectlDumpResult {
  /** Everything, end to end: api-resources plus one `kubectl get` per type, one after another. */
  ms: number;
  /** The largest peak RSS of any one kubectl process. */
  peakRssKiB: number;
  /** The type whose dump peaked highest. */
  peakRssType: string;
  types: number;
  /** JSON written, all types. */
  bytes: number;
  /** Types whose `kubectl get` failed. */
  failedTypes: string[];
}

/**
 * What a user would run without the delegate: `kubectl api-resources --verbs=list -o name`, then
 * `kubectl get <type> -A -o json --chunk-size=<page size>` for each, each dump to a file.
 */
export async function kubectlDump(opts: KubectlDumpOptions): Promise<KubectlDumpResult> {
  const kubectl = opts.kubectl ?? KUBECTL;
  const home = join(opts.workDir, 'home');
  mkdirSync(home, { recursive: true });
  const kubeconfig = join(opts.workDir, 'kubeconfig');
  writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'bench',
    clusters: [{ name: 'bench', cluster: { server: opts.apiServerUrl, 'certificate-authority-data': Buffer.from(opts.caPem).toString('base64') } }],
    users: [{ name: 'bench', user: { token: opts.token } }],
    contexts: [{ name: 'bench', context: { cluster: 'bench', user: 'bench' } }],
  }), { mode: 0o600 });
  // A fresh HOME: kubectl's discovery cache starts empty, as on a user's first run against the cluster.
  const env = baseEnv({ HOME: home, KUBECONFIG: kubeconfig });
  const file = (name: string) => join(opts.workDir, name);

  const [listing] = await measureProcesses(opts.python, [{
    argv: pinnedArgv([kubectl, 'api-resources', '--verbs=list', '-o', 'name'], opts.cpuList), env, stdout: file('api-resources.txt'), stderr: file('api-resources.err'),
  }]);
  if (!listing || listing.exitCode !== 0) throw new BenchProcessError('kubectl api-resources', listing?.exitCode ?? null, readFileSync(file('api-resources.err'), 'utf8'));
  const types = readFileSync(file('api-resources.txt'), 'utf8').split('\n').map((t) => t.trim()).filter(Boolean);

  const dumps = types.map((t, i) => ({
    argv: pinnedArgv([kubectl, 'get', t, '-A', '-o', 'json', `--chunk-size=${opts.pageSize}`], opts.cpuList), env,
    stdout: file(`dump-${i}.json`), stderr: file(`dump-${i}.err`),
  }));
  const measured = await measureProcesses(opts.python, dumps);
  let bytes = 0;
  let peakRssKiB = listing.maxRssKiB;
  let peakRssType = 'api-resources';
  let ms = listing.wallMs;
  const failedTypes: string[] = [];
  measured.forEach((m, i) => {
    const dump = dumps[i]!;
    // A type the API lists but cannot serve (e.g. an aggregated API without a backend) is what a
    // user's loop would meet too: recorded, not fatal.
    if (m.exitCode !== 0) failedTypes.push(types[i]!);
    bytes += statSync(dump.stdout).size;
    rmSync(dump.stdout, { force: true });
    ms += m.wallMs;
    if (m.maxRssKiB > peakRssKiB) {
      peakRssKiB = m.maxRssKiB;
      peakRssType = types[i]!;
    }
  });
  return { ms, peakRssKiB, peakRssType, types: types.length, failedTypes, bytes };
}

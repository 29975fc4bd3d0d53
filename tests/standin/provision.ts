import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface StandInBinaries {
  kubeApiserver: string;
  etcd: string;
  motoPythonPath: string;
  python: string;
  /** libfaketime.so.1, preloaded into a delegate whose clock must run fast (FAKETIME="+0 x60"). */
  libfaketime: string;
  /** A Helm 3 binary, for reading restored Helm releases back. */
  helm: string;
}

export function standInCacheDir(): string {
  return process.env.EKS_STANDIN_CACHE ?? join(homedir(), '.cache', 'eks-delegate-standin');
}

/**
 * Runs provision.sh (idempotent: seconds when everything is cached, minutes the first time) and returns
 * where the binaries are. Progress goes to stderr so the user sees what the first run is doing.
 */
export function provisionStandIn(): StandInBinaries {
  const script = join(__dirname, 'provision.sh');
  const result = spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`stand-in provisioning failed (exit ${result.status}); see the output above`);
  return provisionedPaths();
}

/** Where the last provisioning put the binaries (provisionStandIn must have run, e.g. in jest's global setup). */
export function provisionedPaths(): StandInBinaries {
  const env = Object.fromEntries(
    readFileSync(join(standInCacheDir(), 'paths.env'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { kubeApiserver: env.KUBE_APISERVER!, etcd: env.ETCD!, motoPythonPath: env.MOTO_PYTHONPATH!, python: env.PYTHON!, libfaketime: env.LIBFAKETIME!,
    // paths.env of an older provision.sh (another checkout sharing the cache) has no HELM line.
    helm: env.HELM ?? join(standInCacheDir(), 'helm', 'helm') };
}

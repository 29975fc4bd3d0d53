import { execFileSync } from 'node:child_process';

/**
 * A Kubernetes server version, as the stand-in and the tests reason about it (issue 18): the stand-in
 * runs whatever kube-apiserver it is given (1.20 built here, any 1.2x/1.3x from KUBEBUILDER_ASSETS), so
 * flags, seeds and assertions ask for "at least 1.x" instead of assuming one version.
 */
export interface KubeVersion {
  major: number;
  minor: number;
  /** As the server prints it, e.g. `v1.20.2` or `v1.33.0`. */
  gitVersion: string;
}

/**
 * Reads a version from `kube-apiserver --version` output (`Kubernetes v1.20.2`), a `/version` gitVersion
 * (`v1.30.4-eks-a737599`) or a short `1.28`. Throws on anything else, naming what it got.
 */
export function parseKubeVersion(text: string): KubeVersion {
  const m = /(?:^|\s)v?(\d+)\.(\d+)(?:\.(\d+))?([-+][^\s]*)?(?:\s|$)/.exec(text.trim());
  if (!m) throw new Error(`not a Kubernetes version: ${JSON.stringify(text.trim().slice(0, 80))}`);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major !== 1) throw new Error(`not a Kubernetes 1.x version: ${JSON.stringify(text.trim().slice(0, 80))}`);
  return { major, minor, gitVersion: `v${major}.${minor}.${m[3] ?? '0'}${m[4] ?? ''}` };
}

/** True when `v` is `major.minor` or newer. */
export function atLeast(v: KubeVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/** `1.20`: the form EKS DescribeCluster uses for `version`. */
export function majorMinor(v: KubeVersion): string {
  return `${v.major}.${v.minor}`;
}

/**
 * The group version that serves cronjobs, as client-go's ServerPreferredResources (and so the delegate)
 * picks it: batch/v1 has CronJob from 1.21; before that only batch/v1beta1 serves it (and from 1.25 only
 * batch/v1 does). Unit-tested against the 1.20 and 1.30 discovery fixtures.
 */
export function cronJobsGroupVersion(v: KubeVersion): 'batch/v1' | 'batch/v1beta1' {
  return atLeast(v, 1, 21) ? 'batch/v1' : 'batch/v1beta1';
}

/** Ingresses are also served by extensions/v1beta1 (a second copy of the same objects) before 1.22. */
export function servesIngressesInExtensions(v: KubeVersion): boolean {
  return !atLeast(v, 1, 22);
}

/**
 * Aggregated discovery (issue 29): `/api` and `/apis` answer every group in one document each, so no group
 * version document is asked for, and a group whose aggregated API server did not answer is marked Stale
 * in it instead of answering 503. Beta and on by default from 1.27 (AggregatedDiscoveryEndpoint), GA 1.30.
 */
export function servesAggregatedDiscovery(v: KubeVersion): boolean {
  return atLeast(v, 1, 27);
}

/**
 * Continue pages served from watch-cache snapshots (ListFromCacheSnapshot, KEP-4988: beta and on by
 * default from 1.34): the page a continue token names comes from the snapshot at the list's revision,
 * so an etcd compaction under a paged list gives no 410 while the snapshot is kept (75 s by default).
 * Before, continue pages were read from etcd at that revision, and a compaction made them 410.
 */
export function servesContinueFromCacheSnapshot(v: KubeVersion): boolean {
  return atLeast(v, 1, 34);
}

/** Runs `<binary> --version` once and parses it. */
export function readKubeApiserverVersion(binary: string): KubeVersion {
  const out = execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  try {
    return parseKubeVersion(out.replace(/^Kubernetes\s+/, ''));
  } catch (err) {
    throw new Error(`cannot tell the version of ${binary} from \`--version\`: ${out.trim().slice(0, 80)}`, { cause: err });
  }
}

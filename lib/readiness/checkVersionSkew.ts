// Version skew (DESIGN.md section 11): the two clusters' Kubernetes versions, and the API versions of the
// recovery point the recovery cluster does not serve (the restore falls back to another version of the same
// resource where there is one; where there is none the dry run says api-not-served or needs-crd).
import type { ManifestResource } from '../recovery-point';
import type { Finding, VersionSkew } from './types';

export interface VersionSkewInput {
  sourceKubernetesVersion: string;
  recoveryKubernetesVersion: string;
  /** Types of the recovery point (manifest rows). */
  resources: readonly ManifestResource[];
  /** `group/version` (or `v1`) the recovery cluster serves, and the resources (`<plural>[.<group>]`) it serves at any version. */
  served: { groupVersions: ReadonlySet<string>; resources: ReadonlySet<string> };
}

export function checkVersionSkew(input: VersionSkewInput): { versions: VersionSkew; findings: Finding[] } {
  const findings: Finding[] = [];
  const src = minorOf(input.sourceKubernetesVersion);
  const dst = minorOf(input.recoveryKubernetesVersion);
  if (src && dst && (dst.major < src.major || (dst.major === src.major && dst.minor < src.minor))) {
    findings.push({ kind: 'version-skew', code: 'older-recovery-cluster',
      detail: `the recovery cluster runs Kubernetes ${input.recoveryKubernetesVersion}, older than the source's ${input.sourceKubernetesVersion}: APIs added since are not served` });
  }
  const notServed = new Map<string, string[]>();
  for (const r of input.resources) {
    if (r.status !== 'ok' || r.count === 0) continue;
    const gv = r.group === '' ? r.version : `${r.group}/${r.version}`;
    if (input.served.groupVersions.has(gv)) continue;
    notServed.set(gv, [...(notServed.get(gv) ?? []), r.name]);
  }
  for (const [gv, names] of notServed) {
    const elsewhere = names.filter((n) => input.served.resources.has(n));
    if (elsewhere.length === 0) continue; // not served at all: the dry run names those objects
    findings.push({ kind: 'version-skew', code: 'version-not-served', id: gv, objects: elsewhere,
      detail: `the recovery point holds ${elsewhere.join(', ')} at ${gv}, which the recovery cluster does not serve; the restore writes them at the version it serves` });
  }
  return {
    versions: {
      sourceKubernetesVersion: input.sourceKubernetesVersion,
      recoveryKubernetesVersion: input.recoveryKubernetesVersion,
      groupVersionsNotServed: [...notServed.keys()].sort(),
    },
    findings,
  };
}

function minorOf(version: string): { major: number; minor: number } | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

// What the recovery cluster serves: every group version (not only the preferred ones) and every resource
// type at any version, for the version-skew check. Read-only.
import { discoverResources, type KubeTransport } from '../kube';

export interface ServedApis {
  groupVersions: ReadonlySet<string>;
  resources: ReadonlySet<string>;
}

export async function servedApis(kube: KubeTransport, signal?: AbortSignal): Promise<ServedApis> {
  const res = await kube.request({ method: 'GET', path: '/apis', ...(signal ? { signal } : {}) });
  const groups = res.status === 200 ? (JSON.parse(res.body.toString('utf8')) as { groups?: Array<{ versions?: Array<{ groupVersion?: string }> }> }).groups ?? [] : [];
  const groupVersions = new Set<string>(['v1']);
  for (const g of groups) for (const v of g.versions ?? []) if (v.groupVersion) groupVersions.add(v.groupVersion);
  const { resources } = await discoverResources(kube, signal ? { signal } : {});
  return { groupVersions, resources: new Set(resources.map((r) => r.name)) };
}

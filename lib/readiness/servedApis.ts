// What the recovery cluster serves: every group version (not only the preferred ones) and every resource
// type at any version, for the version-skew check. Read-only.
import { discoverResources } from '../kube/discovery';
import { parseJsonObjectResponse } from '../kube/responseBody';
import type { KubeTransport } from '../kube/types';

export interface ServedApis {
  groupVersions: ReadonlySet<string>;
  resources: ReadonlySet<string>;
}

export async function servedApis(kube: KubeTransport, signal?: AbortSignal): Promise<ServedApis> {
  const res = await kube.request({ method: 'GET', path: '/apis', ...(signal ? { signal } : {}) });
  const groups = res.status === 200 ? (parseJsonObjectResponse(res, '/apis').groups as Array<{ versions?: Array<{ groupVersion?: string }> }> | undefined) ?? [] : [];
  const groupVersions = new Set<string>(['v1']);
  for (const g of groups) for (const v of g.versions ?? []) if (v.groupVersion) groupVersions.add(v.groupVersion);
  const { resources } = await discoverResources(kube, signal ? { signal } : {});
  return { groupVersions, resources: new Set(resources.map((r) => r.name)) };
}

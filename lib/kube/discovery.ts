import { ResourceDiscovery } from './ResourceDiscovery';
import type { DiscoveredGroup, DiscoveryOptions, DiscoveryResult } from './discoveryTypes';
import type { KubeTransport } from './types';

export { COHABITATING_RESOURCES } from './discoveryDocuments';
export { DEFAULT_DISCOVERY_CONCURRENCY, DEFAULT_GROUP_VERSION_ATTEMPTS, ResourceDiscovery } from './ResourceDiscovery';

/**
 * Every listable resource type at its preferred version, all at once (see ResourceDiscovery, which
 * hands groups over as they settle). Resources come core group first, then in the server's group order,
 * whatever order the group versions answered in.
 */
export async function discoverResources(transport: KubeTransport, options: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const discovery = ResourceDiscovery.start(transport, options);
  const groups: DiscoveredGroup[] = [];
  for await (const group of discovery) groups.push(group);
  const summary = await discovery.done;
  groups.sort((a, b) => a.order - b.order);
  return { resources: groups.flatMap((g) => g.resources), ...summary };
}

// The live cluster as an ObjectSource for diffObjectSources: the backup's own listing pipeline (discovery's
// resources, the pager, the streamed list items with apiVersion and kind filled in), one type at a time and
// one page at a time, so memory stays flat with the cluster's size. Read-only.
import type { ObjectSource, SourcedObject } from '../catalog';
import { archivableJson, KubeApiError, streamListItems, streamResourceItems, type ArchivableItem, type DiscoveredResource, type KubeTransport } from '../kube';

export interface LiveSourceOptions {
  pageSize: number;
  signal?: AbortSignal;
  /** Told of each type whose list failed (forbidden, gone, failed): its objects are not compared. */
  onUnreadable: (resource: string, reason: string) => void;
}

export function liveClusterSource(kube: KubeTransport, resources: readonly DiscoveredResource[], options: LiveSourceOptions): ObjectSource {
  return async (visit) => {
    for (const resource of resources) {
      const handOn = async (items: ArchivableItem[]): Promise<void> => {
        for (const item of items) {
          const object = JSON.parse(archivableJson(item).toString('utf8')) as Record<string, unknown>;
          const o: SourcedObject = {
            resourceName: resource.name, namespace: resource.namespaced ? item.metadata.namespace : undefined, name: item.metadata.name ?? '', object,
          };
          visit(o);
        }
      };
      try {
        await streamResourceItems<ArchivableItem>((req, onItems) => streamListItems(kube, resource, req, undefined, onItems), handOn, {
          pageSize: options.pageSize, ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (err) {
        if (options.signal?.aborted) throw err;
        if (err instanceof KubeApiError && err.status === 401) throw err;
        options.onUnreadable(resource.name, err instanceof Error ? err.message : String(err));
      }
    }
  };
}

import type { BufferPool } from '../../../../lib/kube/BufferPool';
import { streamListItems, type ArchivableItem, type StreamedPageEnd } from '../../../../lib/kube/listItems';
import type { PageRequest } from '../../../../lib/kube/pager';
import type { DiscoveredResource, KubeTransport } from '../../../../lib/kube/types';

const copy = (b: Buffer) => Buffer.from(b);

/** A streamed item with its buffers copied out of the reused scan window, so it can be kept. */
export function keepItem(item: ArchivableItem): ArchivableItem {
  return {
    metadata: item.metadata,
    parts: item.parts.map(copy),
    ...(item.withoutManagedFields ? { withoutManagedFields: item.withoutManagedFields.map(copy) } : {}),
  };
}

/** One page through streamListItems, its items kept (copied) in order. */
export async function collectListItems(
  transport: KubeTransport, resource: DiscoveredResource, req: PageRequest, namespace?: string, pool?: BufferPool,
): Promise<StreamedPageEnd & { items: ArchivableItem[]; batches: number }> {
  const items: ArchivableItem[] = [];
  let batches = 0;
  const end = await streamListItems(transport, resource, req, namespace, async (batch) => {
    batches++;
    items.push(...batch.map(keepItem));
  }, pool ? { pool } : {});
  return { ...end, items, batches };
}

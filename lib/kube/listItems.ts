import type { BufferPool } from './BufferPool';
import { KubeInvalidBodyError } from './errors';
import { ListBodySyntaxError, type ScannedItem } from './jsonScan';
import { openListPage, resourceListPath, withTypeMeta } from './listPath';
import { ListStreamScanner } from './ListStreamScanner';
import type { PageRequest } from './pager';
import { isJsonObject } from './responseBody';
import type { DiscoveredResource, KubeTransport, ListPage } from './types';

/** One list item, ready for the archive. */
export interface ArchivableItem {
  /** The item's metadata.name and .namespace (when they are strings): for filters and the pager's restart key. */
  metadata: { name: string | undefined; namespace: string | undefined };
  /**
   * The object as the archive stores it, in pieces to be written one after the other (archivableJson joins
   * them): `apiVersion` and `kind` first (list items lack them), then the item's own bytes exactly as the
   * API server sent them. Items that already carry both are stored as sent. The pieces are views of the
   * page body and of one prefix per page: no copy of the objects is made (issue 8).
   */
  parts: readonly Buffer[];
  /**
   * The same object with the value of metadata.managedFields replaced by `[]`, in pieces like `parts`; for
   * readers that ignore managedFields (the dependency scan), which is often half of an object's bytes and
   * most of its parse time (issue 8). Undefined when the item has no managedFields or took the slow path.
   */
  withoutManagedFields?: readonly Buffer[];
}

/** The value that stands in for an excised managedFields list. */
const EMPTY_LIST = Buffer.from('[]');

/** The object's JSON in one buffer (a copy only when it is in several pieces). */
export function archivableJson(item: ArchivableItem): Buffer {
  return item.parts.length === 1 ? item.parts[0]! : Buffer.concat(item.parts);
}

/** How a page of streamed items ended: the list metadata that carries the continue token. */
export interface StreamedPageEnd {
  metadata?: ListPage['metadata'];
}

/** Options for streamListItems. */
export interface StreamListItemsOptions {
  /** Where the scan window comes from (one per page in flight). @default a new window per page */
  pool?: BufferPool;
  /** See ListStreamScannerOptions.scanThresholdBytes. @default 64 KiB */
  scanThresholdBytes?: number;
}

/**
 * Reads one list page as it arrives and hands its items to `onItems` a few at a time, as raw bytes (with
 * apiVersion and kind added) instead of parsed objects: the backup stores them without parsing and
 * re-serializing each object, and never holds a whole page (issue 8). The result is the same object as
 * withTypeMeta(item) serialized, with the item's field order and number spelling kept as sent. Items
 * whose meaning only a real parse settles (see ScannedItem.needsParse) take that path.
 *
 * The items' buffers are views of a window reused for the next ones: `onItems` must be done with them
 * (copy what it keeps) when its promise settles. A body cut short throws KubeInvalidBodyError, a broken
 * connection KubeBodyInterruptedError, after the items before the break were handed on: asking again
 * without handing items twice is the pager's job (streamResourceItems).
 */
export async function streamListItems(
  transport: KubeTransport,
  resource: DiscoveredResource,
  req: PageRequest,
  namespace: string | undefined,
  onItems: (items: ArchivableItem[]) => Promise<void>,
  options: StreamListItemsOptions = {},
): Promise<StreamedPageEnd> {
  const path = resourceListPath(resource, namespace);
  const body = await openListPage(transport, path, req);
  const scanner = new ListStreamScanner(options);
  try {
    for await (const chunk of body) {
      const batch = scanner.push(chunk);
      if (batch.items.length > 0) await onItems(archivableItems(batch.body, batch.items, resource));
    }
    const last = scanner.end();
    if (last.items.length > 0) await onItems(archivableItems(last.body, last.items, resource));
    return last.metadata === undefined ? {} : { metadata: last.metadata as ListPage['metadata'] };
  } catch (err) {
    if (err instanceof ListBodySyntaxError) throw new KubeInvalidBodyError(path, `invalid list body: ${err.message}`, { cause: err });
    throw err;
  } finally {
    scanner.release();
  }
}

/**
 * The items' archive pieces. Items that need apiVersion and kind get the page's one prefix buffer (with
 * the comma unless the item is empty) and a view of their bytes without the opening `{`.
 */
function archivableItems(body: Buffer, scanned: ScannedItem[], resource: DiscoveredResource): ArchivableItem[] {
  const typeMeta = `{"apiVersion":${JSON.stringify(resource.groupVersion)},"kind":${JSON.stringify(resource.kind)}`;
  const prefix = Buffer.from(`${typeMeta},`, 'utf8');
  const emptyPrefix = prefix.subarray(0, prefix.length - 1);
  const items: ArchivableItem[] = [];
  for (const s of scanned) {
    const metadata = { name: s.name, namespace: s.namespace };
    if (s.hasApiVersion && s.hasKind && !s.needsParse) {
      const item: ArchivableItem = { metadata, parts: [body.subarray(s.start, s.end)] };
      if (s.managedFields) item.withoutManagedFields = excised(body, s.start, s.end, s.managedFields);
      items.push(item);
    } else if (isPlain(s)) {
      const item: ArchivableItem = { metadata, parts: [isEmptyObject(body, s.start) ? emptyPrefix : prefix, body.subarray(s.start + 1, s.end)] };
      if (s.managedFields) item.withoutManagedFields = [prefix, ...excised(body, s.start + 1, s.end, s.managedFields)];
      items.push(item);
    } else {
      items.push(parsedItem(body.toString('utf8', s.start, s.end), resource));
    }
  }
  return items;
}

/** Views of body[start, end) with the range `cut` replaced by `[]`. */
function excised(body: Buffer, start: number, end: number, cut: { start: number; end: number }): Buffer[] {
  return [body.subarray(start, cut.start), EMPTY_LIST, body.subarray(cut.end, end)];
}

/** An item that lacks both apiVersion and kind and needs no parse: it gets the type prefix. */
function isPlain(s: ScannedItem): boolean {
  return !s.hasApiVersion && !s.hasKind && !s.needsParse;
}

function isEmptyObject(body: Buffer, start: number): boolean {
  for (let i = start + 1; i < body.length; i++) {
    const c = body[i];
    if (c === 0x7d) return true;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return false;
}

/** The slow path: parse the item and serialize it with withTypeMeta, as the parsing backup does. */
function parsedItem(text: string, resource: DiscoveredResource): ArchivableItem {
  const parsed: unknown = JSON.parse(text);
  const item = isJsonObject(parsed) ? parsed : {};
  const meta = isJsonObject(item.metadata) ? item.metadata : {};
  return {
    metadata: {
      name: typeof meta.name === 'string' ? meta.name : undefined,
      namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined,
    },
    parts: [Buffer.from(JSON.stringify(withTypeMeta(item, resource)), 'utf8')],
  };
}

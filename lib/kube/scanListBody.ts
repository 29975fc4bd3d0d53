import { ListStreamScanner } from './ListStreamScanner';
import type { ScannedItem } from './jsonScan';

export { ListBodySyntaxError, type ScannedItem } from './jsonScan';

/** What the scan of a whole body found: the items and the list's own metadata (for the continue token). */
export interface ScannedList {
  items: ScannedItem[];
  /** The list's `metadata` object, parsed (it is small); undefined when absent. */
  metadata: Record<string, unknown> | undefined;
}

/**
 * Scans a whole list response body at once (ListStreamScanner with a single push): item offsets are into
 * a copy of `body`, returned as `body` here. Throws ListBodySyntaxError when the body is not a JSON
 * object, is cut short, or has an `items` that is neither an array nor null.
 */
export function scanListBody(body: Buffer): ScannedList & { body: Buffer } {
  const scanner = new ListStreamScanner({ scanThresholdBytes: 0 });
  const first = scanner.push(body);
  const last = scanner.end();
  return { items: [...first.items, ...last.items], metadata: last.metadata, body: last.body };
}

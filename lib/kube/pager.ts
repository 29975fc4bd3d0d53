import { KubeApiError } from './errors';
import { ListRestartsExhaustedError } from './pagerErrors';
import type { ListPage } from './types';

/** Items per list request; client-go's tools/pager default. */
export const DEFAULT_PAGE_SIZE = 500;
/** How often a list whose continue token expired is restarted before giving up. */
export const DEFAULT_MAX_RESTARTS = 3;

/** What the pager asks for; the caller turns it into a request (see fetchListPage). */
export interface PageRequest {
  limit: number;
  /** Continue token from the previous page; absent on the first request. */
  continue?: string;
  signal?: AbortSignal;
}

/** What the pager needs of an item: its metadata, for the key that orders a restarted list. */
export interface PagedItem {
  metadata?: unknown;
}

/** What the pager needs of a page: its items and the list metadata that carries the continue token. */
export interface PageOf<T extends PagedItem> {
  metadata?: ListPage['metadata'];
  items: T[];
}

/**
 * Fetches one page. The pager never sends a resourceVersion: a continue token carries its own. Pages
 * are ListPage (parsed items) by default; the backup uses pages of raw items (fetchListItems).
 */
export type FetchPage<P extends PageOf<PagedItem> = ListPage> = (req: PageRequest) => Promise<P>;

export interface RestartInfo {
  /** 1 for the first restart. */
  attempt: number;
  /** Why the list restarted, e.g. the 410 error's message. */
  reason: string;
}

export interface PagerOptions {
  /**
   * Items per page (`limit`).
   * @default DEFAULT_PAGE_SIZE (500)
   */
  pageSize?: number;
  /**
   * Checked before every page; when aborted the pager throws the signal's reason.
   * @default undefined (never aborted)
   */
  signal?: AbortSignal;
  /**
   * Restarts allowed after continue tokens expire (410 Gone); one more expiry throws ListRestartsExhaustedError.
   * @default DEFAULT_MAX_RESTARTS (3)
   */
  maxRestarts?: number;
  /**
   * Called before each restart, for logging.
   * @default undefined
   */
  onRestart?: (info: RestartInfo) => void;
}

/**
 * Yields a list's pages one by one (modelled on client-go tools/pager), never holding more than one
 * page. Empty pages are not yielded. Errors other than an expired continue token propagate unchanged:
 * retrying 429/5xx is the transport's job.
 */
export async function* listResourcePages<P extends PageOf<PagedItem> = ListPage>(fetchPage: FetchPage<P>, options: PagerOptions = {}): AsyncGenerator<P> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const maxRestarts = options.maxRestarts ?? DEFAULT_MAX_RESTARTS;
  const { signal } = options;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);

  let continueToken: string | undefined;
  let restarts = 0;
  // Key of the last item yielded, and whether items up to it must be skipped (only after a restart).
  let lastKey: string | undefined;
  let skipUpTo: string | undefined;

  for (;;) {
    signal?.throwIfAborted();
    let page: P;
    try {
      page = await fetchPage(continueToken === undefined ? { limit: pageSize, signal } : { limit: pageSize, continue: continueToken, signal });
    } catch (err) {
      // The continue token expired (410 Gone; the API server keeps it about 5 minutes, DESIGN.md §5):
      // restart the list from the beginning. Lists served from etcd come in key order
      // (`<namespace>/<name>`, or `<name>`), so items up to the last one already yielded are skipped
      // instead of being yielded twice. Any 410 counts: whatever its reason, the token is unusable.
      if (continueToken !== undefined && err instanceof KubeApiError && err.status === 410) {
        if (restarts >= maxRestarts) throw new ListRestartsExhaustedError(restarts, { cause: err });
        restarts += 1;
        options.onRestart?.({ attempt: restarts, reason: err.message });
        continueToken = undefined;
        skipUpTo = lastKey;
        continue;
      }
      throw err;
    }

    const items = skipUpTo === undefined ? page.items : page.items.filter((item) => compareKeys(itemKey(item), skipUpTo as string) > 0);
    const last = items[items.length - 1];
    if (last !== undefined) {
      lastKey = itemKey(last);
      yield items === page.items ? page : { ...page, items };
    }

    // An absent or empty continue token means this was the last page.
    const next = page.metadata?.continue;
    if (next === undefined || next === '') return;
    continueToken = next;
  }
}

/** An item's etcd key below its resource prefix: `<namespace>/<name>`, or `<name>` when cluster-scoped. */
export function itemKey(item: PagedItem): string {
  const meta = item.metadata;
  if (typeof meta !== 'object' || meta === null) return '';
  const { namespace, name } = meta as { namespace?: unknown; name?: unknown };
  const n = typeof name === 'string' ? name : '';
  return typeof namespace === 'string' && namespace !== '' ? `${namespace}/${n}` : n;
}

/** etcd orders keys by their bytes, which is not JavaScript's UTF-16 order for every character. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

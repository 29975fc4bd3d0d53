import { KubeApiError, KubeBodyInterruptedError, KubeInvalidBodyError } from './errors';
import { ListRestartsExhaustedError } from './pagerErrors';
import { DEFAULT_BODY_ATTEMPTS } from './responseBody';
import type { ListPage } from './types';

/** Items per list request; client-go's tools/pager default. */
export const DEFAULT_PAGE_SIZE = 500;
/** How often a list whose continue token expired is restarted before giving up. */
export const DEFAULT_MAX_RESTARTS = 3;

/** What the pager asks for; the caller turns it into a request (see streamListItems). */
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

export interface RestartInfo {
  /** 1 for the first expiry of this list (continued or restarted). */
  attempt: number;
  /** Why, e.g. the 410 error's message. */
  reason: string;
  /**
   * `continued`: the list went on from where it stood with the token the 410 carried (nothing read
   * twice); `restarted`: it started over from the beginning, skipping what was already handed on.
   */
  mode: 'continued' | 'restarted';
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
   * Restarts from the beginning allowed after continue tokens expire (410 Gone); one more throws
   * ListRestartsExhaustedError. An expiry whose 410 carries a continue token, after progress, goes on with
   * that token instead and does not count.
   * @default DEFAULT_MAX_RESTARTS (3)
   */
  maxRestarts?: number;
  /**
   * Called at each expiry, before the list goes on or starts over, for logging.
   * @default undefined
   */
  onRestart?: (info: RestartInfo) => void;
  /**
   * Attempts per page whose body was cut short or whose connection broke mid-body, including the first.
   * @default DEFAULT_BODY_ATTEMPTS (3)
   */
  bodyAttempts?: number;
}

/**
 * Reads one page, handing its items to `onItems` as they arrive, and resolves with the list metadata
 * (continue token) once the page is complete (see streamListItems).
 */
export type StreamPage<T extends PagedItem> = (req: PageRequest, onItems: (items: T[]) => Promise<void>) => Promise<{ metadata?: ListPage['metadata'] }>;

/**
 * Where a paged list stands: the continue token, the key of the last item handed on, and what to skip
 * after asking again. Lists served from etcd come in key order (`<namespace>/<name>`, or `<name>`), so
 * items up to the last one handed on are skipped instead of being handed on twice.
 */
class ListCursor {
  continueToken: string | undefined;
  restarts = 0;
  #expiries = 0;
  #lastKey: string | undefined;
  #skipUpTo: string | undefined;
  /** Items handed on since the last expiry: a 410 right after going on with its token means starting over. */
  #progressed = true;

  readonly #pageSize: number;

  constructor(private readonly options: PagerOptions) {
    this.#pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(this.#pageSize) || this.#pageSize < 1) throw new RangeError(`pageSize must be a positive integer, got ${this.#pageSize}`);
  }

  request(): PageRequest {
    const { signal } = this.options;
    return this.continueToken === undefined ? { limit: this.#pageSize, signal } : { limit: this.#pageSize, continue: this.continueToken, signal };
  }

  /** The items not yet handed on, in order; remembers the last one's key. */
  accept<T extends PagedItem>(items: T[]): T[] {
    let fresh = items;
    if (this.#skipUpTo !== undefined) {
      const skipUpTo = this.#skipUpTo;
      fresh = items.filter((item) => compareKeys(itemKey(item), skipUpTo) > 0);
      // Keys only grow from here: once one item is past the mark, no later one can be at or before it.
      if (fresh.length > 0) this.#skipUpTo = undefined;
    }
    const last = fresh[fresh.length - 1];
    if (last !== undefined) {
      this.#lastKey = itemKey(last);
      this.#progressed = true;
    }
    return fresh;
  }

  /**
   * After an error: true when the list goes on (its continue token expired: 410 Gone, which the API server
   * sends once etcd is compacted past the list's revision, every 5 minutes by default, DESIGN.md §5). Any
   * 410 counts: whatever its reason, the token is unusable.
   *
   * The 410 carries a token that goes on from the same key at the current revision (kube-apiserver's
   * "inconsistent continue"): used when the list made progress since the last expiry. The result is the
   * one a restart gives (objects after the last key at their current version, none twice) without
   * reading the list again: a million-object backup lost 5 minutes to each restart of its largest types
   * and ran out of Lambda time. Otherwise the list starts over and skips what was handed on.
   */
  restartAfter(err: unknown): boolean {
    if (this.continueToken === undefined || !(err instanceof KubeApiError) || err.status !== 410) return false;
    const attempt = ++this.#expiries;
    // Items of a page whose body broke and was asked for again may precede the 410: skip them either way.
    this.#skipUpTo = this.#lastKey;
    const progressed = this.#progressed;
    this.#progressed = false;
    if (err.continueToken !== undefined && progressed) {
      this.options.onRestart?.({ attempt, reason: err.message, mode: 'continued' });
      this.continueToken = err.continueToken;
      return true;
    }
    const maxRestarts = this.options.maxRestarts ?? DEFAULT_MAX_RESTARTS;
    if (this.restarts >= maxRestarts) throw new ListRestartsExhaustedError(this.restarts, { cause: err });
    this.restarts += 1;
    this.options.onRestart?.({ attempt, reason: err.message, mode: 'restarted' });
    this.continueToken = undefined;
    return true;
  }

  /** The same page is asked for again (its body broke): skip what was handed on from it. */
  again(): void {
    this.#skipUpTo = this.#lastKey;
  }

  /** Moves past a complete page; false when it was the last (an absent or empty continue token). */
  advance(metadata: ListPage['metadata'] | undefined): boolean {
    const next = metadata?.continue;
    if (next === undefined || next === '') return false;
    this.continueToken = next;
    return true;
  }
}

/**
 * Streams every item of a list to `onItems`, page after page, without holding a page (modelled on
 * client-go tools/pager: continue tokens; when one expires, the token the 410 carries, else a restart
 * from the beginning). A page whose body breaks (cut short, connection lost) after some of its items were
 * handed on is asked for again, and those items are skipped (the same continue token gives the same snapshot in the same order). Other
 * errors propagate unchanged: retrying 429/5xx is the transport's job.
 */
export async function streamResourceItems<T extends PagedItem>(
  streamPage: StreamPage<T>,
  onItems: (items: T[]) => Promise<void>,
  options: PagerOptions = {},
): Promise<void> {
  const cursor = new ListCursor(options);
  const bodyAttempts = options.bodyAttempts ?? DEFAULT_BODY_ATTEMPTS;
  const handOn = async (items: T[]) => {
    const fresh = cursor.accept(items);
    if (fresh.length > 0) await onItems(fresh);
  };
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    let end: { metadata?: ListPage['metadata'] };
    try {
      end = await streamPage(cursor.request(), handOn);
    } catch (err) {
      if (cursor.restartAfter(err)) {
        attempt = 0;
        continue;
      }
      if ((err instanceof KubeInvalidBodyError || err instanceof KubeBodyInterruptedError) && attempt < bodyAttempts && !options.signal?.aborted) {
        cursor.again();
        continue;
      }
      throw err;
    }
    if (!cursor.advance(end.metadata)) return;
    attempt = 0;
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

import { BufferPool } from './BufferPool';
import {
  CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, KEY_METADATA, keyEquals, ListBodySyntaxError, newScannedItem, OPEN_BRACE, OPEN_BRACKET, QUOTE,
  scanItem, skipString, skipValue, skipWhitespace, unexpected, type ScannedItem,
} from './jsonScan';

/** Options for ListStreamScanner. */
export interface ListStreamScannerOptions {
  /**
   * Unscanned bytes gathered before a scan. An item cut by the end of the bytes at hand is scanned again
   * once more arrive; gathering a few items' worth first keeps that rare (TLS delivers 16 KiB at a time).
   * @default 64 KiB
   */
  scanThresholdBytes?: number;
  /** Where the window comes from and goes back to (release()). @default a pool of its own */
  pool?: BufferPool;
}

/**
 * Items found by one push() or end(): offsets into `body`, which stays valid only until the scanner's
 * next call. Whoever consumes them must be done with them (copy what it keeps) before pushing more.
 */
export interface ScannedBatch {
  body: Buffer;
  items: ScannedItem[];
}

/** What end() adds: the list's own metadata (continue token, resourceVersion), parsed; undefined when absent. */
export interface ScannedListEnd extends ScannedBatch {
  metadata: Record<string, unknown> | undefined;
}

const enum State { BeforeObject, FirstKey, Key, AfterValue, FirstItem, Item, AfterItem, Done }

const KEY_ITEMS = Buffer.from('items');
const DEFAULT_SCAN_THRESHOLD_BYTES = 64 * 1024;

/**
 * Reads a list response (`{"kind":..,"metadata":{..},"items":[{..},..]}`) as it arrives, chunk by chunk,
 * and hands out each complete item of `items` as offsets into a window buffer, so a page is never held
 * whole: memory is one window (a few items) per list in flight, however large the page or the cluster
 * (issue 8). The window is reused: bytes already handed out are dropped at the next push(). The list's
 * metadata may come before the items (built-in types) or after them (custom resources: keys sorted).
 *
 * Throws ListBodySyntaxError when the body is not a JSON object, is cut short (at end()), has bytes after
 * the list, or has an `items` that is neither an array nor null. Array elements that are not objects are
 * skipped.
 */
export class ListStreamScanner {
  readonly #pool: BufferPool;
  readonly #threshold: number;
  #window: Buffer;
  /** Bytes of the window holding data. */
  #used = 0;
  /** First byte not yet consumed by the state machine. */
  #pos = 0;
  /** Bytes dropped from the window's front so far: window offset + this = body offset (for errors). */
  #dropped = 0;
  /** Unscanned bytes to gather before the next scan (grows while one unit is larger than the threshold). */
  #wanted: number;
  #state = State.BeforeObject;
  #metadata: Record<string, unknown> | undefined;
  #ended = false;

  constructor(options: ListStreamScannerOptions = {}) {
    this.#pool = options.pool ?? new BufferPool({ maxFree: 0 });
    this.#threshold = options.scanThresholdBytes ?? DEFAULT_SCAN_THRESHOLD_BYTES;
    if (!Number.isInteger(this.#threshold) || this.#threshold < 0) throw new RangeError(`scanThresholdBytes must be an integer >= 0, got ${this.#threshold}`);
    this.#wanted = this.#threshold;
    this.#window = this.#pool.take(this.#threshold * 2);
  }

  /** Adds the next bytes of the body; returns the items they complete (often none until enough is gathered). */
  push(chunk: Buffer): ScannedBatch {
    if (this.#ended) throw new Error('push() after end()');
    this.#append(chunk);
    if (this.#used - this.#pos < this.#wanted) return { body: this.#window, items: [] };
    const batch = this.#scan(false);
    // What is left is one unit cut by the end of the bytes: an item larger than the threshold is scanned
    // again only once twice as many bytes are in, so scanning it stays linear in its size.
    this.#wanted = Math.max(this.#threshold, 2 * (this.#used - this.#pos));
    return batch;
  }

  /** The body is complete: returns the last items and the list metadata, or throws if it was cut short. */
  end(): ScannedListEnd {
    if (this.#ended) throw new Error('end() called twice');
    this.#ended = true;
    const batch = this.#scan(true);
    if (this.#state !== State.Done) throw new ListBodySyntaxError('the body ends before the list does', this.#dropped + this.#used);
    return { ...batch, metadata: this.#metadata };
  }

  /** Gives the window back to the pool; the scanner must not be used afterwards. */
  release(): void {
    this.#pool.give(this.#window);
    this.#window = Buffer.alloc(0);
    this.#used = 0;
    this.#pos = 0;
  }

  #append(chunk: Buffer): void {
    // Bytes before #pos were handed out by the previous call and are done with.
    if (this.#pos > 0) {
      this.#window.copyWithin(0, this.#pos, this.#used);
      this.#used -= this.#pos;
      this.#dropped += this.#pos;
      this.#pos = 0;
    }
    const needed = this.#used + chunk.length;
    if (needed > this.#window.length) {
      const larger = this.#pool.take(Math.max(needed, this.#window.length * 2));
      this.#window.copy(larger, 0, 0, this.#used);
      this.#pool.give(this.#window);
      this.#window = larger;
    }
    chunk.copy(this.#window, this.#used);
    this.#used = needed;
  }

  #scan(final: boolean): ScannedBatch {
    const body = this.#window.subarray(0, this.#used);
    const items: ScannedItem[] = [];
    try {
      this.#advance(body, items);
    } catch (err) {
      if (!(err instanceof ListBodySyntaxError)) throw err;
      // Ran out of bytes: the unit in progress is scanned again from its start once more arrive.
      if (err.offset >= body.length && !final) return { body, items };
      throw new ListBodySyntaxError(err.reason, err.offset + this.#dropped);
    }
    return { body, items };
  }

  /** Runs the state machine over `body` from #pos; #pos and #state move only past complete units. */
  #advance(body: Buffer, items: ScannedItem[]): void {
    const length = body.length;
    for (;;) {
      const i = skipWhitespace(body, this.#pos);
      const c = body[i];
      switch (this.#state) {
        case State.BeforeObject:
          if (i >= length) throw unexpected(body, i, 'a JSON object');
          if (c !== OPEN_BRACE) throw new ListBodySyntaxError('the body is not a JSON object', i);
          this.#go(i + 1, State.FirstKey);
          break;
        case State.FirstKey:
        case State.Key:
          if (this.#state === State.FirstKey && c === CLOSE_BRACE) this.#go(i + 1, State.Done);
          else this.#topLevelKey(body, i);
          break;
        case State.AfterValue:
          if (c === COMMA) this.#go(i + 1, State.Key);
          else if (c === CLOSE_BRACE) this.#go(i + 1, State.Done);
          else throw unexpected(body, i, '"," or "}"');
          break;
        case State.FirstItem:
        case State.Item:
          if (i >= length) throw unexpected(body, i, 'an item');
          if (this.#state === State.FirstItem && c === CLOSE_BRACKET) {
            this.#go(i + 1, State.AfterValue);
          } else if (c === OPEN_BRACE) {
            const item = newScannedItem(i);
            item.end = scanItem(body, i, item);
            items.push(item);
            this.#go(item.end, State.AfterItem);
          } else {
            this.#go(skipValue(body, i), State.AfterItem);
          }
          break;
        case State.AfterItem:
          if (c === COMMA) this.#go(i + 1, State.Item);
          else if (c === CLOSE_BRACKET) this.#go(i + 1, State.AfterValue);
          else throw unexpected(body, i, '"," or "]" in items');
          break;
        case State.Done:
          if (i < length) throw new ListBodySyntaxError('unexpected bytes after the list', i);
          this.#pos = i;
          return;
      }
    }
  }

  /** One `"key": value` of the list object at `i`; `items` opens the item states instead of being skipped. */
  #topLevelKey(body: Buffer, i: number): void {
    if (body[i] !== QUOTE) throw unexpected(body, i, 'a key');
    const keyStart = i + 1;
    const keyEnd = skipString(body, i) - 1;
    const colon = skipWhitespace(body, keyEnd + 1);
    if (body[colon] !== COLON) throw unexpected(body, colon, '":"');
    const valueStart = skipWhitespace(body, colon + 1);
    if (valueStart >= body.length) throw unexpected(body, valueStart, 'a value');
    const isItems = keyEquals(body, keyStart, keyEnd, KEY_ITEMS);
    if (isItems && body[valueStart] === OPEN_BRACKET) return this.#go(valueStart + 1, State.FirstItem);
    const end = skipValue(body, valueStart);
    if (isItems) {
      if (body.toString('latin1', valueStart, end) !== 'null') throw new ListBodySyntaxError('"items" is not an array', valueStart);
    } else if (keyEquals(body, keyStart, keyEnd, KEY_METADATA) && body[valueStart] === OPEN_BRACE) {
      this.#metadata = JSON.parse(body.toString('utf8', valueStart, end)) as Record<string, unknown>;
    }
    this.#go(end, State.AfterValue);
  }

  #go(pos: number, state: State): void {
    this.#pos = pos;
    this.#state = state;
  }
}

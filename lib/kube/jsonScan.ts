/**
 * Byte-level JSON scanning primitives for list responses (see ListStreamScanner): find where values end,
 * and read the few fields of an item the backup needs (metadata.name and .namespace, whether apiVersion
 * and kind are present, where managedFields is) without building the item as JavaScript objects.
 * Parsing and re-serializing every object cost more CPU and garbage than everything else the backup does
 * per object (issue 8); the raw bytes are also a better copy: numbers too large for a double survive.
 *
 * They track strings, escapes and nesting, which is enough to find boundaries and to notice a body cut
 * short: every error for running out of bytes has an offset at or past the end of the buffer, which is
 * how a streaming caller tells "wait for more" from "broken". Numbers and literals are not validated: the
 * body comes from the API server over TLS, and what it sends is stored as sent.
 */

/** One item of the list, as byte offsets into the body. */
export interface ScannedItem {
  /** Offset of the item's `{`. */
  start: number;
  /** Offset just after the item's `}`. */
  end: number;
  /** metadata.name, when it is a string. */
  name: string | undefined;
  /** metadata.namespace, when it is a string. */
  namespace: string | undefined;
  /** The item has a top-level `apiVersion` string (list items normally lack it; custom resources carry it). */
  hasApiVersion: boolean;
  /** The item has a top-level `kind` string. */
  hasKind: boolean;
  /**
   * Only a real parse gives this item's meaning exactly: apiVersion or kind is not a string or comes
   * twice, or a key at the top level or in metadata is escaped (the API server never does either).
   */
  needsParse: boolean;
  /**
   * Offsets of the value of metadata.managedFields (`[...]`), when present: readers that ignore it (the
   * dependency scan) can skip what is often half of an object's bytes (issue 8).
   */
  managedFields: { start: number; end: number } | undefined;
}

/** Why a body could not be scanned; the caller turns it into KubeInvalidBodyError. */
export class ListBodySyntaxError extends Error {
  /**
   * @param reason what is wrong, without the position
   * @param offset where, in bytes from the start of the body
   */
  constructor(readonly reason: string, readonly offset: number) {
    super(`${reason} at byte ${offset}`);
    this.name = 'ListBodySyntaxError';
  }

  /**
   * The body ends inside the unit being scanned. While a page streams in this only means "wait for more
   * bytes", and it is thrown at the end of nearly every chunk, so it is made without a stack trace (one was
   * most of the cost of a throw); ListStreamScanner makes a real error if the body has truly ended.
   */
  static atEnd(reason: string, offset: number): ListBodySyntaxError {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return new ListBodySyntaxError(reason, offset);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}

export const QUOTE = 0x22;
const BACKSLASH = 0x5c;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
export const COLON = 0x3a;
export const COMMA = 0x2c;

export const KEY_METADATA = Buffer.from('metadata');
const KEY_NAME = Buffer.from('name');
const KEY_NAMESPACE = Buffer.from('namespace');
const KEY_API_VERSION = Buffer.from('apiVersion');
const KEY_KIND = Buffer.from('kind');
const KEY_MANAGED_FIELDS = Buffer.from('managedFields');

/** Scans one item object, filling in its metadata fields; returns the offset after its `}`. */
export function scanItem(body: Buffer, start: number, item: ScannedItem): number {
  return forEachKey(body, start, (keyStart, keyEnd, valueStart) => {
    if (hasEscape(body, keyStart, keyEnd)) item.needsParse = true;
    // metadata is walked key by key once, not skipped and then walked again.
    if (keyEquals(body, keyStart, keyEnd, KEY_METADATA) && body[valueStart] === OPEN_BRACE) return scanMetadata(body, valueStart, item);
    const end = skipValue(body, valueStart);
    const isString = body[valueStart] === QUOTE;
    if (keyEquals(body, keyStart, keyEnd, KEY_API_VERSION)) {
      if (isString && !item.hasApiVersion) item.hasApiVersion = true;
      else item.needsParse = true;
    } else if (keyEquals(body, keyStart, keyEnd, KEY_KIND)) {
      if (isString && !item.hasKind) item.hasKind = true;
      else item.needsParse = true;
    }
    return end;
  });
}

/** Reads name, namespace and the managedFields range from the metadata object at `start`; returns the offset after it. */
function scanMetadata(body: Buffer, start: number, item: ScannedItem): number {
  return forEachKey(body, start, (keyStart, keyEnd, valueStart) => {
    const end = skipValue(body, valueStart);
    if (hasEscape(body, keyStart, keyEnd)) item.needsParse = true;
    if (body[valueStart] === QUOTE) {
      if (keyEquals(body, keyStart, keyEnd, KEY_NAME)) item.name = decodeString(body, valueStart, end);
      else if (keyEquals(body, keyStart, keyEnd, KEY_NAMESPACE)) item.namespace = decodeString(body, valueStart, end);
    } else if (body[valueStart] === OPEN_BRACKET && keyEquals(body, keyStart, keyEnd, KEY_MANAGED_FIELDS)) {
      item.managedFields = { start: valueStart, end };
    }
    return end;
  });
}

/** A fresh ScannedItem starting at `start`, before its fields are read. */
export function newScannedItem(start: number): ScannedItem {
  return { start, end: start, name: undefined, namespace: undefined, hasApiVersion: false, hasKind: false, needsParse: false, managedFields: undefined };
}

/**
 * Walks the keys of the object at `start` (a `{`). For each, `onValue(keyStart, keyEnd, valueStart)`
 * gets the key's content offsets (inside the quotes) and must return the offset after the value.
 * Returns the offset after the object's `}`.
 */
function forEachKey(body: Buffer, start: number, onValue: (keyStart: number, keyEnd: number, valueStart: number) => number): number {
  let i = skipWhitespace(body, start + 1);
  if (body[i] === CLOSE_BRACE) return i + 1;
  for (;;) {
    if (body[i] !== QUOTE) throw unexpected(body, i, 'a key');
    const keyStart = i + 1;
    const keyEnd = skipString(body, i);
    i = skipWhitespace(body, keyEnd);
    if (body[i] !== COLON) throw unexpected(body, i, '":"');
    const valueStart = skipWhitespace(body, i + 1);
    if (valueStart >= body.length) throw unexpected(body, valueStart, 'a value');
    // The key's content is inside its quotes: [keyStart, keyEnd - 1).
    i = skipWhitespace(body, onValue(keyStart, keyEnd - 1, valueStart));
    const c = body[i];
    if (c === CLOSE_BRACE) return i + 1;
    if (c !== COMMA) throw unexpected(body, i, '"," or "}"');
    i = skipWhitespace(body, i + 1);
  }
}

/** Offset after the string whose opening quote is at `i`. */
export function skipString(body: Buffer, i: number): number {
  const length = body.length;
  for (let j = i + 1; j < length; j++) {
    const c = body[j];
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH) j++;
  }
  throw ListBodySyntaxError.atEnd('the body ends inside a string', length);
}

/** Offset after the JSON value starting at `i` (a string, object, array or scalar). */
export function skipValue(body: Buffer, i: number): number {
  const length = body.length;
  const first = body[i];
  if (first === QUOTE) return skipString(body, i);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    for (let j = i; j < length; j++) {
      const c = body[j];
      if (c === QUOTE) {
        // Inline string skip: this loop is where the scanner spends its time.
        for (j++; j < length; j++) {
          const s = body[j];
          if (s === QUOTE) break;
          if (s === BACKSLASH) j++;
        }
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    throw ListBodySyntaxError.atEnd('the body ends inside an object or array', length);
  }
  // A number, true, false or null: up to the next delimiter.
  let j = i;
  while (j < length) {
    const c = body[j];
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) break;
    j++;
  }
  if (j === length) throw ListBodySyntaxError.atEnd('the body ends inside or after a value', j);
  if (j === i) throw new ListBodySyntaxError('a value is missing', j);
  return j;
}

export function skipWhitespace(body: Buffer, i: number): number {
  const length = body.length;
  while (i < length) {
    const c = body[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** Whether the key whose content spans [start, end) equals `key` (plain ASCII keys only). */
export function keyEquals(body: Buffer, start: number, end: number, key: Buffer): boolean {
  if (end - start !== key.length) return false;
  for (let k = 0; k < key.length; k++) if (body[start + k] !== key[k]) return false;
  return true;
}

function hasEscape(body: Buffer, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if (body[k] === BACKSLASH) return true;
  return false;
}

/** The string value whose quotes are at `start` and `end - 1`. */
function decodeString(body: Buffer, start: number, end: number): string {
  if (!hasEscape(body, start + 1, end - 1)) return body.toString('utf8', start + 1, end - 1);
  return JSON.parse(body.toString('utf8', start, end)) as string;
}

export function unexpected(body: Buffer, i: number, what: string): ListBodySyntaxError {
  return i >= body.length ? ListBodySyntaxError.atEnd(`the body ends where ${what} was expected`, i) : new ListBodySyntaxError(`expected ${what}`, i);
}

import { KubeApiError, KubeInvalidBodyError } from './errors';
import type { KubeResponse } from './types';

/** A plain JSON object (what JSON.parse gives for `{...}`). */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Builds the KubeApiError for a non-2xx answer. The API server usually sends a `Status` object
 * (`{"kind":"Status","reason":"Forbidden","message":...}`); aggregated API servers and proxies
 * may send plain text instead, so the body is only used when it parses.
 */
export function apiErrorFromResponse(res: KubeResponse, path: string): KubeApiError {
  let reason: string | undefined;
  let message: string | undefined;
  let continueToken: string | undefined;
  try {
    const status: unknown = JSON.parse(res.body.toString('utf8'));
    if (isJsonObject(status)) {
      if (typeof status.reason === 'string' && status.reason !== '') reason = status.reason;
      if (typeof status.message === 'string' && status.message !== '') message = status.message;
      const meta = status.metadata;
      if (isJsonObject(meta) && typeof meta.continue === 'string' && meta.continue !== '') continueToken = meta.continue;
    }
  } catch {
    // Not JSON: keep the status code alone.
  }
  return new KubeApiError(res.status, path, reason, message, continueToken === undefined ? undefined : { continueToken });
}

/** A body already read whole, as the one chunk of a streamed body. */
export async function* oneChunk(body: Buffer): AsyncGenerator<Buffer> {
  yield body;
}

/** Throws KubeApiError for a non-2xx answer, otherwise parses the body as a JSON object. */
export function parseJsonObjectResponse(res: KubeResponse, path: string): JsonObject {
  if (res.status < 200 || res.status > 299) throw apiErrorFromResponse(res, path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body.toString('utf8'));
  } catch (err) {
    // A 2xx answer that is not JSON is almost always a truncated body.
    throw new KubeInvalidBodyError(path, `invalid JSON body: ${(err as Error).message}`, { cause: err });
  }
  if (!isJsonObject(parsed)) throw new KubeInvalidBodyError(path, 'response body is not a JSON object');
  return parsed;
}

/** Attempts for a request whose 2xx body did not parse, including the first. */
export const DEFAULT_BODY_ATTEMPTS = 3;

/**
 * Runs `fetch` (one request and the parsing of its body) again when the body turned out malformed
 * (KubeInvalidBodyError). The transport retries what it can see (429, 5xx, resets); a body cut short
 * behind a complete-looking HTTP answer only shows when it is parsed, so that retry lives here, around
 * the parse. Any other error, and the last malformed body, propagate unchanged.
 */
export async function withBodyRetries<T>(fetch: () => Promise<T>, signal?: AbortSignal, attempts = DEFAULT_BODY_ATTEMPTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fetch();
    } catch (err) {
      if (!(err instanceof KubeInvalidBodyError) || attempt >= attempts) throw err;
    }
  }
}

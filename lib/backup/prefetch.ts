/**
 * Reads up to `depth` items ahead of the consumer, so that fetching page N+1 overlaps with compressing and
 * uploading page N. Memory stays bounded by `depth` items. Errors surface in order, when the consumer
 * reaches them.
 */
export async function* prefetch<T>(source: AsyncIterable<T>, depth = 1): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  const ahead: Array<Promise<IteratorResult<T>>> = [];
  const pull = () => {
    const p = it.next();
    // Avoid an unhandled rejection while the promise waits in the queue; the consumer still sees it.
    p.catch(() => undefined);
    ahead.push(p);
  };
  try {
    pull();
    for (;;) {
      const next = await ahead.shift()!;
      if (next.done) return;
      while (ahead.length < depth) pull();
      yield next.value;
    }
  } finally {
    await it.return?.();
  }
}

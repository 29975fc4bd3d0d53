import type { PrefetchBudget } from './PrefetchBudget';

interface Pending<T> {
  result: Promise<IteratorResult<T>>;
  /** Whether this read-ahead holds a page of the shared budget. */
  budgeted: boolean;
}

/**
 * Reads up to `depth` items ahead of the consumer, so that fetching page N+1 overlaps with compressing and
 * uploading page N. Memory stays bounded by `depth` items, and, when a `budget` is shared by several
 * prefetches, by the budget across all of them: an item is read ahead only when the budget has room,
 * otherwise it is read when the consumer asks for it. Errors surface in order, when the consumer
 * reaches them.
 */
export async function* prefetch<T>(source: AsyncIterable<T>, depth = 1, budget?: PrefetchBudget): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  const ahead: Array<Pending<T>> = [];
  const pull = (budgeted: boolean) => {
    const result = it.next();
    // Avoid an unhandled rejection while the promise waits in the queue; the consumer still sees it.
    result.catch(() => undefined);
    ahead.push({ result, budgeted });
  };
  try {
    for (;;) {
      if (ahead.length === 0) pull(false);
      const pending = ahead.shift()!;
      const next = await pending.result.finally(() => {
        if (pending.budgeted) budget?.release();
      });
      if (next.done) return;
      while (ahead.length < depth && (budget === undefined || budget.tryAcquire())) pull(budget !== undefined);
      yield next.value;
    }
  } finally {
    for (const pending of ahead) if (pending.budgeted) budget?.release();
    await it.return?.();
  }
}

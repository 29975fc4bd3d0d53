import { TaskPool } from './TaskPool';

/**
 * Maps items with at most `limit` calls in flight, keeping the input order in the result. After the first
 * failure no new call starts (the ones in flight finish) and that failure is what it rejects with.
 */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  const pool = new TaskPool(limit);
  for (const [i, item] of items.entries()) {
    await pool.start(async () => {
      results[i] = await fn(item);
    });
  }
  await pool.drain();
  return results;
}

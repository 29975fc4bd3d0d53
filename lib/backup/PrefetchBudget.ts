/**
 * How many pages may be fetched ahead across all the resource types listed at once. Each lister
 * always has its current page; only the read-ahead is shared. With four listers each reading one page
 * ahead, eight pages (of up to a few MiB each) were in memory at once; with a shared budget of one,
 * five are, and the fetches of the other listers still overlap the writing (issue 8).
 */
export class PrefetchBudget {
  private available: number;

  /** @param pages pages that may be held ahead at once, across every prefetch sharing this budget. */
  constructor(pages: number) {
    if (!Number.isInteger(pages) || pages < 0) throw new RangeError(`pages must be an integer >= 0, got ${pages}`);
    this.available = pages;
  }

  /** Takes one page of read-ahead if there is one left; never waits. */
  tryAcquire(): boolean {
    if (this.available === 0) return false;
    this.available -= 1;
    return true;
  }

  /** Gives back a page taken by tryAcquire(). */
  release(): void {
    this.available += 1;
  }
}

import { KubeApiError, KubeBodyInterruptedError } from '../../../lib/kube/errors';
import { compareKeys, DEFAULT_PAGE_SIZE, itemKey, streamResourceItems, type PagerOptions, type RestartInfo } from '../../../lib/kube/pager';
import { ListRestartsExhaustedError } from '../../../lib/kube/pagerErrors';
import type { ListPage } from '../../../lib/kube/types';
import { FakeListServer, makeItems, sortByKey, type FetchPage, type Item } from './helpers/fakeListServer';

/** The streaming pager, with each page handed on at once and its items gathered back into pages. */
async function collect(fetchPage: FetchPage, options?: PagerOptions): Promise<ListPage[]> {
  const pages: ListPage[] = [];
  await streamResourceItems<Record<string, unknown>>(async (req, onItems) => {
    const page = await fetchPage(req);
    pages.push({ ...page, items: [] });
    await onItems(page.items);
    return page.metadata ? { metadata: page.metadata } : {};
  }, async (items) => {
    pages[pages.length - 1]!.items.push(...items);
  }, options);
  return pages.filter((p) => p.items.length > 0);
}

const keysOf = (pages: ListPage[]) => pages.flatMap((p) => p.items.map(itemKey));
const keysOfItems = (items: Item[]) => sortByKey(items).map(itemKey);

describe('streamResourceItems', () => {
  it('fetches 500 items per page and follows the continue tokens to the end', async () => {
    expect(DEFAULT_PAGE_SIZE).toBe(500);
    const items = makeItems(1203);
    const server = new FakeListServer(items, { expectedLimit: 500 });
    const pages = await collect(server.fetchPage);
    expect(server.violations).toEqual([]);
    expect(pages.map((p) => p.items.length)).toEqual([500, 500, 203]);
    expect(keysOf(pages)).toEqual(keysOfItems(items));
    expect(server.requests.map((r) => r.continue)).toEqual([undefined, 'tok-1', 'tok-2']);
    expect(pages[2]?.metadata?.continue).toBeUndefined();
  });

  it('uses the configured page size', async () => {
    const items = makeItems(10);
    const server = new FakeListServer(items, { expectedLimit: 3 });
    const pages = await collect(server.fetchPage, { pageSize: 3 });
    expect(pages.map((p) => p.items.length)).toEqual([3, 3, 3, 1]);
    expect(keysOf(pages)).toEqual(keysOfItems(items));
  });

  it('rejects a page size that is not a positive integer', async () => {
    const server = new FakeListServer([], { expectedLimit: 0 });
    await expect(collect(server.fetchPage, { pageSize: 0 })).rejects.toBeInstanceOf(RangeError);
    expect(server.requests).toHaveLength(0);
  });

  it('yields nothing for an empty list and stops on an empty continue token', async () => {
    expect(await collect(async () => ({ items: [], metadata: { continue: '' } }))).toEqual([]);
  });

  it('yields pages unchanged, metadata included', async () => {
    const server = new FakeListServer(makeItems(2), { expectedLimit: 500 });
    const [page] = await collect(server.fetchPage);
    expect(page).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: '4711' } });
  });

  it('falls back to a full list when page 2 returns 410, yielding nothing twice and missing nothing', async () => {
    const items = makeItems(1203);
    const server = new FakeListServer(items, { expectedLimit: 500, expireOnRequests: [2] });
    const restarts: RestartInfo[] = [];
    const pages = await collect(server.fetchPage, { onRestart: (info) => restarts.push(info) });
    expect(server.violations).toEqual([]);
    expect(keysOf(pages)).toEqual(keysOfItems(items));
    expect(restarts).toEqual([{ attempt: 1, reason: expect.stringContaining('HTTP 410 Expired'), mode: 'restarted' }]);
    // page 1, the expired request, the restart from the beginning, then two more pages
    expect(server.requests.map((r) => r.continue)).toEqual([undefined, 'tok-1', undefined, 'tok-2', 'tok-3']);
  });

  describe('when the 410 carries a continue token (a real API server\'s "inconsistent continue")', () => {
    it('goes on with it from where the list stood: no page read twice, nothing missed, nothing twice', async () => {
      const items = makeItems(1203);
      const server = new FakeListServer(items, { expectedLimit: 500, expireOnRequests: [2], inconsistentContinue: true });
      const restarts: RestartInfo[] = [];
      const pages = await collect(server.fetchPage, { onRestart: (info) => restarts.push(info) });
      expect(server.violations).toEqual([]);
      expect(keysOf(pages)).toEqual(keysOfItems(items));
      expect(restarts).toEqual([{ attempt: 1, reason: expect.stringContaining('HTTP 410 Expired'), mode: 'continued' }]);
      // page 1, the expired request, then the token the 410 carried, then the last page: 1,203 items read once
      expect(server.requests.map((r) => r.continue)).toEqual([undefined, 'tok-1', 'inc-2', 'tok-3']);
    });

    it('sees what was created past the last key meanwhile, as a restart would, and not what sorts before it', async () => {
      const items = makeItems(9);
      const created: Item[] = [
        { metadata: { namespace: 'aaa', name: 'early', uid: 'new-1' } },
        { metadata: { namespace: 'zzz', name: 'late', uid: 'new-2' } },
      ];
      const server = new FakeListServer(items, {
        expectedLimit: 3, expireOnRequests: [2], inconsistentContinue: true,
        beforeRequest: (n, s) => {
          if (n === 2) s.items = sortByKey([...s.items, ...created]);
        },
      });
      const keys = keysOf(await collect(server.fetchPage, { pageSize: 3 }));
      expect(server.violations).toEqual([]);
      expect(keys).toEqual(keysOfItems([...items, created[1] as Item]));
    });

    it('does not count against maxRestarts: a list that expires at every other page still ends', async () => {
      const items = makeItems(10);
      const server = new FakeListServer(items, { expectedLimit: 2, expireOnRequests: [2, 4, 6, 8], inconsistentContinue: true });
      const restarts: RestartInfo[] = [];
      const pages = await collect(server.fetchPage, { pageSize: 2, maxRestarts: 1, onRestart: (i) => restarts.push(i) });
      expect(keysOf(pages)).toEqual(keysOfItems(items));
      expect(restarts.map((r) => `${r.attempt}:${r.mode}`)).toEqual(['1:continued', '2:continued', '3:continued', '4:continued']);
    });

    it('starts over when the token it carried expires too before any item came (no progress)', async () => {
      const items = makeItems(9);
      const server = new FakeListServer(items, { expectedLimit: 3, expireOnRequests: [2, 3], inconsistentContinue: true });
      const restarts: RestartInfo[] = [];
      const pages = await collect(server.fetchPage, { pageSize: 3, onRestart: (i) => restarts.push(i) });
      expect(server.violations).toEqual([]);
      expect(keysOf(pages)).toEqual(keysOfItems(items));
      expect(restarts.map((r) => r.mode)).toEqual(['continued', 'restarted']);
      // the second 410's own token (inc-3) is not used: nothing came since the first
      expect(server.requests.map((r) => r.continue)).toEqual([undefined, 'tok-1', 'inc-2', undefined, 'tok-4', 'tok-5']);
    });

    it('skips what a broken page handed on before its repeat met the 410', async () => {
      const items = sortByKey(makeItems(9));
      const page = (from: number, next?: string) => ({ items: items.slice(from, from + 3), ...(next ? { metadata: { continue: next } } : {}) });
      const calls: Array<string | undefined> = [];
      const handed: string[] = [];
      await streamResourceItems<Item>(async (req, onItems) => {
        calls.push(req.continue);
        const n = calls.length;
        if (n === 2) {
          // The second page's first item goes out, then its body breaks: the page is asked for again...
          await onItems(items.slice(3, 4));
          throw new KubeBodyInterruptedError('/api/v1/configmaps', 'socket hang up');
        }
        // ...and that repeat meets the 410, whose token goes on after the first page, as the expired one did.
        if (n === 3) throw new KubeApiError(410, '/api/v1/configmaps', 'Expired', 'too old', { continueToken: 'b' });
        const p = n === 1 ? page(0, 'a') : n === 4 ? page(3, 'c') : page(6);
        await onItems(p.items);
        return p;
      }, async (got) => void handed.push(...got.map(itemKey)), { pageSize: 3 });
      expect(calls).toEqual([undefined, 'a', 'a', 'b', 'c']);
      expect(handed).toEqual(items.map(itemKey));
    });
  });

  it('skips pages that hold only items already yielded instead of yielding them empty', async () => {
    const items = makeItems(12);
    const server = new FakeListServer(items, { expectedLimit: 3, expireOnRequests: [4] });
    const pages = await collect(server.fetchPage, { pageSize: 3 });
    expect(server.violations).toEqual([]);
    expect(pages.every((p) => p.items.length > 0)).toBe(true);
    expect(keysOf(pages)).toEqual(keysOfItems(items));
    // Pages 1-3 were yielded; after the restart the first three pages are all old items.
    expect(pages).toHaveLength(4);
  });

  it('after a restart yields items created past the last key and skips ones created before it', async () => {
    const items = makeItems(9);
    const created: Item[] = [
      { metadata: { namespace: 'aaa', name: 'early', uid: 'new-1' } },
      { metadata: { namespace: 'zzz', name: 'late', uid: 'new-2' } },
    ];
    const server = new FakeListServer(items, {
      expectedLimit: 3,
      expireOnRequests: [2],
      beforeRequest: (n, s) => {
        if (n === 2) s.items = sortByKey([...s.items, ...created]);
      },
    });
    const pages = await collect(server.fetchPage, { pageSize: 3 });
    const keys = keysOf(pages);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(keysOfItems([...items, created[1] as Item]));
  });

  it('compares keys in etcd byte order, where "team-a/" sorts before "team/"', async () => {
    expect(compareKeys('team-a/x', 'team/x')).toBeLessThan(0);
    expect(itemKey({ metadata: { namespace: 'team', name: 'x' } })).toBe('team/x');
    expect(itemKey({ metadata: { name: 'cluster-admin' } })).toBe('cluster-admin');
    const items = makeItems(40, ['team', 'team-a', 'team-b']);
    for (let expireOn = 2; expireOn <= 8; expireOn++) {
      const server = new FakeListServer(items, { expectedLimit: 7, expireOnRequests: [expireOn] });
      const pages = await collect(server.fetchPage, { pageSize: 7 });
      expect(server.violations).toEqual([]);
      expect(keysOf(pages)).toEqual(keysOfItems(items));
    }
  });

  it('restarts cluster-scoped lists by name', async () => {
    const items: Item[] = ['system:node', 'admin', 'cluster-admin', 'edit', 'view', 'system:basic-user'].map((name, i) => ({ metadata: { name, uid: `u${i}` } }));
    const server = new FakeListServer(items, { expectedLimit: 2, expireOnRequests: [3] });
    const pages = await collect(server.fetchPage, { pageSize: 2 });
    expect(keysOf(pages)).toEqual(['admin', 'cluster-admin', 'edit', 'system:basic-user', 'system:node', 'view']);
  });

  it('gives up with ListRestartsExhaustedError after maxRestarts expiries', async () => {
    const server = new FakeListServer(makeItems(10), { expectedLimit: 3, expireOnRequests: [2, 4, 6, 8] });
    const restarts: number[] = [];
    const yielded: string[] = [];
    const run = async () => {
      for (const page of await collect(server.fetchPage, { pageSize: 3, onRestart: (i) => restarts.push(i.attempt) })) {
        yielded.push(...page.items.map(itemKey));
      }
    };
    const err = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ListRestartsExhaustedError);
    expect((err as ListRestartsExhaustedError).restarts).toBe(3);
    expect((err as ListRestartsExhaustedError).cause).toBeInstanceOf(KubeApiError);
    expect(restarts).toEqual([1, 2, 3]);
    expect(new Set(yielded).size).toBe(yielded.length);
    expect(server.requests).toHaveLength(8);
  });

  it('honours maxRestarts: 0 by failing on the first expiry', async () => {
    const server = new FakeListServer(makeItems(10), { expectedLimit: 3, expireOnRequests: [2] });
    await expect(collect(server.fetchPage, { pageSize: 3, maxRestarts: 0 })).rejects.toBeInstanceOf(ListRestartsExhaustedError);
    expect(server.requests).toHaveLength(2);
  });

  it('propagates a 410 on the first request instead of restarting', async () => {
    const gone = new KubeApiError(410, '/api/v1/configmaps', 'Expired');
    let calls = 0;
    await expect(collect(async () => {
      calls += 1;
      throw gone;
    })).rejects.toBe(gone);
    expect(calls).toBe(1);
  });

  it('propagates a 403 unchanged as KubeApiError', async () => {
    const forbidden = new KubeApiError(403, '/api/v1/secrets', 'Forbidden', 'secrets is forbidden: User "view" cannot list resource "secrets"');
    await expect(collect(async () => {
      throw forbidden;
    })).rejects.toBe(forbidden);
  });

  it('does not restart on other errors of a continue request', async () => {
    const server = new FakeListServer(makeItems(10), { expectedLimit: 3 });
    const unavailable = new KubeApiError(503, '/api/v1/configmaps', 'ServiceUnavailable');
    const restarts: RestartInfo[] = [];
    const fetchPage: FetchPage = async (req) => {
      if (req.continue !== undefined) throw unavailable;
      return server.fetchPage(req);
    };
    await expect(collect(fetchPage, { pageSize: 3, onRestart: (i) => restarts.push(i) })).rejects.toBe(unavailable);
    expect(restarts).toEqual([]);
  });

  it('stops with the signal reason when aborted mid-way, without fetching another page', async () => {
    const server = new FakeListServer(makeItems(10), { expectedLimit: 3 });
    const controller = new AbortController();
    const reason = new Error('Lambda deadline near');
    const seen: string[] = [];
    const run = () => streamResourceItems<Item>(async (req, onItems) => {
      const page = await server.fetchPage(req);
      await onItems(page.items as Item[]);
      return page.metadata ? { metadata: page.metadata } : {};
    }, async (items) => {
      seen.push(...items.map(itemKey));
      controller.abort(reason);
    }, { pageSize: 3, signal: controller.signal });
    await expect(run()).rejects.toBe(reason);
    expect(seen).toHaveLength(3);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.signal).toBe(controller.signal);
  });

  it('throws an AbortError before the first request when the signal is already aborted', async () => {
    const server = new FakeListServer(makeItems(3), { expectedLimit: 500 });
    const controller = new AbortController();
    controller.abort();
    await expect(collect(server.fetchPage, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.requests).toHaveLength(0);
  });
});

describe('FakeListServer', () => {
  // The fake must really fail a pager that breaks an invariant, or the tests above prove nothing.
  it('fails on a wrong limit, a forged token and a resourceVersion', async () => {
    const server = new FakeListServer(makeItems(5), { expectedLimit: 2 });
    await expect(server.fetchPage({ limit: 3 })).rejects.toThrow('limit 3');
    await expect(server.fetchPage({ limit: 2, continue: 'made-up' })).rejects.toThrow('never issued');
    const withRv = { limit: 2, resourceVersion: '1' };
    await expect(server.fetchPage(withRv)).rejects.toThrow('resourceVersion');
    expect(server.violations).toHaveLength(3);
  });
});

import { meanBaseline, postBaseline, type PreparedWrite } from '../../../bench/postBaseline';

// Timers may fire up to a millisecond early by performance.now() (libuv keeps a millisecond clock per loop turn):
// wait until the same clock the baseline reads has moved at least `ms`.
async function sleepAtLeast(ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(end - performance.now()))));
}

const writes = (n: number, kind: string): PreparedWrite[] =>
  Array.from({ length: n }, (_, i) => ({ collection: `/api/v1/namespaces/t/${kind}`, body: { metadata: { name: `${kind}-${i}` } } }));

describe('postBaseline', () => {
  it('writes tier by tier in restore order, and times each type from its first POST to its last answer', async () => {
    const order: string[] = [];
    let inFlight = 0;
    let most = 0;
    const api = {
      create: async (collection: string): Promise<void> => {
        inFlight++;
        most = Math.max(most, inFlight);
        order.push(collection.split('/').at(-1)!);
        // Deployments are slower to create than config maps, as on an API server.
        await sleepAtLeast(collection.endsWith('deployments') ? 6 : 1);
        inFlight--;
      },
    };
    const run = await postBaseline(api, new Map([
      ['deployments.apps', writes(12, 'deployments')],
      ['namespaces', writes(4, 'namespaces')],
    ]), 4);
    expect(run.objects).toBe(16);
    expect(most).toBe(4);
    // Namespaces come first (tier 1), whatever the map's order.
    expect(order.slice(0, 4)).toEqual(['namespaces', 'namespaces', 'namespaces', 'namespaces']);
    expect(run.byType.map((t) => [t.type, t.objects])).toEqual([['namespaces', 4], ['deployments.apps', 12]]);
    const [ns, deploy] = run.byType;
    expect(deploy!.ms).toBeGreaterThanOrEqual(3 * 6);
    expect(deploy!.ms).toBeGreaterThan(ns!.ms);
    expect(ns!.ms + deploy!.ms).toBeLessThanOrEqual(run.ms + 1);
  });

  it('averages runs on either side of the restore, type by type, a type only one run wrote kept', () => {
    const mean = meanBaseline([
      { ms: 100, cpuMs: 10, objects: 40, byType: [{ type: 'namespaces', objects: 4, ms: 10 }, { type: 'configmaps', objects: 36, ms: 90 }] },
      { ms: 140, cpuMs: 20, objects: 40, byType: [{ type: 'namespaces', objects: 4, ms: 20 }, { type: 'configmaps', objects: 36, ms: 110 }, { type: 'secrets', objects: 2, ms: 5 }] },
    ]);
    expect(mean).toEqual({
      ms: 120, cpuMs: 15, objects: 40,
      byType: [{ type: 'namespaces', objects: 4, ms: 15 }, { type: 'configmaps', objects: 36, ms: 100 }, { type: 'secrets', objects: 2, ms: 5 }],
    });
    expect(() => meanBaseline([])).toThrow(RangeError);
  });
});

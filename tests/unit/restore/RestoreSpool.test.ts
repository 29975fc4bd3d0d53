import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RecoveryPointObject } from '../../../lib/recovery-point/RecoveryPointReader';
import { RestoreSpool } from '../../../lib/restore/RestoreSpool';

function entry(resourceName: string, i: number): RecoveryPointObject {
  const name = `obj-${i}`;
  return {
    path: `resources/${resourceName}/namespaces/default/${name}.json`,
    resourceName,
    namespace: 'default',
    name,
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', uid: `0000000${i % 10}-0000-4000-8000-000000000000` } },
    bytes: 100,
  };
}

/** A reader whose archive yields `count` objects over `types` types, then breaks (a body cut mid-archive). */
function breakingReader(types: number, count: number, error: Error): { objects: () => AsyncGenerator<RecoveryPointObject> } {
  return {
    async *objects() {
      for (let i = 0; i < count; i += 1) yield entry(`type${i % types}`, i);
      throw error;
    },
  };
}

describe('RestoreSpool.fill', () => {
  let parent: string;
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'spool-test-'));
  });
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  it('spools each type to its own file and reads them back in archive order', async () => {
    const reader = { async *objects() { for (let i = 0; i < 30; i += 1) yield entry(`type${i % 3}`, i); } };
    const spool = await RestoreSpool.fill(reader, { directory: parent });
    try {
      expect(spool.types()).toEqual([
        { resourceName: 'type0', count: 10 },
        { resourceName: 'type1', count: 10 },
        { resourceName: 'type2', count: 10 },
      ]);
      const names: string[] = [];
      for await (const obj of spool.objects('type1')) names.push(String((obj.metadata as { name: string }).name));
      expect(names).toEqual([1, 4, 7, 10, 13, 16, 19, 22, 25, 28].map((i) => `obj-${i}`));
      // A durable chunk's range: the positions within the type, archive order.
      const chunk: string[] = [];
      for await (const obj of spool.objects('type1', { from: 3, to: 6 })) chunk.push(String((obj.metadata as { name: string }).name));
      expect(chunk).toEqual(['obj-10', 'obj-13', 'obj-16']);
      expect(spool.hasUid('00000003-0000-4000-8000-000000000000')).toBe(true);
      expect(spool.hasUid('0000000a-0000-4000-8000-000000000000')).toBe(false);
    } finally {
      spool.dispose();
    }
    expect(readdirSync(parent)).toEqual([]);
  });

  // The CI failure this guards: on Node 22 the writes still buffered in files not yet open were
  // destroyed with no error listener, and ERR_STREAM_DESTROYED crashed the process instead of the
  // read's own error reaching the caller.
  it('a read that breaks while writes are still buffered rejects with the read error, removes the spool, and nothing else fails later', async () => {
    const late: unknown[] = [];
    const onLate = (err: unknown): void => {
      late.push(err);
    };
    process.on('uncaughtException', onLate);
    try {
      const cut = new Error('the archive download broke off');
      await expect(RestoreSpool.fill(breakingReader(40, 4000, cut), { directory: parent })).rejects.toBe(cut);
      await sleep(200);
      expect(late).toEqual([]);
      expect(readdirSync(parent)).toEqual([]);
    } finally {
      process.off('uncaughtException', onLate);
    }
  });

  it('a spool file that cannot be written fails the fill with that error', async () => {
    const missing = join(parent, 'gone');
    const reader = {
      async *objects() {
        yield entry('type0', 0);
        rmSync(missing, { recursive: true, force: true });
        for (let i = 1; i < 2000; i += 1) yield entry(`type${i % 20}`, i);
      },
    };
    // The spool folder is created inside `missing`; removing it mid-read makes the next files fail to open.
    mkdirSync(missing);
    await expect(RestoreSpool.fill(reader, { directory: missing })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(existsSync(missing)).toBe(false);
  });
});

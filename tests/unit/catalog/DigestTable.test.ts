import { createHash } from 'node:crypto';
import { DigestTable } from '../../../lib/catalog/DigestTable';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

describe('DigestTable', () => {
  it('tells absent, same and changed apart, and which keys were never matched', () => {
    const table = new DigestTable(4);
    table.set('configmaps/a/one', digest('1'));
    table.set('configmaps/a/two', digest('2'));
    table.set('secrets/a/three', digest('3'));
    expect(table.size).toBe(3);
    expect(table.match('configmaps/a/one', digest('1'))).toBe('same');
    expect(table.match('configmaps/a/two', digest('2 changed'))).toBe('changed');
    expect(table.match('configmaps/a/new', digest('1'))).toBe('absent');
    expect(table.unseen()).toBe(1);
    expect(table.wasSeen('configmaps/a/one')).toBe(true);
    expect(table.wasSeen('configmaps/a/two')).toBe(true);
    expect(table.wasSeen('secrets/a/three')).toBe(false);
    expect(table.wasSeen('configmaps/a/new')).toBe(false);
  });

  it('a key set twice is held once, with its last digest', () => {
    const table = new DigestTable();
    table.set('k', digest('old'));
    table.set('k', digest('new'));
    expect(table.size).toBe(1);
    expect(table.match('k', digest('new'))).toBe('same');
  });

  it('grows past what it expected and keeps every key, digest and seen mark', () => {
    const table = new DigestTable(1);
    for (let i = 0; i < 20_000; i++) {
      table.set(`pods/ns-${i % 7}/pod-${i}`, digest(String(i)));
      if (i === 100) expect(table.match('pods/ns-2/pod-9', digest('9'))).toBe('same');
    }
    expect(table.size).toBe(20_000);
    expect(table.wasSeen('pods/ns-2/pod-9')).toBe(true);
    let same = 0;
    for (let i = 0; i < 20_000; i += 2) if (table.match(`pods/ns-${i % 7}/pod-${i}`, digest(String(i))) === 'same') same++;
    expect(same).toBe(10_000);
    // Half matched here, plus pod-9 matched before the table grew.
    expect(table.unseen()).toBe(10_000 - 1);
  });

  it('compares only the first 8 bytes of a digest (64 bits)', () => {
    const table = new DigestTable();
    const a = Buffer.alloc(32, 1);
    const b = Buffer.concat([a.subarray(0, 8), Buffer.alloc(24, 2)]);
    table.set('k', a);
    expect(table.match('k', b)).toBe('same');
    expect(table.match('k', Buffer.alloc(32, 3))).toBe('changed');
  });
});

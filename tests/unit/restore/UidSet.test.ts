import { randomUUID } from 'node:crypto';
import { UidSet } from '../../../lib/restore/UidSet';

describe('UidSet', () => {
  it('answers has() for every uid added, in any order, and for no other', () => {
    const added = Array.from({ length: 5000 }, () => randomUUID());
    const others = Array.from({ length: 5000 }, () => randomUUID());
    const set = new UidSet();
    for (const uid of added) set.add(uid);
    expect(added.every((uid) => set.has(uid))).toBe(true);
    expect(others.some((uid) => set.has(uid))).toBe(false);
    // Added after a has(): sorted again when next asked.
    set.add(others[0]!);
    expect(set.has(others[0]!)).toBe(true);
    expect(set.has(others[1]!)).toBe(false);
  });

  it('keeps a uid that is not a UUID as it is', () => {
    const set = new UidSet();
    set.add('not-a-uuid');
    expect(set.has('not-a-uuid')).toBe(true);
    expect(set.has('not-a-uuiD')).toBe(false);
    expect(UidSet.keyOf('not-a-uuid')).toBe('not-a-uuid');
  });

  it('keys a UUID by 52 bits of it, a number a double holds exactly, and finds it by that key', () => {
    const key = UidSet.keyOf('0123abcd-ef01-4000-8000-000000000000');
    expect(key).toBe(0x0123abcdef014);
    const set = new UidSet();
    set.addKey(key);
    expect(set.has('0123abcd-ef01-4000-8000-000000000000')).toBe(true);
    expect(set.hasKey(key)).toBe(true);
  });
});

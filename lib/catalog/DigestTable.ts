import { createHash } from 'node:crypto';

/** Slot layout in 32-bit words: key hash (2), object digest (2). A key hash of 0/0 marks an empty slot. */
const WORDS = 4;

/**
 * Object key -> 64-bit digest, for diff: 16 bytes per slot in one typed array instead of two strings and a
 * Map entry per object (a Map of strings took about 450 bytes per object: 275 MiB peak at 300k objects,
 * over a 320 MB Lambda's heap at a million). Keys are kept only as a 64-bit hash, so the table cannot name
 * what it holds: `unseen()` says which slots were never matched, and the caller names them in a later
 * pass over the same archive with `wasSeen()`. Two keys sharing a 64-bit hash in one recovery point (about
 * one chance in 3.6e7 at a million objects) would make diff count one of them as changed, never lose it.
 */
export class DigestTable {
  #slots: Uint32Array;
  #seen: Uint8Array;
  #size = 0;

  /** @param expected objects it will hold (the manifest's count); it grows past that if needed */
  constructor(expected = 1024) {
    const capacity = capacityFor(expected);
    this.#slots = new Uint32Array(capacity * WORDS);
    this.#seen = new Uint8Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Records `digest` for `key` (a later set of the same key replaces it). */
  set(key: string, digest: Buffer): void {
    if ((this.#size + 1) * 2 > this.#seen.length) this.#grow();
    const [h0, h1] = hashKey(key);
    const slot = this.#find(h0, h1);
    const at = slot * WORDS;
    if (this.#slots[at] === 0 && this.#slots[at + 1] === 0) this.#size++;
    this.#slots[at] = h0;
    this.#slots[at + 1] = h1;
    this.#slots[at + 2] = digest.readUInt32BE(0);
    this.#slots[at + 3] = digest.readUInt32BE(4);
  }

  /**
   * Looks `key` up and marks it seen. Returns 'absent', 'same' (the digest matches) or 'changed'.
   */
  match(key: string, digest: Buffer): 'absent' | 'same' | 'changed' {
    const [h0, h1] = hashKey(key);
    const slot = this.#find(h0, h1);
    const at = slot * WORDS;
    if (this.#slots[at] === 0 && this.#slots[at + 1] === 0) return 'absent';
    this.#seen[slot] = 1;
    return this.#slots[at + 2] === digest.readUInt32BE(0) && this.#slots[at + 3] === digest.readUInt32BE(4) ? 'same' : 'changed';
  }

  /** Whether `key` is held and was matched (false for a key it does not hold). */
  wasSeen(key: string): boolean {
    const [h0, h1] = hashKey(key);
    const slot = this.#find(h0, h1);
    return this.#seen[slot] === 1 && !(this.#slots[slot * WORDS] === 0 && this.#slots[slot * WORDS + 1] === 0);
  }

  /** How many held keys were never matched. */
  unseen(): number {
    let n = 0;
    for (let slot = 0; slot < this.#seen.length; slot++) {
      const at = slot * WORDS;
      if (this.#seen[slot] === 0 && (this.#slots[at] !== 0 || this.#slots[at + 1] !== 0)) n++;
    }
    return n;
  }

  /** Linear probing: the slot holding (h0, h1), or the empty slot where it would go. */
  #find(h0: number, h1: number): number {
    const mask = this.#seen.length - 1;
    let slot = (h0 ^ Math.imul(h1, 0x9e3779b1)) & mask;
    for (;;) {
      const at = slot * WORDS;
      const k0 = this.#slots[at]!;
      const k1 = this.#slots[at + 1]!;
      if ((k0 === 0 && k1 === 0) || (k0 === h0 && k1 === h1)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  #grow(): void {
    const old = this.#slots;
    const oldSeen = this.#seen;
    const capacity = oldSeen.length * 2;
    this.#slots = new Uint32Array(capacity * WORDS);
    this.#seen = new Uint8Array(capacity);
    for (let slot = 0; slot < oldSeen.length; slot++) {
      const at = slot * WORDS;
      if (old[at] === 0 && old[at + 1] === 0) continue;
      const to = this.#find(old[at]!, old[at + 1]!) * WORDS;
      this.#slots.set(old.subarray(at, at + WORDS), to);
      this.#seen[to / WORDS] = oldSeen[slot]!;
    }
  }
}

/** 64 bits of SHA-256 of the key, never 0/0 (the empty-slot mark). */
function hashKey(key: string): [number, number] {
  const h = createHash('sha256').update(key).digest();
  const h0 = h.readUInt32BE(0);
  const h1 = h.readUInt32BE(4);
  return h0 === 0 && h1 === 0 ? [0, 1] : [h0, h1];
}

/** A power of two with the load kept at or under one half. */
function capacityFor(expected: number): number {
  let capacity = 16;
  while (capacity < expected * 2) capacity *= 2;
  return capacity;
}

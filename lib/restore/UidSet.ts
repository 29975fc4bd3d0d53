/**
 * The uids of a recovery point's objects, compact: 52 bits of each (they are random UUIDs) in one growing
 * Float64Array, sorted once when first asked: 8 bytes an object where a Set spends about 40 (a million-object
 * restore's prepare held 50 MB of them). A uid that is not a UUID is kept as it is, in a Set beside.
 */
export class UidSet {
  #keys = new Float64Array(1024);
  #size = 0;
  #sorted = true;
  readonly #others = new Set<string>();

  /** The key a uid is kept by: a number for a UUID, the uid itself otherwise. */
  static keyOf(uid: string): number | string {
    const hex = uid.replace(/-/g, '');
    return /^[0-9a-fA-F]{13}/.test(hex) ? Number.parseInt(hex.slice(0, 13), 16) : uid;
  }

  add(uid: string): void {
    this.addKey(UidSet.keyOf(uid));
  }

  addKey(key: number | string): void {
    if (typeof key === 'string') {
      this.#others.add(key);
      return;
    }
    if (this.#size === this.#keys.length) {
      const grown = new Float64Array(this.#keys.length * 2);
      grown.set(this.#keys);
      this.#keys = grown;
    }
    if (this.#sorted && this.#size > 0 && this.#keys[this.#size - 1]! > key) this.#sorted = false;
    this.#keys[this.#size++] = key;
  }

  has(uid: string): boolean {
    return this.hasKey(UidSet.keyOf(uid));
  }

  hasKey(key: number | string): boolean {
    if (typeof key === 'string') return this.#others.has(key);
    if (!this.#sorted) {
      this.#keys.subarray(0, this.#size).sort();
      this.#sorted = true;
    }
    let lo = 0;
    let hi = this.#size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.#keys[mid]!;
      if (at === key) return true;
      if (at < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}

/**
 * A hash set of packed states (Int32Array rows in one growable pool), open addressing on a 32-bit mix hash.
 */

/** Hash an Int32Array (murmur3-style mixing). */
export function hashState(s: Int32Array): number {
  let h = 0x9747b28c ^ s.length;
  for (let i = 0; i < s.length; i++) {
    let k = s[i]! | 0;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Deduplicating store of fixed-width states; ids are dense and stable (insertion order). */
export class StateStore {
  readonly width: number;
  private pool: Int32Array;
  private table: Int32Array;
  private mask: number;
  size = 0;

  constructor(width: number, initialCapacity = 1024) {
    this.width = width;
    this.pool = new Int32Array(width * initialCapacity);
    let cap = 1;
    while (cap < initialCapacity * 2) cap <<= 1;
    this.table = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
  }

  private equalsAt(id: number, s: Int32Array): boolean {
    const base = id * this.width;
    const p = this.pool;
    for (let i = 0; i < this.width; i++) if (p[base + i] !== s[i]) return false;
    return true;
  }

  private grow(): void {
    const np = new Int32Array(this.pool.length * 2);
    np.set(this.pool);
    this.pool = np;
    const cap = this.table.length * 2;
    const nt = new Int32Array(cap).fill(-1);
    const mask = cap - 1;
    for (let id = 0; id < this.size; id++) {
      let h = hashState(this.pool.subarray(id * this.width, (id + 1) * this.width)) & mask;
      while (nt[h] !== -1) h = (h + 1) & mask;
      nt[h] = id;
    }
    this.table = nt;
    this.mask = mask;
  }

  /** Id of s if present, else -1. */
  find(s: Int32Array): number {
    let h = hashState(s) & this.mask;
    for (;;) {
      const id = this.table[h]!;
      if (id === -1) return -1;
      if (this.equalsAt(id, s)) return id;
      h = (h + 1) & this.mask;
    }
  }

  /** Insert s; returns its id, negated minus one (-(id+1)) when it was already present. */
  add(s: Int32Array): number {
    let h = hashState(s) & this.mask;
    for (;;) {
      const id = this.table[h]!;
      if (id === -1) break;
      if (this.equalsAt(id, s)) return -(id + 1);
      h = (h + 1) & this.mask;
    }
    if ((this.size + 1) * this.width > this.pool.length || (this.size + 1) * 2 > this.table.length) {
      this.grow();
      return this.add(s);
    }
    const id = this.size++;
    this.pool.set(s, id * this.width);
    this.table[h] = id;
    return id;
  }

  /** A copy of state id. */
  get(id: number): Int32Array {
    return this.pool.slice(id * this.width, (id + 1) * this.width);
  }
}

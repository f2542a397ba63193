/**
 * A hash set of packed states (Int32Array rows in one growable pool), open addressing on a 32-bit mix hash.
 */

/** Hash an Int32Array: one multiply-xor per slot (most slots are small), then a murmur3 finaliser. */
export function hashState(s: Int32Array): number {
  let h = 0x811c9dc5 ^ s.length;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s[i]!, 0x01000193) + i;
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
  /** Full 32-bit hash per id: probes compare it before comparing states; growth never rehashes states. */
  private hashes: Int32Array;
  private table: Int32Array;
  private mask: number;
  size = 0;

  constructor(width: number, initialCapacity = 1024) {
    this.width = width;
    this.pool = new Int32Array(width * initialCapacity);
    this.hashes = new Int32Array(initialCapacity);
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
    if ((this.size + 1) * this.width > this.pool.length) {
      const np = new Int32Array(this.pool.length * 2);
      np.set(this.pool);
      this.pool = np;
      const nh = new Int32Array(this.hashes.length * 2);
      nh.set(this.hashes);
      this.hashes = nh;
    }
    if ((this.size + 1) * 2 > this.table.length) {
      const cap = this.table.length * 2;
      const nt = new Int32Array(cap).fill(-1);
      const mask = cap - 1;
      for (let id = 0; id < this.size; id++) {
        let h = this.hashes[id]! & mask;
        while (nt[h] !== -1) h = (h + 1) & mask;
        nt[h] = id;
      }
      this.table = nt;
      this.mask = mask;
    }
  }

  /** Id of s if present, else -1. */
  find(s: Int32Array): number {
    const full = hashState(s) | 0;
    let h = full & this.mask;
    for (;;) {
      const id = this.table[h]!;
      if (id === -1) return -1;
      if (this.hashes[id] === full && this.equalsAt(id, s)) return id;
      h = (h + 1) & this.mask;
    }
  }

  /** Insert s; returns its id, negated minus one (-(id+1)) when it was already present. */
  add(s: Int32Array): number {
    const full = hashState(s) | 0;
    let h = full & this.mask;
    for (;;) {
      const id = this.table[h]!;
      if (id === -1) break;
      if (this.hashes[id] === full && this.equalsAt(id, s)) return -(id + 1);
      h = (h + 1) & this.mask;
    }
    if ((this.size + 1) * this.width > this.pool.length || (this.size + 1) * 2 > this.table.length) {
      this.grow();
      return this.add(s);
    }
    const id = this.size++;
    this.pool.set(s, id * this.width);
    this.hashes[id] = full;
    this.table[h] = id;
    return id;
  }

  /** A copy of state id. */
  get(id: number): Int32Array {
    return this.pool.slice(id * this.width, (id + 1) * this.width);
  }
}

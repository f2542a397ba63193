/**
 * A hash set of packed states: open addressing (linear probing) over one Int32Array of (hash, id + 1) pairs, the
 * states themselves in fixed-size chunks that are never copied. The table is pre-sized from the caller's estimate
 * of the state count; when it must grow, it is rebuilt from its own (hash, id) pairs in one sequential pass (no
 * state is read or re-hashed). A probe compares the full 32-bit hash before touching a state.
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

/** Largest state count the table is pre-sized for (2^21 states: 2^22 slots of 8 bytes). */
const MAX_PRESIZE = 1 << 21;

/** Smallest power of two ≥ n (n ≥ 1). */
function pow2(n: number): number {
  let c = 1;
  while (c < n) c *= 2;
  return c;
}

/** Deduplicating store of fixed-width states; ids are dense and stable (insertion order). */
export class StateStore {
  readonly width: number;
  /** States `k << shift … ((k + 1) << shift) - 1` live in chunks[k], allocated when first needed. */
  private readonly chunks: Int32Array[] = [];
  private readonly shift: number;
  private readonly low: number;
  /** Slot i: table[2i] = full hash, table[2i + 1] = id + 1 (0: empty). */
  private table: Int32Array;
  /** Slot count - 1 (a power of two minus one). */
  private mask: number;
  /** Size at which the table grows (load factor 1/2). */
  private limit: number;
  size = 0;

  /**
   * `expected`: estimated number of states (the table and the chunk size are sized from it; beyond 2M states the
   * table starts at 2M and grows, so a loose estimate never allocates more than 32 MB up front).
   */
  constructor(width: number, expected = 1024) {
    this.width = width;
    const n = Math.min(MAX_PRESIZE, Math.max(16, Math.floor(expected)));
    const per = Math.min(1 << 16, Math.max(256, pow2(n)));
    this.shift = Math.log2(per);
    this.low = per - 1;
    const slots = pow2(n * 2);
    this.table = new Int32Array(slots * 2);
    this.mask = slots - 1;
    this.limit = slots >>> 1;
  }

  private equalsAt(id: number, s: Int32Array): boolean {
    const w = this.width;
    const c = this.chunks[id >>> this.shift]!;
    const base = (id & this.low) * w;
    for (let i = 0; i < w; i++) if (c[base + i] !== s[i]) return false;
    return true;
  }

  /** Double the slot count, re-placing the (hash, id) pairs: sequential reads of the old table, no state access. */
  private growTable(): void {
    const old = this.table;
    const slots = (this.mask + 1) * 2;
    const t = new Int32Array(slots * 2);
    const mask = slots - 1;
    for (let j = 0; j < old.length; j += 2) {
      const v = old[j + 1]!;
      if (v === 0) continue;
      const hash = old[j]!;
      let h = hash & mask;
      while (t[2 * h + 1] !== 0) h = (h + 1) & mask;
      t[2 * h] = hash;
      t[2 * h + 1] = v;
    }
    this.table = t;
    this.mask = mask;
    this.limit = slots >>> 1;
  }

  /** Id of s if present, else -1. */
  find(s: Int32Array): number {
    const full = hashState(s) | 0;
    const t = this.table;
    const mask = this.mask;
    let h = full & mask;
    for (;;) {
      const v = t[2 * h + 1]!;
      if (v === 0) return -1;
      if (t[2 * h] === full && this.equalsAt(v - 1, s)) return v - 1;
      h = (h + 1) & mask;
    }
  }

  /**
   * Insert s; returns its id, negated minus one (-(id+1)) when it was already present. `full`: hashState(s) when
   * the caller already has it (as a signed 32-bit value).
   */
  add(s: Int32Array, full: number = hashState(s) | 0): number {
    let t = this.table;
    let mask = this.mask;
    let h = full & mask;
    for (;;) {
      const v = t[2 * h + 1]!;
      if (v === 0) break;
      if (t[2 * h] === full && this.equalsAt(v - 1, s)) return -v;
      h = (h + 1) & mask;
    }
    const id = this.size;
    if (id >= this.limit) {
      this.growTable();
      t = this.table;
      mask = this.mask;
      h = full & mask;
      while (t[2 * h + 1] !== 0) h = (h + 1) & mask;
    }
    const k = id >>> this.shift;
    let c = this.chunks[k];
    if (c === undefined) {
      c = new Int32Array((this.low + 1) * this.width);
      this.chunks.push(c);
    }
    c.set(s, (id & this.low) * this.width);
    t[2 * h] = full;
    t[2 * h + 1] = id + 1;
    this.size = id + 1;
    return id;
  }

  /** A copy of state id. */
  get(id: number): Int32Array {
    const base = (id & this.low) * this.width;
    return this.chunks[id >>> this.shift]!.slice(base, base + this.width);
  }
}

/**
 * Compact state keys for the visited set: slots that always fit a byte are packed four to a word, the few wide
 * slots (bit masks over PTEs/pages) keep a word; slots that never change in the scenario are left out. Packing
 * is injective for byte slots in [-128, 255].
 */
import { LV, TH, TL, localAt, thAt, tlbAt } from './layout.ts';
import type { Compiled } from './compile.ts';
import type { Layout } from './layout.ts';

export class Packer {
  /** Width of a key in Int32 words. */
  readonly words: number;
  private readonly wide: Int32Array;
  private readonly narrow: Int32Array;
  private readonly buf: Int32Array;
  /** hashState() of the last key returned (as a signed 32-bit value). */
  hash = 0;

  /** `constant`: slots that never change in this scenario (left out of the key). */
  constructor(L: Layout, width: number, constant: ReadonlySet<number> = new Set()) {
    const wideSet = new Set<number>();
    for (let t = 0; t < L.nThreads; t++) {
      if (L.nPtes * 3 > 8) wideSet.add(thAt(L, t) + TH.pendingMarks);
      if (L.nPages > 8) wideSet.add(thAt(L, t) + TH.gDeferred);
    }
    const wide: number[] = [];
    const narrow: number[] = [];
    for (let i = 0; i < width; i++) if (!constant.has(i)) (wideSet.has(i) ? wide : narrow).push(i);
    this.wide = Int32Array.from(wide);
    this.narrow = Int32Array.from(narrow);
    this.words = wide.length + Math.ceil(narrow.length / 4);
    this.buf = new Int32Array(this.words);
  }

  /** The key of s (a buffer reused by the next call), or undefined when a byte slot is out of range. */
  key(s: Int32Array): Int32Array | undefined {
    const w = this.wide;
    const b = this.buf;
    const nw = w.length;
    // The hash of the key (hashState's formula) is computed on the way: the store need not read the key again.
    let h = 0x811c9dc5 ^ this.words;
    for (let j = 0; j < nw; j++) {
      const x = s[w[j]!]!;
      b[j] = x;
      h = Math.imul(h ^ x, 0x01000193) + j;
    }
    // Four byte slots per word, assembled in registers (one store per word). Byte j of the narrow part is bits
    // 8*(j%4).. of word nw + j/4, as a little-endian byte view would lay it out.
    const n = this.narrow;
    const len = n.length;
    let k = nw;
    let j = 0;
    for (; j + 4 <= len; j += 4) {
      const v0 = s[n[j]!]!;
      const v1 = s[n[j + 1]!]!;
      const v2 = s[n[j + 2]!]!;
      const v3 = s[n[j + 3]!]!;
      if ((v0 + 128) >>> 0 > 383 || (v1 + 128) >>> 0 > 383 || (v2 + 128) >>> 0 > 383 || (v3 + 128) >>> 0 > 383) return undefined;
      const x = (v0 & 255) | ((v1 & 255) << 8) | ((v2 & 255) << 16) | (v3 << 24);
      b[k] = x;
      h = Math.imul(h ^ x, 0x01000193) + k;
      k++;
    }
    if (j < len) {
      let word = 0;
      for (let q = 0; j < len; j++, q += 8) {
        const v = s[n[j]!]!;
        if ((v + 128) >>> 0 > 383) return undefined;
        word |= (v & 255) << q;
      }
      b[k] = word;
      h = Math.imul(h ^ word, 0x01000193) + k;
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    this.hash = h | 0;
    return b;
  }
}

const SNAPSHOTS: ReadonlySet<string> = new Set(['pte-read', 'pte-clear', 'pte-clear-flush', 'pte-modify-start', 'kvm-fault', 'wp-page-copy']);
const FILLS: ReadonlySet<string> = new Set(['tlb-fill', 'user-load', 'user-store', 'fault', 'gup']);

/**
 * Slots that stay at their initial value: the local PTE values of threads that never snapshot a PTE, and the TLB
 * entries of threads that never fill their TLB (flushes only clear entries, which are already clear).
 */
export function constantSlots(c: Compiled): Set<number> {
  const out = new Set<number>();
  const L = c.L;
  c.threads.forEach((t, ti) => {
    const ops = new Set(t.code.flatMap((i) => (i.kind === 'op' ? [i.op as string] : [])));
    const snaps = [...ops].some((o) => SNAPSHOTS.has(o));
    const fills = [...ops].some((o) => FILLS.has(o)) || (c.scenario.init.tlb ?? []).some((e) => e.thread === t.name);
    for (let e = 0; e < L.nPtes; e++) {
      if (!snaps) for (let k = 0; k < LV.SIZE; k++) out.add(localAt(L, ti, e) + k);
      if (!fills) for (let k = 0; k < TL.SIZE; k++) out.add(tlbAt(L, ti, e) + k);
    }
  });
  return out;
}

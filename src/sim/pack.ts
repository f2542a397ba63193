/**
 * Compact state keys for the visited set: slots that always fit a byte are packed four to a word, the few wide
 * slots (bit masks over PTEs/pages) keep a word. Packing is injective for byte slots in [-128, 255].
 */
import { TH, thAt } from './layout.ts';
import type { Layout } from './layout.ts';

export class Packer {
  /** Width of a key in Int32 words. */
  readonly words: number;
  private readonly wide: Int32Array;
  private readonly narrow: Int32Array;
  private readonly buf: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly byteBase: number;

  constructor(L: Layout, width: number) {
    const wideSet = new Set<number>();
    for (let t = 0; t < L.nThreads; t++) {
      if (L.nPtes * 3 > 8) wideSet.add(thAt(L, t) + TH.pendingMarks);
      if (L.nPages > 8) wideSet.add(thAt(L, t) + TH.gDeferred);
    }
    const wide: number[] = [];
    const narrow: number[] = [];
    for (let i = 0; i < width; i++) (wideSet.has(i) ? wide : narrow).push(i);
    this.wide = Int32Array.from(wide);
    this.narrow = Int32Array.from(narrow);
    this.words = wide.length + Math.ceil(narrow.length / 4);
    this.buf = new Int32Array(this.words);
    this.bytes = new Uint8Array(this.buf.buffer);
    this.byteBase = wide.length * 4;
  }

  /** The key of s (a buffer reused by the next call), or undefined when a byte slot is out of range. */
  key(s: Int32Array): Int32Array | undefined {
    const w = this.wide;
    const b = this.buf;
    for (let j = 0; j < w.length; j++) b[j] = s[w[j]!]!;
    const n = this.narrow;
    const by = this.bytes;
    const base = this.byteBase;
    for (let j = 0; j < n.length; j++) {
      const v = s[n[j]!]!;
      if (v < -128 || v > 255) return undefined;
      by[base + j] = v;
    }
    return b;
  }
}

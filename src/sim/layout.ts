/**
 * The packed state layout: every model variable is one Int32 slot at a fixed offset computed from the scenario's sizes.
 */

/** Per-page fields. */
export const PG = { data: 0, gen: 1, dirty: 2, disk: 3, freed: 4, SIZE: 5 } as const;
/** Per-PTE fields (mark = protection promised to userspace: bit MARK_WP, MARK_UFFD, MARK_GONE). */
export const PT = { present: 0, page: 1, write: 2, dirty: 3, young: 4, uffdWp: 5, softDirty: 6, mark: 7, lastStore: 8, SIZE: 9 } as const;
/** A local PTE value held by a thread (valid flag + value fields). */
export const LV = { valid: 0, present: 1, page: 2, write: 3, dirty: 4, young: 5, uffdWp: 6, softDirty: 7, SIZE: 8 } as const;
/** A TLB entry (snapshot at fill time) or a secondary-MMU spte. */
export const TL = { valid: 0, page: 1, gen: 2, write: 3, dirty: 4, young: 5, SIZE: 6 } as const;
/** Per-lock fields: writer/owner (thread+1, 0 = free) and a bitmask of reader threads. */
export const LK = { owner: 0, readers: 1, SIZE: 2 } as const;
/** Per-thread scalar fields. */
export const TH = {
  pc: 0,
  stage: 1,
  last: 2,
  notifOpen: 3,
  notifLo: 4,
  notifHi: 5,
  openLo: 6,
  openHi: 7,
  pendingBalance: 8,
  pendingMarks: 9,
  gActive: 10,
  gFullmm: 11,
  gLo: 12,
  gHi: 13,
  gDeferred: 14,
  kvmSeq: 15,
  stores: 16,
  retries: 17,
  SIZE: 18,
} as const;
/** Globals. */
export const GL = { mmLive: 0, flushPending: 1, inProgress: 2, seq: 3, storeCounter: 4, SIZE: 5 } as const;

export const MARK_WP = 1;
export const MARK_UFFD = 2;
export const MARK_GONE = 4;

/** Offsets of every region of the state vector. */
export interface Layout {
  nPages: number;
  nPtes: number;
  nLocks: number;
  nThreads: number;
  pageBase: number;
  pteBase: number;
  spteBase: number;
  lockBase: number;
  threadBase: number;
  /** Per thread: TH fields, then nPtes local values, then nPtes TLB entries. */
  threadStride: number;
  localOff: number;
  tlbOff: number;
  size: number;
}

/** Compute the layout for the given sizes. */
export function makeLayout(nPages: number, nPtes: number, nLocks: number, nThreads: number): Layout {
  const pageBase = GL.SIZE;
  const pteBase = pageBase + nPages * PG.SIZE;
  const spteBase = pteBase + nPtes * PT.SIZE;
  const lockBase = spteBase + nPtes * TL.SIZE;
  const threadBase = lockBase + nLocks * LK.SIZE;
  const localOff = TH.SIZE;
  const tlbOff = localOff + nPtes * LV.SIZE;
  const threadStride = tlbOff + nPtes * TL.SIZE;
  return {
    nPages, nPtes, nLocks, nThreads, pageBase, pteBase, spteBase, lockBase, threadBase, threadStride, localOff, tlbOff,
    size: threadBase + nThreads * threadStride,
  };
}

/** Offset helpers (kept as plain functions so hot code inlines well). */
export const pageAt = (L: Layout, p: number): number => L.pageBase + p * PG.SIZE;
export const pteAt = (L: Layout, e: number): number => L.pteBase + e * PT.SIZE;
export const spteAt = (L: Layout, e: number): number => L.spteBase + e * TL.SIZE;
export const lockAt = (L: Layout, l: number): number => L.lockBase + l * LK.SIZE;
export const thAt = (L: Layout, t: number): number => L.threadBase + t * L.threadStride;
export const localAt = (L: Layout, t: number, e: number): number => thAt(L, t) + L.localOff + e * LV.SIZE;
export const tlbAt = (L: Layout, t: number, e: number): number => thAt(L, t) + L.tlbOff + e * TL.SIZE;

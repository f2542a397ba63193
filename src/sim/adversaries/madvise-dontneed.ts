/**
 * Adversary `madvise-dontneed`: MADV_DONTNEED through an mmu_gather; the page is freed after the flush.
 */
import type { ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

/** MADV_DONTNEED on `bind.pte`; frees `bind.page` when given. */
export function madviseDontneed(bind: AdversaryBind): ThreadSpec {
  return {
    name: bind.name ?? 'madvise-dontneed',
    role: 'madvise(MADV_DONTNEED)',
    protects: [bind.pte],
    program: [
      { op: 'gather-init', ...(bind.range ? { range: bind.range } : {}) },
      { op: 'pte-map-lock', pte: bind.pte },
      { op: 'pte-read', pte: bind.pte },
      { ctl: 'if', cond: { test: 'pte-present', pte: bind.pte, negate: true }, then: 'skip' },
      { op: 'pte-clear', pte: bind.pte },
      { op: 'gather-remove', pte: bind.pte, ...(bind.page ? { page: bind.page } : {}) },
      { ctl: 'label', name: 'skip' },
      { op: 'pte-unmap-unlock', pte: bind.pte },
      { op: 'gather-finish' },
    ],
  };
}

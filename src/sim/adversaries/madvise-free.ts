/**
 * Adversary `madvise-free`: MADV_FREE: mkold + mkclean under the PTL with the flush deferred (tlb_flush_pending).
 */
import type { ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

/**
 * MADV_FREE on `bind.pte`. With `bind.page`, the page's PG_dirty is cleared under the PTL (folio_clear_dirty): from
 * then on its contents may be discarded, which the model records as "disk == data" (no write is lost by dropping it).
 */
export function madviseFree(bind: AdversaryBind): ThreadSpec {
  return {
    name: bind.name ?? 'madvise-free',
    role: 'madvise(MADV_FREE)',
    program: [
      { op: 'gather-init', ...(bind.range ? { range: bind.range } : {}) },
      { op: 'pte-map-lock', pte: bind.pte },
      { op: 'pte-clear', pte: bind.pte, label: 'ptep_get_and_clear_full()' },
      ...(bind.page ? [{ op: 'writeback' as const, page: bind.page, label: 'folio_clear_dirty() [lazyfree: contents discardable]' }] : []),
      { op: 'pte-set', pte: bind.pte, effects: ['mkold', 'clean'], label: 'set_pte_at(pte_mkclean(pte_mkold()))' },
      { op: 'gather-remove', pte: bind.pte },
      { op: 'pte-unmap-unlock', pte: bind.pte },
      { op: 'gather-finish' },
    ],
  };
}

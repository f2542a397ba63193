/**
 * Adversary `lazyfree-reclaim`: reclaim of an anonymous page that MADV_FREE marked lazyfree.
 *
 * mm/swap.c folio_mark_lazyfree() clears PG_swapbacked on a clean anonymous folio: from then on its contents may be
 * discarded instead of swapped out. mm/rmap.c try_to_unmap_one() takes the PTL through the rmap walk, clears the
 * entry with ptep_clear_flush(), moves a dirty bit of the cleared value to the folio, and for an anonymous
 * !swapbacked folio that is not dirty discards it (`goto discard`) — else it re-installs the entry and keeps the
 * page. A user store through a stale dirty+writable TLB entry after the PTE was cleaned sets no dirty bit (the
 * dirty bit is cached in the TLB), so such a store is discarded with the page: the write is lost.
 *
 * MADV_FREE's contract covers the contents the range has when madvise() returns; a store racing with the call
 * itself may be discarded by design (the kernel's own mmu_gather flushes after the PTL is released). So with
 * `bind.after` (the threads running the MADV_FREE path: the patched one and a concurrent companion) the page is marked lazyfree, and reclaim runs, only once
 * that thread has returned: only a store after the call returned can be reported lost.
 */
import type { Instr, ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

/** Reclaim `bind.page` (required) as a lazyfree page once every thread of `bind.after` (when given) has returned. */
export function lazyfreeReclaim(bind: AdversaryBind): ThreadSpec {
  if (bind.page === undefined) throw new TypeError('adversary "lazyfree-reclaim" needs bind.page');
  const wait: Instr[] = (bind.after ?? []).map((thread): Instr => ({ ctl: 'assume', cond: { test: 'thread-exited', thread } }));
  return {
    name: bind.name ?? 'lazyfree-reclaim',
    role: 'reclaim (lazyfree)',
    program: [
      ...wait,
      // The contents the page has now are the ones MADV_FREE allowed to be discarded ("disk" == data); PG_dirty
      // is clear (madvise_free_pte_range() clears it before folio_mark_lazyfree()).
      { op: 'writeback', page: bind.page, label: 'folio_mark_lazyfree() [contents discardable]' },
      // try_to_unmap_one(): under the PTL, ptep_clear_flush(); pte_dirty(pteval) -> folio_mark_dirty(); a clean
      // !swapbacked folio is discarded, a dirty one remapped and kept.
      { op: 'reclaim-drop', page: bind.page, label: 'try_to_unmap_one() [lazyfree: discard if clean]' },
    ],
  };
}

/**
 * Calls that mark an anonymous page lazyfree (MADV_FREE): its contents may from then on be discarded by reclaim
 * instead of swapped out, unless the page (or a PTE mapping it) is dirty again.
 *
 * - mm/swap.c folio_mark_lazyfree(folio): for an anon, swap-backed folio not in the swap cache, moves it to the
 *   lazyfree LRU, where lru_lazyfree() clears PG_swapbacked. mm/rmap.c try_to_unmap_one() then discards a
 *   `folio_test_anon() && !folio_test_swapbacked()` folio that is not dirty after ptep_clear_flush().
 * - mm/swap.c mark_page_lazyfree(page): the page-based form of the same (before the folio conversion).
 *
 * Used by flush-under-ptl: a path that cleans a PTE and marks its page lazyfree is MADV_FREE's walker, and the
 * page is reclaimed by discarding (src/sim/adversaries/lazyfree-reclaim.ts), not by writeback.
 */
export const LAZYFREE_MARKERS: ReadonlySet<string> = new Set(['folio_mark_lazyfree', 'mark_page_lazyfree']);

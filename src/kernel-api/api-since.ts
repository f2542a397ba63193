/**
 * Kernel APIs whose use in the visible code dates the tree a patch applies to: each appeared in mainline in the
 * release given (a tree that calls it is that release or later). Used to settle a question a rule would otherwise
 * leave to "which kernel is this?" (notifier-symmetry: the contract of a failed non-blocking notifier start changed
 * in v5.12, mm/mmu_notifier.c c2655835fd8c). Only APIs added well after such a change are listed, so a tree between
 * the two (an -mm tree of the time) is never taken for the later one.
 */
export interface ApiSince {
  /** Matches the API's use in code (comments blanked). */
  pattern: RegExp;
  /** Mainline release that introduced it, [major, minor]. */
  since: readonly [number, number];
  /** What it is and where it came from. */
  what: string;
}

export const API_SINCE: readonly ApiSince[] = [
  // include/linux/mm_types.h struct folio ("mm: Introduce struct folio", v5.16) and its helpers.
  { pattern: /\bstruct\s+folio\b|\b(?:page_folio|folio_(?:get|put|lock|unlock|trylock|test_\w+|mapcount|nr_pages|mark_\w+))\s*\(/, since: [5, 16], what: 'struct folio (v5.16)' },
  // include/linux/mm.h VMA iterator over the maple tree (v6.1: "mm: add VMA iterator", "mm: remove the vma linked list").
  { pattern: /\b(?:VMA_ITERATOR|for_each_vma|for_each_vma_range|vma_iter_\w+|mas_for_each(?:_rev)?)\s*\(/, since: [6, 1], what: 'the maple-tree VMA iterator (v6.1)' },
  // include/linux/mm.h per-VMA locks (v6.4: "mm: add per-VMA lock and helper functions to control it").
  { pattern: /\bvma_start_write\s*\(/, since: [6, 4], what: 'per-VMA locks, vma_start_write() (v6.4)' },
  // include/linux/mm.h pte_offset_map_nolock() (v6.5: Hugh Dickins' "allow pte_offset_map[_lock]() to fail" series).
  { pattern: /\bpte_offset_map_(?:ro_|rw_)?nolock\s*\(/, since: [6, 5], what: 'pte_offset_map_nolock() (v6.5)' },
  // include/linux/pgtable.h pte_free_defer(), pmdp_get_lockless_sync() (v6.6: "mm: free retracted page table by RCU").
  { pattern: /\b(?:pte_free_defer|pmdp_get_lockless_sync)\s*\(/, since: [6, 6], what: 'pte_free_defer() (v6.6)' },
];

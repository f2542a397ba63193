import type { PteEffect } from '../core/ops.ts';

/**
 * Flag variables the kernel sets, under a page-table lock, exactly when it changed an entry whose old translation
 * the code itself must flush before that lock is dropped (the flush is "forced", not deferred to an announcement):
 * a flush guarded by one (`if (force_flush) flush_tlb_range(...)`) is evidence that entries changed under the lock
 * even when the change is above a hunk. Name → the change it records and the kernel functions that show it.
 */
export interface FlushFlag {
  /** What the flagged change did to the entry. */
  effect: PteEffect;
  /** The kernel functions whose code sets the flag only after such a change. */
  kernel: readonly string[];
  /**
   * The name is a common word that other code uses for other things: the flag is read as evidence only inside the
   * functions of `kernel`.
   */
  only?: boolean;
}

export const FLUSH_FLAGS: Readonly<Record<string, FlushFlag>> = {
  // mm/mremap.c move_ptes(): `pte = ptep_get_and_clear(mm, old_addr, old_pte); if (pte_present(pte)) force_flush =
  // true;` and `if (force_flush) flush_tlb_range(vma, old_end - len, old_end);` before pte_unmap_unlock(old_ptl)
  // (eb66ae030829); mm/huge_memory.c move_huge_pmd(): `pmd = pmdp_huge_get_and_clear(...); if (pmd_present(pmd))
  // force_flush = true;` then flush_pmd_tlb_range() before spin_unlock(old_ptl); mm/memory.c zap_pte_range(): set
  // after ptep_get_and_clear_full() when the gather's batch is full or the rmap removal is delayed; mm/hugetlb.c
  // __unmap_hugepage_range(): set when huge_pmd_unshare() cleared the shared PMD's PUD entry.
  force_flush: { effect: 'clear', kernel: ['move_ptes', 'move_huge_pmd', 'zap_pte_range', '__unmap_hugepage_range'] },
  // mm/migrate_device.c migrate_vma_collect_pmd() (since 8c3328f1f36a): `ptep_get_and_clear(mm, addr, ptep)` (or
  // ptep_clear_flush() for an exclusive anon page), a migration entry stored in its place, then `if
  // (pte_present(pte)) unmapped++;` under the PTL; `if (unmapped) flush_tlb_range(walk->vma, start, end);` flushes
  // them (before pte_unmap_unlock() since 60bae7370896, after it before).
  unmapped: { effect: 'clear', kernel: ['migrate_vma_collect_pmd'], only: true },
};

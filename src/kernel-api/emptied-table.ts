/**
 * Kernel knowledge for a page table that is emptied and then detached from its PMD (khugepaged's collapse of a
 * PTE-mapped range into a PMD mapping; rules/utils/emptied-table.ts).
 *
 * - mm/khugepaged.c collapse_pte_mapped_thp() (6.5+, "mm/khugepaged: collapse_pte_mapped_thp() with
 *   mmap_read_lock()"): clears the PTEs that map the folio under the PTL, drops the PTL, then takes the PMD lock
 *   (and the PTL nested inside it) and calls pmdp_collapse_flush() to take the table out of the PMD, freeing it with
 *   pte_free_defer(). The folio lock keeps faults of that folio out of the empty table, but a userfaultfd fill of a
 *   private VMA (mm/userfaultfd.c mfill_atomic() → mfill_atomic_install_pte(): mmap_lock for read and the PTL only,
 *   no page-cache lookup) can install an entry while the PTL is dropped; the detach then drops that entry and its page
 *   ("mm/khugepaged: fix collapse_pte_mapped_thp() versus uffd" takes the PMD lock before the PTL when
 *   `userfaultfd_armed(vma) && !(vma->vm_flags & VM_SHARED)`, so the PTL is never dropped in between).
 * - mm/pgtable-generic.c pmdp_collapse_flush(): pmdp_huge_get_and_clear() of a PMD that points to a page table, then
 *   flush_tlb_range() of the PMD's range: the table, with whatever entries it still holds, is no longer reachable.
 */

/** Calls that take a PTE table out of its PMD (the table is then freed: pte_free_defer(), pte_free()). */
export const TABLE_DETACHERS: Readonly<Record<string, { kernel: string }>> = {
  pmdp_collapse_flush: { kernel: 'mm/pgtable-generic.c pmdp_collapse_flush() (generic; arch versions on powerpc, s390)' },
};

/**
 * What keeps a userfaultfd fill out of an empty table (mm/userfaultfd.c mfill_atomic(): mmap_read_lock() or, since
 * 6.7, the per-VMA read lock; mfill_atomic_install_pte(): the PTL): the PTL itself, mmap_lock held for write (and
 * vma_start_write(), which needs it), or a VMA the fill cannot reach — not registered with userfaultfd
 * (include/linux/userfaultfd_k.h userfaultfd_armed(): VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR), or shared
 * (a shared VMA's fill goes through the page cache, and the folio lock keeps it out).
 */
export const UFFD_FILL = {
  /** A condition atom that is true when the VMA is registered with userfaultfd. */
  armed: /\buserfaultfd_armed\s*\(/,
  /** A condition atom that is true when the VMA is shared. */
  shared: /\bVM_SHARED\b/,
  /** Calls that need (and so show) mmap_lock held for write. */
  writeLocked: /^(?:vma_start_write|vma_try_start_write|mmap_write_lock|mmap_write_lock_killable|mmap_write_trylock)$/,
  /** Calls that take mmap_lock for read (the fill can run beside them). */
  readLocked: /^(?:mmap_read_lock|mmap_read_lock_killable|mmap_read_trylock)$/,
  kernel: 'mm/userfaultfd.c mfill_atomic(), mfill_atomic_install_pte(); include/linux/userfaultfd_k.h userfaultfd_armed()',
} as const;

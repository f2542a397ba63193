/**
 * Who takes a PTE table out of its PMD (or moves it) holding which locks, since which kernel; and who reads a PMD
 * before taking its lock, trusting some other lock to keep the table in place (issue 11, "re-take" at PMD level).
 *
 * Changers of a PMD that points to a PTE table:
 * - mm/khugepaged.c retract_page_tables() (rmap walk of a file's VMAs after collapse_file()): up to v6.5 under
 *   i_mmap_rwsem (write) and, per VMA, mmap_write_trylock() of its mm + the PMD lock (collapse_and_free_pmd()); since
 *   v6.6 (1d65b771bc08 "mm/khugepaged: retract_page_tables() without mmap or vma lock") under i_mmap_rwsem for read,
 *   the PMD lock and the PTE table's lock only (pmdp_collapse_flush(), pte_free_defer()).
 * - mm/khugepaged.c collapse_pte_mapped_thp(): mmap_lock for write up to v6.5; since v6.6 mmap_lock for read (+ the
 *   PMD lock, the PTL nested).
 * - mm/mremap.c move_normal_pmd(): mmap_lock for write + the PMD locks of both entries (rmap locks only when
 *   need_rmap_locks, taken after the PMD was read).
 * - mm/memory.c free_pgtables() / free_pmd_range() (munmap, exit): mmap_lock for write (or a dead mm); the tables of
 *   the unmapped range only.
 *
 * A reader that decides on a PMD read before taking the PMD lock must look again under it unless every changer is
 * kept out by a lock it holds (mm/pgtable-generic.c __pte_offset_map(): a PMD that changed under us → NULL, retry;
 * mm/memory.c zap_pmd_range() goes on to the next PMD when pte_offset_map_lock() fails).
 */

/** A reader of a PMD that relies on a lock other than the PMD lock to keep the table it decided on in place. */
export interface PmdTableReader {
  /** The simulator adversary that plays it (src/sim/adversaries/). */
  adversary: 'mremap-table-move';
  /** The lock it holds that kept every table changer out. */
  relies: 'mmap-write';
  /** Mainline releases in which it trusts that lock: [since, until) — `until` is the release that re-validates. */
  since: readonly [number, number];
  until: readonly [number, number];
  kernel: string;
}

export const PMD_TABLE_READERS: readonly PmdTableReader[] = [
  {
    adversary: 'mremap-table-move',
    relies: 'mmap-write',
    // 2c91bd4a4e2e "mm: speed up mremap by 20x on large regions" (v5.1, x86 HAVE_MOVE_PMD); re-validated by
    // "mm/mremap: fix move_normal_pmd/retract_page_tables race" (v6.12: `if (!pmd_present(pmd) || pmd_leaf(pmd))`).
    since: [5, 1],
    until: [6, 12],
    kernel: 'mm/mremap.c move_page_tables() → move_pgt_entry(NORMAL_PMD) → move_normal_pmd() (mmap_lock for write; the PMD read before pmd_lock(), not looked at again under it)',
  },
];

/** Calls that take mmap_lock for write themselves (include/linux/mmap_lock.h). */
export const MMAP_WRITE_TAKERS = /^(?:mmap_write_lock|mmap_write_lock_killable|mmap_write_trylock)$/;

/**
 * Calls that show mmap_lock (any mode) or a VMA lock held or needed on the path: any of them keeps a whole-table mremap
 * out (it holds mmap_lock for write and, since v6.4, write-locks the VMAs it moves: vma_start_write()).
 */
export const MMAP_OR_VMA_HELD = /^(?:mmap_(?:read|write)_(?:lock|lock_killable|trylock)|mmap_assert_(?:write_)?locked|vma_start_(?:read|write)|vma_try_start_write|lock_vma_under_rcu|vma_assert_(?:write_)?locked|vma_assert_locked)$/;

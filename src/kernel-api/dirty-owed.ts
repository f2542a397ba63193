/**
 * Where a cleared entry's dirty bit is owed to its page (rules/utils/dirty-bit.ts, flush-under-ptl `dirtyBitLost`).
 *
 * On hardware that sets the dirty bit itself (x86, arm64 with DBM), a CPU's store through a clean TLB entry sets D in
 * the page-table entry atomically; the kernel learns that the page was written only from that bit. The calls below
 * clear an entry atomically and return the value they cleared, the only copy of the bit from then on: a value read
 * before the clear (`pte = *ptep`, ptep_get()) may still be clean when a store dirties the entry in between
 * (migrate_device.c's v2 changelog: "Atomically read and clear the pte to prevent the dirty bit getting set after
 * reading it"). When the page stays in use — its contents are migrated, swapped or kept in the page cache — the bit
 * must move to the folio (mm/rmap.c try_to_unmap_one() and try_to_migrate_one(): `if (pte_dirty(pteval))
 * folio_mark_dirty(folio)`; mm/memory.c zap_present_ptes() for a file page: `if (pte_dirty(ptent))
 * folio_mark_dirty(folio)`; mm/huge_memory.c __split_huge_pmd_locked(): `dirty = pmd_dirty(old_pmd)`, kept on
 * every new PTE or migration entry) or to the entry installed in its place (include/linux/swapops.h
 * make_migration_entry_dirty()). Otherwise reclaim (mm/vmscan.c shrink_folio_list()) finds the folio clean and
 * drops it: the last stores are lost. An anonymous page that the path frees outright (a zap) owes nothing:
 * zap_present_ptes() marks only file pages dirty.
 */

/**
 * Clears that return the cleared entry with the hardware's dirty bit (include/linux/pgtable.h, the arch overrides):
 * ptep_get_and_clear() and ptep_get_and_clear_full() (mm/memory.c zap_present_ptes()), ptep_clear_flush()
 * (mm/pgtable-generic.c: returns ptep_get_and_clear()'s value after flushing), pmdp_huge_get_and_clear[_full]()
 * and pmdp_huge_clear_flush() (mm/huge_memory.c zap_huge_pmd(), set_pmd_migration_entry()), pmdp_invalidate()
 * (mm/pgtable-generic.c: returns the old PMD; __split_huge_pmd_locked() reads its dirty bit), pudp_* likewise.
 * hugetlb's huge_ptep_get_and_clear()/huge_ptep_clear_flush() are left out: hugetlbfs pages are never written back
 * or reclaimed, so their dirty bit is owed to nothing.
 */
export const DIRTY_CARRYING_CLEARS: ReadonlySet<string> = new Set([
  'ptep_get_and_clear',
  'ptep_get_and_clear_full',
  'ptep_clear_flush',
  'pmdp_huge_get_and_clear',
  'pmdp_huge_get_and_clear_full',
  'pmdp_huge_clear_flush',
  'pmdp_invalidate',
  'pudp_huge_get_and_clear',
  'pudp_huge_get_and_clear_full',
  'pudp_huge_clear_flush',
]);

/**
 * Non-present entries that keep the page in use after the clear (include/linux/swapops.h): a migration entry (the
 * page's contents are copied to a new page, mm/migrate.c migrate_folio() carrying PG_dirty over with
 * folio_migrate_flags()), a device-private or device-exclusive entry (mm/migrate_device.c, mm/rmap.c
 * make_device_exclusive_range()). The page is neither freed by the path nor discarded: its dirty state matters.
 */
export const PAGE_KEEPING_ENTRIES: ReadonlySet<string> = new Set([
  'make_migration_entry',
  'make_readable_migration_entry',
  'make_writable_migration_entry',
  'make_readable_exclusive_migration_entry',
  'make_device_private_entry',
  'make_readable_device_private_entry',
  'make_writable_device_private_entry',
  'make_device_exclusive_entry',
  'make_readable_device_exclusive_entry',
  'make_writable_device_exclusive_entry',
]);

/**
 * Calls that move a dirty bit to the page or to the replacing entry: besides the page-dirty kinds of the catalogue
 * (set_page_dirty(), folio_mark_dirty(), SetPageDirty(), folio_set_dirty()), include/linux/swapops.h
 * make_migration_entry_dirty() / make_pmd_migration_entry_dirty()-style helpers and pte_mkdirty()/pmd_mkdirty() on the
 * installed value. A function that shows any of them is not claimed (the transfer may be from the cleared value by
 * another route than the path shows).
 */
export const DIRTY_TRANSFERS: ReadonlySet<string> = new Set([
  'make_migration_entry_dirty',
  'pte_mkdirty',
  'pmd_mkdirty',
  'pud_mkdirty',
  'huge_pte_mkdirty',
  'pte_swp_mkdirty',
]);

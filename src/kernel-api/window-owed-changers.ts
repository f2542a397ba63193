/**
 * Calls that change a present PTE a secondary MMU may mirror and call no mmu_notifier invalidate_range_start()/_end()
 * of their own: the caller owes the invalidation window around them.
 *
 * - mm/migrate_device.c (mm/migrate.c before v5.19) migrate_vma_insert_page(migrate, addr, page, src): when the entry
 *   maps the shared zero page it replaces it with the new page (flush_cache_page(), ptep_clear_flush(), then
 *   set_pte_at(); older trees use ptep_clear_flush_notify() and set_pte_at_notify(), which only flush secondary
 *   TLBs and call change_pte, never a start/end); its caller (migrate_vma_pages(), later __migrate_device_pages())
 *   opens the window before the first call.
 *
 * Simulated, like a RANGE_ZAPPERS call, as the clear of one mirrored entry (src/kernel-api/range-zappers.ts).
 */
export const WINDOW_OWED_CHANGERS: ReadonlySet<string> = new Set(['migrate_vma_insert_page']);

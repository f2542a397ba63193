/**
 * Calls that clear every PTE of an address range and notify secondary MMUs of nothing themselves: the caller owes
 * the mmu_notifier invalidation window around them. mm/memory.c unmap_page_range(tlb, vma, addr, end, details)
 * walks zap_p4d_range() → zap_pte_range() with no mmu_notifier call of its own; its callers bracket it
 * (unmap_single_vma() under unmap_vmas()'s window, mm/oom_kill.c __oom_reap_task_mm() with its own _nonblock start).
 * Not listed: zap_page_range_single(), unmap_vmas(), zap_vma_ptes() — they open their own window.
 */
export const RANGE_ZAPPERS: ReadonlySet<string> = new Set(['unmap_page_range']);

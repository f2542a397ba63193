/**
 * The abstract operation vocabulary shared by the C front end, the rules and the simulator.
 *
 * The front end turns a kernel call (`pte_offset_map_lock`, `flush_tlb_range`, ...) into an `Event` whose `kind` is
 * one of `KernelOpKind`; the simulator runs thread programs whose instructions carry the same kinds (plus the
 * hardware/adversary kinds in `HardwareOpKind`). Keeping one vocabulary is what lets a path extracted from a patch
 * run in the simulator unchanged: the scenario builder only binds symbolic arguments (`ptl`, `pte`) to model
 * objects (PTL 0, PTE 1).
 *
 * Each kind is documented with the kernel semantics it stands for and the argument roles the front end fills in
 * `Event.args` (role → C expression text).
 */

/** Kernel-side operations (what patched code does). */
export const KERNEL_OP_KINDS = [
  // ---- locks -------------------------------------------------------------------------------------------
  /** Take a lock. args: lock (expression naming it); attrs.lockClass: LockClass; attrs.mode for rwsems. */
  'lock',
  /** Conditionally take a lock (pmd_trans_huge_lock, spin_trylock): path branches carry the outcome. */
  'trylock',
  /** Release a lock. args: lock; attrs.lockClass. */
  'unlock',
  // ---- page-table walking ------------------------------------------------------------------------------
  /** Map a PTE page and take its PTL (pte_offset_map_lock). args: pte (result), lock (ptl out-param), pmd, addr. */
  'pte-map-lock',
  /** Map a PTE page without the lock, learning its PTL (pte_offset_map_nolock). args: pte, lock, pmd, addr. */
  'pte-map',
  /** Unmap a PTE page and release its PTL (pte_unmap_unlock). args: pte, lock. */
  'pte-unmap-unlock',
  /** Unmap a PTE page (pte_unmap). args: pte. */
  'pte-unmap',
  /** Advance the PTE cursor to the next entry (pte++, ptep++, pte += n in a loop step). args: pte. */
  'pte-advance',
  // ---- PTE reads and updates ---------------------------------------------------------------------------
  /** Read a PTE (ptep_get, *pte, READ_ONCE(*pte)). args: pte; result: the value variable if any. */
  'pte-read',
  /** Compare a PTE with a snapshot (pte_same). args: pte (or a value), old. */
  'pte-same',
  /** Install a PTE value (set_pte_at, set_ptes, set_pte). args: mm, addr, pte, value. attrs.effects. */
  'pte-set',
  /** Clear a PTE and return the old value (ptep_get_and_clear[_full], pte_clear). args: pte. */
  'pte-clear',
  /** Clear a PTE and flush its TLB entry (ptep_clear_flush). args: vma, addr, pte. Also flushes. */
  'pte-clear-flush',
  /** Start a PTE transaction (ptep_modify_prot_start): reads and clears the PTE. args: vma, addr, pte. */
  'pte-modify-start',
  /** Commit a PTE transaction (ptep_modify_prot_commit). args: vma, addr, pte, old, value. attrs.effects. */
  'pte-modify-commit',
  /** Write-protect a PTE in place (ptep_set_wrprotect). args: mm, addr, pte. attrs.effects = ['wrprotect']. */
  'pte-wrprotect',
  /** Clear the young bit in place (ptep_test_and_clear_young, ptep_clear_young_notify). attrs.effects = ['mkold']. */
  'pte-mkold',
  /** Set access/dirty flags after a fault (ptep_set_access_flags). args: vma, addr, pte, value. */
  'pte-set-access-flags',
  // ---- TLB ---------------------------------------------------------------------------------------------
  /** Flush TLB entries. attrs.scope: 'range' | 'page' | 'mm' | 'all' | 'batched-pending'; args: vma/mm, start, end. */
  'tlb-flush',
  /** Announce a deferred flush (inc_tlb_flush_pending). args: mm. */
  'flush-pending-inc',
  /** Retire a deferred flush announcement (dec_tlb_flush_pending). args: mm. */
  'flush-pending-dec',
  /** Read whether a flush is pending (mm_tlb_flush_pending, mm_tlb_flush_nested). args: mm. */
  'flush-pending-read',
  /**
   * Record a TLB flush to be done later by a batch (set_tlb_ubc_flush_pending, arch_tlbbatch_add_pending): the
   * flush is deferred past the caller. attrs.announces: the deferral is made visible to other paths that take the
   * same page-table lock (set_tlb_ubc_flush_pending sets mm->tlb_flush_batched, which flush_tlb_batched_pending()
   * honours); a bare arch batch records it without announcing. args: mm, addr?.
   */
  'flush-defer',
  // ---- mmu_gather --------------------------------------------------------------------------------------
  /** Start an mmu_gather (tlb_gather_mmu[_fullmm]). args: tlb, mm, start?, end?. attrs.fullmm: boolean. */
  'gather-init',
  /**
   * Make an open gather fullmm by assignment (`tlb->fullmm = 1`, `tlb.fullmm = true`): its flush hook then treats
   * the mm as torn down (arm64 tlb_flush() skips the invalidation unless tables were freed). args: tlb.
   */
  'gather-set-fullmm',
  /** Record a PTE/page in the gather (tlb_remove_tlb_entry, tlb_remove_page, tlb_flush_pte_range ...). args: tlb. */
  'gather-remove',
  /** Flush the gather now (tlb_flush_mmu, tlb_flush_mmu_tlbonly). args: tlb. */
  'gather-flush',
  /** Finish the gather: flush and free deferred pages (tlb_finish_mmu). args: tlb, start?, end?. */
  'gather-finish',
  // ---- MMU notifiers -----------------------------------------------------------------------------------
  /** Initialise a notifier range (mmu_notifier_range_init[_owner]). args: range, mm, start, end. */
  'notifier-range-init',
  /** Open an invalidation window (mmu_notifier_invalidate_range_start[_nonblock]). args: range | (mm,start,end). attrs.blockable. */
  'notifier-start',
  /** Close it (mmu_notifier_invalidate_range_end[_only]). args: range | (mm,start,end). attrs.only (no ->invalidate_range). */
  'notifier-end',
  /** Invalidate secondary TLBs for a range (mmu_notifier_invalidate_range, ..._page, arch_invalidate_secondary_tlbs). */
  'notifier-invalidate',
  /** Tell secondary MMUs a PTE changed (mmu_notifier_change_pte; part of set_pte_at_notify). args: mm, addr, value. */
  'notifier-change-pte',
  // ---- pages -------------------------------------------------------------------------------------------
  /** Drop a page reference that may free it (put_page, folio_put, free_page_and_swap_cache, ...). args: page. */
  'page-free',
  /** Mark a page dirty (set_page_dirty, folio_mark_dirty, SetPageDirty). args: page. */
  'page-dirty',
  /** Write-protect and clean every mapping of a page (page_mkclean, folio_mkclean). args: page. */
  'page-mkclean',
  /** Take / drop a page reference that pins it (get_page, folio_get). args: page. */
  'page-get',
  // ---- faults, COW, userfaultfd, GUP ---------------------------------------------------------------------
  /** Copy-on-write a page (wp_page_copy, do_wp_page): sleeps; do_wp_page releases vmf->ptl. args: vmf. */
  'wp-page-copy',
  /** Hand a fault to the userfaultfd monitor (handle_userfault): sleeps, drops mmap_lock. args: vmf. */
  'handle-userfault',
  /** Query uffd-wp state (userfaultfd_pte_wp, pte_uffd_wp, huge_pte_uffd_wp). args: pte|value. */
  'uffd-wp-check',
  /** Run the full fault handler (handle_mm_fault, fixup_user_fault): sets dirty/young as a real fault does. */
  'fault',
  /** get_user_pages()-style lookup (get_user_pages*, pin_user_pages*, follow_page*). attrs.write, attrs.fixfault. */
  'gup',
  /** Software dirty/young fixup as a fault would do it (handle_pte_sw_young_dirty, ptep_set_access_flags path). */
  'pte-fixup-young-dirty',
  // ---- mmap_lock / mmap_sem ----------------------------------------------------------------------------
  /** mmap_read_lock / down_read(&mm->mmap_sem) (attrs.mode 'read'), mmap_write_lock / down_write (attrs.mode 'write'). */
  'mmap-lock',
  /** mmap_read_unlock / up_read / mmap_write_unlock / up_write. attrs.mode. */
  'mmap-unlock',
  // ---- misc --------------------------------------------------------------------------------------------
  /** arch_enter_lazy_mmu_mode. */
  'lazy-mmu-enter',
  /** arch_leave_lazy_mmu_mode. */
  'lazy-mmu-leave',
  /** A call that may sleep (cond_resched, mutex_lock, GFP_KERNEL allocations, wait_*, ...). */
  'may-sleep',
  /** Any other call, kept for context. attrs.opaque = true. */
  'call',
] as const;

export type KernelOpKind = (typeof KERNEL_OP_KINDS)[number];

/** Lock classes the catalogue distinguishes. */
export type LockClass = 'ptl' | 'pmd-ptl' | 'mmap' | 'mmu' | 'page' | 'i_mmap' | 'anon_vma' | 'spin' | 'mutex' | 'rcu' | 'other';

/** What a PTE write did to the entry, relative to what was there before (tracked through local value transforms). */
export type PteEffect =
  | 'wrprotect' // write permission removed (pte_wrprotect, ptep_set_wrprotect, pte_mkuffd_wp + wrprotect)
  | 'clean' // dirty bit cleared (pte_mkclean)
  | 'mkold' // young bit cleared (pte_mkold, ptep_test_and_clear_young)
  | 'clear' // entry made non-present (ptep_get_and_clear, pte_clear, pte_mknone-ish)
  | 'mkwrite' // write permission added (pte_mkwrite, maybe_mkwrite)
  | 'mkdirty' // dirty bit set
  | 'mkyoung' // young bit set
  | 'uffd-wp' // uffd-wp marker set (pte_mkuffd_wp)
  | 'uffd-unwp' // uffd-wp marker cleared (pte_clear_uffd_wp)
  | 'soft-dirty-clear' // pte_clear_soft_dirty
  | 'new-page' // maps a different page (mk_pte(new_page, ...))
  | 'prot' // pte_modify(value, newprot): protection changed (may remove write)
  | 'unknown';

/** Effects that make a stale TLB entry dangerous until flushed: the CPU may keep using what the PTE no longer allows. */
export const DOWNGRADE_EFFECTS: readonly PteEffect[] = ['wrprotect', 'clean', 'clear', 'new-page', 'prot', 'soft-dirty-clear', 'uffd-wp'];

/** TLB flush scopes. */
export type FlushScope = 'page' | 'range' | 'mm' | 'all' | 'batched-pending';

/**
 * What kind of translation a TLB entry of a model PTE slot is (src/sim, arch flush coverage): a leaf at the PTE
 * level, a leaf at the PMD level or above (a block / huge mapping), or a paging-structure ("walk") cache entry: a
 * cached pointer to a page-table page, which the slot's page then stands for. The one list of them: the scenario
 * schema (src/sim/scenario.ts) and the arch flush catalogue (src/kernel-api/arch-flush.ts EVERY_LEVEL) read it.
 */
export const TLB_LEVELS = ['pte', 'pmd', 'table'] as const;
export type TlbLevel = (typeof TLB_LEVELS)[number];

/** The CPUs a flush reaches: only the flushing CPU, or every CPU (the default). */
export type FlushCpus = 'local' | 'all';

/** Hardware and adversary operations: only the simulator uses these (user CPUs, TLB, secondary MMU, writeback). */
export const HARDWARE_OP_KINDS = [
  'tlb-fill', // a CPU loads a PTE into its TLB
  'user-load', // a user access reads through the TLB (fills on miss)
  'user-store', // a user access writes through the TLB (sets D atomically on hardware-A/D presets; faults otherwise)
  'kvm-fault', // secondary-MMU fault: read PTE, install spte, with the in_progress/sequence retry
  'guest-access', // access through a spte
  'writeback', // write a page's data to disk (after page_mkclean)
  'reclaim-drop', // drop a clean page (free it) after writeback
  'page-reuse', // a freed page is reallocated (generation bump)
  'age', // reclaim aging: test-and-clear young
] as const;

export type HardwareOpKind = (typeof HARDWARE_OP_KINDS)[number];

export type OpKind = KernelOpKind | HardwareOpKind;

export function isKernelOpKind(s: string): s is KernelOpKind {
  return (KERNEL_OP_KINDS as readonly string[]).includes(s);
}

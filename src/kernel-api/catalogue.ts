/**
 * The kernel-API catalogue: kernel function/macro names (2011–2026 spellings) → abstract op kind, argument roles
 * and attrs. DATA ONLY; the interpretation (alias resolution, hooks) lives in ./classify.ts.
 */
import type { EventAttrs } from '../core/events.ts';
import type { KernelOpKind, LockClass, PteEffect } from '../core/ops.ts';
import { MORE_SLEEPERS, SLEEPS_ALLOCATING_TABLE } from './sleepers.ts';
import { MORE_SPINLOCKS, MORE_SPIN_FAILURE } from './spinning-locks.ts';

/** Named argument-dependent refinements, implemented in classify.ts. */
export type HookName =
  | 'spin' // lock class decided by the lock expression (ptl / pmd ptl / mmu_lock / other spinlock)
  | 'rwsem' // mmap_sem / mmap_lock → mmap-lock/unlock, other semaphores → lock/unlock (sleeps)
  | 'gather-init' // fullmm decided by the form: _fullmm, (tlb, mm, fullmm), (tlb, mm, 0, -1)
  | 'gup' // FOLL_* flags, write access from FOLL_WRITE or the old positional write argument
  | 'fault' // FAULT_FLAG_WRITE → attrs.write
  | 'gfp' // may sleep iff the GFP mask allows direct reclaim
  | 'do-wp-page' // releases the PTL it is given (vmf->ptl, or the old ptl argument)
  | 'walk' // page_vma_mapped_walk(&pvmw): pte = pvmw.pte, lock = pvmw.ptl
  | 'double-pt' // double_pt_lock()/double_pt_unlock(): the first lock is the event's, the unlock releases the second too
  | 'cydp'; // clear_young_dirty_ptes(): CYDP_CLEAR_DIRTY in the flags → a cleaning commit, else an age change

/** One catalogue entry. `roles` are positional argument roles ('' = not recorded). */
export interface ApiEntry {
  kind: KernelOpKind;
  roles?: readonly string[];
  /** Roles for a given argument count, when the signature changed across kernel versions. */
  byArity?: Readonly<Record<number, readonly string[]>>;
  /** The call's result fills this role (e.g. 'pte' for pte_offset_map_lock, 'lock' for pmd_lock). */
  resultRole?: string;
  /** The argument role that carries the written PTE value (effects are computed from it). */
  valueRole?: string;
  lockClass?: LockClass;
  attrs?: EventAttrs;
  hook?: HookName;
}

const PTE_MAP_LOCK = ['mm', 'pmd', 'addr', 'lock'] as const;
const SLEEPS: EventAttrs = { sleeps: true };

/**
 * Definitions of catalogued gather finishes that owe a forced flush when deferrals are nested. tlb_finish_mmu()
 * (mm/mmu_gather.c; mm/memory.c before 4.20): since 99baac21e458 (4.13) it tests mm_tlb_flush_nested(tlb->mm) and, when
 * another thread has an announced deferred flush on the mm, flushes its whole range (today: `tlb->fullmm = 1`,
 * `__tlb_reset_range()`). A zapper that finds the entries already cleared by a concurrent zapper (MADV_DONTNEED under
 * mmap_lock read) gathers nothing; without the forced flush it returns while the other's flush is still pending.
 */
/**
 * Calls that copy a user page's contents into another page: `to` / `from` are argument indices; `from: 'ptes'`
 * copies every page mapped by the PTE table given as argument 0. A copy of a page whose entry was cleared but not
 * yet flushed misses the stores other CPUs make through their stale TLB entries after it (rules/utils/clear-then-copy.ts).
 */
export const PAGE_COPIES: Readonly<Record<string, { to: number; from: number | 'ptes'; cites: string }>> = {
  __collapse_huge_page_copy: { to: 1, from: 'ptes', cites: 'mm/khugepaged.c __collapse_huge_page_copy(): copies each page mapped by the PTE table into the new huge page' },
  copy_user_highpage: { to: 0, from: 1, cites: 'include/linux/highmem.h copy_user_highpage(to, from, vaddr, vma)' },
  copy_mc_user_highpage: { to: 0, from: 1, cites: 'include/linux/highmem.h copy_mc_user_highpage(to, from, vaddr, vma)' },
  copy_highpage: { to: 0, from: 1, cites: 'include/linux/highmem.h copy_highpage(to, from)' },
  copy_mc_highpage: { to: 0, from: 1, cites: 'include/linux/highmem.h copy_mc_highpage(to, from)' },
  folio_copy: { to: 0, from: 1, cites: 'mm/util.c folio_copy(dst, src)' },
};

/**
 * Fault-path helpers that install the faulting entry through `vmf->pte` with no check of their own: the caller holds
 * `vmf->ptl` and must have re-validated the entry (argument 0 is the `struct vm_fault *`).
 */
export const FAULT_INSTALLERS: Readonly<Record<string, { cites: string }>> = {
  set_pte_range: { cites: 'mm/memory.c set_pte_range(vmf, folio, page, nr, addr): set_ptes(vma->vm_mm, addr, vmf->pte, entry, nr); "the caller must hold the page table lock"' },
  do_set_pte: { cites: 'mm/memory.c do_set_pte(vmf, page, addr) (before 6.6): set_pte_at(vma->vm_mm, addr, vmf->pte, entry)' },
};

export const NESTED_FLUSH_FINISHERS: ReadonlySet<string> = new Set(['tlb_finish_mmu']);

/**
 * Callees a gather finish hands its gather to that do not test the pending-flush count themselves (argument count →
 * the call shape that does not): arch_tlb_finish_mmu(tlb, start, end) (mm/memory.c and arch/<arch>/include/asm/tlb.h,
 * 4.13 before 99baac21e458 added its `force` argument), tlb_batch_list_free(tlb) (mm/mmu_gather.c, frees the batch
 * pages). Any other uncatalogued callee given the gather may test it: the finish's verdict then depends on it.
 */
export const NO_NESTED_TEST_CALLEES: Readonly<Record<string, readonly number[]>> = {
  arch_tlb_finish_mmu: [3],
  tlb_batch_list_free: [1],
};

/**
 * Definitions of clear-and-flush helpers that may skip the flush for an old value no TLB can cache:
 * ptep_clear_flush() (mm/pgtable-generic.c) flushes only `if (pte_accessible(mm, pte))`. An entry the hardware cannot
 * use (x86 pte_accessible(): `_PAGE_PRESENT` clear, e.g. PROT_NONE / NUMA hinting) may still be cached while the flush
 * of the change that made it so is deferred; since 3.13 ("mm: fix TLB flush race between migration, and
 * change_protection_range") pte_accessible(mm, pte) also answers true while mm_tlb_flush_pending(mm).
 */
export const CLEAR_FLUSH_DEFINITIONS: ReadonlySet<string> = new Set(['ptep_clear_flush']);

/**
 * Tests of an old entry value that tell only whether the hardware can use it, not whether a TLB may still cache it
 * (argument count → that form): pte_accessible(pte) (arch/x86/include/asm/pgtable.h before 3.13: `_PAGE_PRESENT`;
 * the mm form consults pending flushes). Not pte_present(), which is true for PROT_NONE entries too.
 */
export const HW_ACCESS_TESTS: Readonly<Record<string, readonly number[]>> = {
  pte_accessible: [1],
};

/** Name → entry. Order inside is by family; lookups are by exact name. */
export const CATALOGUE: Readonly<Record<string, ApiEntry>> = {
  // ---- generic locks -----------------------------------------------------------------------------------------
  spin_lock: { kind: 'lock', roles: ['lock'], hook: 'spin' },
  spin_lock_irq: { kind: 'lock', roles: ['lock'], hook: 'spin' },
  spin_lock_irqsave: { kind: 'lock', roles: ['lock', 'flags'], hook: 'spin' },
  spin_lock_bh: { kind: 'lock', roles: ['lock'], hook: 'spin' },
  spin_lock_nested: { kind: 'lock', roles: ['lock', ''], hook: 'spin' },
  raw_spin_lock: { kind: 'lock', roles: ['lock'], hook: 'spin' },
  raw_spin_lock_irqsave: { kind: 'lock', roles: ['lock', 'flags'], hook: 'spin' },
  spin_trylock: { kind: 'trylock', roles: ['lock'], hook: 'spin' },
  raw_spin_trylock: { kind: 'trylock', roles: ['lock'], hook: 'spin' },
  spin_unlock: { kind: 'unlock', roles: ['lock'], hook: 'spin' },
  spin_unlock_irq: { kind: 'unlock', roles: ['lock'], hook: 'spin' },
  spin_unlock_irqrestore: { kind: 'unlock', roles: ['lock', 'flags'], hook: 'spin' },
  spin_unlock_bh: { kind: 'unlock', roles: ['lock'], hook: 'spin' },
  raw_spin_unlock: { kind: 'unlock', roles: ['lock'], hook: 'spin' },
  raw_spin_unlock_irqrestore: { kind: 'unlock', roles: ['lock', 'flags'], hook: 'spin' },
  // mm/userfaultfd.c double_pt_lock(ptl1, ptl2): spin_lock() on both page-table locks, in address order, the second
  // only when it is another lock (`__acquires(ptl1) __acquires(ptl2)`); double_pt_unlock(ptl1, ptl2): spin_unlock()
  // on both (`__releases(ptl1) __releases(ptl2)`). Modelled as a take of the first lock (the second is not tracked:
  // a sleep under it alone is missed, never claimed) and a release of both (the 'double-pt' hook: attrs.releases).
  double_pt_lock: { kind: 'lock', roles: ['lock', ''], hook: 'double-pt' },
  double_pt_unlock: { kind: 'unlock', roles: ['lock', 'lock2'], hook: 'double-pt' },
  write_lock: { kind: 'lock', roles: ['lock'], lockClass: 'spin' },
  write_unlock: { kind: 'unlock', roles: ['lock'], lockClass: 'spin' },
  read_lock: { kind: 'lock', roles: ['lock'], lockClass: 'spin' },
  read_unlock: { kind: 'unlock', roles: ['lock'], lockClass: 'spin' },
  mutex_lock: { kind: 'lock', roles: ['lock'], lockClass: 'mutex', attrs: SLEEPS },
  mutex_lock_killable: { kind: 'trylock', roles: ['lock'], lockClass: 'mutex', attrs: SLEEPS },
  mutex_lock_interruptible: { kind: 'trylock', roles: ['lock'], lockClass: 'mutex', attrs: SLEEPS },
  mutex_trylock: { kind: 'trylock', roles: ['lock'], lockClass: 'mutex' },
  mutex_unlock: { kind: 'unlock', roles: ['lock'], lockClass: 'mutex' },
  rcu_read_lock: { kind: 'lock', roles: [], lockClass: 'rcu' },
  rcu_read_unlock: { kind: 'unlock', roles: [], lockClass: 'rcu' },
  lock_page: { kind: 'lock', roles: ['lock'], lockClass: 'page', attrs: SLEEPS },
  folio_lock: { kind: 'lock', roles: ['lock'], lockClass: 'page', attrs: SLEEPS },
  trylock_page: { kind: 'trylock', roles: ['lock'], lockClass: 'page' },
  folio_trylock: { kind: 'trylock', roles: ['lock'], lockClass: 'page' },
  unlock_page: { kind: 'unlock', roles: ['lock'], lockClass: 'page' },
  folio_unlock: { kind: 'unlock', roles: ['lock'], lockClass: 'page' },
  i_mmap_lock_write: { kind: 'lock', roles: ['lock'], lockClass: 'i_mmap', attrs: { mode: 'write', sleeps: true } },
  i_mmap_lock_read: { kind: 'lock', roles: ['lock'], lockClass: 'i_mmap', attrs: { mode: 'read', sleeps: true } },
  i_mmap_unlock_write: { kind: 'unlock', roles: ['lock'], lockClass: 'i_mmap', attrs: { mode: 'write' } },
  i_mmap_unlock_read: { kind: 'unlock', roles: ['lock'], lockClass: 'i_mmap', attrs: { mode: 'read' } },
  /**
   * hugetlb_vma_lock_write(vma) (mm/hugetlb.c, 6.1+): hugetlb faults, zaps and PMD sharing take it for read; held for
   * write together with i_mmap_rwsem it lets hugetlb_change_protection() flush after dropping the PTLs.
   */
  hugetlb_vma_lock_write: { kind: 'lock', roles: ['lock'], lockClass: 'mutex', attrs: { mode: 'write', sleeps: true, excludes: 'hugetlb-users' } },
  hugetlb_vma_unlock_write: { kind: 'unlock', roles: ['lock'], lockClass: 'mutex', attrs: { mode: 'write' } },
  anon_vma_lock_write: { kind: 'lock', roles: ['lock'], lockClass: 'anon_vma', attrs: { mode: 'write', sleeps: true } },
  anon_vma_lock_read: { kind: 'lock', roles: ['lock'], lockClass: 'anon_vma', attrs: { mode: 'read', sleeps: true } },
  anon_vma_unlock_write: { kind: 'unlock', roles: ['lock'], lockClass: 'anon_vma', attrs: { mode: 'write' } },
  anon_vma_unlock_read: { kind: 'unlock', roles: ['lock'], lockClass: 'anon_vma', attrs: { mode: 'read' } },
  // ---- rw semaphores: mmap_sem (≤5.7) / mmap_lock (≥5.8) and others ------------------------------------------------
  down_read: { kind: 'lock', roles: ['lock'], hook: 'rwsem', attrs: { mode: 'read', sleeps: true } },
  down_write: { kind: 'lock', roles: ['lock'], hook: 'rwsem', attrs: { mode: 'write', sleeps: true } },
  down_read_killable: { kind: 'trylock', roles: ['lock'], hook: 'rwsem', attrs: { mode: 'read', sleeps: true } },
  down_write_killable: { kind: 'trylock', roles: ['lock'], hook: 'rwsem', attrs: { mode: 'write', sleeps: true } },
  down_read_trylock: { kind: 'trylock', roles: ['lock'], hook: 'rwsem', attrs: { mode: 'read' } },
  down_write_trylock: { kind: 'trylock', roles: ['lock'], hook: 'rwsem', attrs: { mode: 'write' } },
  up_read: { kind: 'unlock', roles: ['lock'], hook: 'rwsem', attrs: { mode: 'read' } },
  up_write: { kind: 'unlock', roles: ['lock'], hook: 'rwsem', attrs: { mode: 'write' } },
  mmap_read_lock: { kind: 'mmap-lock', roles: ['mm'], lockClass: 'mmap', attrs: { mode: 'read', sleeps: true } },
  mmap_write_lock: { kind: 'mmap-lock', roles: ['mm'], lockClass: 'mmap', attrs: { mode: 'write', sleeps: true } },
  mmap_read_lock_killable: { kind: 'mmap-lock', roles: ['mm'], lockClass: 'mmap', attrs: { mode: 'read', sleeps: true } },
  mmap_write_lock_killable: { kind: 'mmap-lock', roles: ['mm'], lockClass: 'mmap', attrs: { mode: 'write', sleeps: true } },
  mmap_read_trylock: { kind: 'trylock', roles: ['mm'], lockClass: 'mmap', attrs: { mode: 'read' } },
  mmap_write_trylock: { kind: 'trylock', roles: ['mm'], lockClass: 'mmap', attrs: { mode: 'write' } },
  mmap_read_unlock: { kind: 'mmap-unlock', roles: ['mm'], lockClass: 'mmap', attrs: { mode: 'read' } },
  mmap_write_unlock: { kind: 'mmap-unlock', roles: ['mm'], lockClass: 'mmap', attrs: { mode: 'write' } },
  // ---- page-table walking and PTLs -----------------------------------------------------------------------------
  pte_offset_map_lock: { kind: 'pte-map-lock', roles: PTE_MAP_LOCK, resultRole: 'pte', lockClass: 'ptl' },
  /**
   * Allocating lookups may sleep before they take the PTL: include/linux/mm.h pte_alloc_map_lock() → pte_alloc() →
   * __pte_alloc() → pte_alloc_one() with GFP_PGTABLE_USER (GFP_KERNEL) when the PMD entry is empty; mm/memory.c
   * __get_locked_pte() → walk_to_pmd() → p4d_alloc()/pud_alloc()/pmd_alloc() likewise, then pte_alloc_map_lock().
   */
  pte_alloc_map_lock: { kind: 'pte-map-lock', roles: PTE_MAP_LOCK, resultRole: 'pte', lockClass: 'ptl', attrs: SLEEPS_ALLOCATING_TABLE },
  get_locked_pte: { kind: 'pte-map-lock', roles: ['mm', 'addr', 'lock'], resultRole: 'pte', lockClass: 'ptl', attrs: SLEEPS_ALLOCATING_TABLE },
  __get_locked_pte: { kind: 'pte-map-lock', roles: ['mm', 'addr', 'lock'], resultRole: 'pte', lockClass: 'ptl', attrs: SLEEPS_ALLOCATING_TABLE },
  /** ≤4.x rmap helper: returns a mapped and locked pte, ptl out-param. */
  page_check_address: { kind: 'pte-map-lock', roles: ['page', 'mm', 'addr', 'lock', ''], resultRole: 'pte', lockClass: 'ptl' },
  __page_check_address: { kind: 'pte-map-lock', roles: ['page', 'mm', 'addr', 'lock', ''], resultRole: 'pte', lockClass: 'ptl' },
  page_vma_mapped_walk: { kind: 'pte-map-lock', roles: ['walk'], lockClass: 'ptl', hook: 'walk' },
  page_vma_mapped_walk_done: { kind: 'pte-unmap-unlock', roles: ['walk'], lockClass: 'ptl', hook: 'walk' },
  pte_offset_map_nolock: { kind: 'pte-map', roles: PTE_MAP_LOCK, resultRole: 'pte', lockClass: 'ptl' },
  pte_offset_map_rw_nolock: { kind: 'pte-map', roles: ['mm', 'pmd', 'addr', 'pmdval', 'lock'], resultRole: 'pte', lockClass: 'ptl' },
  pte_offset_map_ro_nolock: { kind: 'pte-map', roles: PTE_MAP_LOCK, resultRole: 'pte', lockClass: 'ptl' },
  pte_offset_map: { kind: 'pte-map', roles: ['pmd', 'addr'], resultRole: 'pte' },
  pte_offset_kernel: { kind: 'pte-map', roles: ['pmd', 'addr'], resultRole: 'pte' },
  /** include/linux/mm.h pte_alloc_map(): pte_alloc() (may sleep, as above) then pte_offset_map(). */
  pte_alloc_map: { kind: 'pte-map', roles: ['mm', 'pmd', 'addr'], resultRole: 'pte', attrs: SLEEPS_ALLOCATING_TABLE },
  pte_unmap_unlock: { kind: 'pte-unmap-unlock', roles: ['pte', 'lock'], lockClass: 'ptl' },
  pte_unmap: { kind: 'pte-unmap', roles: ['pte'] },
  pmd_lock: { kind: 'lock', roles: ['mm', 'pmd'], resultRole: 'lock', lockClass: 'pmd-ptl' },
  pud_lock: { kind: 'lock', roles: ['mm', 'pud'], resultRole: 'lock', lockClass: 'pmd-ptl' },
  pmd_trans_huge_lock: { kind: 'trylock', roles: ['pmd', 'vma'], resultRole: 'lock', lockClass: 'pmd-ptl' },
  pud_trans_huge_lock: { kind: 'trylock', roles: ['pud', 'vma'], resultRole: 'lock', lockClass: 'pmd-ptl' },
  /** __pmd_trans_huge_lock(pmd, vma) / __pud_trans_huge_lock() (mm/huge_memory.c): the out-of-line forms; the PMD lock or NULL. */
  __pmd_trans_huge_lock: { kind: 'trylock', roles: ['pmd', 'vma'], resultRole: 'lock', lockClass: 'pmd-ptl' },
  __pud_trans_huge_lock: { kind: 'trylock', roles: ['pud', 'vma'], resultRole: 'lock', lockClass: 'pmd-ptl' },
  huge_pte_lock: { kind: 'lock', roles: ['hstate', 'mm', 'pte'], resultRole: 'lock', lockClass: 'ptl' },
  // ---- PTE reads ----------------------------------------------------------------------------------------------
  ptep_get: { kind: 'pte-read', roles: ['pte'] },
  ptep_get_lockless: { kind: 'pte-read', roles: ['pte'] },
  huge_ptep_get: { kind: 'pte-read', byArity: { 1: ['pte'], 3: ['mm', 'addr', 'pte'] } },
  pmdp_get: { kind: 'pte-read', roles: ['pte'], attrs: { level: 'pmd' } },
  pmdp_get_lockless: { kind: 'pte-read', roles: ['pte'], attrs: { level: 'pmd' } },
  pte_same: { kind: 'pte-same', roles: ['pte', 'old'] },
  pmd_same: { kind: 'pte-same', roles: ['pte', 'old'] },
  // ---- PTE updates --------------------------------------------------------------------------------------------
  set_pte_at: { kind: 'pte-set', roles: ['mm', 'addr', 'pte', 'value'], valueRole: 'value' },
  set_ptes: { kind: 'pte-set', roles: ['mm', 'addr', 'pte', 'value', 'nr'], valueRole: 'value' },
  set_pte: { kind: 'pte-set', roles: ['pte', 'value'], valueRole: 'value' },
  set_huge_pte_at: { kind: 'pte-set', roles: ['mm', 'addr', 'pte', 'value', ''], valueRole: 'value' },
  set_pmd_at: { kind: 'pte-set', roles: ['mm', 'addr', 'pte', 'value'], valueRole: 'value', attrs: { level: 'pmd' } },
  set_pte_at_notify: { kind: 'pte-set', roles: ['mm', 'addr', 'pte', 'value'], valueRole: 'value', attrs: { notifies: true } },
  ptep_get_and_clear: { kind: 'pte-clear', roles: ['mm', 'addr', 'pte'], attrs: { effects: ['clear'] } },
  ptep_get_and_clear_full: { kind: 'pte-clear', roles: ['mm', 'addr', 'pte', 'full'], attrs: { effects: ['clear'] } },
  get_and_clear_full_ptes: { kind: 'pte-clear', roles: ['mm', 'addr', 'pte', 'nr', 'full'], attrs: { effects: ['clear'] } },
  /** clear_full_ptes(mm, addr, ptep, nr, full) (include/linux/pgtable.h, 6.9+): clears nr present PTEs, no flush. */
  clear_full_ptes: { kind: 'pte-clear', roles: ['mm', 'addr', 'pte', 'nr', 'full'], attrs: { effects: ['clear'] } },
  /** clear_not_present_full_ptes(mm, addr, ptep, nr, full) (include/linux/pgtable.h): swap/marker entries only. */
  clear_not_present_full_ptes: { kind: 'pte-clear', roles: ['mm', 'addr', 'pte', 'nr', 'full'], attrs: { effects: [] } },
  huge_ptep_get_and_clear: { kind: 'pte-clear', roles: ['mm', 'addr', 'pte'], attrs: { effects: ['clear'] } },
  pmdp_huge_get_and_clear: { kind: 'pte-clear', roles: ['mm', 'addr', 'pte'], attrs: { level: 'pmd', effects: ['clear'] } },
  pte_clear: { kind: 'pte-clear', roles: ['mm', 'addr', 'pte'], attrs: { effects: ['clear'] } },
  /** pte_clear_not_present_full() (include/linux/pgtable.h): clears a swap/marker entry; no TLB entry to flush. */
  pte_clear_not_present_full: { kind: 'pte-clear', roles: ['mm', 'addr', 'pte', 'full'], attrs: { effects: [] } },
  pmd_clear: { kind: 'pte-clear', roles: ['pte'], attrs: { level: 'pmd', effects: ['clear'] } },
  ptep_clear_flush: { kind: 'pte-clear-flush', roles: ['vma', 'addr', 'pte'], attrs: { effects: ['clear'], flushes: true } },
  ptep_clear_flush_notify: {
    kind: 'pte-clear-flush',
    roles: ['vma', 'addr', 'pte'],
    attrs: { effects: ['clear'], flushes: true, notifies: true },
  },
  huge_ptep_clear_flush: { kind: 'pte-clear-flush', roles: ['vma', 'addr', 'pte'], attrs: { effects: ['clear'], flushes: true } },
  pmdp_huge_clear_flush: { kind: 'pte-clear-flush', roles: ['vma', 'addr', 'pte'], attrs: { level: 'pmd', effects: ['clear'], flushes: true } },
  pmdp_huge_clear_flush_notify: {
    kind: 'pte-clear-flush',
    roles: ['vma', 'addr', 'pte'],
    attrs: { effects: ['clear'], flushes: true, notifies: true },
  },
  pmdp_collapse_flush: { kind: 'pte-clear-flush', roles: ['vma', 'addr', 'pte'], attrs: { level: 'pmd', effects: ['clear'], flushes: true } },
  pmdp_invalidate: { kind: 'pte-clear-flush', roles: ['vma', 'addr', 'pte'], attrs: { level: 'pmd', effects: ['clear'], flushes: true } },
  // ---- PMD / PUD entries: cleared, write-protected, moved and populated like PTEs, under pmd_lock()/pud_lock() ----
  /** pmdp_huge_get_and_clear_full(vma, addr, pmdp, full) (mm/huge_memory.c zap_huge_pmd): clears, no flush. */
  pmdp_huge_get_and_clear_full: { kind: 'pte-clear', roles: ['vma', 'addr', 'pte', 'full'], attrs: { level: 'pmd', effects: ['clear'] } },
  /** pmdp_invalidate_ad(vma, addr, pmdp) (mm/pgtable-generic.c): invalidates and flushes like pmdp_invalidate(). */
  pmdp_invalidate_ad: { kind: 'pte-clear-flush', roles: ['vma', 'addr', 'pte'], attrs: { level: 'pmd', effects: ['clear'], flushes: true } },
  /** pmdp_establish(vma, addr, pmdp, pmd) (arch/x86/mm/pgtable.c): installs a new PMD value, returns the old; no flush. */
  pmdp_establish: { kind: 'pte-set', roles: ['vma', 'addr', 'pte', 'value'], valueRole: 'value', attrs: { level: 'pmd' } },
  /** pmd_populate(mm, pmd, pgtable) (move_normal_pmd(), collapse): points a PMD at a page table. */
  pmd_populate: { kind: 'pte-set', roles: ['mm', 'pte', 'value'], valueRole: 'value', attrs: { level: 'pmd' } },
  /** pud_populate(mm, pud, pmd) (move_normal_pud()): points a PUD at a PMD table. */
  pud_populate: { kind: 'pte-set', roles: ['mm', 'pte', 'value'], valueRole: 'value', attrs: { level: 'pud' } },
  /** set_pud_at(mm, addr, pudp, pud) (mm/huge_memory.c insert_pfn_pud, change_huge_pud). */
  set_pud_at: { kind: 'pte-set', roles: ['mm', 'addr', 'pte', 'value'], valueRole: 'value', attrs: { level: 'pud' } },
  /** pud_clear(pudp) (move_normal_pud(), free_pmd_range): clears, no flush. */
  pud_clear: { kind: 'pte-clear', roles: ['pte'], attrs: { level: 'pud', effects: ['clear'] } },
  /** pudp_huge_get_and_clear(mm, addr, pudp) (include/linux/pgtable.h): clears, no flush. */
  pudp_huge_get_and_clear: { kind: 'pte-clear', roles: ['mm', 'addr', 'pte'], attrs: { level: 'pud', effects: ['clear'] } },
  /** pudp_huge_get_and_clear_full(vma, addr, pudp, full) (zap_huge_pud): clears, no flush. */
  pudp_huge_get_and_clear_full: { kind: 'pte-clear', roles: ['vma', 'addr', 'pte', 'full'], attrs: { level: 'pud', effects: ['clear'] } },
  /** pudp_huge_clear_flush(vma, addr, pudp) (mm/pgtable-generic.c): clears and flush_pud_tlb_range()s. */
  pudp_huge_clear_flush: { kind: 'pte-clear-flush', roles: ['vma', 'addr', 'pte'], attrs: { level: 'pud', effects: ['clear'], flushes: true } },
  /** pudp_invalidate(vma, addr, pudp) (mm/pgtable-generic.c): invalidates and flushes the PUD range. */
  pudp_invalidate: { kind: 'pte-clear-flush', roles: ['vma', 'addr', 'pte'], attrs: { level: 'pud', effects: ['clear'], flushes: true } },
  /** pudp_set_wrprotect(mm, addr, pudp) (copy_huge_pud): write-protects in place, no flush. */
  pudp_set_wrprotect: { kind: 'pte-wrprotect', roles: ['mm', 'addr', 'pte'], attrs: { level: 'pud', effects: ['wrprotect'] } },
  /**
   * huge_pmd_unshare(mm, vma, addr, ptep) (mm/hugetlb.c): when the PMD table is shared, clears the PUD entry that
   * points at it (put_page of the table) and returns 1; no flush: callers must flush the PUD_SIZE range
   * (tlb_flush_pmd_range() into their gather, or flush_hugetlb_tlb_range()). Older forms take `unsigned long *addr`.
   */
  huge_pmd_unshare: {
    kind: 'pte-clear',
    byArity: { 3: ['mm', 'addr', 'pte'], 4: ['mm', 'vma', 'addr', 'pte'] },
    attrs: { level: 'pud', effects: ['clear'], onlyIfTrue: true, extent: 'pud' },
  },
  ptep_modify_prot_start: { kind: 'pte-modify-start', byArity: { 3: ['vma', 'addr', 'pte'] } },
  huge_ptep_modify_prot_start: { kind: 'pte-modify-start', byArity: { 3: ['vma', 'addr', 'pte'] } },
  ptep_modify_prot_commit: {
    kind: 'pte-modify-commit',
    byArity: { 4: ['mm', 'addr', 'pte', 'value'], 5: ['vma', 'addr', 'pte', 'old', 'value'] },
    valueRole: 'value',
  },
  huge_ptep_modify_prot_commit: {
    kind: 'pte-modify-commit',
    byArity: { 4: ['mm', 'addr', 'pte', 'value'], 5: ['vma', 'addr', 'pte', 'old', 'value'] },
    valueRole: 'value',
  },
  ptep_set_wrprotect: { kind: 'pte-wrprotect', roles: ['mm', 'addr', 'pte'], attrs: { effects: ['wrprotect'] } },
  wrprotect_ptes: { kind: 'pte-wrprotect', roles: ['mm', 'addr', 'pte', 'nr'], attrs: { effects: ['wrprotect'] } },
  huge_ptep_set_wrprotect: { kind: 'pte-wrprotect', roles: ['mm', 'addr', 'pte'], attrs: { effects: ['wrprotect'] } },
  pmdp_set_wrprotect: { kind: 'pte-wrprotect', roles: ['mm', 'addr', 'pte'], attrs: { level: 'pmd', effects: ['wrprotect'] } },
  ptep_test_and_clear_young: { kind: 'pte-mkold', roles: ['vma', 'addr', 'pte'], attrs: { effects: ['mkold'] } },
  pmdp_test_and_clear_young: { kind: 'pte-mkold', roles: ['vma', 'addr', 'pte'], attrs: { level: 'pmd', effects: ['mkold'] } },
  ptep_clear_young_notify: { kind: 'pte-mkold', roles: ['vma', 'addr', 'pte'], attrs: { effects: ['mkold'], notifies: true } },
  ptep_clear_flush_young: { kind: 'pte-mkold', roles: ['vma', 'addr', 'pte'], attrs: { effects: ['mkold'], flushes: true } },
  ptep_clear_flush_young_notify: {
    kind: 'pte-mkold',
    roles: ['vma', 'addr', 'pte'],
    attrs: { effects: ['mkold'], flushes: true, notifies: true },
  },
  pmdp_clear_flush_young: { kind: 'pte-mkold', roles: ['vma', 'addr', 'pte'], attrs: { level: 'pmd', effects: ['mkold'], flushes: true } },
  /**
   * clear_young_dirty_ptes(vma, addr, ptep, nr, flags) (include/linux/pgtable.h, 6.10+; arm64 overrides it, and
   * __clear_young_dirty_ptes() is its non-contpte body, arch/arm64/include/asm/pgtable.h): ages and/or
   * cleans `nr` entries in place, no flush (madvise_free_pte_range() and madvise_cold_or_pageout_pte_range() follow it
   * with tlb_remove_tlb_entries()). With flags == CYDP_CLEAR_YOUNG the generic version only
   * ptep_test_and_clear_young()s each entry (an age change: nothing to flush); with CYDP_CLEAR_DIRTY it
   * ptep_get_and_clear()s, pte_mkclean()s (and pte_mkold()s with CYDP_CLEAR_YOUNG) and set_pte_at()s each entry back:
   * the entry is cleaned (an in-place update of what the entry holds: attrs.inPlace) and a stale dirty TLB entry must
   * be flushed. The 'cydp' hook (classify.ts) decides by the flags argument; flags it cannot read (a variable) are
   * taken as an age change (a missed finding, never a wrong one).
   */
  clear_young_dirty_ptes: { kind: 'pte-mkold', roles: ['vma', 'addr', 'pte', 'nr', 'flags'], attrs: { effects: ['mkold'] }, hook: 'cydp' },
  __clear_young_dirty_ptes: { kind: 'pte-mkold', roles: ['vma', 'addr', 'pte', 'nr', 'flags'], attrs: { effects: ['mkold'] }, hook: 'cydp' },
  ptep_set_access_flags: { kind: 'pte-set-access-flags', roles: ['vma', 'addr', 'pte', 'value', 'dirty'], valueRole: 'value' },
  huge_ptep_set_access_flags: { kind: 'pte-set-access-flags', roles: ['vma', 'addr', 'pte', 'value', 'dirty'], valueRole: 'value' },
  pmdp_set_access_flags: { kind: 'pte-set-access-flags', roles: ['vma', 'addr', 'pte', 'value', 'dirty'], valueRole: 'value', attrs: { level: 'pmd' } },
  // ---- TLB ---------------------------------------------------------------------------------------------------
  flush_tlb_range: { kind: 'tlb-flush', roles: ['vma', 'start', 'end'], attrs: { scope: 'range' } },
  __flush_tlb_range: { kind: 'tlb-flush', roles: ['vma', 'start', 'end'], attrs: { scope: 'range' } },
  flush_tlb_mm_range: { kind: 'tlb-flush', roles: ['mm', 'start', 'end', '', ''], attrs: { scope: 'range' } },
  flush_pmd_tlb_range: { kind: 'tlb-flush', roles: ['vma', 'start', 'end'], attrs: { scope: 'range' } },
  flush_hugetlb_tlb_range: { kind: 'tlb-flush', roles: ['vma', 'start', 'end'], attrs: { scope: 'range' } },
  flush_tlb_kernel_range: { kind: 'tlb-flush', roles: ['start', 'end'], attrs: { scope: 'range' } },
  flush_tlb_page: { kind: 'tlb-flush', roles: ['vma', 'addr'], attrs: { scope: 'page' } },
  flush_tlb_fix_spurious_fault: { kind: 'tlb-flush', roles: ['vma', 'addr', 'pte'], attrs: { scope: 'page' } },
  flush_tlb_mm: { kind: 'tlb-flush', roles: ['mm'], attrs: { scope: 'mm' } },
  flush_tlb_all: { kind: 'tlb-flush', roles: [], attrs: { scope: 'all' } },
  flush_tlb_batched_pending: { kind: 'tlb-flush', roles: ['mm'], attrs: { scope: 'batched-pending' } },
  /** flush_pud_tlb_range(vma, start, end) (include/linux/pgtable.h): flushes a PUD-sized range. */
  flush_pud_tlb_range: { kind: 'tlb-flush', roles: ['vma', 'start', 'end'], attrs: { scope: 'range' } },
  /** try_to_unmap_flush() (mm/rmap.c): flushes everything batched by set_tlb_ubc_flush_pending() on all CPUs. */
  try_to_unmap_flush: { kind: 'tlb-flush', roles: [], attrs: { scope: 'all' } },
  /** try_to_unmap_flush_dirty() (mm/rmap.c): flushes the batch when it holds a writable entry. */
  try_to_unmap_flush_dirty: { kind: 'tlb-flush', roles: [], attrs: { scope: 'all' } },
  /**
   * set_tlb_ubc_flush_pending(mm, pteval, start, end) (mm/rmap.c): defers the flush of an unmapped PTE to the
   * reclaim batch and announces it: it sets mm->tlb_flush_batched, which every path that later takes the PTL sees
   * through flush_tlb_batched_pending(). Older forms: (mm, writable), (mm, pteval, addr). Before 4.13
   * (3ea277194daa) the (mm, writable) form did not set mm->tlb_flush_batched; the arity cannot tell the two apart,
   * so it is taken as announcing (a missed finding rather than a wrong one).
   */
  set_tlb_ubc_flush_pending: {
    kind: 'flush-defer',
    byArity: { 2: ['mm', ''], 3: ['mm', 'value', 'addr'], 4: ['mm', 'value', 'start', 'end'] },
    attrs: { announces: true },
  },
  /**
   * arch_tlbbatch_add_pending(batch, mm, start, end) (arch/x86/include/asm/tlbflush.h, arm64, riscv) and the older
   * arch_tlbbatch_add_mm(batch, mm): record the mm's CPUs in a flush batch for later; nothing tells other paths.
   */
  arch_tlbbatch_add_pending: { kind: 'flush-defer', byArity: { 3: ['', 'mm', 'addr'], 4: ['', 'mm', 'start', 'end'] }, attrs: { announces: false } },
  arch_tlbbatch_add_mm: { kind: 'flush-defer', roles: ['', 'mm'], attrs: { announces: false } },
  /** arch_tlbbatch_flush(batch) (arch/x86/mm/tlb.c): flushes a recorded batch. */
  arch_tlbbatch_flush: { kind: 'tlb-flush', roles: [''], attrs: { scope: 'all' } },
  inc_tlb_flush_pending: { kind: 'flush-pending-inc', roles: ['mm'] },
  set_tlb_flush_pending: { kind: 'flush-pending-inc', roles: ['mm'] },
  dec_tlb_flush_pending: { kind: 'flush-pending-dec', roles: ['mm'] },
  clear_tlb_flush_pending: { kind: 'flush-pending-dec', roles: ['mm'] },
  mm_tlb_flush_pending: { kind: 'flush-pending-read', roles: ['mm'] },
  mm_tlb_flush_nested: { kind: 'flush-pending-read', roles: ['mm'] },
  // ---- mmu_gather ----------------------------------------------------------------------------------------------
  tlb_gather_mmu: { kind: 'gather-init', byArity: { 2: ['tlb', 'mm'], 3: ['tlb', 'mm', 'fullmm'], 4: ['tlb', 'mm', 'start', 'end'] }, hook: 'gather-init' },
  tlb_gather_mmu_fullmm: { kind: 'gather-init', roles: ['tlb', 'mm'], attrs: { fullmm: true } },
  tlb_gather_mmu_vma: { kind: 'gather-init', roles: ['tlb', 'vma'], attrs: { fullmm: false } },
  tlb_finish_mmu: { kind: 'gather-finish', byArity: { 1: ['tlb'], 3: ['tlb', 'start', 'end'] } },
  tlb_flush_mmu: { kind: 'gather-flush', roles: ['tlb', 'start', 'end'] },
  tlb_flush_mmu_tlbonly: { kind: 'gather-flush', roles: ['tlb'] },
  tlb_remove_tlb_entry: { kind: 'gather-remove', roles: ['tlb', 'pte', 'addr'] },
  /**
   * tlb_remove_tlb_entries(tlb, ptep, nr, address) (include/asm-generic/tlb.h, 6.9+): tlb_flush_pte_range() of the
   * `nr` pages from `address` plus __tlb_remove_tlb_entry() of each: records the batch in the gather.
   */
  tlb_remove_tlb_entries: { kind: 'gather-remove', roles: ['tlb', 'pte', 'nr', 'addr'] },
  tlb_remove_huge_tlb_entry: { kind: 'gather-remove', roles: ['', 'tlb', 'pte', 'addr'] },
  tlb_remove_pmd_tlb_entry: { kind: 'gather-remove', roles: ['tlb', 'pte', 'addr'] },
  tlb_remove_page: { kind: 'gather-remove', roles: ['tlb', 'page'] },
  tlb_remove_page_size: { kind: 'gather-remove', roles: ['tlb', 'page', 'size'] },
  __tlb_remove_page: { kind: 'gather-remove', roles: ['tlb', 'page'] },
  __tlb_remove_page_size: { kind: 'gather-remove', roles: ['tlb', 'page', 'size'] },
  tlb_remove_folio: { kind: 'gather-remove', roles: ['tlb', 'page'] },
  tlb_flush_pte_range: { kind: 'gather-remove', roles: ['tlb', 'addr', 'size'] },
  tlb_flush_pmd_range: { kind: 'gather-remove', roles: ['tlb', 'addr', 'size'] },
  /**
   * pte_free_tlb(tlb, pte, addr) / pmd_free_tlb / pud_free_tlb (include/asm-generic/tlb.h): free a page-table page
   * through the gather; they record the range it mapped (tlb_flush_pmd/pud/p4d_range()) and set freed_tables.
   */
  pte_free_tlb: { kind: 'gather-remove', roles: ['tlb', '', 'addr'] },
  pmd_free_tlb: { kind: 'gather-remove', roles: ['tlb', '', 'addr'] },
  pud_free_tlb: { kind: 'gather-remove', roles: ['tlb', '', 'addr'] },
  /** tlb_flush_pud_range(tlb, addr, size) / tlb_flush_p4d_range (include/asm-generic/tlb.h): widen the gather. */
  tlb_flush_pud_range: { kind: 'gather-remove', roles: ['tlb', 'addr', 'size'] },
  tlb_flush_p4d_range: { kind: 'gather-remove', roles: ['tlb', 'addr', 'size'] },
  /** tlb_remove_pud_tlb_entry(tlb, pudp, addr) (include/asm-generic/tlb.h): record a cleared PUD in the gather. */
  tlb_remove_pud_tlb_entry: { kind: 'gather-remove', roles: ['tlb', 'pte', 'addr'] },
  tlb_change_page_size: { kind: 'call', roles: ['tlb', 'size'] },
  // ---- MMU notifiers -------------------------------------------------------------------------------------------
  mmu_notifier_range_init: {
    kind: 'notifier-range-init',
    byArity: {
      4: ['range', 'mm', 'start', 'end'],
      6: ['range', 'event', 'flags', 'mm', 'start', 'end'],
      7: ['range', 'event', 'flags', 'vma', 'mm', 'start', 'end'],
    },
  },
  mmu_notifier_range_init_owner: {
    kind: 'notifier-range-init',
    byArity: { 7: ['range', 'event', 'flags', 'mm', 'start', 'end', 'owner'], 8: ['range', 'event', 'flags', 'vma', 'mm', 'start', 'end', 'owner'] },
  },
  mmu_notifier_invalidate_range_start: {
    kind: 'notifier-start',
    byArity: { 1: ['range'], 3: ['mm', 'start', 'end'] },
    attrs: { blockable: true, sleeps: true },
  },
  mmu_notifier_invalidate_range_start_nonblock: { kind: 'notifier-start', byArity: { 1: ['range'] }, attrs: { blockable: false } },
  mmu_notifier_invalidate_range_end: { kind: 'notifier-end', byArity: { 1: ['range'], 3: ['mm', 'start', 'end'] }, attrs: { blockable: true } },
  mmu_notifier_invalidate_range_only_end: { kind: 'notifier-end', byArity: { 1: ['range'], 3: ['mm', 'start', 'end'] }, attrs: { only: true } },
  mmu_notifier_invalidate_range_end_only: { kind: 'notifier-end', byArity: { 1: ['range'], 3: ['mm', 'start', 'end'] }, attrs: { only: true } },
  mmu_notifier_invalidate_range: { kind: 'notifier-invalidate', roles: ['mm', 'start', 'end'] },
  mmu_notifier_arch_invalidate_secondary_tlbs: { kind: 'notifier-invalidate', roles: ['mm', 'start', 'end'] },
  arch_invalidate_secondary_tlbs: { kind: 'notifier-invalidate', roles: ['mm', 'start', 'end'] },
  mmu_notifier_invalidate_page: { kind: 'notifier-invalidate', roles: ['mm', 'addr'] },
  mmu_notifier_change_pte: { kind: 'notifier-change-pte', roles: ['mm', 'addr', 'value'] },
  // ---- pages -------------------------------------------------------------------------------------------------
  get_page: { kind: 'page-get', roles: ['page'] },
  folio_get: { kind: 'page-get', roles: ['page'] },
  try_get_page: { kind: 'page-get', roles: ['page'] },
  get_page_unless_zero: { kind: 'page-get', roles: ['page'] },
  put_page: { kind: 'page-free', roles: ['page'] },
  folio_put: { kind: 'page-free', roles: ['page'] },
  page_cache_release: { kind: 'page-free', roles: ['page'] },
  free_page_and_swap_cache: { kind: 'page-free', roles: ['page'] },
  free_pages_and_swap_cache: { kind: 'page-free', roles: ['page', 'nr'] },
  release_pages: { kind: 'page-free', roles: ['page', 'nr'] },
  __free_page: { kind: 'page-free', roles: ['page'] },
  __free_pages: { kind: 'page-free', roles: ['page', 'order'] },
  unpin_user_page: { kind: 'page-free', roles: ['page'] },
  put_user_page: { kind: 'page-free', roles: ['page'] },
  set_page_dirty: { kind: 'page-dirty', roles: ['page'] },
  set_page_dirty_lock: { kind: 'page-dirty', roles: ['page'], attrs: SLEEPS },
  folio_mark_dirty: { kind: 'page-dirty', roles: ['page'] },
  folio_mark_dirty_lock: { kind: 'page-dirty', roles: ['page'], attrs: SLEEPS },
  SetPageDirty: { kind: 'page-dirty', roles: ['page'] },
  folio_set_dirty: { kind: 'page-dirty', roles: ['page'] },
  page_mkclean: { kind: 'page-mkclean', roles: ['page'] },
  folio_mkclean: { kind: 'page-mkclean', roles: ['page'] },
  // ---- faults, COW, userfaultfd, GUP ---------------------------------------------------------------------------
  wp_page_copy: { kind: 'wp-page-copy', byArity: { 1: ['vmf'] }, attrs: SLEEPS },
  do_wp_page: { kind: 'wp-page-copy', byArity: { 1: ['vmf'] }, attrs: SLEEPS, hook: 'do-wp-page' },
  handle_userfault: { kind: 'handle-userfault', roles: ['vmf', 'reason'], attrs: { sleeps: true, releases: ['mmap_lock'] } },
  userfaultfd_pte_wp: { kind: 'uffd-wp-check', roles: ['vma', 'value'] },
  userfaultfd_huge_pmd_wp: { kind: 'uffd-wp-check', roles: ['vma', 'value'] },
  pte_uffd_wp: { kind: 'uffd-wp-check', roles: ['value'] },
  huge_pte_uffd_wp: { kind: 'uffd-wp-check', roles: ['value'] },
  pte_swp_uffd_wp: { kind: 'uffd-wp-check', roles: ['value'] },
  pmd_uffd_wp: { kind: 'uffd-wp-check', roles: ['value'] },
  handle_mm_fault: { kind: 'fault', roles: [], attrs: SLEEPS, hook: 'fault' },
  __handle_mm_fault: { kind: 'fault', roles: [], attrs: SLEEPS, hook: 'fault' },
  fixup_user_fault: { kind: 'fault', roles: [], attrs: SLEEPS, hook: 'fault' },
  // Fault-in helpers that run the real fault handler, so the PTE gets dirty/young as a fault sets them (fault-fixup):
  // kernel/futex/core.c fault_in_user_writeable() and mm/gup.c fault_in_safe_writeable() call
  // fixup_user_fault(mm, addr, FAULT_FLAG_WRITE, ...) under mmap_read_lock(); mm/gup.c fault_in_writeable() and
  // fault_in_readable() touch each page with unsafe_put_user() / unsafe_get_user() with page faults enabled, a hardware
  // fault handled by handle_mm_fault(). All may sleep (mmap_lock, or might_fault()).
  fault_in_user_writeable: { kind: 'fault', roles: [], attrs: { sleeps: true, write: true } },
  fault_in_safe_writeable: { kind: 'fault', roles: [], attrs: { sleeps: true, write: true } },
  fault_in_writeable: { kind: 'fault', roles: [], attrs: { sleeps: true, write: true } },
  fault_in_readable: { kind: 'fault', roles: [], attrs: { sleeps: true, write: false } },
  handle_pte_sw_young_dirty: { kind: 'pte-fixup-young-dirty', roles: ['vma', 'addr', 'pte', 'write'] },
  get_user_pages: { kind: 'gup', attrs: SLEEPS, hook: 'gup' },
  get_user_pages_remote: { kind: 'gup', attrs: SLEEPS, hook: 'gup' },
  get_user_pages_unlocked: { kind: 'gup', attrs: SLEEPS, hook: 'gup' },
  get_user_pages_locked: { kind: 'gup', attrs: SLEEPS, hook: 'gup' },
  get_user_pages_fast: { kind: 'gup', hook: 'gup' },
  get_user_pages_fast_only: { kind: 'gup', hook: 'gup' },
  __get_user_pages: { kind: 'gup', attrs: SLEEPS, hook: 'gup' },
  __get_user_pages_locked: { kind: 'gup', attrs: SLEEPS, hook: 'gup' },
  __get_user_pages_fast: { kind: 'gup', hook: 'gup' },
  get_user_page_vma_remote: { kind: 'gup', attrs: SLEEPS, hook: 'gup' },
  pin_user_pages: { kind: 'gup', attrs: SLEEPS, hook: 'gup' },
  pin_user_pages_remote: { kind: 'gup', attrs: SLEEPS, hook: 'gup' },
  pin_user_pages_unlocked: { kind: 'gup', attrs: SLEEPS, hook: 'gup' },
  pin_user_pages_fast: { kind: 'gup', hook: 'gup' },
  follow_page: { kind: 'gup', hook: 'gup' },
  follow_page_mask: { kind: 'gup', hook: 'gup' },
  follow_page_pte: { kind: 'gup', hook: 'gup' },
  follow_pmd_mask: { kind: 'gup', hook: 'gup' },
  // ---- lazy MMU mode ------------------------------------------------------------------------------------------
  arch_enter_lazy_mmu_mode: { kind: 'lazy-mmu-enter', roles: [] },
  arch_leave_lazy_mmu_mode: { kind: 'lazy-mmu-leave', roles: [] },
  lazy_mmu_mode_enable: { kind: 'lazy-mmu-enter', roles: [] },
  lazy_mmu_mode_disable: { kind: 'lazy-mmu-leave', roles: [] },
  // ---- calls that may sleep ----------------------------------------------------------------------------------
  cond_resched: { kind: 'may-sleep', roles: [], attrs: SLEEPS },
  cond_resched_lock: { kind: 'may-sleep', roles: ['lock'], attrs: SLEEPS },
  might_sleep: { kind: 'may-sleep', roles: [], attrs: SLEEPS },
  might_fault: { kind: 'may-sleep', roles: [], attrs: SLEEPS },
  schedule: { kind: 'may-sleep', roles: [], attrs: SLEEPS },
  schedule_timeout: { kind: 'may-sleep', roles: [''], attrs: SLEEPS },
  io_schedule: { kind: 'may-sleep', roles: [], attrs: SLEEPS },
  msleep: { kind: 'may-sleep', roles: [''], attrs: SLEEPS },
  usleep_range: { kind: 'may-sleep', roles: ['', ''], attrs: SLEEPS },
  ssleep: { kind: 'may-sleep', roles: [''], attrs: SLEEPS },
  synchronize_rcu: { kind: 'may-sleep', roles: [], attrs: SLEEPS },
  synchronize_srcu: { kind: 'may-sleep', roles: [''], attrs: SLEEPS },
  wait_for_completion: { kind: 'may-sleep', roles: [''], attrs: SLEEPS },
  wait_on_page_locked: { kind: 'may-sleep', roles: ['page'], attrs: SLEEPS },
  wait_on_page_writeback: { kind: 'may-sleep', roles: ['page'], attrs: SLEEPS },
  folio_wait_writeback: { kind: 'may-sleep', roles: ['page'], attrs: SLEEPS },
  folio_wait_locked: { kind: 'may-sleep', roles: ['page'], attrs: SLEEPS },
  copy_from_user: { kind: 'may-sleep', roles: ['', '', ''], attrs: SLEEPS },
  copy_to_user: { kind: 'may-sleep', roles: ['', '', ''], attrs: SLEEPS },
  clear_user: { kind: 'may-sleep', roles: ['', ''], attrs: SLEEPS },
  get_user: { kind: 'may-sleep', roles: ['', ''], attrs: SLEEPS },
  put_user: { kind: 'may-sleep', roles: ['', ''], attrs: SLEEPS },
  vmalloc: { kind: 'may-sleep', roles: [''], attrs: SLEEPS },
  vzalloc: { kind: 'may-sleep', roles: [''], attrs: SLEEPS },
  vfree: { kind: 'may-sleep', roles: [''], attrs: SLEEPS },
  kmalloc: { kind: 'may-sleep', hook: 'gfp' },
  kzalloc: { kind: 'may-sleep', hook: 'gfp' },
  kcalloc: { kind: 'may-sleep', hook: 'gfp' },
  kmalloc_array: { kind: 'may-sleep', hook: 'gfp' },
  kvmalloc: { kind: 'may-sleep', hook: 'gfp' },
  kvzalloc: { kind: 'may-sleep', hook: 'gfp' },
  kmem_cache_alloc: { kind: 'may-sleep', hook: 'gfp' },
  kmem_cache_zalloc: { kind: 'may-sleep', hook: 'gfp' },
  alloc_page: { kind: 'may-sleep', hook: 'gfp' },
  alloc_pages: { kind: 'may-sleep', hook: 'gfp' },
  alloc_page_vma: { kind: 'may-sleep', hook: 'gfp' },
  alloc_pages_vma: { kind: 'may-sleep', hook: 'gfp' },
  alloc_zeroed_user_highpage_movable: { kind: 'may-sleep', roles: ['vma', 'addr'], attrs: SLEEPS },
  __get_free_page: { kind: 'may-sleep', hook: 'gfp' },
  __get_free_pages: { kind: 'may-sleep', hook: 'gfp' },
  get_zeroed_page: { kind: 'may-sleep', hook: 'gfp' },
  folio_alloc: { kind: 'may-sleep', hook: 'gfp' },
  vma_alloc_folio: { kind: 'may-sleep', hook: 'gfp' },
  mem_cgroup_newpage_charge: { kind: 'may-sleep', hook: 'gfp' },
  mem_cgroup_charge: { kind: 'may-sleep', hook: 'gfp' },
  // mm/huge_memory.c split_huge_page_to_list_to_order() (split_huge_page_to_list() before 6.8) takes
  // anon_vma_lock_write() (an rwsem) for an anon folio, i_mmap_lock_read() for a file one: every split may sleep.
  // include/linux/huge_mm.h split_huge_page() / split_folio() / split_folio_to_list() are wrappers of it.
  split_huge_page: { kind: 'may-sleep', roles: ['page'], attrs: SLEEPS },
  split_huge_page_to_list: { kind: 'may-sleep', roles: ['page', ''], attrs: SLEEPS },
  split_huge_page_to_list_to_order: { kind: 'may-sleep', roles: ['page', '', ''], attrs: SLEEPS },
  split_folio: { kind: 'may-sleep', roles: ['page'], attrs: SLEEPS },
  split_folio_to_list: { kind: 'may-sleep', roles: ['page', ''], attrs: SLEEPS },
  split_folio_to_order: { kind: 'may-sleep', roles: ['page', ''], attrs: SLEEPS },
  // More sleepers (allocators, page-table allocation, waits, work flushes): src/kernel-api/sleepers.ts.
  ...MORE_SLEEPERS,
  // More spinning locks (rwlock _irq / _bh forms, xarray, seqlock, bit spinlocks): src/kernel-api/spinning-locks.ts.
  ...MORE_SPINLOCKS,
};

/**
 * Value transforms: a PTE/PMD value helper → the effect it has on the value it returns. Applied along assignment
 * chains so the write that stores the value carries `attrs.effects`.
 */
export const VALUE_TRANSFORMS: Readonly<Record<string, PteEffect>> = {
  pte_wrprotect: 'wrprotect',
  pte_mkclean: 'clean',
  pte_mkold: 'mkold',
  pte_mkwrite: 'mkwrite',
  pte_mkwrite_novma: 'mkwrite',
  maybe_mkwrite: 'mkwrite',
  pte_mkdirty: 'mkdirty',
  pte_mkyoung: 'mkyoung',
  pte_mkuffd_wp: 'uffd-wp',
  pte_clear_uffd_wp: 'uffd-unwp',
  pte_clear_soft_dirty: 'soft-dirty-clear',
  pte_modify: 'prot',
  pte_mknotpresent: 'clear',
  pte_mkinvalid: 'clear',
  pmd_wrprotect: 'wrprotect',
  pmd_mkclean: 'clean',
  pmd_mkold: 'mkold',
  pmd_mkwrite: 'mkwrite',
  pmd_mkwrite_novma: 'mkwrite',
  maybe_pmd_mkwrite: 'mkwrite',
  pmd_mkdirty: 'mkdirty',
  pmd_mkyoung: 'mkyoung',
  pmd_mkuffd_wp: 'uffd-wp',
  pmd_clear_uffd_wp: 'uffd-unwp',
  pmd_clear_soft_dirty: 'soft-dirty-clear',
  pmd_modify: 'prot',
  pmd_mknotpresent: 'clear',
  pmd_mkinvalid: 'clear',
  huge_pte_wrprotect: 'wrprotect',
  huge_pte_mkdirty: 'mkdirty',
  huge_pte_mkwrite: 'mkwrite',
  huge_pte_mkuffd_wp: 'uffd-wp',
  huge_pte_clear_uffd_wp: 'uffd-unwp',
  huge_pte_modify: 'prot',
  mk_pte: 'new-page',
  mk_huge_pte: 'new-page',
  pfn_pte: 'new-page',
  pfn_pmd: 'new-page',
  mk_pmd: 'new-page',
  folio_mk_pte: 'new-page',
  folio_mk_pmd: 'new-page',
  make_huge_pte: 'new-page',
};

/** Transforms that keep the value unchanged (`pte_mkhuge`, `pte_mkspecial`, arch wrappers). */
export const VALUE_IDENTITIES: ReadonlySet<string> = new Set([
  'pte_mkhuge',
  'pte_mkspecial',
  'pte_mkdevmap',
  'pmd_mkhuge',
  'pmd_mkdevmap',
  'pte_mksoft_dirty',
  'pmd_mksoft_dirty',
  'pte_mkexec',
  'arch_make_huge_pte',
  'READ_ONCE',
  'ACCESS_ONCE',
]);

/**
 * Architecture hooks that are told about a PTE, or keep CPU caches coherent with one, but never change its value
 * (Documentation/core-api/cachetlb.rst: update_mmu_cache_range() "tell[s] the architecture specific code that
 * translations now exist[] in the software page tables"; the cache flushing interfaces write back or invalidate CPU
 * caches for a user page or range). A call of one is never the PTE change a secondary MMU's invalidation is for.
 */
export const PTE_PRESERVING_HOOKS: ReadonlySet<string> = new Set([
  'update_mmu_cache',
  'update_mmu_cache_range',
  'update_mmu_cache_pmd',
  'update_mmu_tlb',
  'flush_cache_page',
  'flush_cache_range',
  'flush_icache_page',
  'flush_dcache_page',
  'flush_dcache_folio',
  'flush_anon_page',
]);

/**
 * Calls that produce no event: pure predicates and helpers whose only use is in conditions or value computations
 * (branch conditions keep their text, so rules still see them).
 */
export const PURE_HELPERS: ReadonlySet<string> = new Set([
  'likely',
  'unlikely',
  'READ_ONCE',
  'ACCESS_ONCE',
  'WRITE_ONCE',
  'sizeof',
  'min',
  'max',
  'min_t',
  'max_t',
  'clamp',
  'container_of',
  'typeof',
  'offsetof',
  'ARRAY_SIZE',
  'IS_ERR',
  'PTR_ERR',
  'ERR_PTR',
  'IS_ERR_OR_NULL',
  'IS_ENABLED',
  'BIT',
  'ALIGN',
  'PAGE_ALIGN',
  'PFN_DOWN',
  'PFN_UP',
  'pte_present',
  'pte_none',
  'pte_write',
  'pte_dirty',
  'pte_young',
  'pte_pfn',
  'pte_page',
  'pte_soft_dirty',
  'pte_special',
  'pte_protnone',
  'pte_val',
  '__pte',
  'pte_to_swp_entry',
  'pmd_present',
  'pmd_none',
  'pmd_write',
  'pmd_dirty',
  'pmd_young',
  'pmd_trans_huge',
  'pmd_devmap',
  'pmd_bad',
  'pmd_pfn',
  'pmd_page',
  'pmd_val',
  'pmd_addr_end',
  'pud_addr_end',
  'pgd_addr_end',
  'p4d_addr_end',
  'pte_index',
  'pmd_index',
  'huge_pte_none',
  'huge_pte_write',
  'huge_pte_dirty',
  'PageAnon',
  'PageDirty',
  'PageKsm',
  'PageSwapCache',
  'PageTransCompound',
  'PageTransHuge',
  'PageHuge',
  'PageLocked',
  'folio_test_anon',
  'folio_test_dirty',
  'folio_test_ksm',
  'folio_test_large',
  'page_folio',
  'page_to_pfn',
  'pfn_to_page',
  'page_address',
  'page_mapcount',
  'page_mapped',
  'folio_mapcount',
  'is_zero_pfn',
  'is_swap_pte',
  'vma_pages',
  'vma_is_anonymous',
  'is_vm_hugetlb_page',
  'WARN_ON',
  'WARN_ON_ONCE',
  'VM_BUG_ON',
  'VM_BUG_ON_PAGE',
  'VM_BUG_ON_FOLIO',
  'VM_BUG_ON_VMA',
  'VM_WARN_ON',
  'VM_WARN_ON_ONCE',
  'BUG_ON',
  'lockdep_assert_held',
  'fatal_signal_pending',
  'signal_pending',
  // include/linux/pagemap.h mapping_gfp_mask(): `return mapping->gfp_mask;`; mapping_gfp_constraint():
  // `return mapping_gfp_mask(mapping) & gfp_mask;`. Values only (an allocation given one is judged by its mask).
  'mapping_gfp_mask',
  'mapping_gfp_constraint',
]);

/**
 * Lock guard classes (include/linux/cleanup.h `guard(name)(args)` / `scoped_guard(name, args)`): the calls the
 * class's constructor and destructor make, as declared by DEFINE_LOCK_GUARD_1(spinlock, ...) and its siblings in
 * include/linux/spinlock.h, DEFINE_GUARD(mutex, ...) in include/linux/mutex.h, DEFINE_LOCK_GUARD_0(rcu, ...) in
 * include/linux/rcupdate.h, DEFINE_GUARD(rwsem_read / rwsem_write, ...) in include/linux/rwsem.h and
 * DEFINE_GUARD(mmap_read_lock, ...) in include/linux/mmap_lock.h. `_try` / `_intr` classes may fail to acquire.
 */
export const GUARD_CLASSES: Readonly<Record<string, { lock: string; unlock: string }>> = {
  spinlock: { lock: 'spin_lock', unlock: 'spin_unlock' },
  spinlock_try: { lock: 'spin_trylock', unlock: 'spin_unlock' },
  spinlock_irq: { lock: 'spin_lock_irq', unlock: 'spin_unlock_irq' },
  spinlock_bh: { lock: 'spin_lock_bh', unlock: 'spin_unlock_bh' },
  spinlock_irqsave: { lock: 'spin_lock_irqsave', unlock: 'spin_unlock_irqrestore' },
  raw_spinlock: { lock: 'raw_spin_lock', unlock: 'raw_spin_unlock' },
  raw_spinlock_irqsave: { lock: 'raw_spin_lock_irqsave', unlock: 'raw_spin_unlock_irqrestore' },
  read_lock: { lock: 'read_lock', unlock: 'read_unlock' },
  write_lock: { lock: 'write_lock', unlock: 'write_unlock' },
  mutex: { lock: 'mutex_lock', unlock: 'mutex_unlock' },
  mutex_try: { lock: 'mutex_trylock', unlock: 'mutex_unlock' },
  mutex_intr: { lock: 'mutex_lock_interruptible', unlock: 'mutex_unlock' },
  rcu: { lock: 'rcu_read_lock', unlock: 'rcu_read_unlock' },
  rwsem_read: { lock: 'down_read', unlock: 'up_read' },
  rwsem_write: { lock: 'down_write', unlock: 'up_write' },
  mmap_read_lock: { lock: 'mmap_read_lock', unlock: 'mmap_read_unlock' },
  mmap_read_lock_try: { lock: 'mmap_read_trylock', unlock: 'mmap_read_unlock' },
};

/**
 * Iterator macros that the pre-pass turns into loop heads; they are not events (`list_for_each_entry`,
 * `xa_for_each`, `vma_interval_tree_foreach` in include/linux/interval_tree_generic.h users, ...).
 */
export const ITERATOR_PATTERN = /^(?:[a-z0-9_]*_)?for_?each(?:_[a-z0-9_]+)?$/;

/** Expressions naming a PTE lock (by spelling): `ptl`, `*->ptl`, `src_ptl`, `pte_lockptr(...)`. */
export const PTL_EXPR = /(?:^|->|\.|_)ptl$|^(?:pte_lockptr|huge_pte_lockptr|ptlock_ptr)\s*\(/;
/** Expressions naming a PMD-level page-table lock. */
export const PMD_PTL_EXPR = /(?:^|->|\.|_)pml$|^(?:pmd_lockptr|pud_lockptr)\s*\(|page_table_lock$/;
/** mmap_sem (≤5.7) / mmap_lock (≥5.8). */
export const MMAP_LOCK_EXPR = /(?:^|->|\.)mmap_(?:sem|lock)$/;
/** Lock-pointer getters: `ptl = pte_lockptr(mm, pmd)` makes `ptl` a PTL. */
export const LOCK_GETTERS: Readonly<Record<string, LockClass>> = {
  pte_lockptr: 'ptl',
  huge_pte_lockptr: 'ptl',
  ptlock_ptr: 'ptl',
  pmd_lockptr: 'pmd-ptl',
  pud_lockptr: 'pmd-ptl',
};
/** GFP masks that allow direct reclaim (the allocation may sleep). */
export const SLEEPING_GFP = /\b(?:GFP_KERNEL|GFP_KERNEL_ACCOUNT|GFP_USER|GFP_HIGHUSER\w*|GFP_NOFS|GFP_NOIO|GFP_TRANSHUGE\w*|__GFP_DIRECT_RECLAIM)\b/;
/**
 * GFP masks that never sleep: GFP_ATOMIC / GFP_NOWAIT, include/linux/gfp_types.h GFP_TRANSHUGE_LIGHT (defined
 * `& ~__GFP_RECLAIM`), and any mask written with direct reclaim masked out (`& ~__GFP_DIRECT_RECLAIM`,
 * `& ~__GFP_RECLAIM`).
 */
export const ATOMIC_GFP = /\b(?:GFP_ATOMIC|GFP_NOWAIT|GFP_TRANSHUGE_LIGHT)\b|~\s*\(?\s*__GFP_(?:DIRECT_)?RECLAIM\b/;

/**
 * Helpers that widen a flush range to a level's whole region (its start and end are passed by address), as a
 * range covering an entry of that extent must be: adjust_range_if_pmd_sharing_possible(vma, &start, &end)
 * (mm/hugetlb.c) widens to PUD_SIZE when the VMA may share PMD tables. Name → [level, argument indexes].
 */
export const RANGE_WIDENERS: Readonly<Record<string, { level: 'pmd' | 'pud'; args: readonly number[] }>> = {
  adjust_range_if_pmd_sharing_possible: { level: 'pud', args: [1, 2] },
};

/**
 * What a failable call returns when it fails, and so what it did NOT do on that path: a failed acquisition holds no
 * lock (and maps no PTE table), a failed `_nonblock` invalidation start opened no window (no `_end()` is owed).
 * - `zero`: failure returns 0 / false (trylocks);
 * - `nonzero`: failure returns a non-zero error code (`-EINTR`, `-EAGAIN`);
 * - `null`: failure returns NULL (page-table map-and-lock helpers).
 * Interpreted along a path by rules/utils/failure.ts (the branch the path takes on the result).
 */
export interface FailureSemantics {
  returns: 'zero' | 'nonzero' | 'null';
  /** The kernel function whose code shows it. */
  kernel: string;
}

export const FAILURE: Readonly<Record<string, FailureSemantics>> = {
  // include/linux/mmu_notifier.h mmu_notifier_invalidate_range_start_nonblock() returns the -EAGAIN of
  // __mmu_notifier_invalidate_range_start(); mm/mmu_notifier.c mn_hlist_invalidate_range_start() has already called
  // invalidate_range_end() for the subscriptions that had started, so the caller owes no _end() (mm/oom_kill.c
  // __oom_reap_task_mm() skips the vma without one). That is the promise since v5.12 (c2655835fd8c); the one before
  // it, and the release that settles which a tree has, are in failure-eras.ts.
  mmu_notifier_invalidate_range_start_nonblock: { returns: 'nonzero', kernel: 'mmu_notifier_invalidate_range_start_nonblock' },
  // mm/pgtable-generic.c __pte_offset_map_lock(): NULL when the pmd no longer points to a page table (≥6.5), with
  // neither the mapping nor the PTL taken; pte_offset_map() → __pte_offset_map() likewise maps nothing.
  pte_offset_map_lock: { returns: 'null', kernel: '__pte_offset_map_lock' },
  pte_offset_map: { returns: 'null', kernel: '__pte_offset_map' },
  pte_offset_map_nolock: { returns: 'null', kernel: 'pte_offset_map_nolock' },
  pte_offset_map_rw_nolock: { returns: 'null', kernel: 'pte_offset_map_rw_nolock' },
  pte_offset_map_ro_nolock: { returns: 'null', kernel: 'pte_offset_map_ro_nolock' },
  // include/linux/mm.h pte_alloc_map_lock(): NULL when pte_alloc() fails, nothing locked.
  pte_alloc_map_lock: { returns: 'null', kernel: 'pte_alloc_map_lock' },
  // mm/memory.c __get_locked_pte(): NULL when a table level cannot be allocated, before pte_alloc_map_lock().
  get_locked_pte: { returns: 'null', kernel: '__get_locked_pte' },
  __get_locked_pte: { returns: 'null', kernel: '__get_locked_pte' },
  // mm/rmap.c page_check_address() (≤4.x): NULL when the page is not mapped there; the PTL is dropped first.
  page_check_address: { returns: 'null', kernel: '__page_check_address' },
  __page_check_address: { returns: 'null', kernel: '__page_check_address' },
  // include/linux/huge_mm.h pmd_trans_huge_lock(): the PMD lock when the pmd is huge, else NULL and unlocked.
  pmd_trans_huge_lock: { returns: 'null', kernel: '__pmd_trans_huge_lock' },
  pud_trans_huge_lock: { returns: 'null', kernel: '__pud_trans_huge_lock' },
  // kernel/locking: the trylocks return 1 when the lock was taken, 0 when not (include/linux/spinlock.h
  // spin_trylock(), kernel/locking/mutex.c mutex_trylock(), kernel/locking/rwsem.c down_read_trylock()).
  spin_trylock: { returns: 'zero', kernel: 'spin_trylock' },
  raw_spin_trylock: { returns: 'zero', kernel: 'raw_spin_trylock' },
  mutex_trylock: { returns: 'zero', kernel: 'mutex_trylock' },
  down_read_trylock: { returns: 'zero', kernel: 'down_read_trylock' },
  down_write_trylock: { returns: 'zero', kernel: 'down_write_trylock' },
  // include/linux/mmap_lock.h mmap_read_trylock(): bool, true when taken.
  mmap_read_trylock: { returns: 'zero', kernel: 'mmap_read_trylock' },
  mmap_write_trylock: { returns: 'zero', kernel: 'mmap_write_trylock' },
  // include/linux/pagemap.h trylock_page() / folio_trylock(): true when the page lock was taken.
  trylock_page: { returns: 'zero', kernel: 'trylock_page' },
  folio_trylock: { returns: 'zero', kernel: 'folio_trylock' },
  // kernel/locking/mutex.c mutex_lock_killable()/_interruptible(), kernel/locking/rwsem.c down_*_killable():
  // 0 when taken, -EINTR when a signal interrupted the wait (not taken).
  mutex_lock_killable: { returns: 'nonzero', kernel: 'mutex_lock_killable' },
  mutex_lock_interruptible: { returns: 'nonzero', kernel: 'mutex_lock_interruptible' },
  down_read_killable: { returns: 'nonzero', kernel: 'down_read_killable' },
  down_write_killable: { returns: 'nonzero', kernel: 'down_write_killable' },
  // include/linux/mmap_lock.h mmap_read_lock_killable(): down_read_killable() of mmap_lock.
  mmap_read_lock_killable: { returns: 'nonzero', kernel: 'mmap_read_lock_killable' },
  mmap_write_lock_killable: { returns: 'nonzero', kernel: 'mmap_write_lock_killable' },
  // bit_spin_trylock(): src/kernel-api/spinning-locks.ts.
  ...MORE_SPIN_FAILURE,
};

// ---- PTE-table mappings and mm lifetime (rules uffd-lock-retake, fullmm-misuse) -------------------------------

/**
 * What a mapping of a PTE table costs, and so what a missing or wrong pte_unmap() breaks:
 * - `highpteArchDirs`: architectures with CONFIG_HIGHPTE (arch/x86/Kconfig until its removal, arch/arm/Kconfig,
 *   the historical arch/frv): pte_offset_map() is kmap_local_page() of the table (include/linux/pgtable.h
 *   pte_offset_map() → __pte_map()), and kunmap_local() must be given the address that map returned — an unmap
 *   through a pointer into an earlier mapping releases the wrong one. Generic code (outside arch/) runs there too.
 * - `rcuMappers`: since 6.5, mm/pgtable-generic.c __pte_offset_map() takes rcu_read_lock() and returns NULL (after
 *   rcu_read_unlock()) when the pmd no longer points to a page table; pte_unmap() is then rcu_read_unlock()
 *   (include/linux/pgtable.h). Code that tests one of these results for NULL is written against that API, so on
 *   its tree every mapping opens an RCU read-side section that only pte_unmap() closes.
 * Elsewhere (64-bit arches before 6.5) pte_unmap() is a no-op and a missing one breaks nothing.
 */
export const PTE_MAP_SEMANTICS = {
  highpteArchDirs: ['x86', 'arm', 'frv'] as readonly string[],
  /**
   * Calls that return a pointer into a page table without mapping it: include/linux/pgtable.h pte_offset_kernel()
   * (the kernel's own tables are never in highmem, no RCU section), mm/hugetlb.c huge_pte_offset() /
   * huge_pte_alloc() (a hugetlb entry lives in a PMD/PUD page). pte_unmap() of such a pointer ends a mapping that
   * was never made.
   */
  notMappings: new Set(['pte_offset_kernel', 'huge_pte_offset', 'huge_pte_alloc']) as ReadonlySet<string>,
  rcuMappers: new Set(['pte_offset_map', 'pte_offset_map_lock', 'pte_offset_map_nolock', 'pte_offset_map_ro_nolock', 'pte_offset_map_rw_nolock', '__pte_offset_map', '__pte_offset_map_lock']) as ReadonlySet<string>,
};

/**
 * Functions the kernel calls only on an mm no thread can use any more: where a fullmm mmu_gather belongs.
 * - exit_mmap(): mm/mmap.c; called from kernel/fork.c __mmput() once mm_users reached 0 (mmput()), and from the
 *   dup_mmap() failure path of a new mm that never had a user (kernel/fork.c dup_mm() → mmput()).
 * - arch_exit_mmap(): include/asm-generic/mm_hooks.h / arch hooks, called by exit_mmap() before the teardown.
 * A function reached only from these (through the callers a patch shows) tears down a dead mm.
 */
export const DEAD_MM_ENTRIES: ReadonlySet<string> = new Set(['exit_mmap', 'arch_exit_mmap']);

/**
 * Calls and conditions that establish the mm has users (so is live) on the path that passes them:
 * - mmget_not_zero() / atomic_inc_not_zero(&mm->mm_users) true: include/linux/sched/mm.h mmget_not_zero();
 * - get_task_mm() non-NULL: kernel/fork.c get_task_mm() takes an mm_users reference;
 * - mmget(): include/linux/sched/mm.h, a new mm_users reference on an mm already in use;
 * - current->mm: the mm the calling task runs on (kernel/fork.c: a task's mm has its mm_users reference).
 * A new mm before it is published (kernel/fork.c mm_alloc() → allocate_mm(); copy_init_mm() → dup_mm(NULL,
 * &init_mm), an mm for firmware or text-patching use that no task runs on until the caller switches to it) has no
 * user but the caller: dead for this purpose (`MM_WITHOUT_USERS`), and no CPU has it loaded, so no TLB holds its
 * entries (flush-under-ptl, rules/utils/fresh-mm.ts).
 */
/**
 * The architecture hook the generic mmu_gather flushes through: include/asm-generic/tlb.h tlb_flush_mmu_tlbonly()
 * calls tlb_flush(tlb) (arches `#define tlb_flush tlb_flush` to supply their own). It is what runs after
 * mm/mmu_gather.c tlb_finish_mmu() forced `tlb->fullmm = 1` on a live mm (mm_tlb_flush_nested(), since 5.2), so a
 * fullmm seen there does not mean the mm is dead.
 */
export const GATHER_FLUSH_HOOKS: ReadonlySet<string> = new Set(['tlb_flush']);

export const MM_USER_REFS: ReadonlySet<string> = new Set(['mmget_not_zero', 'get_task_mm', 'mmget']);
export const MM_WITHOUT_USERS: ReadonlySet<string> = new Set(['mm_alloc', 'allocate_mm', 'copy_init_mm']);

/**
 * Kernel functions a rule's modelled scenario takes as given, by hazard kind: when a patch (or another patch of its
 * series) changes one of them, the scenario may no longer be the kernel's and the finding is not confirmed
 * (src/engine/scenario-assumptions.ts).
 * - fullmm-flush-skipped (rules/fullmm-misuse.ts): mm/mmu_gather.c tlb_finish_mmu() forces `tlb->fullmm = 1` on a
 *   live mm when mm_tlb_flush_nested(), then flushes through tlb_flush_mmu() → include/asm-generic/tlb.h
 *   tlb_flush_mmu_tlbonly() → tlb_flush().
 */
export const SCENARIO_ASSUMES: Readonly<Record<string, readonly string[]>> = {
  'fullmm-flush-skipped': ['tlb_finish_mmu', 'tlb_flush_mmu', 'tlb_flush_mmu_tlbonly', '__tlb_reset_range'],
};

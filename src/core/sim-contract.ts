/**
 * The names shared between rules (which choose what to simulate) and the simulator (which implements them):
 * architecture presets, adversary programs and invariants. The simulator's full scenario format lives in
 * src/sim/scenario.ts; this file holds only the vocabulary both sides must agree on.
 */

/**
 * Architecture presets.
 * - x86: hardware-managed accessed/dirty bits; the dirty bit is cached in the TLB (a store through a TLB entry that
 *   already has D=1 does not touch the PTE); fullmm gathers still flush.
 * - arm64: hardware DBM (dirty bit management) — like x86 for A/D; a fullmm gather skips TLB invalidation
 *   (the mm is assumed dead, ASID is recycled later).
 * - arm64-nodbm: software dirty/young: a store to a clean PTE (or an access to an old one) faults; fullmm skips
 *   invalidation as on arm64.
 * - ppc-e500: software dirty/young like arm64-nodbm; fullmm flushes.
 */
export const ARCH_PRESETS = ['x86', 'arm64', 'arm64-nodbm', 'ppc-e500'] as const;
export type Arch = (typeof ARCH_PRESETS)[number];

/** Reusable adversary programs of the simulator's library (src/sim/adversaries/). */
export const ADVERSARIES = [
  'user-writer', // a user CPU holding a cached writable TLB entry, storing through it
  'user-reader', // a user CPU loading through a cached TLB entry
  'zap', // zap_pte_range / munmap / truncate: clears PTEs under the PTL, flushes, frees pages
  'madvise-dontneed', // MADV_DONTNEED: zap with an mmu_gather, frees after flush
  'madvise-free', // MADV_FREE: clean + mkold under the PTL, defers the flush (tlb_flush_pending)
  'writeback', // page_mkclean + write to disk + reclaim drops the clean page
  'ksm', // KSM write_protect_page + replace_page (change_pte era aware)
  'cow', // a write fault doing copy-on-write under the PTL
  'fault', // a concurrent page fault on the same PTE (takes the PTL, updates the PTE)
  'migration', // try_to_migrate: clear + flush + copy + remap
  'kvm-vcpu', // a KVM vCPU faulting through the secondary MMU (in_progress / sequence retry) and accessing via sptes
  'invalidator', // a second thread running an mmu-notifier invalidation on the range
  'uffd-monitor', // a userfaultfd monitor resolving write-protect faults (UFFDIO_WRITEPROTECT)
  'reclaim-aging', // reclaim aging: test-and-clear young, decides on young bit
  'change-prot-numa', // change_protection to PROT_NONE / NUMA hint: entry made unusable, flush deferred and announced
  'lazyfree-reclaim', // reclaim of a MADV_FREE (lazyfree) anon page: ptep_clear_flush, discard when clean, else keep
  'uffd-fill', // UFFDIO_COPY into an empty entry (mmap_lock read + PTL), then a later access of the address
  'pmd-retract', // khugepaged retract_page_tables() (v6.6+): PMD lock only, no mmap_lock: clears a PMD that points to a table, frees the table
  'mremap-table-move', // mremap moving a whole PTE table: lockless PMD read under mmap_lock write, then clear + populate under the PMD lock
  'clean-reclaim', // shrink_folio_list on a page that looks clean (no PG_dirty, no dirty entry): unmap and drop it
] as const;
export type AdversaryName = (typeof ADVERSARIES)[number];

/** Invariants; each violation is reported under its name. */
export const INVARIANTS = [
  'no-stale-access', // no access through a stale TLB entry or spte to a freed or reused page
  'no-lost-write', // a user store is never lost (a page dropped as clean has data == disk)
  'write-protect-holds', // once a protecting operation returned, no store succeeds through an old writable mapping
  'pte-under-ptl', // a PTE is modified only by a thread holding its PTL
  'lock-balance', // no unlock of a lock not held, no lock held at thread exit, no double lock
  'no-sleep-in-atomic', // no sleeping op while a spinlock (PTL) is held
  'secondary-mmu-coherent', // a spte never maps what the primary PTE does not, outside an invalidate window
  'notifier-balance', // invalidate_range_start/end balanced per thread, with equal ranges
  'flush-pending-balance', // inc/dec_tlb_flush_pending balanced
  'fullmm-dead-mm', // a fullmm mmu_gather only on an mm no thread can still use
  'no-livelock', // a retry loop never returns to an identical global state without progress
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

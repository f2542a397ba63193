/**
 * Names that say a function the catalogue does not know may flush the TLB. A call to such a function between a
 * page-table change and the release of its lock may be the flush the change needs (a wrapper a patch or an
 * architecture defines, as mm/mremap.c's flush_pte_tlb_pwc_range() wraps flush_tlb_range() and
 * arch/powerpc/include/asm/book3s/64/tlbflush.h overrides it with radix__flush_tlb_pwc_range_psize()): when its
 * definition is not visible, whether it flushes is unseen code, and a claim that the lock is released "before any
 * TLB flush" rests on it. Data only; rules/utils/hidden-flush.ts reads it.
 */
export interface FlushName {
  pattern: RegExp;
  /** Why a function so named may flush the TLB. */
  reason: string;
}

const MAY_FLUSH_NAMES: readonly FlushName[] = [
  {
    pattern: /flush/i,
    reason: 'TLB flushes are named flush_tlb_*() / *_flush_tlb_*() (include/linux/mm.h, arch/*/include/asm/tlbflush.h), and architectures wrap them under other flush_* names',
  },
  { pattern: /tlb/i, reason: 'a function named for the TLB (local_flush_tlb_*(), __tlbi(), tlb_*()) may invalidate it' },
  {
    pattern: /invalidat/i,
    reason: 'TLB maintenance is also spelled "invalidate" (arch/arm64 __flush_tlb_range() issues TLBI invalidations; mmu_notifier_arch_invalidate_secondary_tlbs())',
  },
  { pattern: /shootdown/i, reason: 'a TLB shootdown is the cross-CPU flush (arch/x86/mm/tlb.c flush_tlb_multi())' },
  { pattern: /tlbi|ptesync|sfence_vma|invlpg/i, reason: 'architecture TLB-invalidate instructions (arm64 TLBI, riscv SFENCE.VMA, x86 INVLPG, powerpc tlbie)' },
];

/**
 * Names that match a pattern above but flush only CPU caches, never a TLB: include/linux/highmem.h and
 * arch/*\/include/asm/cacheflush.h flush_dcache_page(), flush_cache_range(), flush_icache_range(), ... operate on
 * cache lines, not on translations.
 */
const CACHE_ONLY_NAMES = /^(?:__)?(?:flush_(?:cache|dcache|icache|anon_page|kernel_dcache|kernel_vmap_range)|invalidate_kernel_vmap_range|invalidate_(?:dcache|icache))/;

/** The reason a name may flush the TLB, or undefined. */
export function mayFlushName(name: string): string | undefined {
  if (CACHE_ONLY_NAMES.test(name)) return undefined;
  return MAY_FLUSH_NAMES.find((n) => n.pattern.test(name))?.reason;
}

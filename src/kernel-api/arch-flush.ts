/**
 * What architectures' TLB-flush primitives invalidate, and what the generic hooks they implement must invalidate.
 * Data only, read by flush-under-ptl's arch-flush analysis (rules/utils/arch-flush.ts). Each entry cites the kernel
 * code or architecture rule it describes.
 *
 * Coverage is a reach per kind of TLB entry: a PTE-level leaf (`pte`), a leaf at the PMD level or above (`pmd`: a
 * block / huge mapping), and a paging-structure ("walk") cache entry (`table`: a cached pointer to a page-table
 * page). Reach orders the CPUs a flush gets to: only the flushing CPU (`local`), the CPUs the mm is marked active on
 * but not lazy-TLB CPUs (`mm`: x86 skips lazy CPUs unless page tables were freed), or every CPU that may still cache
 * the mm's translations, lazy-TLB and speculatively walking ones included (`all`).
 */
import { TLB_LEVELS, type TlbLevel } from '../core/ops.ts';

export type Reach = 'local' | 'mm' | 'all';
export const REACH_ORDER: Record<Reach, number> = { local: 0, mm: 1, all: 2 };

/** Per entry kind, the reach of the invalidation (absent: not invalidated). */
export type Coverage = Partial<Record<TlbLevel, Reach>>;

export const LEAVES: readonly TlbLevel[] = ['pte', 'pmd'];
export const EVERY_LEVEL: readonly TlbLevel[] = TLB_LEVELS;

/** A generic hook an architecture defines, and what its callers rely on. */
export interface HookContract {
  kind: 'gather' | 'page' | 'range' | 'mm' | 'collapse';
  /** What callers rely on (message text). */
  contract: string;
  /** Entry kinds and reach required on every path (gather hooks: computed from the gather's fields instead). */
  requires?: Coverage;
  /** Only this architecture's function of that name is the hook. */
  arch?: string;
  /** Index of a `last_level` parameter: when the caller passes true, only leaves are owed (no walk caches). */
  leafParam?: number;
  cites: string;
}

export const ARCH_HOOKS: Readonly<Record<string, HookContract>> = {
  tlb_flush: {
    kind: 'gather',
    contract:
      'invalidate [tlb->start, tlb->end) for every level the gather cleared (cleared_ptes/pmds/puds/p4ds) on every CPU of the mm, and when tlb->freed_tables also the paging-structure caches on every CPU that may walk the freed tables',
    cites: 'include/asm-generic/tlb.h (tlb_flush(), struct mmu_gather: freed_tables, cleared_*); mm/mmu_gather.c tlb_flush_mmu_tlbonly(), tlb_remove_table()',
  },
  flush_tlb_page: {
    kind: 'page',
    contract: 'drop the leaf entry for the address whatever its size (PMD leaves reach it from ptep_clear_flush() of a huge entry and the *_set_access_flags() helpers)',
    requires: { pte: 'mm', pmd: 'mm' },
    cites: 'Documentation/core-api/cachetlb.rst flush_tlb_page(); mm/pgtable-generic.c ptep_clear_flush(); include/asm-generic/hugetlb.h huge_ptep_clear_flush()',
  },
  flush_tlb_page_nosync: {
    kind: 'page',
    contract: 'drop the leaf entry for the address whatever its size, as flush_tlb_page() (which is it, followed by a DSB) must',
    requires: { pte: 'mm', pmd: 'mm' },
    cites: 'arch/arm64/include/asm/tlbflush.h flush_tlb_page() = flush_tlb_page_nosync() + dsb(ish); ptep_set_access_flags() -> flush_tlb_fix_spurious_fault()',
  },
  flush_tlb_range: {
    kind: 'range',
    contract: 'drop leaf entries of any size in the range and, since pmdp_collapse_flush() uses it to drop a PMD that points to a page table, the walk caches on every CPU that may walk that table',
    // `table` only where pmdp_collapse_flush() is the generic one (GENERIC_COLLAPSE_FLUSH).
    requires: { pte: 'mm', pmd: 'mm', table: 'all' },
    cites: 'mm/pgtable-generic.c pmdp_collapse_flush(), pmdp_huge_clear_flush(); Documentation/core-api/cachetlb.rst flush_tlb_range()',
  },
  __flush_tlb_range: {
    kind: 'range',
    arch: 'arm64',
    contract: 'invalidate the leaf entries of the range on every CPU of the mm and, unless its caller passes last_level (flush_tlb_range(), and tlb_flush() when tables were freed, do not), the walk caches on every CPU',
    requires: { pte: 'mm', pmd: 'mm', table: 'all' },
    leafParam: 4,
    cites: 'arch/arm64/include/asm/tlbflush.h __flush_tlb_range(vma, start, end, stride, last_level, ...), called by flush_tlb_range() with last_level false and by tlb_flush() with !tlb->freed_tables',
  },
  pmdp_collapse_flush: {
    kind: 'collapse',
    contract:
      'clear the PMD that points to the page table being collapsed and invalidate the PTE-level leaf entries of its range on every CPU of the mm and, since khugepaged then frees that table (retract_page_tables(): pte_free_defer()) or deposits it for reuse (collapse_huge_page()), the walk-cache entries pointing to it on every CPU that may walk it, lazy-TLB ones included',
    requires: { pte: 'mm', table: 'all' },
    cites: 'mm/pgtable-generic.c pmdp_collapse_flush() ("collapse entails shooting down ptes not pmd": flush_tlb_range() after pmdp_huge_get_and_clear()); mm/khugepaged.c collapse_huge_page(), retract_page_tables(); arch definitions: arch/riscv/mm/pgtable.c pmdp_collapse_flush() (flush_tlb_mm(): "sfence.vma forms that specify an address only apply to leaf PTEs"), arch/powerpc/mm/book3s64/radix_pgtable.c radix__pmdp_collapse_flush() (radix__flush_tlb_collapsed_pmd(): TLB and page-walk cache)',
  },
  flush_tlb_mm: {
    kind: 'mm',
    contract: 'drop every translation of the mm, walk caches included, on every CPU that may hold one (lazy-TLB CPUs and speculative walks included: mm_users and mm_cpumask do not bound them)',
    requires: { pte: 'all', pmd: 'all', table: 'all' },
    cites: 'Documentation/core-api/cachetlb.rst flush_tlb_mm(); mm/mmu_gather.c tlb_flush_mmu() fullmm users',
  },
};

/** Functions whose result is the level hint (TTL) of a gather flush's invalidations, and the level each value names. */
export interface HintProducer {
  arch: string;
  levels: Readonly<Record<number, TlbLevel>>;
  cites: string;
}

export const HINT_PRODUCERS: Readonly<Record<string, HintProducer>> = {
  tlb_get_level: {
    arch: 'arm64',
    // TTL level 3 is a 4K-granule PTE, 2 and 1 are block entries at PMD and PUD level (Arm ARM, TLBI TTL field).
    levels: { 3: 'pte', 2: 'pmd', 1: 'pmd' },
    cites: 'arch/arm64/include/asm/tlb.h tlb_flush(): its result is the tlb_level (TTL) of every TLBI __flush_tlb_range() issues, leaf and non-leaf; a TTL is only valid for the leaf entry',
  },
};

/**
 * A primitive's coverage; `leafArg`/`reachArg`/`hintArg`/`sizeArg` make it depend on an argument's value. No levels:
 * a page-table update of that arch that invalidates nothing (a PMD exchange), known so that it is not an unknown call.
 */
export interface Primitive {
  coverage: { levels: readonly TlbLevel[]; reach: Reach };
  /** Argument index of a `last_level` flag: true → leaves only. */
  leafArg?: number;
  /** Argument index of a `freed_tables` flag: false → reach `mm` (lazy CPUs skipped). */
  reachArg?: number;
  /** Argument index of a TTL level hint: a constant 1..3 narrows the invalidation to that level's leaf. */
  hintArg?: number;
  /** Argument index of a size: `-1` (the whole mm) invalidates everything; any other size leaves only. */
  sizeArg?: number;
  /**
   * Argument indexes of a range's start and end, for a flush whose coverage holds only for a range of one stride: a
   * wider range may be flushed whole (a size threshold, firmware), so its coverage is then unknown. The gather's own
   * range (`tlb->start`, `tlb->end`) can be one page at run time, so the catalogued coverage holds for it.
   */
  narrowRange?: readonly [number, number];
  /** For arm64 TLBI macros: the argument index of the TLBI operation (coverage then comes from ARM64_TLBI_OPS). */
  opArg?: number;
  /**
   * Argument counts of the signatures the entry describes: a call with another count is a signature this entry
   * does not know (the arguments read by index would be the wrong ones), and its coverage is unknown.
   */
  arity?: readonly number[];
  cites: string;
}

const ALL = EVERY_LEVEL;

/** arm64 TLBI operations: `is` forms broadcast to the Inner Shareable domain, `al`/`le` forms are last-level only. */
export const ARM64_TLBI_OPS: Readonly<Record<string, { levels: readonly TlbLevel[]; reach: Reach }>> = {
  vale1is: { levels: LEAVES, reach: 'all' },
  vae1is: { levels: ALL, reach: 'all' },
  vaale1is: { levels: LEAVES, reach: 'all' },
  vaae1is: { levels: ALL, reach: 'all' },
  aside1is: { levels: ALL, reach: 'all' },
  vmalle1is: { levels: ALL, reach: 'all' },
  vale1: { levels: LEAVES, reach: 'local' },
  vae1: { levels: ALL, reach: 'local' },
  vaale1: { levels: LEAVES, reach: 'local' },
  vaae1: { levels: ALL, reach: 'local' },
  aside1: { levels: ALL, reach: 'local' },
  vmalle1: { levels: ALL, reach: 'local' },
  // Range forms (FEAT_TLBIRANGE).
  rvale1is: { levels: LEAVES, reach: 'all' },
  rvae1is: { levels: ALL, reach: 'all' },
  rvale1: { levels: LEAVES, reach: 'local' },
  rvae1: { levels: ALL, reach: 'local' },
};

/** Why a riscv range wider than one stride is not known to be leaf-only. */
const RISCV_WIDE =
  'a range of more than one stride is flushed as the whole ASID on the local and IPI paths up to v6.7, and above tlb_flush_all_threshold (64 strides) from v6.8 (local_flush_tlb_range_threshold_asid()); the SBI remote path leaves it to firmware';

const TLBI_CITE = 'arch/arm64/include/asm/tlbflush.h __tlbi()/__tlbi_level() (Arm ARM D8: TLBI <op>IS broadcasts, V*LE* last level only, TTL names the leaf level)';

/** Per architecture (the `arch/<name>/` directory; `powerpc-hash32` for book3s32), the primitives it provides. */
export const ARCH_PRIMITIVES: Readonly<Record<string, Readonly<Record<string, Primitive>>>> = {
  arm64: {
    __tlbi: { coverage: { levels: ALL, reach: 'all' }, opArg: 0, arity: [1, 2], cites: TLBI_CITE },
    __tlbi_user: { coverage: { levels: ALL, reach: 'all' }, opArg: 0, arity: [1, 2], cites: TLBI_CITE },
    __tlbi_level: { coverage: { levels: ALL, reach: 'all' }, opArg: 0, hintArg: 2, arity: [3], cites: TLBI_CITE },
    __tlbi_user_level: { coverage: { levels: ALL, reach: 'all' }, opArg: 0, hintArg: 2, arity: [3], cites: TLBI_CITE },
    __flush_tlb_range: {
      coverage: { levels: ALL, reach: 'all' },
      leafArg: 4,
      hintArg: 5,
      arity: [5, 6],
      // The older 4-argument form (vma, start, end, last_level) belongs to trees from before the gather tracked freed
      // tables, where __pte/pmd/pud_free_tlb() invalidated the walk cache themselves (__flush_tlb_pgtable()) and
      // tlb_flush() owed leaves only: it is deliberately not described (a call of it is unknown, its hook not judged).
      cites: 'arch/arm64/include/asm/tlbflush.h __flush_tlb_range(vma, start, end, stride, last_level[, tlb_level]): vale1is when last_level, else vae1is',
    },
    flush_tlb_mm: { coverage: { levels: ALL, reach: 'all' }, cites: 'arch/arm64/include/asm/tlbflush.h flush_tlb_mm(): tlbi aside1is' },
    flush_tlb_range: { coverage: { levels: ALL, reach: 'all' }, cites: 'arch/arm64/include/asm/tlbflush.h flush_tlb_range(): __flush_tlb_range(..., false)' },
    flush_tlb_all: { coverage: { levels: ALL, reach: 'all' }, cites: 'arch/arm64/include/asm/tlbflush.h flush_tlb_all(): tlbi vmalle1is' },
    flush_tlb_page: { coverage: { levels: LEAVES, reach: 'all' }, cites: 'arch/arm64/include/asm/tlbflush.h flush_tlb_page(): tlbi vale1is' },
    flush_tlb_page_nosync: { coverage: { levels: LEAVES, reach: 'all' }, cites: 'arch/arm64/include/asm/tlbflush.h flush_tlb_page_nosync(): tlbi vale1is' },
    local_flush_tlb_all: { coverage: { levels: ALL, reach: 'local' }, cites: 'arch/arm64/include/asm/tlbflush.h local_flush_tlb_all(): tlbi vmalle1' },
    local_flush_tlb_asid: { coverage: { levels: ALL, reach: 'local' }, cites: 'tlbi aside1 (no IS: this CPU only)' },
    pmdp_huge_get_and_clear: { coverage: { levels: [], reach: 'local' }, cites: 'arch/arm64/include/asm/pgtable.h pmdp_huge_get_and_clear(): ptep_get_and_clear() of the PMD, an exchange, no TLBI' },
  },
  riscv: {
    flush_tlb_mm: { coverage: { levels: ALL, reach: 'all' }, cites: 'arch/riscv/mm/tlbflush.c flush_tlb_mm(): __flush_tlb_range(mm, 0, -1, PAGE_SIZE), sfence.vma without an address' },
    flush_tlb_all: { coverage: { levels: ALL, reach: 'all' }, cites: 'arch/riscv/mm/tlbflush.c flush_tlb_all()' },
    flush_tlb_mm_range: {
      coverage: { levels: LEAVES, reach: 'all' },
      arity: [4],
      narrowRange: [1, 2],
      cites: 'arch/riscv/mm/tlbflush.c flush_tlb_mm_range() -> __flush_tlb_range(mm, start, size, stride): sfence.vma with an address, which invalidates leaf entries only (RISC-V privileged spec, SFENCE.VMA rs1 != x0); ' + RISCV_WIDE,
    },
    __flush_tlb_range: {
      coverage: { levels: ALL, reach: 'all' },
      sizeArg: 2,
      arity: [4],
      cites: 'arch/riscv/mm/tlbflush.c __flush_tlb_range(mm, start, size, stride): size -1 flushes the ASID, a range uses sfence.vma per address (leaf entries only)',
    },
    flush_tlb_range: { coverage: { levels: LEAVES, reach: 'all' }, narrowRange: [1, 2], cites: 'arch/riscv/mm/tlbflush.c flush_tlb_range(): __flush_tlb_range(mm, start, end - start, PAGE_SIZE); ' + RISCV_WIDE },
    flush_tlb_page: { coverage: { levels: LEAVES, reach: 'all' }, cites: 'arch/riscv/mm/tlbflush.c flush_tlb_page(): sfence.vma of one address' },
    local_flush_tlb_all: { coverage: { levels: ALL, reach: 'local' }, cites: 'arch/riscv/include/asm/tlbflush.h local_flush_tlb_all(): sfence.vma' },
    local_flush_tlb_page: { coverage: { levels: LEAVES, reach: 'local' }, cites: 'arch/riscv/include/asm/tlbflush.h local_flush_tlb_page(): sfence.vma addr' },
    pmdp_huge_get_and_clear: { coverage: { levels: [], reach: 'local' }, cites: 'arch/riscv/include/asm/pgtable.h pmdp_huge_get_and_clear(): an atomic exchange of the PMD, no sfence.vma' },
  },
  x86: {
    flush_tlb_mm_range: {
      // INVLPG and CR3 writes also drop paging-structure-cache entries (Intel SDM 4.10.4.1).
      coverage: { levels: ALL, reach: 'all' },
      reachArg: 4,
      arity: [5],
      cites: 'arch/x86/mm/tlb.c flush_tlb_mm_range(mm, start, end, stride_shift, freed_tables): without freed_tables, flush_tlb_multi() skips lazy-TLB CPUs',
    },
    flush_tlb_mm: { coverage: { levels: ALL, reach: 'all' }, cites: 'arch/x86/include/asm/tlbflush.h flush_tlb_mm(): flush_tlb_mm_range(mm, 0, TLB_FLUSH_ALL, 0, true)' },
    flush_tlb_all: { coverage: { levels: ALL, reach: 'all' }, cites: 'arch/x86/mm/tlb.c flush_tlb_all()' },
    flush_tlb_local: { coverage: { levels: ALL, reach: 'local' }, cites: 'arch/x86/mm/tlb.c flush_tlb_local()' },
    __flush_tlb_one_user: { coverage: { levels: ALL, reach: 'local' }, cites: 'arch/x86/mm/tlb.c __flush_tlb_one_user(): INVLPG on this CPU' },
    pmdp_huge_get_and_clear: { coverage: { levels: [], reach: 'local' }, cites: 'arch/x86/include/asm/pgtable.h pmdp_huge_get_and_clear(): native_pmdp_get_and_clear(), an exchange, no INVLPG' },
  },
  'powerpc-hash32': {
    hash__flush_tlb_mm: { coverage: { levels: ALL, reach: 'all' }, cites: 'arch/powerpc/mm/book3s32/tlb.c hash__flush_tlb_mm()' },
    hash__flush_range: { coverage: { levels: LEAVES, reach: 'all' }, cites: 'arch/powerpc/mm/book3s32/tlb.c hash__flush_range(): flush_hash_pages() over the range' },
    hash__flush_tlb_page: { coverage: { levels: LEAVES, reach: 'all' }, cites: 'arch/powerpc/mm/book3s32/tlb.c hash__flush_tlb_page()' },
    _tlbia: { coverage: { levels: ALL, reach: 'all' }, cites: 'arch/powerpc/include/asm/book3s/32/tlbflush.h _tlbia(): the whole TLB (603: uniprocessor, software-loaded TLB)' },
  },
};

/**
 * Architectures whose pmdp_collapse_flush() is the generic one (mm/pgtable-generic.c), which drops the PMD that points
 * to a page table with flush_tlb_range(): there flush_tlb_range() owes the walk caches too. Other arches (riscv,
 * powerpc, s390, mips, ...) define their own (`#define pmdp_collapse_flush pmdp_collapse_flush`) and flush the mm.
 */
export const GENERIC_COLLAPSE_FLUSH: ReadonlySet<string> = new Set(['arm64', 'x86']);

/**
 * Conditions a flush hook may branch on without changing what it owes: config, CPU / MMU feature tests (each value
 * occurs on some machine). The gather's own fields are matched apart (rules/utils/arch-flush.ts).
 */
export const KNOWN_CONDITION: RegExp =
  /^(?:!?defined\(CONFIG_\w+\)|IS_ENABLED\(CONFIG_\w+\)|(?:mmu|cpu)_has_feature\(.*\)|cpus_have_(?:const|final)_cap\(.*\)|system_supports_\w+\(.*\)|(?:static_branch_(?:likely|unlikely)|static_key_\w+)\(.*\)|arm64_kernel_unmapped_at_el0\(\))$/;

/**
 * mm-ownership heuristics, as the reason a flush is local (a reach gap is judged): mm_users and current->mm do not
 * bound the CPUs that may cache the mm (the one user may have run elsewhere; lazy-TLB CPUs), per the flush_tlb_mm()
 * contract. A CPU-mask test is such a heuristic only where the arch does not keep mm_cpumask (MM_CPUMASK_UNKEPT);
 * elsewhere (x86, riscv, powerpc keep it, lazy CPUs included) a local flush when only this CPU is in the mask may be
 * right. Whether a heuristic means nothing at all is cached is never assumed: a path that skips an invalidation on
 * one is not judged.
 */
export const MM_USERS_HEURISTIC: RegExp = /\bmm_users\b|current->(?:active_)?mm\b/;
export const MM_CPUMASK_TEST: RegExp = /\bmm_cpumask\b|\bcpumask_\w+\(/;

/** Arches that do not maintain mm_cpumask (arm64: switch_mm() sets no bit; TLBI broadcasts instead). */
export const MM_CPUMASK_UNKEPT: ReadonlySet<string> = new Set(['arm64']);

/** Architectures without paging-structure caches to invalidate (hashed page tables): `table` is never required. */
export const NO_WALK_CACHES: ReadonlySet<string> = new Set(['powerpc-hash32']);

/** The arch catalogue key of a file, or undefined outside arch/. */
export function archOfPath(path: string): string | undefined {
  const m = /^arch\/([\w-]+)\//.exec(path);
  if (!m) return undefined;
  if (m[1] === 'powerpc' && /book3s\/?32/.test(path)) return 'powerpc-hash32';
  return m[1];
}

/**
 * Calls that neither invalidate nor matter for coverage: barriers, ASID and address encoding, preemption, cpumask
 * bookkeeping, feature tests, the range helpers of the gather.
 */
export const COVERAGE_NEUTRAL: RegExp =
  /^(?:dsb|isb|dmb|mb|smp_mb|smp_wmb|smp_rmb|barrier|ASID|__ASID|__TLBI_VADDR|__TLBI_VADDR_RANGE|round_down|round_up|ALIGN|min|max|atomic_read|atomic64_read|get_cpu|put_cpu|preempt_disable|preempt_enable|local_irq_save|local_irq_restore|smp_processor_id|cpumask_\w+|mm_cpumask|mmu_has_feature|cpu_has_feature|cpus_have_const_cap|cpus_have_final_cap|system_supports_\w+|arm64_kernel_unmapped_at_el0|tlb_get_unmap_size|tlb_get_unmap_shift|TLB_FLUSH_VMA|defined|likely|unlikely|WARN_ON\w*|BUG_ON|VM_BUG_ON|sizeof|typeof|READ_ONCE|WRITE_ONCE|huge_page_shift|hstate_vma|trace_\w+|pr_\w+|pmd_trans_huge|pmd_devmap|pmd_present|pmd_none|pmd_leaf|pmdp_get)$/;

/**
 * mmu_gather fields that only some architectures' own code sets. An arch flush hook is judged on every combination
 * of the gather's fields (rules/utils/arch-flush.ts), but a combination that needs such a field set can occur only
 * where something sets it: on an architecture whose code never does, it is not a state any caller produces, unless
 * code the patch shows (a generic function it changes) now sets it. Data only; rules/utils/gather-flags.ts reads it.
 *
 * The generic fields are set on every architecture: `fullmm` by tlb_gather_mmu_fullmm() (mm/mmu_gather.c, and by
 * tlb_finish_mmu() on a nested flush in v5.x), `freed_tables` and `cleared_*` by the pte/pmd/pud_free_tlb() and
 * tlb_remove_*tlb_entry() macros of include/asm-generic/tlb.h. They are not listed here.
 */
export interface ArchOnlyField {
  /** Architectures whose own code sets the field, with where and what it implies for other fields. */
  setters: Readonly<Record<string, string>>;
  /** Where generic code gives it its initial value. */
  initial: string;
}

export const ARCH_ONLY_GATHER_FIELDS: Readonly<Record<string, ArchOnlyField>> = {
  need_flush_all: {
    setters: {
      x86: 'arch/x86/mm/pgtable.c ___pmd_free_tlb() sets it under CONFIG_X86_PAE (a PDPT entry change needs a CR3 reload); __tlb_reset_range() never clears it, so later flushes of the same gather see it with freed_tables and any cleared_* combination',
      powerpc: 'arch/powerpc/mm/book3s64/radix_tlb.c radix__flush_tlb_pwc() (v4.x) set it when a page table was freed; radix__tlb_flush() clears it after each flush',
    },
    initial: 'mm/mmu_gather.c __tlb_gather_mmu() sets tlb->need_flush_all = 0 for every gather',
  },
};

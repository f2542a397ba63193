/**
 * Upper-level clears that do not say what the entry held. include/linux/pgtable.h pmd_clear() / pud_clear() (and the
 * arch versions: arch/x86/include/asm/pgtable.h native_pmd_clear()) write an empty entry whatever it was: a huge leaf
 * (a THP or hugetlb mapping) or a pointer to a lower page table. mm/memory.c free_pte_range() and the PT_RECLAIM
 * table reclaim (try_to_free_pte(), zap_pte_table_if_empty()) clear table pointers whose tables they then free
 * through the mmu_gather (pte_free_tlb() → tlb_remove_table(): flushed before the table is freed); a table emptied
 * first holds no live leaf translation of its own. The huge-entry helpers (pmdp_huge_get_and_clear(),
 * pmdp_invalidate()) say they clear a leaf; these do not.
 */
export const TABLE_OR_LEAF_CLEARS: ReadonlySet<string> = new Set(['pmd_clear', 'pud_clear', 'p4d_clear', 'pgd_clear']);

/** Branch tests that, when true, say the entry is a leaf (include/linux/pgtable.h, include/linux/huge_mm.h). */
export const LEAF_TESTS = /^(?:pmd_trans_huge|pmd_leaf|pmd_huge|pud_trans_huge|pud_leaf|pud_huge|pmd_devmap|pud_devmap|is_pmd_migration_entry|pmd_is_huge)\s*\(/;

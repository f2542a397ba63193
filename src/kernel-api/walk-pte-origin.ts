/**
 * Structure fields that hold a pointer into a page table which is mapped (pte_offset_map(): kmap_local under
 * CONFIG_HIGHPTE, an RCU read-side section since 6.5) on some walks and NOT mapped on others. pte_unmap() of such a
 * field is right only on the walks that mapped it.
 *
 * - struct page_vma_mapped_walk, field pte (include/linux/rmap.h): mm/page_vma_mapped.c page_vma_mapped_walk() maps
 *   the PTE table for a normal VMA (map_pte() → pte_offset_map() / pte_offset_map_nolock()), but for a hugetlb VMA
 *   (`is_vm_hugetlb_page(vma)`; PageHuge(page) / folio_test_hugetlb(folio) in older trees) it sets
 *   `pvmw->pte = huge_pte_offset()` (later `hugetlb_walk()`): a pointer into a PMD/PUD page, never mapped.
 *   page_vma_mapped_walk_done() (include/linux/rmap.h) ends every walk, the hugetlb ones included: the walker itself
 *   calls it through not_found() with pvmw->pte set when check_pte() fails on the huge entry, and rmap callers
 *   (try_to_unmap_one(), page_mkclean_one(), ...) call it to stop a walk early. So a pte_unmap(pvmw->pte) there that
 *   does not exclude the hugetlb walk releases a mapping that was never made.
 */
export interface ConditionalMapField {
  /** The structure type (`struct <name> *` parameter). */
  struct: string;
  /** The pointer field. */
  field: string;
  /** Tests (on the structure variable) that tell the walks that did not map the field from those that did. */
  unmappedWhen: RegExp;
  /** Where the pointer was set without a map (for the message). */
  unmappedBy: string;
  /** Functions the kernel enters with the field set by a walk that did not map it (see above). */
  enteredUnmapped: ReadonlySet<string>;
}

export const CONDITIONAL_MAP_FIELDS: readonly ConditionalMapField[] = [
  {
    struct: 'page_vma_mapped_walk',
    field: 'pte',
    unmappedWhen: /\b(?:PageHuge|PageHeadHuge|folio_test_hugetlb|is_vm_hugetlb_page|hugetlb\w*)\s*\(/,
    unmappedBy: 'page_vma_mapped_walk() on a hugetlb VMA (huge_pte_offset() / hugetlb_walk(): a pointer into a PMD or PUD page, not mapped)',
    enteredUnmapped: new Set(['page_vma_mapped_walk_done']),
  },
];

/**
 * The generated mm/ PTE walker the benches use: one function whose hunk either moves the TLB flush after the
 * unlock (a flush-under-ptl candidate) or makes an unrelated one-line change. Lines carry their diff marker.
 */
export function walkerHunkLines(fn: string, buggy: boolean): string[] {
  const tail = buggy
    ? ['-\tflush_tlb_range(vma, start, end);', ' \tpte_unmap_unlock(start_pte, ptl);', '+\tflush_tlb_range(vma, start, end);']
    : ['+\tcount_vm_events(PGREFILL, nr);', ' \tflush_tlb_range(vma, start, end);', ' \tpte_unmap_unlock(start_pte, ptl);'];
  return [
    ` static int ${fn}(struct vm_area_struct *vma, pmd_t *pmd,`,
    ' \t\tunsigned long addr, unsigned long end)',
    ' {',
    ' \tunsigned long start = addr, nr = 0;',
    ' \tpte_t *start_pte, *pte;',
    ' \tspinlock_t *ptl;',
    ' ',
    ' \tstart_pte = pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);',
    ' \tif (!pte)',
    ' \t\treturn 0;',
    ' \tfor (; addr != end; pte++, addr += PAGE_SIZE) {',
    ' \t\tpte_t ptent = ptep_get(pte);',
    ' ',
    ' \t\tif (!pte_present(ptent) || !pte_write(ptent))',
    ' \t\t\tcontinue;',
    ' \t\tptep_set_wrprotect(vma->vm_mm, addr, pte);',
    ' \t\tnr++;',
    ' \t}',
    ...tail,
    ' \treturn 0;',
    ' }',
  ];
}

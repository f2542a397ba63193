/**
 * Ground truth: seed 003 (uffd-wp series v3 14/28): change_pte_range() drops the PTL to call wp_page_copy() and, when
 * it returns 0 ("done by others"), `continue`s to the next PTE without re-taking the lock. Fixed by re-taking the
 * PTL (pte_offset_map_lock) before looking at the return value.
 */
import type { Instr } from '../scenario.ts';
import { buildAdversary } from '../adversaries/index.ts';
import { pair } from './types.ts';

export const PTE_LOOP_UNLOCKED = pair(
  'pte-loop-unlocked',
  'pte-under-ptl',
  {
    buggy: 'change_pte_range() drops the PTL for wp_page_copy() and continues the PTE loop without re-taking it when the copy returns 0.',
    fixed: 'change_pte_range() re-takes the PTL right after wp_page_copy(), before handling its return value.',
  },
  (fixed) => {
    const relock: Instr[] = [
      { op: 'pte-map-lock', pte: 'pte0', label: 'pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl)' },
      { op: 'lazy-mmu-enter', label: 'arch_enter_lazy_mmu_mode()' },
    ];
    const afterCopy: Instr[] = fixed
      ? [...relock]
      : [{ ctl: 'if', cond: { test: 'last-ok', negate: true }, then: 'next' }, ...relock];
    return {
      name: `pte-loop-unlocked-${fixed ? 'fixed' : 'buggy'}`,
      arch: ['x86'],
      init: {
        pages: [{ name: 'page0' }, { name: 'page1' }, { name: 'copy', free: true }],
        ptes: [
          { name: 'pte0', page: 'page0', write: false, uffdWp: true },
          { name: 'pte1', page: 'page1', write: false, uffdWp: true },
        ],
      },
      threads: [
        {
          name: 'mprotect',
          role: 'change_pte_range',
          program: [
            { op: 'pte-map-lock', pte: 'pte0', label: 'pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl)' },
            { op: 'lazy-mmu-enter', label: 'arch_enter_lazy_mmu_mode()' },
            { op: 'pte-read', pte: 'pte0', label: 'oldpte = *pte' },
            { ctl: 'if', cond: { test: 'pte-uffd-wp', pte: 'pte0', negate: true }, then: 'next' },
            { op: 'lazy-mmu-leave', label: 'arch_leave_lazy_mmu_mode()' },
            { op: 'pte-unmap-unlock', pte: 'pte0', label: 'pte_unmap_unlock(pte, ptl)' },
            { op: 'wp-page-copy', pte: 'pte0', page: 'copy', label: 'ret = wp_page_copy(&vmf)' },
            ...afterCopy,
            { ctl: 'label', name: 'next' },
            { op: 'pte-modify-start', pte: 'pte1', label: 'oldpte = ptep_modify_prot_start(vma, addr, pte)' },
            { op: 'pte-modify-commit', pte: 'pte1', effects: ['uffd-unwp'], label: 'ptep_modify_prot_commit(vma, addr, pte, oldpte, pte_clear_uffd_wp(ptent))' },
            { op: 'lazy-mmu-leave', label: 'arch_leave_lazy_mmu_mode()' },
            { op: 'pte-unmap-unlock', pte: 'pte0', label: 'pte_unmap_unlock(pte - 1, ptl)' },
          ],
        },
        buildAdversary('uffd-monitor', { pte: 'pte0', name: 'monitor' }),
      ],
    };
  },
);

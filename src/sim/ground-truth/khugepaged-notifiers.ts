/**
 * Ground truth: khugepaged collapse without mmu notifiers: the PTEs are cleared and the old pages freed while a
 * secondary MMU (KVM) still maps them. Fixed by bracketing pmdp_collapse_flush() with
 * mmu_notifier_invalidate_range_start/end (as collapse_huge_page() does).
 */
import type { Instr } from '../scenario.ts';
import { buildAdversary } from '../adversaries/index.ts';
import { pair } from './types.ts';

export const KHUGEPAGED_NOTIFIERS = pair(
  'khugepaged-notifiers',
  'secondary-mmu-coherent',
  {
    buggy: 'collapse_huge_page() clears the PTEs and frees the old pages without an mmu-notifier invalidation: KVM keeps using the old page.',
    fixed: 'collapse_huge_page() brackets the clear with mmu_notifier_invalidate_range_start/end.',
  },
  (fixed) => {
    const start: Instr[] = fixed ? [{ op: 'notifier-start', range: [0, 1], label: 'mmu_notifier_invalidate_range_start(&range)' }] : [];
    const end: Instr[] = fixed ? [{ op: 'notifier-end', range: [0, 1], label: 'mmu_notifier_invalidate_range_end(&range)' }] : [];
    return {
      name: `khugepaged-notifiers-${fixed ? 'fixed' : 'buggy'}`,
      arch: ['x86'],
      init: {
        pages: [{ name: 'page0' }, { name: 'huge', free: true }],
        ptes: [{ name: 'pte0', page: 'page0', write: true, dirty: true }],
        sptes: [{ pte: 'pte0' }],
        secondaryMmu: true,
      },
      threads: [
        {
          name: 'khugepaged',
          role: 'collapse_huge_page',
          program: [
            { op: 'mmap-lock', mode: 'write', label: 'mmap_write_lock(mm)' },
            ...start,
            { op: 'pte-map-lock', pte: 'pte0', label: 'pmd_ptl = pmd_lock()' },
            { op: 'pte-clear-flush', pte: 'pte0', label: '_pmd = pmdp_collapse_flush(vma, address, pmd)' },
            { op: 'pte-unmap-unlock', pte: 'pte0', label: 'spin_unlock(pmd_ptl)' },
            ...end,
            { op: 'page-get', page: 'huge', copy: 'page0', label: '__collapse_huge_page_copy()' },
            { op: 'pte-map-lock', pte: 'pte0', label: 'spin_lock(pmd_ptl)' },
            { op: 'pte-set', pte: 'pte0', effects: ['new-page', 'mkwrite', 'mkdirty'], page: 'huge', label: 'set_pmd_at(mm, address, pmd, _pmd)' },
            { op: 'pte-unmap-unlock', pte: 'pte0', label: 'spin_unlock(pmd_ptl)' },
            { op: 'page-free', page: 'page0', label: 'release_pte_pages()' },
            { op: 'mmap-unlock', mode: 'write', label: 'mmap_write_unlock(mm)' },
          ],
        },
        buildAdversary('kvm-vcpu', { pte: 'pte0', name: 'vcpu' }),
      ],
    };
  },
);

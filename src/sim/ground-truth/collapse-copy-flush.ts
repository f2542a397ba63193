/**
 * Ground truth: a collapse that clears the entry, copies the old page into the new one, and flushes the TLB only
 * after the copy. mm/khugepaged.c collapse_huge_page() clears the PMD with pmdp_collapse_flush() — clear AND flush
 * under the PMD lock — before __collapse_huge_page_copy() reads the old pages: a CPU still holding a writable TLB
 * entry for the old page could otherwise store to it after its contents were copied, and the store is lost when
 * the new page is mapped (the copy is the value the address holds from then on).
 */
import type { Instr } from '../scenario.ts';
import { buildAdversary } from '../adversaries/index.ts';
import { pair } from './types.ts';

export const COLLAPSE_COPY_FLUSH = pair(
  'collapse-copy-flush',
  'no-lost-write',
  {
    buggy: 'The collapse clears the entry, copies the old page and only then flushes the TLB: a store through the stale TLB entry after the copy lands in the old page and is lost.',
    fixed: 'The collapse clears and flushes under the lock (pmdp_collapse_flush()) before copying the old page.',
  },
  (fixed) => {
    const flush: Instr = { op: 'tlb-flush', scope: 'range', range: [0, 1], label: 'flush_tlb_range(vma, address, address + HPAGE_PMD_SIZE)' };
    return {
      name: `collapse-copy-flush-${fixed ? 'fixed' : 'buggy'}`,
      arch: ['x86'],
      init: {
        pages: [{ name: 'page0' }, { name: 'huge', free: true }],
        ptes: [{ name: 'pte0', page: 'page0', write: true, dirty: true }],
        tlb: [{ thread: 'user', pte: 'pte0' }],
      },
      threads: [
        {
          name: 'khugepaged',
          role: 'collapse_huge_page',
          program: [
            { op: 'mmap-lock', mode: 'write', label: 'mmap_write_lock(mm)' },
            { op: 'pte-map-lock', pte: 'pte0', label: 'pmd_ptl = pmd_lock()' },
            { op: 'pte-clear', pte: 'pte0', label: '_pmd = pmdp_huge_get_and_clear(mm, address, pmd)' },
            ...(fixed ? [flush] : []),
            { op: 'pte-unmap-unlock', pte: 'pte0', label: 'spin_unlock(pmd_ptl)' },
            { op: 'page-get', page: 'huge', copy: 'page0', label: '__collapse_huge_page_copy()' },
            ...(fixed ? [] : [flush]),
            { op: 'pte-map-lock', pte: 'pte0', label: 'spin_lock(pmd_ptl)' },
            { op: 'pte-set', pte: 'pte0', effects: ['new-page', 'mkwrite', 'mkdirty'], page: 'huge', label: 'set_pmd_at(mm, address, pmd, _pmd)' },
            { op: 'pte-unmap-unlock', pte: 'pte0', label: 'spin_unlock(pmd_ptl)' },
            { op: 'page-free', page: 'page0', label: 'release_pte_pages()' },
            { op: 'mmap-unlock', mode: 'write', label: 'mmap_write_unlock(mm)' },
          ],
        },
        { name: 'user', role: 'userspace', program: [{ op: 'user-store', pte: 'pte0' }] },
      ],
    };
  },
);

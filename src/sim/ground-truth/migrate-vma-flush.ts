/**
 * Ground truth: migrate_vma_collect_pmd() cleared PTEs and flushed after pte_unmap_unlock(); MADV_DONTNEED could
 * return in between while a CPU still wrote through the stale TLB entry. Fixed by 60bae7370896 ("mm/migrate_device.c:
 * flush TLB while holding PTL").
 */
import type { Instr } from '../scenario.ts';
import { buildAdversary } from '../adversaries/index.ts';
import { pair } from './types.ts';

export const MIGRATE_VMA_FLUSH = pair(
  'migrate-vma-flush',
  'write-protect-holds',
  {
    buggy: 'migrate_vma_collect_pmd() flushes after dropping the PTL: madvise(MADV_DONTNEED) returns while the page is still writable through a stale TLB entry.',
    fixed: 'migrate_vma_collect_pmd() flushes while holding the PTL (60bae7370896).',
  },
  (fixed) => {
    const flush: Instr = { op: 'tlb-flush', scope: 'range', range: [0, 1], label: 'flush_tlb_range(walk->vma, start, end)' };
    return {
      name: `migrate-vma-flush-${fixed ? 'fixed' : 'buggy'}`,
      arch: ['x86'],
      init: {
        pages: [{ name: 'page0' }],
        ptes: [{ name: 'pte0', page: 'page0', write: true, dirty: true }],
        tlb: [{ thread: 'user', pte: 'pte0' }],
      },
      threads: [
        {
          name: 'migrate',
          role: 'migrate_vma_collect_pmd',
          program: [
            { op: 'pte-map-lock', pte: 'pte0', label: 'ptep = pte_offset_map_lock()' },
            { op: 'pte-clear', pte: 'pte0', label: 'ptep_get_and_clear(mm, addr, ptep) [migration entry]' },
            ...(fixed ? [flush] : []),
            { op: 'pte-unmap-unlock', pte: 'pte0', label: 'pte_unmap_unlock(ptep - 1, ptl)' },
            ...(fixed ? [] : [flush]),
          ],
        },
        buildAdversary('madvise-dontneed', { pte: 'pte0', name: 'madvise' }),
        { name: 'user', role: 'userspace', program: [{ op: 'user-store', pte: 'pte0' }] },
      ],
    };
  },
);

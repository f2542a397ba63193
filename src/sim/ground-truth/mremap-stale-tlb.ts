/**
 * Ground truth: CVE-2018-18281. move_ptes() moved a PTE and dropped the PTLs before flushing the old address; a
 * concurrent ftruncate() zapped the new PTE, freed and reused the page while a CPU still had the old TLB entry.
 * Fixed by eb66ae030829 ("mremap: properly flush TLB before releasing the page"): flush while holding the PTL.
 */
import type { Instr } from '../scenario.ts';
import { buildAdversary } from '../adversaries/index.ts';
import { pair } from './types.ts';

export const MREMAP_STALE_TLB = pair(
  'mremap-stale-tlb',
  'no-stale-access',
  {
    buggy: 'mremap move_ptes() flushes the old range after dropping the PTLs (CVE-2018-18281): truncate frees the page under a stale TLB entry.',
    fixed: 'move_ptes() flushes the old range before pte_unmap_unlock() (eb66ae030829).',
  },
  (fixed) => {
    const flush: Instr = { op: 'tlb-flush', scope: 'page', pte: 'old', label: 'flush_tlb_range(vma, old_end - len, old_end)' };
    const zap = buildAdversary('zap', { pte: 'new', page: 'page0', name: 'truncate' });
    return {
      name: `mremap-stale-tlb-${fixed ? 'fixed' : 'buggy'}`,
      arch: ['x86'],
      init: {
        pages: [{ name: 'page0' }],
        ptes: [
          { name: 'old', page: 'page0', table: 'ptl_old', write: true, dirty: true },
          { name: 'new', page: null, table: 'ptl_new' },
        ],
        tlb: [{ thread: 'user', pte: 'old' }],
      },
      threads: [
        {
          name: 'mremap',
          role: 'mremap',
          program: [
            { op: 'pte-map-lock', pte: 'old', label: 'old_pte = pte_offset_map_lock()' },
            { op: 'pte-map-lock', pte: 'new', label: 'new_pte = pte_offset_map(); spin_lock(new_ptl)' },
            { op: 'pte-clear', pte: 'old', label: 'pte = ptep_get_and_clear(mm, old_addr, old_pte)' },
            { op: 'pte-set', pte: 'new', from: 'old', label: 'set_pte_at(mm, new_addr, new_pte, pte)' },
            ...(fixed ? [flush] : []),
            { op: 'pte-unmap-unlock', pte: 'new', label: 'spin_unlock(new_ptl)' },
            { op: 'pte-unmap-unlock', pte: 'old', label: 'pte_unmap_unlock(old_pte - 1, old_ptl)' },
            ...(fixed ? [] : [flush]),
          ],
        },
        { ...zap, role: 'ftruncate', program: [...zap.program, { op: 'page-reuse', page: 'page0', label: 'page reallocated' }] },
        { name: 'user', role: 'userspace', program: [{ op: 'user-store', pte: 'old' }] },
      ],
    };
  },
);

/**
 * Ground truth: seed 004, example 1 (Yu Zhao, 2020): MADV_FREE cleans a PTE with the flush deferred, clear_refs
 * write-protects it, page_mkclean_one() sees !dirty && !write and skips the flush, writeback writes the page, a
 * CPU stores through its stale writable+dirty TLB entry and reclaim drops the "clean" page: the store is lost.
 * Fixed by making page_mkclean_one() also flush when mm_tlb_flush_pending() (params.mkcleanChecksPending).
 */
import { buildAdversary } from '../adversaries/index.ts';
import { pair } from './types.ts';

export const MADV_FREE_CLEAR_REFS = pair(
  'madv-free-clear-refs',
  'no-lost-write',
  {
    buggy: 'MADV_FREE + clear_refs + writeback: page_mkclean_one() skips the flush on a clean read-only PTE while a flush is pending; a stale-TLB store is lost when reclaim drops the page.',
    fixed: 'page_mkclean_one() also flushes when mm_tlb_flush_pending() is set.',
  },
  (fixed) => ({
    name: `madv-free-clear-refs-${fixed ? 'fixed' : 'buggy'}`,
    arch: ['x86'],
    params: { mkcleanChecksPending: fixed },
    init: {
      pages: [{ name: 'page0', dirty: true }],
      ptes: [{ name: 'pte0', page: 'page0', write: true, dirty: true }],
      tlb: [{ thread: 'user', pte: 'pte0' }],
    },
    threads: [
      { name: 'user', role: 'userspace', program: [{ op: 'user-store', pte: 'pte0' }] },
      buildAdversary('madvise-free', { pte: 'pte0', page: 'page0', name: 'madvise' }),
      {
        name: 'clear_refs',
        role: 'clear_refs_write',
        program: [
          { op: 'gather-init', label: 'tlb_gather_mmu()' },
          { op: 'pte-map-lock', pte: 'pte0' },
          { op: 'pte-wrprotect', pte: 'pte0', effects: ['soft-dirty-clear'], label: 'pte_wrprotect(); pte_clear_soft_dirty()' },
          { op: 'pte-unmap-unlock', pte: 'pte0' },
          { op: 'gather-finish', range: [0, 1], label: 'tlb_finish_mmu()' },
        ],
      },
      buildAdversary('writeback', { pte: 'pte0', page: 'page0' }),
    ],
  }),
);

/**
 * Ground truth: seed 004 (Will Deacon, 2020): clear_refs_write() used tlb_gather_mmu_fullmm() on a live mm. arm64
 * elides TLB invalidation for fullmm gathers, so a CPU keeps a writable TLB entry after the soft-dirty
 * write-protect returned. Fixed by using the ranged tlb_gather_mmu(&tlb, mm, 0, TASK_SIZE).
 */
import { INVARIANTS } from '../../core/sim-contract.ts';
import { pair } from './types.ts';

export const CLEAR_REFS_FULLMM = pair(
  'clear-refs-fullmm',
  'write-protect-holds',
  {
    buggy: 'clear_refs_write() with tlb_gather_mmu_fullmm() on arm64: tlb_finish_mmu() skips invalidation and a stale writable TLB entry survives the soft-dirty write-protect.',
    fixed: 'clear_refs_write() uses tlb_gather_mmu(&tlb, mm, 0, TASK_SIZE): tlb_finish_mmu() invalidates the range.',
  },
  (fixed) => ({
    name: `clear-refs-fullmm-${fixed ? 'fixed' : 'buggy'}`,
    description: 'fullmm-dead-mm is not checked here: this pair shows the consequence (the stale TLB entry) per arch.',
    arch: ['arm64'],
    init: {
      pages: [{ name: 'page0' }],
      ptes: [{ name: 'pte0', page: 'page0', write: true, dirty: true }],
      tlb: [{ thread: 'user', pte: 'pte0' }],
      mmLive: true,
    },
    invariants: INVARIANTS.filter((i) => i !== 'fullmm-dead-mm'),
    threads: [
      {
        name: 'clear_refs',
        role: 'clear_refs_write',
        program: [
          { op: 'mmap-lock', mode: 'read' },
          fixed ? { op: 'gather-init', label: 'tlb_gather_mmu(&tlb, mm, 0, TASK_SIZE)' } : { op: 'gather-init', fullmm: true, label: 'tlb_gather_mmu_fullmm(&tlb, mm)' },
          { op: 'pte-map-lock', pte: 'pte0' },
          { op: 'pte-modify-start', pte: 'pte0', label: 'old_pte = ptep_modify_prot_start()' },
          { op: 'pte-modify-commit', pte: 'pte0', effects: ['wrprotect', 'soft-dirty-clear'], label: 'ptep_modify_prot_commit(pte_clear_soft_dirty(pte_wrprotect()))' },
          { op: 'pte-unmap-unlock', pte: 'pte0' },
          { op: 'gather-finish', range: [0, 1], label: 'tlb_finish_mmu(&tlb)' },
          { op: 'mmap-unlock', mode: 'read' },
        ],
      },
      { name: 'user', role: 'userspace', program: [{ op: 'user-store', pte: 'pte0' }] },
    ],
  }),
);

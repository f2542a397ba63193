/**
 * Ground truth: KSM write_protect_page() using set_pte_at_notify() (change_pte) with no invalidate_range_start/end
 * bracket: the secondary MMU keeps a writable spte to a page the primary now maps read-only (and, with the
 * change_pte callback removed in v6.9, never hears of it). Fixed by the start/end bracket (6bdb913f0a70).
 */
import type { Instr } from '../scenario.ts';
import { buildAdversary } from '../adversaries/index.ts';
import { pair } from './types.ts';

export const KSM_CHANGE_PTE = pair(
  'ksm-change-pte',
  'secondary-mmu-coherent',
  {
    buggy: 'KSM write-protects with ptep_clear_flush() + set_pte_at_notify() and no invalidate_range_start/end: KVM writes through a stale writable spte.',
    fixed: 'write_protect_page() brackets the update with mmu_notifier_invalidate_range_start/end.',
  },
  (fixed) => {
    const program: Instr[] = fixed
      ? buildAdversary('ksm', { pte: 'pte0', name: 'ksmd' }).program
      : [
          { op: 'pte-map-lock', pte: 'pte0' },
          { op: 'pte-read', pte: 'pte0' },
          { op: 'pte-clear-flush', pte: 'pte0', label: 'entry = ptep_clear_flush(vma, addr, ptep)' },
          { op: 'pte-set', pte: 'pte0', effects: ['wrprotect', 'clean'], label: 'set_pte_at_notify(mm, addr, ptep, pte_wrprotect(entry))' },
          { op: 'notifier-change-pte', pte: 'pte0', label: 'mmu_notifier_change_pte()' },
          { op: 'pte-unmap-unlock', pte: 'pte0' },
        ];
    return {
      name: `ksm-change-pte-${fixed ? 'fixed' : 'buggy'}`,
      arch: ['x86'],
      params: { changePteEra: 'removed' },
      init: {
        pages: [{ name: 'page0' }],
        ptes: [{ name: 'pte0', page: 'page0', write: true, dirty: true }],
        sptes: [{ pte: 'pte0' }],
        secondaryMmu: true,
      },
      threads: [{ name: 'ksmd', role: 'write_protect_page', program }, buildAdversary('kvm-vcpu', { pte: 'pte0', name: 'vcpu' })],
    };
  },
);

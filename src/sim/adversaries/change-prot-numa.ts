/**
 * Adversary `change-prot-numa`: change_protection() (mm/mprotect.c) making an entry unusable by the hardware
 * (PROT_NONE, a NUMA-hinting change) under the PTL, with the flush deferred to the end of change_protection_range()
 * and announced meanwhile (inc_tlb_flush_pending()). The model has no PROT_NONE value: the entry becomes not present,
 * which is what the hardware sees; the page stays allocated.
 */
import type { ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

/** Make `bind.pte` inaccessible, flush later (the range `bind.range`, else the entry). */
export function changeProtNuma(bind: AdversaryBind): ThreadSpec {
  return {
    name: bind.name ?? 'change-prot-numa',
    role: 'change_protection(PROT_NONE)',
    program: [
      { op: 'flush-pending-inc', label: 'inc_tlb_flush_pending()' },
      { op: 'pte-map-lock', pte: bind.pte },
      { op: 'pte-clear', pte: bind.pte, label: 'ptep_modify_prot_start/commit(): PROT_NONE [not usable by the hardware]' },
      { op: 'pte-unmap-unlock', pte: bind.pte },
      { op: 'tlb-flush', scope: 'range', ...(bind.range ? { range: bind.range } : { pte: bind.pte }), label: 'flush_tlb_range() [end of change_protection_range()]' },
      { op: 'flush-pending-dec', label: 'dec_tlb_flush_pending()' },
    ],
  };
}

/**
 * Adversary `zap`: zap_pte_range()/munmap/truncate: clear the PTE under the PTL, move a dirty bit of the cleared
 * value to the page (folio_mark_dirty(), as zap_present_ptes() does), flush, then free the page. Like
 * tlb_finish_mmu() (mm/mmu_gather.c, since 99baac21e458), it flushes the whole range when another thread has a
 * deferred flush announced (mm_tlb_flush_nested()), even when it found nothing to clear itself.
 */
import type { Instr, ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

/** Unmap `bind.pte` and free `bind.page` (required). */
export function zap(bind: AdversaryBind): ThreadSpec {
  if (bind.page === undefined) throw new TypeError('adversary "zap" needs bind.page');
  return {
    name: bind.name ?? 'zap',
    role: 'zap',
    protects: [bind.pte],
    program: [
      { op: 'pte-map-lock', pte: bind.pte },
      { op: 'pte-read', pte: bind.pte },
      { ctl: 'if', cond: { test: 'pte-present', pte: bind.pte, negate: true }, then: 'none' },
      { op: 'pte-clear', pte: bind.pte },
      // zap_present_ptes(): a dirty bit in the value the clear returned goes to the page (folio_mark_dirty()).
      { ctl: 'if', cond: { test: 'pte-dirty', pte: bind.pte, negate: true }, then: 'clean' },
      { op: 'page-dirty', page: bind.page, label: 'folio_mark_dirty(): the cleared PTE was dirty' },
      { ctl: 'label', name: 'clean' },
      { op: 'tlb-flush', scope: 'page', pte: bind.pte },
      { op: 'pte-unmap-unlock', pte: bind.pte },
      ...nestedFlush(bind, 'freeing'),
      { op: 'page-free', page: bind.page },
      { ctl: 'goto', to: 'out' },
      { ctl: 'label', name: 'none' },
      { op: 'pte-unmap-unlock', pte: bind.pte },
      ...nestedFlush(bind, 'out'),
      { ctl: 'label', name: 'out' },
    ],
  };
}

/** tlb_finish_mmu(): `if (mm_tlb_flush_nested(mm))` flush the whole range; then go on at `next`. */
function nestedFlush(bind: AdversaryBind, next: string): Instr[] {
  const skip = `${next}-no-nested`;
  return [
    { ctl: 'if', cond: { test: 'flush-pending', negate: true }, then: skip },
    { op: 'tlb-flush', scope: 'range', ...(bind.range ? { range: bind.range } : { pte: bind.pte }), label: 'tlb_finish_mmu(): mm_tlb_flush_nested(), flush the range' },
    { ctl: 'label', name: skip },
  ];
}

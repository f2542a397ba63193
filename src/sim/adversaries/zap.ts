/**
 * Adversary `zap`: zap_pte_range()/munmap/truncate: clear the PTE under the PTL, flush, then free the page.
 */
import type { ThreadSpec } from '../scenario.ts';
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
      { op: 'tlb-flush', scope: 'page', pte: bind.pte },
      { op: 'pte-unmap-unlock', pte: bind.pte },
      { op: 'page-free', page: bind.page },
      { ctl: 'goto', to: 'out' },
      { ctl: 'label', name: 'none' },
      { op: 'pte-unmap-unlock', pte: bind.pte },
      { ctl: 'label', name: 'out' },
    ],
  };
}

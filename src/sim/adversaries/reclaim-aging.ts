/**
 * Adversary `reclaim-aging`: reclaim tests and clears the young bit and drops the page if it was not referenced.
 */
import type { ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

/** Age `bind.pte`; drop `bind.page` when given and the PTE was old. */
export function reclaimAging(bind: AdversaryBind): ThreadSpec {
  return {
    name: bind.name ?? 'reclaim-aging',
    role: 'reclaim',
    program: [
      { op: 'age', pte: bind.pte, label: 'ptep_clear_flush_young()' },
      ...(bind.page
        ? [
            { ctl: 'if' as const, cond: { test: 'last-ok' as const }, then: 'keep' },
            { op: 'reclaim-drop' as const, page: bind.page },
            { ctl: 'label' as const, name: 'keep' },
          ]
        : []),
    ],
  };
}

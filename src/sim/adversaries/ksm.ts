/**
 * Adversary `ksm`: KSM write_protect_page() as fixed kernels do it: inside an invalidate_range_start/end bracket,
 * clear+flush, write-protect via set_pte_at_notify (change_pte era aware: see params.changePteEra).
 */
import type { ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

/** Write-protect `bind.pte` for merging. */
export function ksm(bind: AdversaryBind): ThreadSpec {
  const range: [number, number] | undefined = bind.range;
  return {
    name: bind.name ?? 'ksm',
    role: 'ksmd',
    program: [
      { op: 'notifier-start', pte: bind.pte, ...(range ? { range } : {}) },
      { op: 'pte-map-lock', pte: bind.pte },
      { op: 'pte-read', pte: bind.pte },
      { ctl: 'if', cond: { test: 'pte-present', pte: bind.pte, negate: true }, then: 'out' },
      { op: 'pte-clear-flush', pte: bind.pte },
      { op: 'pte-set', pte: bind.pte, effects: ['wrprotect', 'clean'], label: 'set_pte_at_notify(pte_wrprotect())' },
      { op: 'notifier-change-pte', pte: bind.pte },
      { ctl: 'label', name: 'out' },
      { op: 'pte-unmap-unlock', pte: bind.pte },
      { op: 'notifier-end', pte: bind.pte, ...(range ? { range } : {}) },
    ],
  };
}

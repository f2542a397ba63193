/**
 * Adversary `invalidator`: a second thread running an mmu-notifier invalidation (start/end) over the range.
 */
import type { ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

/** Invalidate the range around `bind.pte`. */
export function invalidator(bind: AdversaryBind): ThreadSpec {
  const r = bind.range ? { range: bind.range } : { pte: bind.pte };
  return {
    name: bind.name ?? 'invalidator',
    role: 'invalidator',
    program: [
      { op: 'notifier-start', ...r },
      { op: 'notifier-end', ...r },
    ],
  };
}

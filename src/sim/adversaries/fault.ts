/**
 * Adversary `fault`: a concurrent page fault on the same PTE (takes the PTL, sets young and dirty on a write).
 */
import type { ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

/** A write fault on `bind.pte`. */
export function fault(bind: AdversaryBind): ThreadSpec {
  return {
    name: bind.name ?? 'fault',
    role: 'page fault',
    program: [
      { op: 'mmap-lock', mode: 'read' },
      { op: 'fault', pte: bind.pte, write: true },
      { op: 'mmap-unlock', mode: 'read' },
    ],
  };
}

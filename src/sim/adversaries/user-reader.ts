/**
 * Adversary `user-reader`: a user CPU that caches the PTE in its TLB and loads through it twice.
 */
import type { ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

/** A user CPU loading from `bind.pte` through its TLB. */
export function userReader(bind: AdversaryBind): ThreadSpec {
  return {
    name: bind.name ?? 'user-reader',
    role: 'userspace',
    program: [
      { op: 'tlb-fill', pte: bind.pte, label: '[cache PTE in TLB]' },
      { op: 'user-load', pte: bind.pte },
      { op: 'user-load', pte: bind.pte },
    ],
  };
}

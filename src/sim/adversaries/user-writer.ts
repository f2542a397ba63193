/**
 * Adversary `user-writer`: a user CPU that caches the PTE in its TLB (at any point) and stores through it twice.
 */
import type { ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

/** A user CPU storing to `bind.pte` through its TLB. */
export function userWriter(bind: AdversaryBind): ThreadSpec {
  return {
    name: bind.name ?? 'user-writer',
    role: 'userspace',
    program: [
      { op: 'tlb-fill', pte: bind.pte, label: '[cache PTE in TLB]' },
      { op: 'user-store', pte: bind.pte },
      { op: 'user-store', pte: bind.pte },
    ],
  };
}

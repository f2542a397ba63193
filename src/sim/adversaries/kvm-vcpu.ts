/**
 * Adversary `kvm-vcpu`: a vCPU faulting through the secondary MMU (mmu_invalidate_seq / in_progress retry) and
 * writing through the installed spte; a first access may use an spte installed earlier (init.sptes).
 */
import type { ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';

/** A vCPU accessing `bind.pte`'s address. */
export function kvmVcpu(bind: AdversaryBind): ThreadSpec {
  return {
    name: bind.name ?? 'kvm-vcpu',
    role: 'KVM vCPU',
    program: [
      { op: 'guest-access', pte: bind.pte, write: true },
      { ctl: 'if', cond: { test: 'last-ok' }, then: 'again' },
      { op: 'kvm-fault', pte: bind.pte, write: true },
      { ctl: 'label', name: 'again' },
      { op: 'guest-access', pte: bind.pte, write: true },
    ],
  };
}

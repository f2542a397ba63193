/**
 * Op semantics per arch, one small scenario per rule of the model.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/sim/index.ts';
import { scen, th } from './helpers.ts';
import type { Instr } from '../../src/sim/index.ts';

describe('locks', () => {
  it('two threads contending for a PTL are serialised, not flagged', () => {
    const t = (n: string) => th(n, [{ op: 'pte-map-lock', pte: 'pte0' }, { op: 'pte-wrprotect', pte: 'pte0' }, { op: 'pte-unmap-unlock', pte: 'pte0' }]);
    expect(simulate(scen([t('a'), t('b')])).verdict).toBe('ok');
  });
  it('unlock of a lock not held violates lock-balance', () => {
    expect(simulate(scen([th('a', [{ op: 'pte-unmap-unlock', pte: 'pte0' }])])).invariant).toBe('lock-balance');
  });
  it('returning with a lock held violates lock-balance', () => {
    expect(simulate(scen([th('a', [{ op: 'lock', lock: 'ptl0' }])])).invariant).toBe('lock-balance');
  });
  it('an ABBA deadlock is reported as lock-balance', () => {
    const init = { pages: [{ name: 'page0' }], ptes: [{ name: 'pte0', page: 'page0', table: 'A' }, { name: 'pte1', page: 'page0', table: 'B' }] };
    const r = simulate({ name: 'abba', init, threads: [
      th('x', [{ op: 'lock', lock: 'A' }, { op: 'lock', lock: 'B' }, { op: 'unlock', lock: 'B' }, { op: 'unlock', lock: 'A' }]),
      th('y', [{ op: 'lock', lock: 'B' }, { op: 'lock', lock: 'A' }, { op: 'unlock', lock: 'A' }, { op: 'unlock', lock: 'B' }]),
    ] });
    expect(r.invariant).toBe('lock-balance');
  });
  it('mmap_lock is an rwsem: two readers proceed, a writer excludes them', () => {
    const rd = (n: string) => th(n, [{ op: 'mmap-lock', mode: 'read' }, { op: 'mmap-unlock', mode: 'read' }]);
    expect(simulate(scen([rd('a'), rd('b'), th('w', [{ op: 'mmap-lock', mode: 'write' }, { op: 'mmap-unlock', mode: 'write' }])])).verdict).toBe('ok');
  });
  it('sleeping under a PTL violates no-sleep-in-atomic; after unlock it does not', () => {
    expect(simulate(scen([th('a', [{ op: 'pte-map-lock', pte: 'pte0' }, { op: 'may-sleep' }, { op: 'pte-unmap-unlock', pte: 'pte0' }])])).invariant).toBe('no-sleep-in-atomic');
    expect(simulate(scen([th('a', [{ op: 'pte-map-lock', pte: 'pte0' }, { op: 'pte-unmap-unlock', pte: 'pte0' }, { op: 'may-sleep' }])])).verdict).toBe('ok');
    expect(simulate(scen([th('a', [{ op: 'pte-map-lock', pte: 'pte0' }, { op: 'mmap-lock', mode: 'read' }, { op: 'mmap-unlock', mode: 'read' }, { op: 'pte-unmap-unlock', pte: 'pte0' }])])).invariant).toBe('no-sleep-in-atomic');
  });
});

describe('PTEs', () => {
  it('modifying a PTE without its PTL violates pte-under-ptl', () => {
    expect(simulate(scen([th('a', [{ op: 'pte-wrprotect', pte: 'pte0' }])])).invariant).toBe('pte-under-ptl');
    expect(simulate(scen([th('a', [{ op: 'pte-read', pte: 'pte0' }])])).verdict).toBe('ok');
  });
  it('write-protect + flush under the PTL holds against a writer; without the flush a stale TLB store breaks it', () => {
    const prot = (flush: boolean) => th('k', [
      { op: 'pte-map-lock', pte: 'pte0' }, { op: 'pte-wrprotect', pte: 'pte0' },
      ...(flush ? [{ op: 'tlb-flush' as const, scope: 'page' as const, pte: 'pte0' }] : []), { op: 'pte-unmap-unlock', pte: 'pte0' }]);
    const user = th('u', [{ op: 'user-store', pte: 'pte0' }]);
    const mk = (flush: boolean) => scen([prot(flush), user], { init: { pages: [{ name: 'page0' }], ptes: [{ name: 'pte0', page: 'page0', write: true, dirty: true }], tlb: [{ thread: 'u', pte: 'pte0' }] } });
    expect(simulate(mk(false)).invariant).toBe('write-protect-holds');
    expect(simulate(mk(true)).verdict).toBe('ok');
  });
});

describe('per-arch access/dirty handling', () => {
  const futexStore = (dirty: boolean) => scen([th('f', [{ op: 'user-store', pte: 'pte0', nofault: true }, { ctl: 'if', cond: { test: 'last-ok' }, then: 'ok' }, { op: 'may-sleep', label: 'EFAULT' }, { op: 'pte-map-lock', pte: 'pte0' }, { ctl: 'label', name: 'ok' }])], {
    init: { pages: [{ name: 'page0' }], ptes: [{ name: 'pte0', page: 'page0', write: true, dirty }] },
    invariants: ['lock-balance'],
  });
  it('x86/arm64 set the dirty bit in hardware: a store to a clean writable PTE succeeds', () => {
    expect(simulate(futexStore(false), { arch: 'x86' }).verdict).toBe('ok');
    expect(simulate(futexStore(false), { arch: 'arm64' }).verdict).toBe('ok');
  });
  it('software dirty bits: the same store faults, -EFAULT with pagefaults disabled', () => {
    expect(simulate(futexStore(false), { arch: 'ppc-e500' }).invariant).toBe('lock-balance');
    expect(simulate(futexStore(false), { arch: 'arm64-nodbm' }).invariant).toBe('lock-balance');
    expect(simulate(futexStore(true), { arch: 'ppc-e500' }).verdict).toBe('ok');
  });
  it('a fullmm gather flushes on x86 and ppc-e500 but not on arm64', () => {
    const s = scen([
      th('k', [{ op: 'gather-init', fullmm: true }, { op: 'pte-map-lock', pte: 'pte0' }, { op: 'pte-wrprotect', pte: 'pte0' }, { op: 'pte-unmap-unlock', pte: 'pte0' }, { op: 'gather-finish' }]),
      th('u', [{ op: 'user-store', pte: 'pte0' }]),
    ], { init: { pages: [{ name: 'page0' }], ptes: [{ name: 'pte0', page: 'page0', write: true, dirty: true }], tlb: [{ thread: 'u', pte: 'pte0' }], mmLive: false } });
    expect(simulate(s, { arch: 'x86' }).verdict).toBe('ok');
    expect(simulate(s, { arch: 'ppc-e500' }).verdict).toBe('ok');
    expect(simulate(s, { arch: 'arm64' }).invariant).toBe('write-protect-holds');
  });
  it('a fullmm gather on a live mm violates fullmm-dead-mm', () => {
    expect(simulate(scen([th('k', [{ op: 'gather-init', fullmm: true }, { op: 'gather-finish' }])])).invariant).toBe('fullmm-dead-mm');
  });
  it('tlb->fullmm = 1 on an open gather: fullmm-dead-mm on a live mm; on arm64 the finish then skips the flush', () => {
    expect(simulate(scen([th('k', [{ op: 'gather-init' }, { op: 'gather-set-fullmm' }, { op: 'gather-finish' }])])).invariant).toBe('fullmm-dead-mm');
    const s = scen([
      th('k', [{ op: 'gather-init' }, { op: 'pte-map-lock', pte: 'pte0' }, { op: 'pte-wrprotect', pte: 'pte0' }, { op: 'gather-remove', pte: 'pte0' }, { op: 'pte-unmap-unlock', pte: 'pte0' }, { op: 'gather-set-fullmm' }, { op: 'gather-finish' }]),
      th('u', [{ op: 'user-store', pte: 'pte0' }]),
    ], { init: { pages: [{ name: 'page0' }], ptes: [{ name: 'pte0', page: 'page0', write: true, dirty: true }], tlb: [{ thread: 'u', pte: 'pte0' }], mmLive: false } });
    expect(simulate(s, { arch: 'x86' }).verdict).toBe('ok');
    expect(simulate(s, { arch: 'arm64' }).invariant).toBe('write-protect-holds');
  });
});

describe('flush pending, notifiers, secondary MMU', () => {
  it('dec_tlb_flush_pending below zero and a missing dec violate flush-pending-balance', () => {
    expect(simulate(scen([th('a', [{ op: 'flush-pending-dec' }])])).invariant).toBe('flush-pending-balance');
    expect(simulate(scen([th('a', [{ op: 'flush-pending-inc' }])])).invariant).toBe('flush-pending-balance');
    expect(simulate(scen([th('a', [{ op: 'flush-pending-inc' }, { op: 'flush-pending-dec' }])])).verdict).toBe('ok');
  });
  it('notifier end without start, unequal ranges and an open window at return violate notifier-balance', () => {
    expect(simulate(scen([th('a', [{ op: 'notifier-end' }])])).invariant).toBe('notifier-balance');
    expect(simulate(scen([th('a', [{ op: 'notifier-start', range: [0, 1] }, { op: 'notifier-end', range: [0, 0] }])])).invariant).toBe('notifier-balance');
    expect(simulate(scen([th('a', [{ op: 'notifier-start' }])])).invariant).toBe('notifier-balance');
  });
  it('a KVM fault retrying while an invalidation is in progress is not a livelock', () => {
    const s = scen([
      th('inv', [{ op: 'notifier-start', pte: 'pte0' }, { op: 'notifier-end', pte: 'pte0' }]),
      th('vcpu', [{ op: 'kvm-fault', pte: 'pte0', write: true }, { op: 'guest-access', pte: 'pte0', write: true }]),
    ]);
    expect(simulate(s).verdict).toBe('ok');
  });
  it('a guest write through an spte to a page the primary no longer maps violates secondary-mmu-coherent', () => {
    const s = scen([
      th('z', [{ op: 'pte-map-lock', pte: 'pte0' }, { op: 'pte-clear', pte: 'pte0' }, { op: 'pte-unmap-unlock', pte: 'pte0' }]),
      th('vcpu', [{ op: 'guest-access', pte: 'pte0', write: true }]),
    ], { init: { pages: [{ name: 'page0' }], ptes: [{ name: 'pte0', page: 'page0' }], sptes: [{ pte: 'pte0' }] } });
    expect(simulate(s).invariant).toBe('secondary-mmu-coherent');
  });
  it('change_pte era matters only inside the window', () => {
    const ksm = (era: 'callback' | 'removed') => scen([
      th('k', [{ op: 'pte-map-lock', pte: 'pte0' }, { op: 'pte-wrprotect', pte: 'pte0' }, { op: 'notifier-change-pte', pte: 'pte0' }, { op: 'pte-unmap-unlock', pte: 'pte0' }]),
      th('vcpu', [{ op: 'guest-access', pte: 'pte0', write: true }]),
    ], { params: { changePteEra: era }, init: { pages: [{ name: 'page0' }], ptes: [{ name: 'pte0', page: 'page0' }], sptes: [{ pte: 'pte0' }] } });
    expect(simulate(ksm('removed')).invariant).toBe('secondary-mmu-coherent');
    expect(simulate(ksm('callback')).invariant).toBe('secondary-mmu-coherent');
  });
  it('set_pte_at_notify order: change_pte with the new value first, then the write; a KVM fault in between re-installs the old mapping', () => {
    // change_pte(new value) → set_pte_at(new value), as set_pte_at_notify() does, with no start/end bracket
    const notify = (vcpu: Instr[]) => scen([
      th('k', [{ op: 'pte-map-lock', pte: 'pte0' }, { op: 'pte-read', pte: 'pte0' },
        { op: 'notifier-change-pte', pte: 'pte0', effects: ['wrprotect'] }, { op: 'pte-set', pte: 'pte0', effects: ['wrprotect'] },
        { op: 'pte-unmap-unlock', pte: 'pte0' }]),
      th('vcpu', vcpu),
    ], { params: { changePteEra: 'callback' }, init: { pages: [{ name: 'page0' }], ptes: [{ name: 'pte0', page: 'page0', write: true, dirty: true }], sptes: [{ pte: 'pte0', write: true }] } });
    // the spte follows the new (read-only) value: a guest write alone cannot get through
    expect(simulate(notify([{ op: 'guest-access', pte: 'pte0', write: true }])).verdict).toBe('ok');
    // but a KVM fault that reads the primary PTE between change_pte() and set_pte_at() installs a writable spte
    const r = simulate(notify([{ op: 'guest-access', pte: 'pte0', write: true }, { op: 'kvm-fault', pte: 'pte0', write: true }, { op: 'guest-access', pte: 'pte0', write: true }]));
    expect(r.invariant).toBe('secondary-mmu-coherent');
  });
});

describe('pages', () => {
  it('an access through a TLB entry to a freed page violates no-stale-access', () => {
    const s = scen([th('z', [{ op: 'page-free', page: 'page0' }]), th('u', [{ op: 'user-load', pte: 'pte0' }])], {
      init: { pages: [{ name: 'page0' }], ptes: [{ name: 'pte0', page: 'page0' }], tlb: [{ thread: 'u', pte: 'pte0' }] },
    });
    expect(simulate(s).invariant).toBe('no-stale-access');
  });
  it('reclaim keeps a page whose PTE is dirty and drops a clean one', () => {
    const s = (dirty: boolean) => scen([th('w', [{ op: 'writeback', page: 'page0' }, { op: 'reclaim-drop', page: 'page0' }]), th('u', [{ op: 'user-store', pte: 'pte0' }])], {
      init: { pages: [{ name: 'page0' }], ptes: [{ name: 'pte0', page: 'page0', write: true, dirty }] },
    });
    // the store can land between writeback and the drop; the hardware sets PTE.D so reclaim keeps the page
    expect(simulate(s(false)).verdict).toBe('ok');
    expect(simulate(s(true)).verdict).toBe('ok');
  });
});

describe('assume (path feasibility)', () => {
  it('an execution where the assumed condition is false is abandoned, not reported', () => {
    // The path took `if (pte_dirty(pte))`: on a clean PTE it is not this path, so the unlock-less exit after it
    // (a lock-balance violation if reached) must not be reported.
    const prog = (dirty: boolean) =>
      scen([th('a', [{ op: 'pte-map-lock', pte: 'pte0' }, { op: 'pte-read', pte: 'pte0' }, { ctl: 'assume', cond: { test: 'pte-dirty', pte: 'pte0' } }])], {
        init: { pages: [{ name: 'page0' }], ptes: [{ name: 'pte0', page: 'page0', write: true, dirty }] },
      });
    expect(simulate(prog(true)).invariant).toBe('lock-balance');
    expect(simulate(prog(false)).verdict).toBe('ok');
  });

  it('a thread stopped at a false assume while another waits for its lock is not a deadlock', () => {
    const s = scen([
      th('a', [{ op: 'pte-map-lock', pte: 'pte0' }, { op: 'pte-read', pte: 'pte0' }, { ctl: 'assume', cond: { test: 'pte-write', pte: 'pte0', negate: true } }, { op: 'pte-unmap-unlock', pte: 'pte0' }]),
      th('b', [{ op: 'pte-map-lock', pte: 'pte0' }, { op: 'pte-unmap-unlock', pte: 'pte0' }]),
    ]);
    expect(simulate(s).verdict).toBe('ok');
  });

  it('an assume on the live PTE waits for another thread to make it true', () => {
    const s = scen([
      th('a', [{ ctl: 'assume', cond: { test: 'pte-write', pte: 'pte0', negate: true } }, { op: 'pte-map-lock', pte: 'pte0' }]),
      th('b', [{ op: 'pte-map-lock', pte: 'pte0' }, { op: 'pte-wrprotect', pte: 'pte0' }, { op: 'pte-unmap-unlock', pte: 'pte0' }]),
    ]);
    // once b write-protected the PTE, a's path is feasible and a returns holding the PTL
    expect(simulate(s).invariant).toBe('lock-balance');
  });
});

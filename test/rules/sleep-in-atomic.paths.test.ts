// Unit tests of sleep-in-atomic over hand-built event paths (front-end independent).
import { describe, expect, it } from 'vitest';
import rule from '../../rules/sleep-in-atomic.ts';
import { runRule } from '../../src/rule-tester/index.ts';
import { ctl, ev, image, view } from '../../src/rule-tester/path-builder.ts';

const mapLock = ev(0, 'pte-map-lock', 'pte_offset_map_lock', { mm: 'mm', pmd: 'pmd', addr: 'addr', lock: 'ptl' }, { result: 'pte', line: 2 });
const resched = ev(1, 'may-sleep', 'cond_resched', {}, { attrs: { sleeps: true }, line: 4, diff: 'add' });
const unlock = ev(2, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }, { line: 6 });
const ret = ctl({ kind: 'return', value: '0' }, 8);
const ok = ctl({ kind: 'branch', cond: '!pte', taken: false }, 3);
const failed = ctl({ kind: 'branch', cond: '!pte', taken: true }, 3);

describe('sleep-in-atomic over paths', () => {
  it('reports a sleep between pte_offset_map_lock() and pte_unmap_unlock()', () => {
    const c = runRule(rule, view('f', { post: image([[mapLock, ok, resched, unlock, ret]]) }));
    expect(c.map((x) => `${x.side}:${x.messageId}:${x.data.lock}`)).toEqual(['post:sleepUnderLock:ptl']);
    expect(c[0]?.hazard.invariants).toEqual(['no-sleep-in-atomic']);
  });
  it('holds nothing on the branch where pte_offset_map_lock() failed', () => {
    expect(runRule(rule, view('f', { post: image([[mapLock, failed, resched, ret]]) }))).toEqual([]);
  });
  it('reports the pre-image only when the patch moved the call out of the lock (a fix)', () => {
    const after = ev(1, 'may-sleep', 'cond_resched', {}, { attrs: { sleeps: true }, line: 7 });
    const c = runRule(rule, view('f', { pre: image([[mapLock, ok, resched, unlock, ret]]), post: image([[mapLock, ok, unlock, after, ret]]) }));
    expect(c.map((x) => x.side)).toEqual(['pre']);
  });
  it('an allocation the gfp hook did not mark as sleeping is not a sleep', () => {
    const atomicAlloc = ev(1, 'call', 'kmalloc', { gfp: 'GFP_ATOMIC' }, { line: 4 });
    expect(runRule(rule, view('f', { post: image([[mapLock, ok, atomicAlloc, unlock, ret]]) }))).toEqual([]);
  });
  it('a sleeping lock (mutex) under a spinlock is reported, and simulated with a sleep marker before it', () => {
    const spin = ev(0, 'lock', 'spin_lock', { lock: 'ctx->lock' }, { attrs: { lockClass: 'spin' }, line: 2 });
    const mutex = ev(1, 'lock', 'mutex_lock', { lock: 'ctx->mutex' }, { attrs: { lockClass: 'mutex', sleeps: true }, line: 3 });
    const c = runRule(rule, view('f', { post: image([[spin, mutex, ret]]) }));
    expect(c.map((x) => x.messageId)).toEqual(['sleepUnderLock']);
    const kinds = c[0]!.path.steps.filter((s) => s.step === 'event').map((s) => (s.step === 'event' ? s.kind : ''));
    expect(kinds).toEqual(['lock', 'may-sleep', 'lock']);
  });
  it('a blockable notifier start is left to notifier-symmetry', () => {
    const start = ev(1, 'notifier-start', 'mmu_notifier_invalidate_range_start', { range: 'range' }, { attrs: { blockable: true, sleeps: true }, line: 4 });
    expect(runRule(rule, view('f', { post: image([[mapLock, ok, start, unlock, ret]]) }))).toEqual([]);
  });
  it('a NULL-tested pte_offset_map() opens an RCU section modelled as a spinning hold until pte_unmap()', () => {
    const map = ev(0, 'pte-map', 'pte_offset_map', { pmd: 'pmd', addr: 'addr' }, { result: 'pte', line: 2 });
    const unmap = ev(2, 'pte-unmap', 'pte_unmap', { pte: 'pte' }, { line: 6 });
    const c = runRule(rule, view('f', { post: image([[map, ok, resched, unmap, ret]]) }));
    expect(c.map((x) => x.messageId)).toEqual(['sleepUnderPteMap']);
    const sim = c[0]!.path.steps.filter((s) => s.step === 'event').map((s) => (s.step === 'event' ? `${s.kind}:${s.args.lock ?? ''}` : ''));
    expect(sim).toEqual(['pte-map:', 'lock:pte-map:0', 'may-sleep:', 'pte-unmap:', 'unlock:pte-map:0']);
  });
  it('an untested pte_offset_map() (pre-6.5 API) is not claimed', () => {
    const map = ev(0, 'pte-map', 'pte_offset_map', { pmd: 'pmd', addr: 'addr' }, { result: 'pte', line: 2 });
    const unmap = ev(2, 'pte-unmap', 'pte_unmap', { pte: 'pte' }, { line: 6 });
    expect(runRule(rule, view('f', { post: image([[map, resched, unmap, ret]]) }))).toEqual([]);
  });
  it('a fragment that shows no lock claims nothing; one that releases the PTL below the call reports it', () => {
    expect(runRule(rule, view('f', { post: image([[resched, ret]], [], false) }))).toEqual([]);
    const at = (s: typeof resched, fileLine: number): typeof resched => ({ ...s, loc: { ...s.loc, fileLine } }) as typeof resched;
    const frag = image([[at(resched, 104), at(unlock, 106), ret]], [], false);
    const c = runRule(rule, view('f', { post: { ...frag, lineInfo: [103, 104, 105, 106, 107].map((fileLine) => ({ fileLine })) } }));
    expect(c.map((x) => x.messageId)).toEqual(['sleepUnderLock']);
    // Unseen lines between the call and the release: the lock may have been taken there.
    const gap = { ...frag, lineInfo: [103, 104, {}, 106, 107].map((l) => (typeof l === 'number' ? { fileLine: l } : l)) };
    expect(runRule(rule, view('f', { post: gap }))).toEqual([]);
  });
});

describe('calls that drop the lock they are given', () => {
  it('do_wp_page(vmf) under vmf->ptl is the contract: it releases the PTL (and the mapping) before it sleeps', () => {
    const map = ev(0, 'pte-map-lock', 'pte_offset_map_lock', { mm: 'mm', pmd: 'pmd', addr: 'addr', lock: 'vmf->ptl' }, { result: 'vmf->pte', line: 2 });
    const tested = ctl({ kind: 'branch', cond: '!vmf->pte', taken: false }, 3);
    const wp = ev(1, 'wp-page-copy', 'do_wp_page', { vmf: 'vmf' }, { attrs: { sleeps: true, releases: ['vmf->ptl'] }, line: 4 });
    const later = ev(2, 'may-sleep', 'cond_resched', {}, { attrs: { sleeps: true }, line: 5 });
    expect(runRule(rule, view('f', { post: image([[map, tested, wp, later, ctl({ kind: 'return', value: 'ret' }, 6)]]) }))).toEqual([]);
  });
  it('cond_resched_lock(other) under a second spinlock is still reported', () => {
    const a = ev(0, 'lock', 'spin_lock', { lock: 'a' }, { attrs: { lockClass: 'spin' }, line: 2 });
    const b = ev(1, 'lock', 'spin_lock', { lock: 'b' }, { attrs: { lockClass: 'spin' }, line: 3 });
    const crl = ev(2, 'may-sleep', 'cond_resched_lock', { lock: 'b' }, { attrs: { sleeps: true }, line: 4 });
    const c = runRule(rule, view('f', { post: image([[a, b, crl, ctl({ kind: 'return', value: '0' }, 6)]]) }));
    expect(c.map((x) => `${x.messageId}:${x.data.lock}`)).toEqual(['sleepUnderLock:a']);
  });
});

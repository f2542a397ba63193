// Unit tests of uffd-lock-retake over hand-built event paths (front-end independent).
import { describe, expect, it } from 'vitest';
import rule from '../../rules/uffd-lock-retake.ts';
import { runRule } from '../../src/rule-tester/index.ts';
import { ctl, ev, image, view } from '../../src/rule-tester/path-builder.ts';

const map = ev(0, 'pte-map-lock', 'pte_offset_map_lock', { mm: 'mm', pmd: 'pmd', addr: 'addr', lock: 'ptl' }, { result: 'pte' });
const enter = ctl({ kind: 'loop-enter', loop: 1, head: 'do' }, 2);
const read = ev(1, 'pte-read', 'ptep_get', { pte: 'pte' });
const drop = ev(2, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }, { diff: 'add' });
const copy = ev(3, 'wp-page-copy', 'wp_page_copy', { vmf: '&vmf' }, { attrs: { sleeps: true } });
const next = ctl({ kind: 'loop-next', loop: 1, via: 'continue' }, 8);
const relock = ev(4, 'pte-map-lock', 'pte_offset_map_lock', { mm: 'mm', pmd: 'pmd', addr: 'addr', lock: 'ptl' }, { result: 'pte' });
const adv = ev(5, 'pte-advance', 'pte++', { pte: 'pte' });
const exitCond = ctl({ kind: 'loop-exit', loop: 1, via: 'cond' }, 12);
const unlock = ev(6, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte - 1', lock: 'ptl' });
const ret = ctl({ kind: 'return' }, 14);

describe('uffd-lock-retake over paths', () => {
  it('reports continue after dropping the PTL, suggesting a re-take before the back edge', () => {
    const c = runRule(rule, view('change_range', { post: image([[map, enter, read, drop, copy, next, read]]) }));
    expect(c.map((x) => x.messageId)).toEqual(['nextIteration']);
    expect(c[0]?.anchor.id).toBe(2);
    const kinds = c[0]?.suggestion?.path?.steps.map((s) => (s.step === 'event' ? s.kind : s.kind));
    expect(kinds?.slice(5, 7)).toEqual(['pte-map-lock', 'loop-next']);
  });
  it('accepts a re-take before the next iteration', () => {
    expect(runRule(rule, view('f', { post: image([[map, enter, read, drop, copy, relock, adv, next, read, exitCond, unlock, ret]]) }))).toEqual([]);
  });
  it('reports the final unlock after leaving the loop without re-taking', () => {
    const brk = ctl({ kind: 'loop-exit', loop: 1, via: 'break' }, 9);
    const c = runRule(rule, view('f', { post: image([[map, enter, read, drop, copy, brk, unlock, ret]]) }));
    expect(c.map((x) => x.messageId)).toEqual(['doubleUnlock']);
  });
  it('accepts dropping the lock and returning from inside the loop', () => {
    expect(runRule(rule, view('f', { post: image([[map, enter, read, drop, copy, ctl({ kind: 'loop-exit', loop: 1, via: 'return' }, 9), ret]]) }))).toEqual([]);
  });
  it('reports pte_unmap_unlock(pte - 1) after a break before the cursor advanced', () => {
    const brk = ctl({ kind: 'loop-exit', loop: 1, via: 'break' }, 9);
    const c = runRule(rule, view('queue_range', { post: image([[map, enter, read, brk, unlock, ret]]) }));
    expect(c.map((x) => x.messageId)).toEqual(['unlockUnderflow']);
    const fixed = c[0]?.suggestion?.path?.steps[4];
    expect(fixed?.step === 'event' && fixed.args.pte).toBe('pte');
  });
  it('accepts pte - 1 after the cursor advanced or a normal loop exit', () => {
    const brk = ctl({ kind: 'loop-exit', loop: 1, via: 'break' }, 9);
    const n = ctl({ kind: 'loop-next', loop: 1, via: 'end' }, 8);
    expect(runRule(rule, view('f', { post: image([[map, enter, read, adv, n, read, brk, unlock, ret], [map, enter, read, adv, exitCond, unlock, ret]]) }))).toEqual([]);
  });
});

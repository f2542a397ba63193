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
  it('reports an unmap on the path where the map returned NULL, modelled as a lock never taken', () => {
    const m = ev(10, 'pte-map-lock', 'get_locked_pte', { mm: 'mm', addr: 'addr', lock: 'ptl' }, { result: 'ptep' });
    const isNull = ctl({ kind: 'branch', cond: 'ptep', taken: false }, 3);
    const un = ev(11, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'ptep', lock: 'ptl' }, { text: 'pte_unmap_unlock(ptep, ptl)', diff: 'add' });
    const c = runRule(rule, view('zap_entry', { post: image([[m, isNull, un, ret]]) }));
    expect(c.map((x) => x.messageId)).toEqual(['unmapNull']);
    const kinds = c[0]?.path.steps.flatMap((x) => (x.step === 'event' ? [`${x.kind}:${x.args.lock ?? ''}`] : []));
    expect(kinds?.[0]).toBe('call:ptl');
    expect(kinds?.[1]).toMatch(/^unlock:ptl\[never-taken/);
    const ok = ctl({ kind: 'branch', cond: 'ptep', taken: true }, 3);
    expect(runRule(rule, view('zap_entry', { post: image([[m, ok, un, ret]]) }))).toEqual([]);
  });
  it('reports an unmap through a pointer into a mapping already released when the table was re-mapped elsewhere', () => {
    const un1 = ev(12, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }, { text: 'pte_unmap_unlock(pte, ptl)' });
    const again = ev(13, 'pte-map-lock', 'pte_offset_map_lock', { lock: 'ptl' }, { result: 'pte' });
    const stale = ev(14, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }, { text: 'pte_unmap_unlock(orig_pte, ptl)', diff: 'add' });
    const first = ev(15, 'pte-map-lock', 'pte_offset_map_lock', { lock: 'ptl' }, { result: 'pte', text: 'pte_offset_map_lock(mm, pmd, addr, &ptl)' });
    const fn = view('walk', { post: image([[first, un1, again, stale, ret]]) });
    // orig_pte = pte = pte_offset_map_lock(...): the names come from the line of the first map (line 16).
    const lines = Array.from({ length: 20 }, (_, i) => (i === 15 ? '\torig_pte = pte = pte_offset_map_lock(mm, pmd, addr, &ptl);' : ''));
    fn.post!.text = lines.join('\n');
    const c = runRule(rule, fn);
    expect(c.map((x) => x.messageId)).toEqual(['unmapStale']);
    expect(c[0]?.anchor.id).toBe(14);
  });
  it('reads NULL tests as the kernel means them: IS_ERR_OR_NULL() true does not say NULL', () => {
    const m = ev(20, 'pte-map-lock', 'get_locked_pte', { mm: 'mm', addr: 'addr', lock: 'ptl' }, { result: 'ptep' });
    const un = ev(21, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'ptep', lock: 'ptl' }, { text: 'pte_unmap_unlock(ptep, ptl)' });
    const errOrNull = ctl({ kind: 'branch', cond: 'IS_ERR_OR_NULL(ptep)', taken: true }, 3);
    expect(runRule(rule, view('f', { post: image([[m, errOrNull, un, ret]]) }))).toEqual([]);
    const eqNull = ctl({ kind: 'branch', cond: 'unlikely(ptep == NULL)', taken: true }, 3);
    expect(runRule(rule, view('f', { post: image([[m, eqNull, un, ret]]) })).map((c) => c.messageId)).toEqual(['unmapNull']);
  });
  it('drops a path whose tests call the same result NULL and not NULL', () => {
    const m = ev(20, 'pte-map', 'pte_offset_map', { pmd: 'pmd', addr: 'addr' }, { result: 'pte' });
    const isNull = ctl({ kind: 'branch', cond: '!pte', taken: true }, 3);
    const notNull = ctl({ kind: 'branch', cond: 'pte', taken: true }, 5);
    const un = ev(22, 'pte-unmap', 'pte_unmap', { pte: 'pte' }, { text: 'pte_unmap(pte)' });
    expect(runRule(rule, view('f', { post: image([[m, isNull, notNull, un, ret]]) }))).toEqual([]);
  });
  it('reports a write from a value read before the lock was dropped, not after a re-map of another entry', () => {
    const m1 = ev(30, 'pte-map-lock', 'pte_offset_map_lock', { pmd: 'pmd', addr: 'addr', lock: 'ptl' }, { result: 'pte' });
    const rd = ev(31, 'pte-read', 'ptep_get', { pte: 'pte' }, { result: 'entry' });
    const un = ev(32, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }, { text: 'pte_unmap_unlock(pte, ptl)' });
    const same = ev(33, 'pte-map-lock', 'pte_offset_map_lock', { pmd: 'pmd', addr: 'addr', lock: 'ptl' }, { result: 'pte' });
    const other = ev(34, 'pte-map-lock', 'pte_offset_map_lock', { pmd: 'dst_pmd', addr: 'dst_addr', lock: 'ptl' }, { result: 'pte' });
    const set = ev(35, 'pte-set', 'set_pte_at', { mm: 'mm', addr: 'addr', pte: 'pte', value: 'entry' }, { diff: 'add' });
    const un2 = ev(36, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }, { text: 'pte_unmap_unlock(pte, ptl)' });
    expect(runRule(rule, view('f', { post: image([[m1, rd, un, same, set, un2, ret]]) })).map((c) => c.messageId)).toEqual(['staleValue']);
    expect(runRule(rule, view('f', { post: image([[m1, rd, un, other, set, un2, ret]]) }))).toEqual([]);
  });
});

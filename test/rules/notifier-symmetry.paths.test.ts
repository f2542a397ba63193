// Unit tests of notifier-symmetry over hand-built event paths (front-end independent).
import { describe, expect, it } from 'vitest';
import rule from '../../rules/notifier-symmetry.ts';
import { runRule } from '../../src/rule-tester/index.ts';
import { ctl, ev, image, view } from '../../src/rule-tester/path-builder.ts';

const range = { mm: 'mm', start: 'start', end: 'end' };
const start = ev(0, 'notifier-start', 'mmu_notifier_invalidate_range_start', range, { attrs: { blockable: true }, line: 3 });
const map = ev(1, 'pte-map-lock', 'pte_offset_map_lock', { mm: 'mm', pmd: 'pmd', addr: 'addr', lock: 'ptl' }, { result: 'pte', line: 4 });
const setn = ev(2, 'pte-set', 'set_pte_at_notify', { mm: 'mm', addr: 'addr', pte: 'pte', value: 'entry' }, { attrs: { notifies: true }, diff: 'add', line: 6 });
const unlock = ev(3, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }, { line: 7 });
const end = ev(4, 'notifier-end', 'mmu_notifier_invalidate_range_end', range, { line: 12 });
const ret = (line: number): ReturnType<typeof ctl> => ctl({ kind: 'return', value: 'err' }, line);

describe('notifier-symmetry over paths', () => {
  it('accepts a bracketed set_pte_at_notify', () => {
    expect(runRule(rule, view('wp', { post: image([[start, map, setn, unlock, end, ret(13)]]) }))).toEqual([]);
  });
  it('reports set_pte_at_notify once the patch removed the bracket (post-image)', () => {
    const pre = image([[start, map, setn, unlock, end, ret(13)]]);
    const post = image([[map, setn, unlock, ret(13)]]);
    const c = runRule(rule, view('wp', { pre, post }));
    expect(c.map((x) => `${x.side}:${x.messageId}`)).toEqual(['post:unbracketed']);
    const steps = c[0]?.suggestion?.path?.steps.filter((s) => s.step === 'event').map((s) => (s.step === 'event' ? s.kind : ''));
    expect(steps).toEqual(['notifier-start', 'pte-map-lock', 'pte-set', 'pte-unmap-unlock', 'notifier-end']);
  });
  it('reports an early return that skips the end', () => {
    const early = [start, map, ctl({ kind: 'branch', cond: '!pte', taken: true }, 5), ret(5)];
    const c = runRule(rule, view('f', { post: image([[start, map, setn, unlock, end, ret(13)], early]) }));
    expect(c.map((x) => x.messageId)).toEqual(['missingEnd']);
    expect(c[0]?.anchor.id).toBe(0);
  });
  it('reports an end reached by a goto that jumped over the start', () => {
    const g = [ctl({ kind: 'goto', label: 'out_mn' }, 2), ctl({ kind: 'label', label: 'out_mn' }, 11), end, ret(13)];
    const c = runRule(rule, view('f', { post: image([[start, map, setn, unlock, end, ret(13)], g]) }));
    expect(c.map((x) => x.messageId)).toEqual(['strayEnd']);
  });
  it('accepts an end guarded by a condition correlated with the start', () => {
    const guarded = [ctl({ kind: 'branch', cond: 'new_page', taken: true }, 11), end, ret(13)];
    expect(runRule(rule, view('f', { post: image([[start, map, setn, unlock, end, ret(13)], guarded]) }))).toEqual([]);
  });
  it('reports different ranges on start and end, resolving range-init', () => {
    const init = ev(5, 'notifier-range-init', 'mmu_notifier_range_init', { range: '&range', mm: 'mm', start: 'addr', end: 'addr + HPAGE_PMD_SIZE' }, { line: 1 });
    const s2 = ev(0, 'notifier-start', 'mmu_notifier_invalidate_range_start', { range: '&range' }, { line: 3 });
    const e2 = ev(4, 'notifier-end', 'mmu_notifier_invalidate_range_end', { mm: 'mm', start: 'addr', end: 'addr + PAGE_SIZE' }, { line: 12, diff: 'add' });
    const c = runRule(rule, view('f', { post: image([[init, s2, e2, ret(13)]]) }));
    expect(c.map((x) => x.messageId)).toEqual(['rangeMismatch']);
    const e3 = ev(4, 'notifier-end', 'mmu_notifier_invalidate_range_end', { mm: 'mm', start: 'addr', end: 'addr+HPAGE_PMD_SIZE' }, { line: 12 });
    expect(runRule(rule, view('f', { post: image([[init, s2, e3, ret(13)]]) }))).toEqual([]);
  });
  it('reports a blockable start under the page-table lock, not a _nonblock one', () => {
    const late = ev(0, 'notifier-start', 'mmu_notifier_invalidate_range_start', range, { attrs: { blockable: true }, line: 5 });
    const c = runRule(rule, view('f', { post: image([[map, late, setn, end, unlock, ret(13)]]) }));
    expect(c.map((x) => x.messageId)).toEqual(['blockableUnderLock']);
    const nb = ev(0, 'notifier-start', 'mmu_notifier_invalidate_range_start_nonblock', range, { attrs: { blockable: false }, line: 5 });
    expect(runRule(rule, view('f', { post: image([[map, nb, setn, end, unlock, ret(13)]]) }))).toEqual([]);
  });
  it('leaves a start whose range lives in a struct to the callback that ends it', () => {
    const s = ev(0, 'notifier-start', 'mmu_notifier_invalidate_range_start', { range: '&adw->range' }, { line: 3 });
    expect(runRule(rule, view('pre_vma', { post: image([[s, ret(5)]]) }))).toEqual([]);
  });
  describe('a call the removed window covered', () => {
    const before = ev(1, 'call', 'prep_slot', { arg0: 'slot' }, { attrs: { opaque: true }, line: 2 });
    const fill = ev(5, 'call', 'install_slot', { arg0: 'vma', arg1: 'addr' }, { attrs: { opaque: true }, line: 8 });
    const pre = image([[before, start, fill, end, ret(13)]]);
    const post = image([[before, fill, ret(13)]]);
    it('is reported on the post-image, depending on the callee, with the callee simulated as a PTE change', () => {
      const c = runRule(rule, view('fill', { pre, post }));
      expect(c.map((x) => `${x.side}:${x.messageId}`)).toEqual(['post:unbracketedCall']);
      expect(c[0]?.anchor.id).toBe(5);
      expect(c[0]?.unseen).toMatch(/install_slot\(\)/);
      expect(c[0]?.unseen).not.toMatch(/prep_slot/);
      const kinds = c[0]?.path.steps.flatMap((s) => (s.step === 'event' ? [s.kind] : []));
      expect(kinds).toEqual(['call', 'pte-clear']);
      const fixed = c[0]?.suggestion?.path?.steps.flatMap((s) => (s.step === 'event' ? [s.kind] : []));
      expect(fixed).toEqual(['call', 'notifier-start', 'pte-clear', 'notifier-end']);
    });
    it('does not ask about architecture hooks that never change a PTE (update_mmu_cache)', () => {
      const hook = ev(6, 'call', 'update_mmu_cache', { arg0: 'vma', arg1: 'addr', arg2: 'pte' }, { attrs: { opaque: true }, line: 9 });
      const c = runRule(rule, view('fill', { pre: image([[start, hook, end, ret(13)]]), post: image([[hook, ret(13)]]) }));
      expect(c).toEqual([]);
    });
    it('is not reported while the image keeps a window of its own, or when the post-image alone lacks one', () => {
      const moved = image([[before, fill, start, end, ret(13)]]);
      expect(runRule(rule, view('fill', { pre, post: moved })).filter((x) => x.messageId === 'unbracketedCall')).toEqual([]);
      expect(runRule(rule, view('fill', { post }))).toEqual([]);
    });
    it('is not reported when the callee is changed in the patch and opens its own window', () => {
      const helper = view('install_slot', { pre: image([[ev(0, 'call', 'set_slot', {}, { attrs: { opaque: true }, line: 2 }), ret(3)]]), post: image([[start, ev(1, 'call', 'set_slot', {}, { attrs: { opaque: true }, line: 4 }), end, ret(13)]]) });
      const fn = view('fill', { pre, post });
      expect(runRule(rule, fn, [fn, helper]).filter((x) => x.messageId === 'unbracketedCall')).toEqual([]);
    });
  });
  it('does not ask for a bracket in functions that never had one (caller brackets)', () => {
    const set = ev(2, 'pte-set', 'set_pte_at', { mm: 'mm', addr: 'addr', pte: 'pte', value: 'entry' }, { line: 6 });
    expect(runRule(rule, view('zap_one', { post: image([[map, set, unlock, ret(13)]]) }))).toEqual([]);
  });
});

// Unit tests of flush-under-ptl over hand-built event paths (front-end independent).
import { describe, expect, it } from 'vitest';
import rule from '../../rules/flush-under-ptl.ts';
import { runRule } from '../../src/rule-tester/index.ts';
import { ctl, ev, image, view } from '../../src/rule-tester/path-builder.ts';

const map = ev(0, 'pte-map-lock', 'pte_offset_map_lock', { mm: 'mm', pmd: 'pmd', addr: 'addr', lock: 'ptl' }, { result: 'pte' });
const loopIn = ctl({ kind: 'loop-enter', loop: 1, head: 'for' }, 2);
const clear = ev(1, 'pte-clear', 'ptep_get_and_clear', { mm: 'mm', addr: 'addr', pte: 'pte' }, { diff: 'add' });
const adv = ev(2, 'pte-advance', 'pte++', { pte: 'pte' });
const loopOut = ctl({ kind: 'loop-exit', loop: 1, via: 'cond' }, 4);
const unlock = ev(3, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte - 1', lock: 'ptl' });
const flush = ev(4, 'tlb-flush', 'flush_tlb_range', { vma: 'vma', start: 'start', end: 'end' }, { attrs: { scope: 'range' } });
const ret = ctl({ kind: 'return', value: '0' }, 9);

describe('flush-under-ptl over paths', () => {
  it('reports a clear whose flush comes after pte_unmap_unlock, with a moved-flush suggestion', () => {
    const c = runRule(rule, view('collect', { post: image([[map, loopIn, clear, adv, loopOut, unlock, flush, ret]]) }));
    expect(c).toHaveLength(1);
    expect(c[0]?.messageId).toBe('flushAfterUnlock');
    expect(c[0]?.anchor.id).toBe(1);
    // A freed page read through the stale entry, or a concurrent zap that found the entry none and returned while
    // the stale entry still reaches the page (an access after the unmapping call returned).
    expect(c[0]?.hazard.invariants).toEqual(['write-protect-holds', 'no-stale-access']);
    expect(c[0]?.hazard.context).toContain('pte-loop');
    const names = c[0]?.suggestion?.path?.steps.filter((s) => s.step === 'event').map((s) => (s.step === 'event' ? s.callee : ''));
    expect(names?.indexOf('flush_tlb_range')).toBeLessThan(names?.indexOf('pte_unmap_unlock') ?? -1);
  });
  it('is silent when the flush precedes the unlock', () => {
    expect(runRule(rule, view('collect', { post: image([[map, loopIn, clear, adv, loopOut, flush, unlock, ret]]) }))).toEqual([]);
  });
  it('is silent when inc_tlb_flush_pending announced the deferred flush', () => {
    const inc = ev(5, 'flush-pending-inc', 'inc_tlb_flush_pending', { mm: 'mm' }, { line: 1 });
    expect(runRule(rule, view('f', { post: image([[inc, map, clear, unlock, flush, ret]]) }))).toEqual([]);
  });
  it('is silent when the cleared entry went into an mmu_gather', () => {
    const rm = ev(6, 'gather-remove', 'tlb_remove_tlb_entry', { tlb: 'tlb' }, { line: 3 });
    expect(runRule(rule, view('zap', { post: image([[map, clear, rm, unlock, ret]]) }))).toEqual([]);
  });
  it('reports a PTE callback (PTL held by the caller) that cleans without flushing', () => {
    const commit = ev(2, 'pte-modify-commit', 'ptep_modify_prot_commit', { vma: 'vma', addr: 'addr', pte: 'pte' }, { attrs: { effects: ['clean'] }, diff: 'add' });
    const c = runRule(rule, view('cb', { post: image([[commit, ret]], ['pte_t *pte', 'unsigned long addr']) }));
    expect(c.map((x) => x.messageId)).toEqual(['callbackNoFlush']);
    expect(c[0]?.hazard.context).toEqual(expect.arrayContaining(['ptl-held-on-entry', 'flush-after-return']));
    expect(c[0]?.hazard.adversaries).toEqual(['user-writer', 'writeback']);
  });
  it('does not report a callback when a sibling of the patch announces the deferred flush', () => {
    const commit = ev(2, 'pte-modify-commit', 'ptep_modify_prot_commit', { vma: 'vma', addr: 'addr', pte: 'pte' }, { attrs: { effects: ['wrprotect'] } });
    const cb = view('cb', { post: image([[commit, ret]], ['pte_t *pte']) });
    const pre = view('pre_vma', { post: image([[ev(0, 'flush-pending-inc', 'inc_tlb_flush_pending', { mm: 'mm' }), ret]]) });
    expect(runRule(rule, cb, [cb, pre])).toEqual([]);
    expect(runRule(rule, cb, [cb])).toHaveLength(1);
  });
  it('ignores mkold (a stale young bit is harmless) and a clear-and-flush', () => {
    const old = ev(1, 'pte-mkold', 'ptep_test_and_clear_young', { pte: 'pte' }, { attrs: { effects: ['mkold'] } });
    const cf = ev(5, 'pte-clear-flush', 'ptep_clear_flush', { vma: 'vma', addr: 'addr', pte: 'pte' }, { attrs: { flushes: true, effects: ['clear'] } });
    expect(runRule(rule, view('f', { post: image([[map, old, cf, unlock, ret]]) }))).toEqual([]);
  });

  it('reports an entry cleared beside an open gather and never given to it, not one given in the same iteration', () => {
    const init = ev(10, 'gather-init', 'tlb_gather_mmu', { tlb: 'tlb', mm: 'mm' }, { attrs: { fullmm: false } });
    const lk = ev(11, 'lock', 'huge_pte_lock', { lock: 'ptl' }, { attrs: { lockClass: 'ptl' } });
    const unshare = ev(12, 'pte-clear', 'huge_pmd_unshare', { pte: 'ptep' }, { attrs: { effects: ['clear'], level: 'pud' } });
    const ul = ev(13, 'unlock', 'spin_unlock', { lock: 'ptl' }, { attrs: { lockClass: 'ptl' } });
    const give = ev(14, 'gather-remove', 'tlb_remove_huge_tlb_entry', { tlb: 'tlb', pte: 'ptep', addr: 'addr' });
    const fin = ev(15, 'gather-finish', 'tlb_finish_mmu', { tlb: 'tlb' });
    const enter = ctl({ kind: 'loop-enter', loop: 7, head: 'for (address = start; address < end; address += sz)' });
    const next = ctl({ kind: 'loop-next', loop: 7, via: 'continue' });
    const exit = ctl({ kind: 'loop-exit', loop: 7, via: 'cond' });
    // The next iteration's remove of the same spelling is another entry.
    const bad = runRule(rule, view('f', { post: image([[init, enter, lk, unshare, ul, next, lk, give, ul, exit, fin, ret]]) }));
    expect(bad.map((c) => c.messageId)).toEqual(['notGathered']);
    expect(bad[0]?.data.entry).toBe('PUD entry');
    expect(runRule(rule, view('f', { post: image([[init, enter, lk, unshare, give, ul, next, exit, fin, ret]]) }))).toEqual([]);
    const range = ev(16, 'gather-remove', 'tlb_flush_pmd_range', { tlb: 'tlb', addr: 'a', size: 'PUD_SIZE' });
    expect(runRule(rule, view('f', { post: image([[init, enter, lk, unshare, ul, range, next, exit, fin, ret]]) }))).toEqual([]);
  });
  it('reports a flush handed to an unannounced batch, not one announced by set_tlb_ubc_flush_pending', () => {
    const batch = ev(20, 'flush-defer', 'arch_tlbbatch_add_pending', { mm: 'mm' }, { attrs: { announces: false } });
    const ubc = ev(21, 'flush-defer', 'set_tlb_ubc_flush_pending', { mm: 'mm' }, { attrs: { announces: true } });
    const c = runRule(rule, view('f', { post: image([[map, clear, batch, unlock, ret]]) }));
    expect(c.map((x) => x.messageId)).toEqual(['deferNotAnnounced']);
    expect(c[0]?.hazard.invariants).toContain('write-protect-holds');
    expect(runRule(rule, view('f', { post: image([[map, clear, ubc, unlock, ret]]) }))).toEqual([]);
  });
  it('reports an announcement left on one path only when the function retracts it elsewhere', () => {
    const inc = ev(30, 'flush-pending-inc', 'inc_tlb_flush_pending', { mm: 'mm' });
    const dec = ev(31, 'flush-pending-dec', 'dec_tlb_flush_pending', { mm: 'mm' });
    const early = ctl({ kind: 'return', value: '-EAGAIN' });
    const c = runRule(rule, view('f', { post: image([[inc, early], [inc, flush, dec, ret]]) }));
    expect(c.map((x) => x.messageId)).toEqual(['announceLeak']);
    expect(c[0]?.hazard.invariants).toEqual(['flush-pending-balance']);
    // A function that only announces (its caller retracts) owns nothing.
    expect(runRule(rule, view('f', { post: image([[inc, early]]) }))).toEqual([]);
  });
  it('reports a range flush starting at the address its loop advanced past the changed entries', () => {
    const head = ctl({ kind: 'loop-enter', loop: 3, head: 'for (; addr != end; addr += PAGE_SIZE, pte++)' });
    const wp = ev(40, 'pte-wrprotect', 'ptep_set_wrprotect', { mm: 'mm', addr: 'addr', pte: 'pte' }, { attrs: { effects: ['wrprotect'] }, line: 3 });
    const next = ctl({ kind: 'loop-next', loop: 3, via: 'end' });
    const out = ctl({ kind: 'loop-exit', loop: 3, via: 'cond' });
    const late = ev(41, 'tlb-flush', 'flush_tlb_range', { vma: 'vma', start: 'addr', end: 'end' }, { attrs: { scope: 'range' }, line: 5 });
    const whole = ev(42, 'tlb-flush', 'flush_tlb_range', { vma: 'vma', start: 'start', end: 'end' }, { attrs: { scope: 'range' }, line: 5 });
    const c = runRule(rule, view('f', { post: image([[map, head, wp, next, out, late, unlock, ret]]) }));
    expect(c.map((x) => x.messageId)).toEqual(['rangeMisses']);
    const marked = c[0]?.path.steps.find((s) => s.step === 'event' && s.id === 41);
    expect(marked?.step === 'event' && marked.attrs.rangeMisses).toBe(true);
    expect(runRule(rule, view('f', { post: image([[map, head, wp, next, out, whole, unlock, ret]]) }))).toEqual([]);
  });
  it('holds a hugetlb deferral to the hugetlb VMA lock and i_mmap_rwsem, and checks the unshared PUD region is flushed', () => {
    const vl = ev(50, 'lock', 'hugetlb_vma_lock_write', { lock: 'vma' }, { attrs: { lockClass: 'mutex', mode: 'write', excludes: 'hugetlb-users' } });
    const il = ev(51, 'lock', 'i_mmap_lock_write', { lock: 'mapping' }, { attrs: { lockClass: 'i_mmap', mode: 'write' } });
    const lk = ev(52, 'lock', 'huge_pte_lock', { lock: 'ptl' }, { attrs: { lockClass: 'ptl' } });
    const unshare = ev(53, 'pte-clear', 'huge_pmd_unshare', { pte: 'ptep' }, { attrs: { effects: ['clear'], level: 'pud', extent: 'pud' } });
    const ul = ev(54, 'unlock', 'spin_unlock', { lock: 'ptl' }, { attrs: { lockClass: 'ptl' } });
    const fl = ev(55, 'tlb-flush', 'flush_hugetlb_tlb_range', { vma: 'vma', start: 'start', end: 'end' }, { attrs: { scope: 'range' } });
    const wide = ev(56, 'call', 'adjust_range_if_pmd_sharing_possible', { arg0: 'vma', arg1: '&start', arg2: '&end' }, { attrs: { opaque: true } });
    const iu = ev(57, 'unlock', 'i_mmap_unlock_write', { lock: 'mapping' }, { attrs: { lockClass: 'i_mmap', mode: 'write' } });
    const vu = ev(58, 'unlock', 'hugetlb_vma_unlock_write', { lock: 'vma' }, { attrs: { lockClass: 'mutex', mode: 'write' } });
    expect(runRule(rule, view('f', { post: image([[vl, il, lk, unshare, ul, fl, iu, vu, ret]]) })).map((c) => c.messageId)).toEqual(['rangeTooSmall']);
    expect(runRule(rule, view('f', { post: image([[wide, vl, il, lk, unshare, ul, fl, iu, vu, ret]]) }))).toEqual([]);
    // Flushed only after the exclusive locks are released: owed before that release.
    expect(runRule(rule, view('f', { post: image([[wide, vl, il, lk, unshare, ul, iu, fl, vu, ret]]) })).map((c) => c.messageId)).toEqual(['flushAfterUnlock']);
  });
});

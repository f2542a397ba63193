// Unit tests of fault-fixup over hand-built event paths (front-end independent).
import { describe, expect, it } from 'vitest';
import rule from '../../rules/fault-fixup.ts';
import { runRule } from '../../src/rule-tester/index.ts';
import { ctl, ev, image, view } from '../../src/rule-tester/path-builder.ts';

const lock = ev(0, 'mmap-lock', 'mmap_read_lock', { mm: 'mm' }, { attrs: { mode: 'read' } });
const gup = (text: string, attrs = {}): ReturnType<typeof ev> => ev(1, 'gup', text.slice(0, text.indexOf('(')), { mm: 'mm', addr: 'uaddr' }, { attrs, diff: 'add', text });
const unlock = ev(2, 'mmap-unlock', 'mmap_read_unlock', { mm: 'mm' });
const ret = ctl({ kind: 'return', value: 'ret' }, 9);

describe('fault-fixup over paths', () => {
  it('reports a fault_in_* helper fixing a write fault with get_user_pages', () => {
    const c = runRule(rule, view('fault_in_lock_word', { post: image([[lock, gup('get_user_pages(uaddr, 1, FOLL_WRITE, NULL)', { write: true }), unlock, ret]]) }));
    expect(c.map((x) => x.messageId)).toEqual(['gupFixup']);
    expect(c[0]?.hazard.arch).toEqual(['ppc-e500', 'x86']);
    expect(c[0]?.hazard.context).toEqual(['fault-retry-loop']);
    const s = c[0]?.suggestion?.path?.steps[1];
    expect(s?.step === 'event' && s.callee).toBe('fixup_user_fault');
  });
  it('accepts fixup_user_fault and gup that requests fault semantics', () => {
    const fault = ev(1, 'fault', 'fixup_user_fault', { mm: 'mm', addr: 'uaddr' });
    expect(runRule(rule, view('fault_in_lock_word', { post: image([[lock, fault, unlock, ret]]) }))).toEqual([]);
    expect(runRule(rule, view('fault_in_lock_word', { post: image([[lock, gup('__get_user_pages(mm, uaddr, 1, FOLL_WRITE | FOLL_FIXFAULT)', { fixfault: true }), unlock, ret]]) }))).toEqual([]);
  });
  it('accepts a flag that a sibling of the same patch makes honour real-fault semantics', () => {
    const g = gup('__get_user_pages(mm, uaddr, 1, FOLL_WRITE | FOLL_MKDIRTY_FAULT)');
    const self = view('fault_in_lock_word', { post: image([[lock, g, unlock, ret]]) });
    const follow = view('follow_pte_page', { post: { ...image([[ev(0, 'pte-fixup-young-dirty', 'handle_pte_sw_young_dirty', {}), ret]]), text: 'if (flags & FOLL_MKDIRTY_FAULT) handle_pte_sw_young_dirty(vma, address, ptep, 1);' } });
    expect(runRule(rule, self, [self, follow])).toEqual([]);
    expect(runRule(rule, self, [self])).toHaveLength(1);
  });
  it('does not judge ordinary gup users (not a fault fixup)', () => {
    expect(runRule(rule, view('pin_buffer_pages', { post: image([[lock, gup('get_user_pages(start, n, FOLL_WRITE, pages)'), unlock, ret]]) }))).toEqual([]);
  });
});

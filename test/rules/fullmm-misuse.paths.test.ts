// Unit tests of fullmm-misuse over hand-built event paths (front-end independent).
import { describe, expect, it } from 'vitest';
import rule, { isFullmmGather } from '../../rules/fullmm-misuse.ts';
import { runRule } from '../../src/rule-tester/index.ts';
import { ctl, ev, image, view } from '../../src/rule-tester/path-builder.ts';
import type { Event } from '../../src/core/events.ts';

const ret = ctl({ kind: 'return' }, 20);
const gather = (text: string, args: Record<string, string>, attrs: Event['attrs'] = {}): ReturnType<typeof ev> =>
  ev(0, 'gather-init', text.slice(0, text.indexOf('(')), args, { attrs, diff: 'add', text });

describe('fullmm-misuse over paths', () => {
  it('recognises the fullmm forms the kernel recognises', () => {
    const e = (text: string, attrs: Event['attrs'] = {}): Event => {
      const s = gather(text, {}, attrs);
      if (s.step !== 'event') throw new Error('not an event');
      const { step: _s, ...rest } = s;
      return rest;
    };
    expect(isFullmmGather(e('tlb_gather_mmu_fullmm(&tlb, mm)'))).toBe(true);
    expect(isFullmmGather(e('tlb_gather_mmu(&tlb, mm, 0, -1)'))).toBe(true);
    expect(isFullmmGather(e('tlb_gather_mmu(&tlb, mm, 0, ~0UL)'))).toBe(true);
    expect(isFullmmGather(e('tlb_gather_mmu(&tlb, mm, 0, TASK_SIZE)'))).toBe(false);
    expect(isFullmmGather(e('tlb_gather_mmu(&tlb, mm, start, end)'))).toBe(false);
    expect(isFullmmGather(e('tlb_gather_mmu(&tlb, mm, 1)'))).toBe(true);
    const legacy = ev(0, 'gather-init', 'tlb_gather_mmu', {}, { result: 'tlb', text: 'tlb_gather_mmu(mm, 1)' });
    if (legacy.step === 'event') expect(isFullmmGather({ ...legacy })).toBe(true);
    expect(isFullmmGather(e('tlb_gather_mmu(&tlb, mm, 0, -1)', { fullmm: false }))).toBe(false);
  });
  it('reports a fullmm gather in a handler whose mm is not shown dead, suggesting a ranged gather', () => {
    const g = gather('tlb_gather_mmu_fullmm(&tlb, mm)', { tlb: '&tlb', mm: 'mm' }, { fullmm: true });
    const c = runRule(rule, view('reset_refs_write', { post: image([[g, ret]]) }));
    expect(c.map((x) => x.messageId)).toEqual(['maybeLiveMm']);
    expect(c[0]?.hazard.arch).toEqual(['arm64']);
    expect(c[0]?.hazard.context).toEqual(['mm-live']);
    const s = c[0]?.suggestion?.path?.steps[0];
    expect(s?.step === 'event' && s.attrs.fullmm).toBe(false);
  });
  it('accepts exit_mmap-style teardown and the gather API itself', () => {
    const g = gather('tlb_gather_mmu(&tlb, mm, 0, -1)', { tlb: '&tlb', mm: 'mm', start: '0', end: '-1' });
    expect(runRule(rule, view('exit_mmap', { post: image([[g, ret]]) }))).toEqual([]);
    expect(runRule(rule, view('tlb_gather_mmu_fullmm', { post: image([[g, ret]]) }))).toEqual([]);
  });
  it('accepts a path that established mm_users == 0', () => {
    const g = gather('tlb_gather_mmu(&tlb, mm, 0, -1)', { tlb: '&tlb', mm: 'mm', start: '0', end: '-1' });
    const b = ctl({ kind: 'branch', cond: 'atomic_read(&mm->mm_users) == 0', taken: true }, 1);
    expect(runRule(rule, view('release_dead_mm', { post: image([[b, g, ret]]) }))).toEqual([]);
  });
  it('classifies a fix: pre-image fullmm, post-image ranged', () => {
    const pre = image([[gather('tlb_gather_mmu(&tlb, mm, 0, -1)', { tlb: '&tlb', mm: 'mm', start: '0', end: '-1' }), ret]]);
    const post = image([[gather('tlb_gather_mmu(&tlb, mm, vma->vm_start, vma->vm_end)', { tlb: '&tlb', mm: 'mm', start: 'vma->vm_start', end: 'vma->vm_end' }), ret]]);
    expect(runRule(rule, view('reap_task_mm', { pre, post })).map((c) => c.side)).toEqual(['pre']);
  });
  it('says inconclusive when neither the path nor a caller in the patch shows whether the mm is live', () => {
    const g = gather('tlb_gather_mmu_fullmm(&tlb, mm)', { tlb: '&tlb', mm: 'mm' }, { fullmm: true });
    const c = runRule(rule, view('drop_ranges', { post: image([[g, ret]]) }));
    expect(c.map((x) => x.messageId)).toEqual(['maybeLiveMm']);
    expect(c[0]?.hazard.unknown).toMatch(/no caller of drop_ranges\(\) is in this patch/);
  });
  it('finds liveness on the path: an mm_users reference taken before the gather', () => {
    const g = gather('tlb_gather_mmu(&tlb, mm, 0, -1)', { tlb: '&tlb', mm: 'mm', start: '0', end: '-1' });
    const ref = ctl({ kind: 'branch', cond: '!mmget_not_zero(mm)', taken: false }, 1);
    const c = runRule(rule, view('reap_mm', { post: image([[ref, g, ret]]) }));
    expect(c.map((x) => x.messageId)).toEqual(['liveMm']);
    expect(c[0]?.hazard.unknown).toBeUndefined();
  });
  it('reads a system call from what the function shows: a __user parameter, a killable mmap lock, an -EINTR exit', () => {
    const g = gather('tlb_gather_mmu_fullmm(&tlb, mm)', { tlb: '&tlb', mm: 'mm' }, { fullmm: true });
    const user = view('drop_ranges_write', { post: image([[g, ret]]) });
    user.post!.params = ['struct file *file', 'const char __user *buf', 'size_t count'];
    const c1 = runRule(rule, user);
    expect(c1.map((x) => x.messageId)).toEqual(['liveMm']);
    expect(c1[0]?.message).toMatch(/__user \*buf/);
    const lock = ev(1, 'mmap-lock', 'mmap_write_lock_killable', { mm: 'mm' }, { text: 'mmap_write_lock_killable(mm)', line: 1 });
    const c2 = runRule(rule, view('drop_ranges', { post: image([[lock, ctl({ kind: 'branch', cond: 'mmap_write_lock_killable(mm)', taken: false }, 1), g, ret]]) }));
    expect(c2.map((x) => x.messageId)).toEqual(['liveMm']);
    const eintr = view('drop_ranges', { post: image([[g, ret]]) });
    eintr.post!.text = '\t\tcount = -EINTR;\n\t\tgoto out_mm;\n\t}\n\ttlb_gather_mmu_fullmm(&tlb, mm);\n';
    const g4 = gather('tlb_gather_mmu_fullmm(&tlb, mm)', { tlb: '&tlb', mm: 'mm' }, { fullmm: true });
    if (g4.step === 'event') g4.loc = { line: 4, column: 1 };
    eintr.post!.paths = [{ steps: [g4, ret], complete: true }];
    expect(runRule(rule, eintr).map((x) => x.messageId)).toEqual(['liveMm']);
    // An -EINTR below the gather says nothing about it; neither does a plain (non-killable) mmap lock.
    eintr.post!.text = '\ttlb_gather_mmu_fullmm(&tlb, mm);\n\treturn -EINTR;\n';
    if (g4.step === 'event') g4.loc = { line: 1, column: 1 };
    expect(runRule(rule, eintr).map((x) => x.messageId)).toEqual(['maybeLiveMm']);
    const plain = ev(1, 'mmap-lock', 'mmap_write_lock', { mm: 'mm' }, { text: 'mmap_write_lock(mm)', line: 1 });
    expect(runRule(rule, view('drop_ranges', { post: image([[plain, g, ret]]) })).map((x) => x.messageId)).toEqual(['maybeLiveMm']);
  });
  it('judges a helper by its callers in the patch: dead from exit_mmap, live from current->mm', () => {
    const g = gather('tlb_gather_mmu_fullmm(&tlb, mm)', { tlb: '&tlb', mm: 'mm' }, { fullmm: true });
    const helper = view('teardown_ranges', { post: image([[g, ret]]) });
    const call = ev(5, 'call', 'teardown_ranges', { arg0: 'mm' }, { text: 'teardown_ranges(mm)' });
    const exit = view('exit_mmap', { post: image([[call, ret]]) });
    expect(runRule(rule, helper, [helper, exit])).toEqual([]);
    const fromCurrent = view('drop_ranges_write', { post: image([[call, ret]]) });
    fromCurrent.post!.text = 'struct mm_struct *mm = current->mm;';
    const c = runRule(rule, helper, [helper, fromCurrent]);
    expect(c.map((x) => x.messageId)).toEqual(['liveMm']);
    expect(c[0]?.message).toMatch(/called from drop_ranges_write\(\)/);
    expect(c[0]?.hazard.unknown).toBeUndefined();
  });
  it('reports a flush hook that returns on tlb->fullmm alone, not one that also requires no freed tables', () => {
    const flush = ev(1, 'tlb-flush', 'flush_tlb_mm', { mm: 'tlb->mm' }, { attrs: { scope: 'mm' }, line: 9 });
    const skip = ctl({ kind: 'branch', cond: 'tlb->fullmm', taken: true }, 3);
    const c = runRule(rule, view('tlb_flush', { post: image([[skip, ret], [ctl({ kind: 'branch', cond: 'tlb->fullmm', taken: false }, 3), flush, ret]]) }));
    expect(c.map((x) => x.messageId)).toEqual(['flushSkipped']);
    expect(c[0]?.hazard.invariants).toEqual(['no-stale-access']);
    const kinds = c[0]?.path.steps.filter((x) => x.step === 'event').map((x) => (x.step === 'event' ? x.kind : ''));
    expect(kinds).toEqual(['pte-map-lock', 'pte-clear', 'pte-unmap-unlock', 'flush-pending-read', 'page-free']);
    const leafOnly = ctl({ kind: 'branch', cond: 'tlb->fullmm && !tlb->freed_tables', taken: true }, 3);
    expect(runRule(rule, view('tlb_flush', { post: image([[leafOnly, ret], [ctl({ kind: 'branch', cond: 'tlb->fullmm && !tlb->freed_tables', taken: false }, 3), flush, ret]]) }))).toEqual([]);
  });
  it('judges a fullmm skip outside tlb_flush() by its callers: inconclusive alone, confirmed when the hook calls it', () => {
    const skip = ctl({ kind: 'branch', cond: 'tlb->fullmm', taken: true }, 3);
    const flush = ev(1, 'tlb-flush', 'flush_tlb_mm', { mm: 'tlb->mm' }, { attrs: { scope: 'mm' }, line: 9 });
    const helper = view('arch_flush_range', { post: image([[skip, ret], [ctl({ kind: 'branch', cond: 'tlb->fullmm', taken: false }, 3), flush, ret]]) });
    expect(runRule(rule, helper)[0]?.hazard.unknown).toMatch(/no caller in this patch/);
    const call = ev(5, 'call', 'arch_flush_range', { arg0: 'tlb' }, { text: 'arch_flush_range(tlb)' });
    const hook = view('tlb_flush', { post: image([[call, ret]]) });
    const c = runRule(rule, helper, [helper, hook]);
    expect(c.map((x) => x.messageId)).toEqual(['flushSkipped']);
    expect(c[0]?.hazard.unknown).toBeUndefined();
  });
  it('treats tlb->fullmm = 1 as a fullmm gather of the gather\'s mm, unless freed_tables is set with it', () => {
    const g = gather('tlb_gather_mmu(&tlb, mm)', { tlb: '&tlb', mm: 'mm' });
    const set = ev(2, 'gather-set-fullmm', 'tlb.fullmm', { tlb: '&tlb' }, { attrs: { fullmm: true }, diff: 'add', text: 'tlb.fullmm = 1' });
    const ref = ev(1, 'call', 'get_task_mm', { arg0: 'task' }, { result: 'mm', text: 'get_task_mm(task)' });
    const live = runRule(rule, view('wipe_bits', { post: image([[ref, g, set, ret]]) }));
    expect(live.map((x) => x.messageId)).toEqual(['liveMm']);
    expect(live[0]?.anchor.kind).toBe('gather-set-fullmm');
    expect(live[0]?.message).toMatch(/`tlb\.fullmm = 1` makes a fullmm mmu_gather/);
    // The suggestion leaves the gather ranged: the assignment is dropped from the path.
    expect(live[0]?.suggestion?.path?.steps.some((x) => x.step === 'event' && x.kind === 'gather-set-fullmm')).toBe(false);
    expect(runRule(rule, view('release_ranges', { post: image([[g, set, ret]]) }))[0]?.hazard.unknown).toMatch(/no caller of release_ranges\(\)/);
    const both = image([[ref, g, set, ret]]);
    both.text = 'tlb.fullmm = 1;\ntlb.freed_tables = 1;';
    expect(runRule(rule, view('wipe_bits', { post: both }))).toEqual([]);
    const reset = image([[ref, g, set, ret]]);
    reset.text = 'tlb.fullmm = 1;\nwalk(&tlb);\ntlb.fullmm = 0;';
    expect(runRule(rule, view('wipe_bits', { post: reset }))).toEqual([]);
  });
  it('treats an mm its caller just allocated (fork, never published) as dead', () => {
    const g = gather('tlb_gather_mmu_fullmm(&tlb, mm)', { tlb: '&tlb', mm: 'mm' }, { fullmm: true });
    const helper = view('undo_copy', { post: image([[g, ret]]) });
    const alloc = ev(6, 'call', 'allocate_mm', {}, { result: 'mm', text: 'allocate_mm()' });
    const call = ev(7, 'call', 'undo_copy', { arg0: 'mm' }, { text: 'undo_copy(mm)' });
    const dupMm = view('dup_mm', { post: image([[alloc, call, ret]]) });
    expect(runRule(rule, helper, [helper, dupMm])).toEqual([]);
  });
});

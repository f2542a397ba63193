/**
 * Soundness of verdicts about code the tool cannot see (docs/engine.md, "Unseen code"): completions of the unseen
 * prefix/suffix of a hunk fragment, confirmation only when every completion violates, API failure along a path,
 * contracts read from annotations and hand-over parameters, and one finding per root cause.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventPath, PathStep } from '../../src/core/events.ts';
import type { Candidate, Hazard } from '../../src/core/rule.ts';
import type { Instr } from '../../src/sim/scenario.ts';
import { ctl, ev, image } from '../../src/rule-tester/path-builder.ts';
import { pathToProgram } from '../../src/engine/path-program.ts';
import { completionsOf, gapsOf } from '../../src/engine/unseen.ts';
import type { UnseenFacts } from '../../src/engine/unseen.ts';
import { confirm, loadSimulator } from '../../src/engine/confirm.ts';
import { MAX_RELATED, toFinding } from '../../src/engine/to-finding.ts';
import { checkPatches, factsFor, HAZARD_SIMULATION_BUDGET } from '../../src/engine/index.ts';
import { view } from '../../src/rule-tester/path-builder.ts';
import { renderTerminal } from '../../src/render/terminal.ts';
import { renderFindingComment } from '../../src/render/github-review.ts';
import type { Finding, Report } from '../../src/core/finding.ts';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInputs } from '../../src/sources/index.ts';
import { applyOnPath, callOutcome, returnSemantics } from '../../rules/utils/failure.ts';
import { LockState } from '../../rules/utils/paths.ts';
import { annotationsOf, handOver } from '../../rules/utils/contracts.ts';
import { candidateOn } from '../helpers/candidate.ts';

// confirm() runs the simulator, which the engine loads lazily (checkPatches awaits it; direct callers do too).
beforeAll(loadSimulator);

async function parsePatchText(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mmr-unseen-'));
  try {
    const file = join(dir, 'x.patch');
    writeFileSync(file, text);
    return (await readInputs([file])).patches;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const path = (steps: PathStep[]): EventPath => ({ steps, complete: !steps.some((s) => s.step === 'control' && s.kind === 'truncated') });
const ops = (program: readonly Instr[]): string[] => program.filter((i) => !('ctl' in i)).map((i) => ('ctl' in i ? '' : `${i.op}${i.lock ? `(${i.lock})` : ''}`));
const FRAGMENT: UnseenFacts = { fragment: true, visibleStart: false, handsLock: false, lockOnEntry: false };
/** A whole function whose callers in the patch call it without the PTL (so only what it shows itself counts). */
const WHOLE: UnseenFacts = { ...FRAGMENT, fragment: false, callerHoldsPtl: 'no' };

const candidate = (p: EventPath, hazard: Partial<Hazard>, extra: Partial<Candidate> = {}): Candidate =>
  candidateOn(p, hazard, { rule: 'notifier-symmetry', messageId: 'unbracketed', ...extra });

const SECONDARY: Partial<Hazard> = { kind: 'unbracketed-pte-change', invariants: ['secondary-mmu-coherent'], adversaries: ['kvm-vcpu', 'invalidator'], context: ['secondary-mmu', 'mm-live'] };
const UNDER_PTL: Partial<Hazard> = { kind: 'pte-outside-ptl', invariants: ['pte-under-ptl'], adversaries: ['fault'], context: ['mm-live'] };

// confirm() needs the simulator loaded; this file must not rely on another file having loaded it.
beforeAll(loadSimulator);

describe('completions of unseen code', () => {
  it('a window ended in a hunk that shows no start was opened above it (established in every completion)', () => {
    const p = path([
      ev(0, 'pte-clear', 'ptep_get_and_clear', { pte: 'pte' }, { line: 40 }),
      ev(1, 'notifier-end', 'mmu_notifier_invalidate_range_end', { range: '&range' }, { line: 41 }),
      ctl({ kind: 'truncated', reason: 'end of fragment' }, 42),
    ]);
    const c = candidate(p, SECONDARY);
    const program = pathToProgram(p, { path: 'mm/x.c', ptes: 1, fragment: true });
    const comps = completionsOf(program, false, FRAGMENT, c);
    expect(comps.questions.filter((q) => /window/.test(q))).toEqual([]);
    for (const comp of comps.list) expect(ops(comp.prologue)[0]).toBe('notifier-start');
    expect(comps.list[0]!.assumes).toContain('the invalidation window ended in the hunk was opened above it');
  });

  it('a PTE change in a hunk with no window and no lock in sight leaves both open: four completions', () => {
    const p = path([ev(0, 'pte-clear', 'ptep_get_and_clear', { pte: 'pte' }, { line: 40 }), ctl({ kind: 'truncated', reason: 'end of fragment' }, 41)]);
    const c = candidate(p, SECONDARY);
    const program = pathToProgram(p, { path: 'mm/x.c', ptes: 1, fragment: true });
    const comps = completionsOf(program, false, FRAGMENT, c);
    expect(comps.list).toHaveLength(4);
    expect(comps.questions.join(' | ')).toMatch(/invalidation window open at line 40/);
    expect(comps.questions.join(' | ')).toMatch(/page-table lock held at line 40/);
    // the whole function has no unseen prefix: nothing to choose
    expect(completionsOf(program, false, WHOLE, c).list).toHaveLength(1);
  });

  it('code that sleeps cannot be under the PTL: no PTL choice', () => {
    const p = path([ev(0, 'may-sleep', 'cond_resched'), ev(1, 'pte-clear', 'ptep_get_and_clear', { pte: 'pte' }), ctl({ kind: 'truncated', reason: 'end of fragment' })]);
    const c = candidate(p, UNDER_PTL);
    const comps = completionsOf(pathToProgram(p, { path: 'mm/x.c', ptes: 1, fragment: true }), false, FRAGMENT, c);
    expect(comps.questions.some((q) => /page-table lock/.test(q))).toBe(false);
  });

  it('a gather used but not started in the hunk was started above it; a cut path has it finished below', () => {
    const p = path([ev(0, 'gather-remove', 'tlb_remove_tlb_entry', { pte: 'pte' }), ctl({ kind: 'truncated', reason: 'end of fragment' })]);
    const comps = completionsOf(pathToProgram(p, { path: 'mm/x.c', ptes: 1, fragment: true }), false, FRAGMENT, candidate(p, UNDER_PTL));
    expect(ops(comps.list[0]!.prologue)).toEqual(['gather-init']);
    expect(ops(comps.list[0]!.epilogue)).toEqual(['gather-finish']);
  });

  it('a function that hands its PTL to the caller (spinlock_t ** out-parameter) returns with it held by contract', () => {
    const p = path([ev(0, 'pte-map-lock', 'pte_offset_map_lock', { lock: 'ptlp', pte: 'pte' }, { result: 'pte' }), ctl({ kind: 'return', value: 'pte' })]);
    const program = pathToProgram(p, { path: 'mm/x.c', ptes: 1 });
    const c = candidate(p, { invariants: ['lock-balance'] });
    expect(ops(completionsOf(program, true, { ...WHOLE, handsLock: true }, c).list[0]!.epilogue)).toEqual(['unlock(ptl0)']);
    expect(ops(completionsOf(program, true, WHOLE, c).list[0]!.epilogue)).toEqual([]);
  });

  it('__must_hold(ptl): the caller holds the page-table lock on entry and drops it after the return', () => {
    const p = path([ev(0, 'notifier-start', 'mmu_notifier_invalidate_range_start', { range: '&range' }, { attrs: { blockable: true } }), ctl({ kind: 'return' })]);
    const program = pathToProgram(p, { path: 'mm/x.c', ptes: 1 });
    const c = candidate(p, { invariants: ['no-sleep-in-atomic'] });
    const comp = completionsOf(program, true, { ...WHOLE, lockOnEntry: true }, c).list[0]!;
    expect(ops(comp.prologue)).toEqual(['lock(ptl0)']);
    expect(ops(comp.epilogue)).toEqual(['unlock(ptl0)']);
    expect(confirm({ candidate: c, path: 'mm/x.c', fn: 'f', facts: { ...WHOLE, lockOnEntry: true } }, ['x86']).status).toBe('confirmed');
    expect(confirm({ candidate: c, path: 'mm/x.c', fn: 'f', facts: WHOLE }, ['x86']).status).toBe('refuted');
  });

  it('a PTL released in a hunk may have been taken between two hunks: held from the start is only one completion', () => {
    const p = path([
      ev(0, 'may-sleep', 'cond_resched', {}, { line: 10 }),
      ev(1, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }, { line: 30 }),
      ctl({ kind: 'truncated', reason: 'end of fragment' }, 31),
    ]);
    const c = candidate(p, { kind: 'sleep-under-ptl', invariants: ['no-sleep-in-atomic'] });
    const noGap = confirm({ candidate: c, path: 'mm/x.c', fn: 'f', fragment: true, facts: FRAGMENT }, ['x86']);
    expect(noGap.status).toBe('confirmed');
    const gap = confirm({ candidate: c, path: 'mm/x.c', fn: 'f', fragment: true, facts: { ...FRAGMENT, gaps: [10] } }, ['x86']);
    expect(gap.status).toBe('inconclusive');
    expect(gap.dependsOn).toBe('depends on the lines between the hunks: is the page-table lock taken above the hunk (held from line 10), or only in the unseen lines after line 10?');
    expect(gapsOf({ ...image([]), lineInfo: [{ fileLine: 9 }, { fileLine: 10 }, { fileLine: 30 }, { fileLine: 31 }] })).toEqual([10]);
    // Hunks joined by a separator line that carries no file line.
    expect(gapsOf({ ...image([]), lineInfo: [{ fileLine: 9 }, { fileLine: 10 }, {}, { fileLine: 30 }, { fileLine: 31 }] })).toEqual([10]);
  });

  it('a PTL stored where the caller sees it, with no caller in the patch: whether it is dropped is the caller\'s answer', () => {
    const p = path([ev(0, 'pte-map-lock', 'pte_offset_map_lock', { lock: 'vmf->ptl', pte: 'pte' }, { result: 'pte', line: 12 }), ctl({ kind: 'return', value: '0' })]);
    const c = candidate(p, { invariants: ['lock-balance'] });
    const comps = completionsOf(pathToProgram(p, { path: 'mm/x.c', ptes: 1 }), true, { ...WHOLE, lockToCaller: 'maybe' }, c);
    expect(comps.list).toHaveLength(2);
    expect(comps.questions).toEqual(['the caller: does it drop the page-table lock this function hands back at line 12?']);
    const r = confirm({ candidate: c, path: 'mm/x.c', fn: 'f', facts: { ...WHOLE, lockToCaller: 'maybe' } }, ['x86']);
    expect(r.status).toBe('inconclusive');
    expect(r.dependsOn).toMatch(/^depends on the caller: does it drop the page-table lock/);
    expect(confirm({ candidate: c, path: 'mm/x.c', fn: 'f', facts: WHOLE }, ['x86']).status).toBe('confirmed');
  });
});

describe('confirmation over completions', () => {
  const change = (): EventPath => path([ev(0, 'pte-clear', 'ptep_get_and_clear', { pte: 'pte' }, { line: 40 }), ctl({ kind: 'truncated', reason: 'end of fragment' }, 41)]);

  it('whole function: the unbracketed change is confirmed', () => {
    const c = candidate(change(), SECONDARY);
    const r = confirm({ candidate: c, path: 'mm/x.c', fn: 'f', fragment: false, facts: WHOLE }, ['x86']);
    expect(r.status).toBe('confirmed');
    expect(r.dependsOn).toBeUndefined();
  });

  it('hunk fragment: the same change is inconclusive, naming the window above the hunk', () => {
    const c = candidate(change(), SECONDARY);
    const r = confirm({ candidate: c, path: 'mm/x.c', fn: 'f', fragment: true, facts: FRAGMENT }, ['x86']);
    expect(r.status).toBe('inconclusive');
    expect(r.dependsOn).toMatch(/^depends on code above the hunk: .*invalidation window open at line 40/);
    expect(r.simulation?.note).toBe(r.dependsOn);
  });

  it('hunk fragment: a PTE write with no lock in sight is inconclusive on the PTL', () => {
    const c = candidate(change(), UNDER_PTL);
    const whole = confirm({ candidate: c, path: 'mm/x.c', fn: 'f', facts: WHOLE }, ['x86']);
    const frag = confirm({ candidate: c, path: 'mm/x.c', fn: 'f', fragment: true, facts: FRAGMENT }, ['x86']);
    expect(whole.status).toBe('confirmed');
    expect(frag.status).toBe('inconclusive');
    expect(frag.dependsOn).toMatch(/page-table lock held at line 40/);
  });

  it('whole function: whether the caller holds the PTL is the callers\' answer when none is in the patch', () => {
    const c = candidate(change(), UNDER_PTL);
    const maybe = confirm({ candidate: c, path: 'mm/x.c', fn: 'f', facts: { ...WHOLE, callerHoldsPtl: 'maybe' } }, ['x86']);
    expect(maybe.status).toBe('inconclusive');
    expect(maybe.dependsOn).toMatch(/^depends on the caller: is the page-table lock held when this function is called/);
    // every caller in the patch holds it: established, and the PTE write is under the lock
    expect(confirm({ candidate: c, path: 'mm/x.c', fn: 'f', facts: { ...WHOLE, callerHoldsPtl: 'yes' } }, ['x86']).status).toBe('refuted');
  });

  it('a candidate whose rule names unseen code it depends on is never confirmed', () => {
    const c = candidate(change(), SECONDARY, { unseen: 'depends on the caller: is the window open?' });
    const r = confirm({ candidate: c, path: 'mm/x.c', fn: 'f', facts: WHOLE }, ['x86']);
    expect(r.status).toBe('inconclusive');
    expect(r.dependsOn).toBe('depends on the caller: is the window open?');
    // the same declared through the hazard (Hazard.unknown, as the lock rules spell it)
    const h = candidate(change(), { ...SECONDARY, unknown: 'depends on the caller: is the PTL held?' } as Partial<Hazard>);
    expect(confirm({ candidate: h, path: 'mm/x.c', fn: 'f', facts: WHOLE }, ['x86'])).toMatchObject({ status: 'inconclusive', dependsOn: 'depends on the caller: is the PTL held?' });
  });
});

describe('API failure along a path', () => {
  it('reads the branch on the result: NULL from pte_offset_map_lock(), non-zero from a _nonblock start', () => {
    const mapped = path([ev(0, 'pte-map-lock', 'pte_offset_map_lock', { lock: 'ptl' }, { result: 'pte' }), ctl({ kind: 'branch', cond: '!pte', taken: true }), ctl({ kind: 'return', value: '-EAGAIN' })]);
    expect(callOutcome(mapped, 0)).toBe('failed');
    const ok = path([ev(0, 'pte-map-lock', 'pte_offset_map_lock', { lock: 'ptl' }, { result: 'pte' }), ctl({ kind: 'branch', cond: 'unlikely(!pte)', taken: false })]);
    expect(callOutcome(ok, 0)).toBe('succeeded');
    const start = ev(0, 'notifier-start', 'mmu_notifier_invalidate_range_start_nonblock', { range: 'range' }, { text: 'mmu_notifier_invalidate_range_start_nonblock(&range)' });
    expect(callOutcome(path([start, ctl({ kind: 'branch', cond: 'mmu_notifier_invalidate_range_start_nonblock(&range)', taken: true })]), 0)).toBe('failed');
    const byVar = ev(0, 'notifier-start', 'mmu_notifier_invalidate_range_start_nonblock', { range: 'range' }, { result: 'ret' });
    expect(callOutcome(path([byVar, ctl({ kind: 'branch', cond: 'ret < 0 || !vma', taken: false })]), 0)).toBe('succeeded');
    const trylock = ev(0, 'trylock', 'spin_trylock', { lock: 'l' }, { text: 'spin_trylock(&l)' });
    expect(callOutcome(path([trylock, ctl({ kind: 'branch', cond: '!spin_trylock(&l)', taken: true })]), 0)).toBe('failed');
    // not tested on the path: unknown
    expect(callOutcome(path([trylock, ctl({ kind: 'branch', cond: 'x', taken: true })]), 0)).toBeUndefined();
  });

  it('a LockState walked with applyOnPath holds nothing after a failed trylock', () => {
    const p = path([ev(0, 'trylock', 'spin_trylock', { lock: 'ptl' }, { text: 'spin_trylock(ptl)', attrs: { lockClass: 'ptl' } }), ctl({ kind: 'branch', cond: '!spin_trylock(ptl)', taken: true })]);
    const state = new LockState();
    applyOnPath(state, p, 0);
    expect(state.ptlHeld()).toBe(false);
    const taken = path([p.steps[0]!, ctl({ kind: 'branch', cond: '!spin_trylock(ptl)', taken: false })]);
    applyOnPath(state, taken, 0);
    expect(state.ptlHeld()).toBe(true);
  });

  it('a failed acquisition holds nothing in the simulated program', () => {
    const p = path([ev(0, 'pte-map-lock', 'pte_offset_map_lock', { lock: 'ptl' }, { result: 'pte' }), ctl({ kind: 'branch', cond: '!pte', taken: true }), ctl({ kind: 'return', value: '-EAGAIN' })]);
    expect(ops(pathToProgram(p, { path: 'mm/x.c', ptes: 1 }))).toEqual([]);
  });

  it('a changed function signals "not done" through its own returns', () => {
    expect(returnSemantics([{ value: 'NULL', done: false }, { value: 'pte', done: true }])).toEqual({ returns: 'null' });
    expect(returnSemantics([{ value: '-EAGAIN', done: false }, { value: '0', done: true }])).toEqual({ returns: 'nonzero' });
    expect(returnSemantics([{ value: 'ret', done: false }, { value: '0', done: true }])).toBeUndefined();
  });
});

describe('contracts', () => {
  it('reads sparse annotations and hand-over parameters', () => {
    const img = { ...image([]), text: 'static pte_t *lock_it(struct mmu_notifier_range *range, spinlock_t **ptlp)\n\t__acquires(*ptlp) __must_hold(&mm->mmap_lock)\n{\n}', params: ['struct mmu_notifier_range *range', 'spinlock_t **ptlp'] };
    expect(annotationsOf(img)).toEqual({ acquires: ['*ptlp'], releases: [], mustHold: ['mm->mmap_lock'] });
    expect(handOver(img)).toEqual({ lockOut: ['ptlp'], rangeParams: ['range'] });
    // the front end's parsed annotations, when present, are preferred to the text
    const parsed = { ...img, annotations: [{ kind: 'releases' as const, expr: 'ptl' }, { kind: 'cond-acquires' as const, expr: '&mm->page_table_lock' }] };
    expect(annotationsOf(parsed)).toEqual({ acquires: ['mm->page_table_lock'], releases: ['ptl'], mustHold: [] });
  });
});

describe('contracts judged as pairs', () => {
  const calleeSteps = [ev(0, 'pte-map-lock', 'pte_offset_map_lock', { lock: 'vmf->ptl', pte: 'pte' }, { result: 'pte' }), ctl({ kind: 'return', value: '0' })];
  const callee = view('map_it', { post: image([calleeSteps], ['struct vm_fault *vmf']) });
  const caller = (drops: boolean) =>
    view('use_it', {
      post: image([[ev(0, 'call', 'map_it', { arg0: 'vmf' }), ...(drops ? [ev(1, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'vmf->pte', lock: 'vmf->ptl' })] : []), ctl({ kind: 'return', value: '0' })]]),
    });

  it('a PTL handed back through a parameter is the caller\'s to drop when the caller in the patch drops it', () => {
    expect(factsFor(callee, 'post', [callee, caller(true)])).toMatchObject({ handsLock: true });
  });
  it('a caller in the patch that returns without dropping it leaves the leak established', () => {
    const f = factsFor(callee, 'post', [callee, caller(false)]);
    expect(f.handsLock).toBe(false);
    expect(f.lockToCaller).toBeUndefined();
  });
  it('no caller in the patch: unknown', () => {
    expect(factsFor(callee, 'post', [callee]).lockToCaller).toBe('maybe');
  });

  it('a PTE helper called under the PTL by every caller in the patch runs under it; called without, it does not', () => {
    const helper = view('set_one', { post: image([[ev(0, 'pte-set', 'set_pte_at', { pte: 'pte' }), ctl({ kind: 'return' })]], ['pte_t *pte']) });
    const locked = view('walk', { post: image([[ev(0, 'pte-map-lock', 'pte_offset_map_lock', { lock: 'ptl', pte: 'pte' }, { result: 'pte' }), ev(1, 'call', 'set_one', { arg0: 'pte' }), ev(2, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }), ctl({ kind: 'return' })]]) });
    const bare = view('walk2', { post: image([[ev(0, 'call', 'set_one', { arg0: 'pte' }), ctl({ kind: 'return' })]]) });
    expect(factsFor(helper, 'post', [helper, locked]).callerHoldsPtl).toBe('yes');
    expect(factsFor(helper, 'post', [helper, locked, bare]).callerHoldsPtl).toBe('no');
    expect(factsFor(helper, 'post', [helper]).callerHoldsPtl).toBe('maybe');
  });
});

describe('one root cause, one finding', () => {
  it('a switch whose cases all make the same unbracketed change gives one finding and few simulations', async () => {
    const cases = Array.from({ length: 120 }, (_, k) => `+\tcase ${k}:\n+\t\tset_pte_at_notify(mm, addr + ${k} * PAGE_SIZE, pte, entry);\n+\t\tbreak;`).join('\n');
    const body = `+int seal_many(struct mm_struct *mm, pte_t *pte, unsigned long addr, pte_t entry, int kind)\n+{\n+\tswitch (kind) {\n${cases}\n+\t}\n+\treturn 0;\n+}`;
    const count = body.split('\n').length;
    const text = `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: Test <t@mmreview.invalid>\nSubject: [PATCH] mm/x: seal many\n\n---\ndiff --git a/mm/x.c b/mm/x.c\nindex 1111111..2222222 100644\n--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1,1 +1,${count + 1} @@\n #include <linux/mm.h>\n${body}\n-- \n2.43.0\n`;
    const report = await checkPatches(await parsePatchText(text));
    const mine = report.findings.filter((f) => f.rule === 'notifier-symmetry');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.related).toHaveLength(MAX_RELATED);
    expect(mine[0]!.notes).toContain(`the same hazard on ${120 - 1 - MAX_RELATED} more paths of seal_many() (not listed)`);
    expect(report.stats.simulations).toBeLessThanOrEqual(8);
  });

  it('a group with more distinct paths than the budget says so on its finding', async () => {
    const cases = Array.from({ length: HAZARD_SIMULATION_BUDGET + 3 }, (_, k) => `+\tcase ${k}:\n${'+\t\tset_pte_at_notify(mm, addr, pte, entry);\n'.repeat(k + 1)}+\t\tbreak;`).join('\n');
    const body = [
      '+static void seal_replace_pte(struct mm_struct *mm, unsigned long addr, pte_t *pte, pte_t entry, int kind)',
      '+{',
      '+\tswitch (kind) {',
      cases,
      '+\t}',
      '+}',
      '+',
      '+int seal_page(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr, pte_t entry)',
      '+{',
      '+\tspinlock_t *ptl;',
      '+\tpte_t *pte;',
      '+',
      '+\tpte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);',
      '+\tif (pte) {',
      '+\t\tseal_replace_pte(vma->vm_mm, addr, pte, entry, 3);',
      '+\t\tpte_unmap_unlock(pte, ptl);',
      '+\t}',
      '+\treturn 0;',
      '+}',
    ].join('\n');
    const count = body.split('\n').length;
    const text = `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: Test <t@mmreview.invalid>\nSubject: [PATCH] mm/x: seal by kind\n\n---\ndiff --git a/mm/x.c b/mm/x.c\nindex 1111111..2222222 100644\n--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1,1 +1,${count + 1} @@\n #include <linux/mm.h>\n${body}\n-- \n2.43.0\n`;
    const report = await checkPatches(await parsePatchText(text));
    const mine = report.findings.filter((f) => f.rule === 'notifier-symmetry');
    expect(mine).toHaveLength(1);
    // set_pte_at_notify() notifies through change_pte in the model: no path confirms, so the budget is spent
    expect(mine[0]!.status).not.toBe('confirmed');
    expect(mine[0]!.budgets).toEqual([`simulation budget: ${HAZARD_SIMULATION_BUDGET} of ${HAZARD_SIMULATION_BUDGET + 3} distinct paths with this hazard simulated`]);
    expect(mine[0]!.related).toHaveLength(HAZARD_SIMULATION_BUDGET + 2);
  });

  it('a suggested fix that does not remove the violation is not shown; a note says so', () => {
    const p = path([ev(0, 'pte-clear', 'ptep_get_and_clear', { pte: 'pte' }, { line: 3 })]);
    const c = candidate(p, SECONDARY, { suggestion: { text: 'do something else' } });
    const fn = { path: 'mm/x.c', name: 'f', post: image([p.steps]), changed: true };
    const base = { patch: { id: 'p', files: [] } as never, fn, candidate: c, confirmation: { status: 'confirmed' as const, runs: 1 }, introduced: true, fixed: false };
    const still = toFinding({ ...base, suggestion: 'still-violates' });
    expect(still.suggestion).toBeUndefined();
    expect(still.notes?.join(' ')).toMatch(/no mechanical fix was found/);
    const removes = toFinding({ ...base, suggestion: 'removes-violation' });
    expect(removes.suggestion).toEqual({ text: 'do something else', verdict: 'removes-violation' });
  });
});

describe('what the reader is told', () => {
  const finding: Finding = {
    fingerprint: '0123456789abcdef',
    rule: 'notifier-symmetry',
    severity: 'error',
    status: 'inconclusive',
    introduced: true,
    fixed: false,
    path: 'mm/x.c',
    line: 40,
    side: 'RIGHT',
    function: 'f',
    message: 'm',
    patch: { id: 'p' },
    dependsOn: 'depends on code above the hunk: is the page-table lock held at line 40?',
    budgets: ['simulation budget: 6 of 9 distinct paths with this hazard simulated'],
    notes: ['no mechanical fix was found (the rewrite "x" still violates in simulation)'],
  };
  const report: Report = { tool: 'mmreview', version: '0', findings: [finding], errors: [], stats: { inputs: 1, patches: 1, files: 1, functions: 1, candidates: 1, simulations: 1, ms: 1 } };

  it('the terminal shows the unseen-code question, the notes and the budgets', () => {
    const text = renderTerminal(report, { findings: [finding], renderTrace: () => '' });
    expect(text).toContain('depends on code above the hunk: is the page-table lock held at line 40?');
    expect(text).toContain('note: no mechanical fix was found');
    expect(text).toContain('partially analysed: simulation budget: 6 of 9');
  });

  it('a GitHub comment says what an inconclusive finding depends on, and that no fix was found for a confirmed one', () => {
    const r = { table: () => '', mermaid: () => '' };
    expect(renderFindingComment(finding, r)).toContain('depends on code above the hunk');
    expect(renderFindingComment(finding, r)).not.toContain('bound reached');
    expect(renderFindingComment({ ...finding, status: 'confirmed', dependsOn: undefined }, r)).toContain('No mechanical fix was found');
  });
});

describe('the violation must be the patched code\'s', () => {
  it('a patched path that touches nothing the adversaries use is never confirmed, whatever they reach on their own', () => {
    // The adversaries of a lost-write hazard race among themselves from the same initial state; a patched path that
    // only reads its entry cannot be what loses the write.
    const p = path([ev(0, 'pte-read', 'ptep_get', { pte: 'pte' }, { line: 40 }), ctl({ kind: 'return' }, 41)]);
    const c = candidate(p, { kind: 'flush-after-unlock', invariants: ['no-lost-write', 'no-stale-access'], adversaries: ['user-writer', 'writeback', 'zap'], context: ['mm-live'] }, { rule: 'flush-under-ptl' });
    const r = confirm({ candidate: c, path: 'mm/x.c', fn: 'reader', facts: { fragment: false, visibleStart: false, handsLock: false, lockOnEntry: false } }, ['x86']);
    expect(r.status).not.toBe('confirmed');
    if (r.status === 'inconclusive' && r.dependsOn) expect(r.dependsOn).toContain('needs the patched code');
  });
});

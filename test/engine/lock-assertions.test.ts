/**
 * The code's own statements about the page-table lock it holds (`lockdep_assert_held(ptl)`, `assert_spin_locked()`:
 * src/kernel-api/lock-assertions.ts, rules/utils/lock-assertions.ts) as evidence about unseen code
 * (src/engine/unseen.ts): at an assertion the lock IS held on every completion, so a verdict that depended only on
 * "is it held here?" is settled. An assertion of another lock, one below the question, or one with unseen lines in
 * between settles nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventPath, PathStep } from '../../src/core/events.ts';
import type { Candidate, Hazard } from '../../src/core/rule.ts';
import { ctl, ev } from '../../src/rule-tester/path-builder.ts';
import { pathToProgram } from '../../src/engine/path-program.ts';
import { completionsOf } from '../../src/engine/unseen.ts';
import type { UnseenFacts } from '../../src/engine/unseen.ts';
import { confirm, loadSimulator } from '../../src/engine/confirm.ts';
import { factsFor } from '../../src/engine/index.ts';
import { loadFixtureFunctions } from '../../src/rule-tester/load-functions.ts';
import { candidateOn } from '../helpers/candidate.ts';
import { join } from 'node:path';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';

beforeAll(loadSimulator);

const path = (steps: PathStep[]): EventPath => ({ steps, complete: !steps.some((s) => s.step === 'control' && s.kind === 'truncated') });
const FRAGMENT: UnseenFacts = { fragment: true, visibleStart: false, handsLock: false, lockOnEntry: false };
const candidate = (p: EventPath, hazard: Partial<Hazard>): Candidate => candidateOn(p, hazard, { rule: 'sleep-in-atomic', messageId: 'x' });

describe('asserted page-table lock in a fragment', () => {
  const p = path([
    ev(0, 'may-sleep', 'cond_resched', {}, { line: 10 }),
    ev(1, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }, { line: 30 }),
    ctl({ kind: 'truncated', reason: 'end of fragment' }, 31),
  ]);
  const c = candidate(p, { kind: 'sleep-under-ptl', invariants: ['no-sleep-in-atomic'] });
  const run = (facts: UnseenFacts) => confirm({ candidate: c, path: 'mm/x.c', fn: 'f', fragment: true, facts }, ['x86']);

  it('a lock released after a hunk gap, asserted held before the gap, was not first taken in the gap', () => {
    expect(run({ ...FRAGMENT, gaps: [10] }).status).toBe('inconclusive');
    expect(run({ ...FRAGMENT, gaps: [10], ptlAsserted: { lock: 'ptl', fileLines: [9] } }).status).toBe('confirmed');
  });
  it('an assertion of another lock, or one after the gap, settles nothing', () => {
    expect(run({ ...FRAGMENT, gaps: [10], ptlAsserted: { lock: 'src_ptl', fileLines: [9] } }).status).toBe('inconclusive');
    expect(run({ ...FRAGMENT, gaps: [10], ptlAsserted: { lock: 'ptl', fileLines: [20] } }).status).toBe('inconclusive');
  });

  const change = path([ev(0, 'pte-clear', 'ptep_get_and_clear', { pte: 'pte' }, { line: 40 }), ctl({ kind: 'truncated', reason: 'end of fragment' }, 41)]);
  const under = candidateOn(change, { kind: 'pte-outside-ptl', invariants: ['pte-under-ptl'], adversaries: ['fault'], context: ['mm-live'] }, { rule: 'flush-under-ptl', messageId: 'x' });
  const program = pathToProgram(change, { path: 'mm/x.c', ptes: 1, fragment: true });
  it('a PTE change with no lock operation in sight, below an assertion of the lock: held, no question', () => {
    const open = completionsOf(program, false, FRAGMENT, under);
    expect(open.questions.join(' | ')).toMatch(/page-table lock held at line 40/);
    const held = completionsOf(program, false, { ...FRAGMENT, ptlAsserted: { lock: 'ptl', fileLines: [38] } }, under);
    expect(held.questions).toEqual([]);
    expect(held.list).toHaveLength(1);
    expect(held.list[0]!.prologue.map((i) => `${i.op}(${i.lock})`)).toEqual(['lock(ptl0)']);
    expect(held.list[0]!.assumes).toContain('the page-table lock is held at line 38, as the code asserts');
  });
  it('an assertion with unseen lines between it and the change, or below it, leaves the question open', () => {
    expect(completionsOf(program, false, { ...FRAGMENT, gaps: [39], ptlAsserted: { lock: 'ptl', fileLines: [38] } }, under).questions.join(' | ')).toMatch(/page-table lock held at line 40/);
    expect(completionsOf(program, false, { ...FRAGMENT, ptlAsserted: { lock: 'ptl', fileLines: [45] } }, under).questions.join(' | ')).toMatch(/page-table lock held at line 40/);
  });
});

describe('asserted page-table lock in a whole function (factsFor)', () => {
  async function facts(body: string): Promise<UnseenFacts> {
    const text = `static void clear_one(struct mm_struct *mm, pmd_t *pmd, pte_t *pte, unsigned long addr, spinlock_t *ptl, spinlock_t *dst_ptl)\n{\n${body}}\n`;
    const [fn] = await loadFixtureFunctions('mm/clear.c', text);
    return factsFor(fn!, 'post');
  }
  it('an assertion before every operation on that lock is the caller holding it on entry', async () => {
    expect((await facts('\tlockdep_assert_held(ptl);\n\tptep_get_and_clear(mm, addr, pte);\n')).lockOnEntry).toBe(true);
    expect((await facts('\tassert_spin_locked(ptl);\n\tptep_get_and_clear(mm, addr, pte);\n\tspin_unlock(ptl);\n')).lockOnEntry).toBe(true);
  });
  it('not inside a branch, not after the lock was taken, not when another page-table lock is named', async () => {
    expect((await facts('\tif (addr)\n\t\tlockdep_assert_held(ptl);\n\tptep_get_and_clear(mm, addr, pte);\n')).lockOnEntry).toBe(false);
    expect((await facts('\tspin_lock(ptl);\n\tlockdep_assert_held(ptl);\n\tptep_get_and_clear(mm, addr, pte);\n\tspin_unlock(ptl);\n')).lockOnEntry).toBe(false);
    expect((await facts('\tlockdep_assert_held(ptl);\n\tspin_lock(dst_ptl);\n\tptep_get_and_clear(mm, addr, pte);\n\tspin_unlock(dst_ptl);\n')).lockOnEntry).toBe(false);
    expect((await facts('\tlockdep_assert_held(&mm->mmap_lock);\n\tptep_get_and_clear(mm, addr, pte);\n')).lockOnEntry).toBe(false);
  });
  it('the lock must be the level of the entries: the PMD lock for a PMD entry, a PTE table lock for a PTE', async () => {
    expect((await facts('\tassert_spin_locked(pmd_lockptr(mm, pmd));\n\tset_pmd_at(mm, addr, pmd, pmd_mkold(*pmd));\n')).lockOnEntry).toBe(true);
    expect((await facts('\tassert_spin_locked(pmd_lockptr(mm, pmd));\n\tptep_get_and_clear(mm, addr, pte);\n')).lockOnEntry).toBe(false);
    expect((await facts('\tlockdep_assert_held(ptl);\n\tset_pmd_at(mm, addr, pmd, pmd_mkold(*pmd));\n')).lockOnEntry).toBe(false);
  });
});

describe('a whole function that asserts its page-table lock and drops it in its loop (uffd-lock-retake)', () => {
  async function retake(file: string) {
    const read = await readInputs([join(process.cwd(), 'fixtures/rules/uffd-lock-retake', file)]);
    return (await checkPatches(read.patches, { rules: ['uffd-lock-retake'] })).findings;
  }
  it('an entry written after the drop without the lock: confirmed, whatever the caller does', async () => {
    const [f, ...rest] = await retake('invalid-asserted-lock-dropped-then-written.patch');
    expect(rest).toEqual([]);
    expect([f?.status, f?.introduced, f?.function]).toEqual(['confirmed', true, 'young_mark_range']);
  });
  it('going on to the next entry without it: depends on whether the caller drops the lock after the return', async () => {
    const [f, ...rest] = await retake('invalid-asserted-lock-dropped-continues.patch');
    expect(rest).toEqual([]);
    expect(f?.status).toBe('inconclusive');
    expect(f?.dependsOn).toMatch(/the caller: does it expect the page-table lock, asserted held on entry, to be released by the function at line 11/);
  });
  it('dropped and taken again before the entry is read and written: nothing', async () => {
    expect(await retake('valid-asserted-lock-dropped-and-retaken.patch')).toEqual([]);
  });
});

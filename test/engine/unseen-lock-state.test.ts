/**
 * What a hunk fragment shows about the locks the unseen code holds (docs/engine.md, "Unseen code"): a lock of any
 * class the model knows that the path releases before it takes it was held on entry, and a lock held across the
 * lines between two hunks and taken again after them (or not held and released again) was released (taken) there.
 * Neither is ever the violation a candidate is confirmed by.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventPath, PathStep } from '../../src/core/events.ts';
import type { Hazard } from '../../src/core/rule.ts';
import type { Instr } from '../../src/sim/scenario.ts';
import { ctl, ev } from '../../src/rule-tester/path-builder.ts';
import { pathToProgram } from '../../src/engine/path-program.ts';
import type { UnseenFacts } from '../../src/engine/unseen.ts';
import { confirm, loadSimulator } from '../../src/engine/confirm.ts';
import { candidateOn } from '../helpers/candidate.ts';

beforeAll(loadSimulator);

const path = (steps: PathStep[]): EventPath => ({ steps, complete: !steps.some((s) => s.step === 'control' && s.kind === 'truncated') });
const ops = (program: readonly Instr[]): string[] => program.filter((i) => !('ctl' in i)).map((i) => ('ctl' in i ? '' : `${i.op}${i.lock ? `(${i.lock})` : ''}`));
const FRAGMENT: UnseenFacts = { fragment: true, visibleStart: false, handsLock: false, lockOnEntry: false };
const BALANCE: Partial<Hazard> = { kind: 'ptl-retake', invariants: ['lock-balance'], adversaries: [], context: [] };
const SLEEP: Partial<Hazard> = { kind: 'sleep-under-ptl', invariants: ['no-sleep-in-atomic'], adversaries: [], context: [] };
const END = ctl({ kind: 'truncated', reason: 'end of fragment' }, 40);

describe('locks held on entry to a fragment', () => {
  it('a page lock, mmap_lock or i_mmap_rwsem released before any visible take was held above the hunk', () => {
    const p = path([
      ev(0, 'unlock', 'folio_unlock', { lock: 'folio' }, { line: 10, attrs: { lockClass: 'page' } }),
      ev(1, 'mmap-unlock', 'mmap_read_unlock', { mm: 'mm' }, { line: 11, attrs: { lockClass: 'mmap', mode: 'read' } }),
      ev(2, 'unlock', 'i_mmap_unlock_write', { lock: 'mapping' }, { line: 12, attrs: { lockClass: 'i_mmap', mode: 'write' } }),
      END,
    ]);
    expect(ops(pathToProgram(p, { path: 'mm/x.c', ptes: 1, fragment: true }))).toEqual([
      'lock(lock:folio)', 'lock(mmap)', 'lock(lock:mapping)', 'unlock(lock:folio)', 'unlock(mmap)', 'unlock(lock:mapping)',
    ]);
    // A whole function is not a fragment: what its caller held is not established this way.
    expect(ops(pathToProgram(p, { path: 'mm/x.c', ptes: 1 }))).toEqual(['unlock(lock:folio)', 'unlock(mmap)', 'unlock(lock:mapping)']);
  });

  it('an unlock_page() of a page locked above the hunk confirms nothing', () => {
    const p = path([
      ev(0, 'unlock', 'unlock_page', { lock: 'page' }, { line: 10, attrs: { lockClass: 'page' } }),
      ev(1, 'page-get', 'get_page', { page: 'page' }, { line: 11 }),
      END,
    ]);
    const c = candidateOn(p, BALANCE, { rule: 'uffd-lock-retake', messageId: 'x' });
    expect(confirm({ candidate: c, path: 'mm/x.c', fn: 'f', fragment: true, facts: FRAGMENT }, ['x86']).status).toBe('refuted');
  });

  it('the page lock is a sleeping lock: sleeping under it is not sleeping in atomic context', () => {
    const p = path([
      ev(0, 'lock', 'lock_page', { lock: 'page' }, { line: 10, attrs: { lockClass: 'page' } }),
      ev(1, 'may-sleep', 'cond_resched', {}, { line: 11 }),
      ev(2, 'unlock', 'unlock_page', { lock: 'page' }, { line: 12, attrs: { lockClass: 'page' } }),
      ctl({ kind: 'return' }, 13),
    ]);
    const c = candidateOn(p, SLEEP, { rule: 'sleep-in-atomic', messageId: 'x' });
    expect(confirm({ candidate: c, path: 'mm/x.c', fn: 'f', facts: { ...FRAGMENT, fragment: false } }, ['x86']).status).toBe('refuted');
  });

  it('a spinlock other than a page-table lock is not claimed held from the start: a sleep before its release is not confirmed', () => {
    const p = path([
      ev(0, 'may-sleep', 'cond_resched', {}, { line: 10 }),
      ev(1, 'unlock', 'spin_unlock', { lock: '&gizmo->lock' }, { line: 30, attrs: { lockClass: 'spin' } }),
      END,
    ]);
    expect(ops(pathToProgram(p, { path: 'mm/x.c', ptes: 1, fragment: true }))).toEqual(['may-sleep', 'unlock(lock:gizmo->lock)']);
    const c = candidateOn(p, SLEEP, { rule: 'sleep-in-atomic', messageId: 'x' });
    expect(confirm({ candidate: c, path: 'mm/x.c', fn: 'f', fragment: true, facts: { ...FRAGMENT, gaps: [12] } }, ['x86']).status).not.toBe('confirmed');
  });

  it('an unlock whose take the path shows failing is still an unlock of a lock not held', () => {
    const p = path([
      ev(0, 'unlock', 'spin_unlock', { lock: 'ptl' }, { line: 10, attrs: { lockClass: 'other' } }),
      END,
    ]);
    expect(ops(pathToProgram(p, { path: 'mm/x.c', ptes: 1, fragment: true }))).toEqual(['unlock(lock:ptl)']);
  });
});

describe('locks across the lines between two hunks', () => {
  // pmd_trans_huge_lock() in one hunk, pte_offset_map_lock() in the next: the unseen lines between drop the PMD lock
  // (`if (ptl) { ...; spin_unlock(ptl); return 0; }`).
  const retake = path([
    ev(0, 'trylock', 'pmd_trans_huge_lock', { pmd: 'pmd', vma: 'vma' }, { line: 10, result: 'ptl', attrs: { lockClass: 'pmd-ptl' } }),
    ev(1, 'pte-map-lock', 'pte_offset_map_lock', { mm: 'mm', pmd: 'pmd', lock: 'ptl' }, { line: 30, result: 'pte' }),
    ev(2, 'pte-read', 'ptep_get', { pte: 'pte' }, { line: 31 }),
    ev(3, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }, { line: 32 }),
    ctl({ kind: 'return' }, 33),
  ]);

  it('a lock held before a gap and taken again after it was released in the gap', () => {
    const c = candidateOn(retake, BALANCE, { rule: 'uffd-lock-retake', messageId: 'x' });
    const withGap = confirm({ candidate: c, path: 'mm/x.c', fn: 'f', fragment: true, facts: { ...FRAGMENT, gaps: [12] } }, ['x86']);
    expect(withGap.status).toBe('refuted');
    expect(withGap.simulation?.verdict).toBe('ok');
    // Without a gap the double take is visible code: a self-deadlock.
    const noGap = confirm({ candidate: c, path: 'mm/x.c', fn: 'f', fragment: true, facts: FRAGMENT }, ['x86']);
    expect(noGap.status).toBe('confirmed');
  });

  it('a lock released before a gap and released again after it was taken in the gap', () => {
    const p = path([
      ev(0, 'unlock', 'mutex_unlock', { lock: 'lock' }, { line: 10, attrs: { lockClass: 'mutex' } }),
      ev(1, 'unlock', 'mutex_unlock', { lock: 'lock' }, { line: 30, attrs: { lockClass: 'mutex' } }),
      END,
    ]);
    const c = candidateOn(p, BALANCE, { rule: 'uffd-lock-retake', messageId: 'x' });
    expect(confirm({ candidate: c, path: 'mm/x.c', fn: 'f', fragment: true, facts: { ...FRAGMENT, gaps: [12] } }, ['x86']).status).toBe('refuted');
    expect(confirm({ candidate: c, path: 'mm/x.c', fn: 'f', fragment: true, facts: FRAGMENT }, ['x86']).status).toBe('confirmed');
  });

  it('the hazard after the gap still confirms: `pte - 1` unlocks the previous table lock', () => {
    const p = path([
      ...retake.steps.slice(0, 3),
      ev(3, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }, { line: 32, text: 'pte_unmap_unlock(pte - 1, ptl)' }),
      ctl({ kind: 'return' }, 33),
    ]);
    const c = candidateOn(p, BALANCE, { rule: 'uffd-lock-retake', messageId: 'x' });
    const r = confirm({ candidate: c, path: 'mm/x.c', fn: 'f', fragment: true, facts: { ...FRAGMENT, gaps: [12] } }, ['x86']);
    expect(r.status).toBe('confirmed');
    const violating = r.simulation?.trace?.steps.find((s) => s.violation);
    expect(violating?.source?.line).toBe(32);
  });
});

describe('the back edge of a loop whose head the front end invented', () => {
  // The hunk starts inside a PTE loop body, after unseen code dropped the lock (`pte_unmap_unlock(start_pte, ptl)`
  // right above the hunk), and ends the iteration with a `continue` after re-taking it: going round runs that unseen
  // code again before the hunk's first line.
  const steps = (head: string): PathStep[] => [
    ctl({ kind: 'loop-enter', loop: 1, head }, 9),
    ev(0, 'may-sleep', 'folio_split_now', { folio: 'folio' }, { line: 10 }),
    ev(1, 'pte-map-lock', 'pte_offset_map_lock', { mm: 'mm', pmd: 'pmd', lock: 'ptl' }, { line: 12, result: 'start_pte' }),
    ctl({ kind: 'loop-next', loop: 1, via: 'continue' }, 13),
    ev(2, 'may-sleep', 'folio_split_now', { folio: 'folio' }, { line: 10 }),
    ev(3, 'pte-map-lock', 'pte_offset_map_lock', { mm: 'mm', pmd: 'pmd', lock: 'ptl' }, { line: 12, result: 'start_pte' }),
    ctl({ kind: 'truncated', reason: 'end of fragment' }, 14),
  ];

  it('may drop a lock the hunk takes again: a sleep at the hunk start under the lock is not confirmed', () => {
    const p = path(steps('while (__mmr_loop__)'));
    const c = candidateOn(p, SLEEP, { rule: 'sleep-in-atomic', messageId: 'x' });
    const r = confirm({ candidate: c, path: 'mm/x.c', fn: 'f', fragment: true, facts: FRAGMENT }, ['x86']);
    expect(r.status).toBe('inconclusive');
    expect(r.dependsOn).toMatch(/the unseen top of the loop body \(above the hunk\): does it release ptl0/);
  });

  it('a loop whose head the hunk shows keeps its lock across the back edge', () => {
    const p = path(steps('for (; addr != end; addr += PAGE_SIZE)'));
    const c = candidateOn(p, SLEEP, { rule: 'sleep-in-atomic', messageId: 'x' });
    expect(confirm({ candidate: c, path: 'mm/x.c', fn: 'f', fragment: true, facts: FRAGMENT }, ['x86']).status).toBe('confirmed');
  });
});

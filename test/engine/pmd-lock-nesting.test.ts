/**
 * The PMD lock and the PTE table's lock in the model (src/engine/path-program.ts nestedPtls()/lockRef()): a path
 * that holds the PMD lock and takes the PTE table's lock inside it (retract_page_tables()/collapse style:
 * `pml = pmd_lock(); if (ptl != pml) spin_lock_nested(ptl, SINGLE_DEPTH_NESTING);`) holds two locks, not one twice;
 * a path that takes the same page-table lock twice deadlocks on itself.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventPath, PathStep } from '../../src/core/events.ts';
import { ctl, ev } from '../../src/rule-tester/path-builder.ts';
import { confirm, loadSimulator } from '../../src/engine/confirm.ts';
import type { UnseenFacts } from '../../src/engine/unseen.ts';
import { candidateOn } from '../helpers/candidate.ts';

beforeAll(loadSimulator);

const WHOLE: UnseenFacts = { fragment: false, visibleStart: false, handsLock: false, lockOnEntry: false, callerHoldsPtl: 'no' };
const path = (steps: PathStep[]): EventPath => ({ steps, complete: true });
const verdict = (p: EventPath) =>
  confirm({ candidate: candidateOn(p, { kind: 'lock-nesting', invariants: ['lock-balance', 'pte-under-ptl'], adversaries: ['zap'], context: ['mm-live'] }, { rule: 'uffd-lock-retake', messageId: 'x' }), path: 'mm/x.c', fn: 'f', facts: WHOLE }, ['x86']);

describe('PMD lock and PTE lock nesting', () => {
  it('the PTE lock taken inside the PMD lock is a lock of its own: no self-deadlock', () => {
    const r = verdict(path([
      ev(0, 'lock', 'pmd_lock', { mm: 'mm', pmd: 'pmd', lock: 'pml' }, { attrs: { lockClass: 'pmd-ptl' }, line: 2 }),
      ev(1, 'lock', 'spin_lock_nested', { lock: 'ptl' }, { attrs: { lockClass: 'ptl' }, line: 3 }),
      ev(2, 'pte-clear', 'ptep_get_and_clear', { pte: 'pte' }, { line: 4 }),
      ev(3, 'unlock', 'spin_unlock', { lock: 'ptl' }, { attrs: { lockClass: 'ptl' }, line: 5 }),
      ev(4, 'unlock', 'spin_unlock', { lock: 'pml' }, { attrs: { lockClass: 'pmd-ptl' }, line: 6 }),
      ctl({ kind: 'return' }, 7),
    ]));
    expect(r.status).toBe('refuted');
  });
  it('the same page-table lock taken twice is a self-deadlock', () => {
    const r = verdict(path([
      ev(0, 'pte-map-lock', 'pte_offset_map_lock', { mm: 'mm', pmd: 'pmd', addr: 'addr', lock: 'ptl' }, { result: 'pte', attrs: { lockClass: 'ptl' }, line: 2 }),
      ev(1, 'lock', 'spin_lock', { lock: 'ptl' }, { attrs: { lockClass: 'ptl' }, line: 3 }),
      ev(2, 'pte-clear', 'ptep_get_and_clear', { pte: 'pte' }, { line: 4 }),
      ev(3, 'unlock', 'spin_unlock', { lock: 'ptl' }, { attrs: { lockClass: 'ptl' }, line: 5 }),
      ev(4, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }, { attrs: { lockClass: 'ptl' }, line: 6 }),
      ctl({ kind: 'return' }, 7),
    ]));
    expect(r.status).toBe('confirmed');
    expect(r.simulation?.trace?.steps.some((s) => /self-deadlock/.test(s.note ?? ''))).toBe(true);
  });
});

/**
 * Binding of moves, nested page-table locks and missed ranges (docs/engine.md): a second PTL taken while the first
 * is held is its own lock; the destination of a move is its own empty entry filled from the cleared one and is
 * what zap unmaps; a flush marked rangeMisses flushes nothing.
 */
import { describe, expect, it } from 'vitest';
import type { EventPath, PathStep } from '../../src/core/events.ts';
import type { Candidate } from '../../src/core/rule.ts';
import { ctl, ev } from '../../src/rule-tester/path-builder.ts';
import { DEST_PTE, moveDestinations, nestedPtls, pathToProgram } from '../../src/engine/path-program.ts';
import { buildScenario } from '../../src/engine/scenario-builder.ts';
import { simulate } from '../../src/sim/index.ts';
import { candidateOn } from '../helpers/candidate.ts';

const path = (steps: PathStep[]): EventPath => ({ steps, complete: true });

const oldLock = ev(0, 'lock', 'pmd_lock', { mm: 'mm', pmd: 'old_pmd', lock: 'old_ptl' }, { attrs: { lockClass: 'pmd-ptl' } });
const newLock = ev(1, 'lock', 'spin_lock_nested', { lock: 'new_ptl' }, { attrs: { lockClass: 'pmd-ptl' } });
const clear = ev(2, 'pte-clear', 'pmd_clear', { pte: 'old_pmd' }, { attrs: { effects: ['clear'], level: 'pmd' } });
const populate = ev(3, 'pte-set', 'pmd_populate', { mm: 'mm', pte: 'new_pmd', value: 'pmd_pgtable(pmd)' }, { attrs: { effects: ['unknown'], level: 'pmd' } });
const newUnlock = ev(4, 'unlock', 'spin_unlock', { lock: 'new_ptl' }, { attrs: { lockClass: 'pmd-ptl' } });
const oldUnlock = ev(5, 'unlock', 'spin_unlock', { lock: 'old_ptl' }, { attrs: { lockClass: 'pmd-ptl' } });
const flush = ev(6, 'tlb-flush', 'flush_tlb_range', { vma: 'vma', start: 'old_addr', end: 'old_addr + PMD_SIZE' }, { attrs: { scope: 'range' } });
const ret = ctl({ kind: 'return' });

const candidate = (p: EventPath): Candidate =>
  candidateOn(p, { kind: 'flush-after-unlock', invariants: ['no-stale-access'], adversaries: ['user-reader', 'zap'], context: ['mm-live'] }, { rule: 'flush-under-ptl', messageId: 'flushAfterUnlock' });

describe('moves and nested page-table locks', () => {
  const moved = path([oldLock, newLock, clear, populate, newUnlock, oldUnlock, flush, ret]);

  it('gives a PTL taken while another is held a lock of its own', () => {
    expect([...nestedPtls(moved)]).toEqual(['new_ptl']);
    const prog = pathToProgram(moved, { path: 'mm/x.c', ptes: 1 });
    const locks = prog.flatMap((i) => ('ctl' in i || !i.lock ? [] : [`${i.op}:${i.lock}`]));
    expect(locks).toEqual(['lock:ptl0', 'lock:lock:new_ptl', 'unlock:lock:new_ptl', 'unlock:ptl0']);
  });

  it('writes the destination of a move into its own entry, from the cleared one', () => {
    expect([...moveDestinations(moved).keys()]).toEqual([3]);
    const prog = pathToProgram(moved, { path: 'mm/x.c', ptes: 1 });
    const set = prog.find((i) => !('ctl' in i) && i.op === 'pte-set');
    expect(set && !('ctl' in set) ? [set.pte, set.from] : []).toEqual([DEST_PTE, 'pte0']);
  });

  it('does not take a rewrite of the entry the path cleared for a move', () => {
    const same = ev(3, 'pte-set', 'set_pmd_at', { mm: 'mm', addr: 'addr', pte: 'old_pmd', value: 'entry' }, { attrs: { effects: ['new-page'] } });
    expect(moveDestinations(path([oldLock, clear, same, oldUnlock, ret])).size).toBe(0);
  });

  it('proves the flush after the unlock with zap unmapping the destination, and the flush under the lock safe', () => {
    const bad = buildScenario({ candidate: candidate(moved), path: 'mm/x.c', fn: 'shift' }, 'x86', ['no-stale-access']);
    expect(bad.threads.find((t) => t.name === 'zap')?.program.some((i) => !('ctl' in i) && i.pte === DEST_PTE)).toBe(true);
    expect(simulate(bad, { arch: 'x86' }).verdict).toBe('violation');
    const fixed = path([oldLock, newLock, clear, populate, flush, newUnlock, oldUnlock, ret]);
    const good = buildScenario({ candidate: candidate(fixed), path: 'mm/x.c', fn: 'shift' }, 'x86', ['no-stale-access']);
    expect(simulate(good, { arch: 'x86' }).verdict).toBe('ok');
  });

  it('flushes an empty range for a flush a rule marked rangeMisses', () => {
    const missed = ev(6, 'tlb-flush', 'flush_tlb_range', { vma: 'vma', start: 'addr', end: 'end' }, { attrs: { scope: 'range', rangeMisses: true } });
    const prog = pathToProgram(path([oldLock, clear, missed, oldUnlock, ret]), { path: 'mm/x.c', ptes: 2 });
    const f = prog.find((i) => !('ctl' in i) && i.op === 'tlb-flush');
    expect(f && !('ctl' in f) ? f.range : undefined).toEqual([0, 0]);
  });
});

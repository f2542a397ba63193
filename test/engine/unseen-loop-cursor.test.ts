/**
 * `pte - 1` after a loop whose head the hunk does not show (docs/engine.md, "`pte - 1`"): left by its condition after
 * an iteration, the cursor advanced past the last entry handled, so the release is of that entry's table and lock
 * (the lock taken before the hunk, held at the change in the body); left by `break` before any advance, `pte - 1`
 * still reads as the previous table's last entry.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';
import type { EventPath, PathStep } from '../../src/core/events.ts';
import type { Instr } from '../../src/sim/scenario.ts';
import { ctl, ev } from '../../src/rule-tester/path-builder.ts';
import { pathToProgram, PREV_PTE, PREV_PTL, TAKEN_BEFORE_LABEL } from '../../src/engine/path-program.ts';

const path = (steps: PathStep[]): EventPath => ({ steps, complete: !steps.some((s) => s.step === 'control' && s.kind === 'truncated') });
const ops = (program: Instr[]) => program.map((i) => ('ctl' in i ? `ctl:${i.ctl}` : `${i.op}${i.pte ? `(${i.pte})` : ''}${i.lock ? `[${i.lock}]` : ''}`));

const body: PathStep[] = [
  ctl({ kind: 'loop-enter', loop: 0, head: '__mmr_loop__' }),
  ctl({ kind: 'branch', cond: '__mmr_loop__', taken: true }),
  ev(1, 'pte-clear', 'ptep_get_and_clear', { mm: 'mm', addr: 'addr', pte: 'src_pte' }),
  ctl({ kind: 'loop-next', loop: 0, via: 'end' }),
];
const unlock = ev(2, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'src_pte', lock: 'src_ptl' }, { text: 'pte_unmap_unlock(src_pte - 1, src_ptl)' });
const tail: PathStep[] = [ev(3, 'tlb-flush', 'flush_tlb_range', { vma: 'vma' }), ctl({ kind: 'truncated', reason: 'end of fragment' })];

describe('pte - 1 after a loop with an unseen head', () => {
  it('left by its condition after an iteration: the entry handled, under the lock taken before the hunk', () => {
    const p = path([...body, ctl({ kind: 'branch', cond: '__mmr_loop__', taken: false }), ctl({ kind: 'loop-exit', loop: 0, via: 'cond' }), unlock, ...tail]);
    const program = pathToProgram(p, { path: 'mm/x.c', ptes: 1, fragment: true });
    expect(program[0]).toMatchObject({ op: 'lock', lock: 'ptl0', label: TAKEN_BEFORE_LABEL });
    expect(ops(program)).toEqual(['lock[ptl0]', 'pte-clear(pte0)', 'pte-unmap-unlock(pte0)[ptl0]', 'tlb-flush']);
  });

  it('left by `break` in the first iteration: still the previous table, as before', () => {
    const p = path([
      ctl({ kind: 'loop-enter', loop: 0, head: '__mmr_loop__' }),
      ctl({ kind: 'branch', cond: '__mmr_loop__', taken: true }),
      ctl({ kind: 'loop-exit', loop: 0, via: 'break' }),
      unlock,
      ...tail,
    ]);
    const unl = pathToProgram(p, { path: 'mm/x.c', ptes: 1, fragment: true }).find((i) => !('ctl' in i) && i.op === 'pte-unmap-unlock');
    expect(unl).toMatchObject({ pte: PREV_PTE, lock: PREV_PTL });
  });
});

describe('a flush moved after the unlock that follows a loop with an unseen head', () => {
  beforeAll(loadSimulator);

  it('the entries cleared in the visible body were under the lock released after the loop: confirmed', async () => {
    const read = await readInputs([join(import.meta.dirname, '../../fixtures/patches/unseen-locks/flush-after-loop-unlock.patch')]);
    const { findings } = await checkPatches(read.patches, { rules: ['flush-under-ptl'] });
    expect(findings.map((f) => [f.function, f.status, f.introduced])).toEqual([['shuttle_move_entries', 'confirmed', true]]);
    expect(findings[0]?.message).toMatch(/^ptep_get_and_clear\(\) clears a PTE under the page-table lock/);
  });
});

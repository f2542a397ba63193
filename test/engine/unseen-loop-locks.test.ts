/**
 * Page-table locks taken by code a hunk fragment does not show (docs/engine.md, "Unseen code"): a lock released
 * before a `continue` may have been taken once before the loop or afresh in each iteration, so "the next iteration
 * runs without it" is never confirmed from the fragment alone; a lock declared inside the loop body is the
 * iteration's own (no finding); distinct page-table locks released without being taken are distinct model locks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { EventPath, PathStep } from '../../src/core/events.ts';
import type { Instr } from '../../src/sim/scenario.ts';
import { ctl, ev } from '../../src/rule-tester/path-builder.ts';
import { pathToProgram } from '../../src/engine/path-program.ts';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';

const root = join(import.meta.dirname, '../..');

async function check(file: string, rule = 'uffd-lock-retake') {
  const read = await readInputs([join(root, 'fixtures/patches/unseen-locks', file)]);
  return (await checkPatches(read.patches, { rules: [rule] })).findings;
}

const path = (steps: PathStep[]): EventPath => ({ steps, complete: !steps.some((s) => s.step === 'control' && s.kind === 'truncated') });
const ops = (program: Instr[]) => program.map((i) => ('ctl' in i ? `ctl:${i.ctl}` : `${i.op}${i.lock ? `(${i.lock})` : ''}`));

describe('locks taken by unseen code around a loop', () => {
  beforeAll(loadSimulator);

  it('a lock released before `continue` of a loop whose head is unseen is inconclusive, asking where it is taken', async () => {
    const findings = await check('loop-lock-unseen-head.patch');
    expect(findings.map((f) => [f.function, f.status])).toEqual([['gizmo_sweep_range', 'inconclusive']]);
    expect(findings[0]?.dependsOn).toMatch(/taken once before the loop, or re-taken at the top of each iteration/);
  });

  it('another path continuing to the next iteration with the lock held shows it is held across iterations: confirmed', async () => {
    const findings = await check('loop-lock-held-across-continue.patch');
    expect(findings.map((f) => [f.function, f.status, f.introduced])).toEqual([['gizmo_sweep_table', 'confirmed', true]]);
  });

  it('a sibling branch of the loop body taking the same lock itself, or a path skipping an invented opener, settles nothing', async () => {
    const findings = await check('loop-lock-taken-in-sibling-branch.patch');
    expect(findings.map((f) => [f.function, f.status])).toEqual([['gizmo_drop_pmds', 'inconclusive']]);
  });

  it('a lock variable declared inside the loop body is taken in every iteration: no finding', async () => {
    expect(await check('loop-lock-declared-in-body.patch')).toEqual([]);
  });

  it('two page-table locks released once each are not one lock released twice', async () => {
    const findings = await check('two-ptls-released.patch');
    expect(findings.every((f) => f.status !== 'confirmed')).toBe(true);
    expect(findings.map((f) => f.simulation?.trace?.steps.map((s) => s.action).join(' | ')).join('\n')).not.toMatch(/not held/);
  });

  it('sleep-in-atomic: a lock taken in one hunk is not claimed held at a sleeping call in the next (unseen lines between)', async () => {
    const findings = await check('sleep-after-gap.patch', 'sleep-in-atomic');
    expect(findings.map((f) => [f.function, f.status])).toEqual([['gizmo_fault_page', 'inconclusive']]);
    expect(findings[0]?.dependsOn).toMatch(/unseen lines after line 707: is vmf->ptl still held at line 734/);
  });

  it('sleep-in-atomic: a lock an uncatalogued call took through `&ptl` was not held above the hunk', async () => {
    expect(await check('lock-through-out-param.patch', 'sleep-in-atomic')).toEqual([]);
  });

  it('pathToProgram: each PTL a fragment releases without taking gets its own model lock, taken before the hunk', () => {
    const p = path([
      ev(0, 'unlock', 'spin_unlock', { lock: 'old_ptl' }, { attrs: { lockClass: 'ptl' } }),
      ev(1, 'unlock', 'spin_unlock', { lock: 'new_ptl' }, { attrs: { lockClass: 'ptl' } }),
      ctl({ kind: 'return' }),
    ]);
    expect(ops(pathToProgram(p, { path: 'mm/x.c', ptes: 1, fragment: true }))).toEqual(['lock(ptl0)', 'lock(lock:new_ptl)', 'unlock(ptl0)', 'unlock(lock:new_ptl)']);
    // A whole function keeps the one PTL model (its lock contract comes from annotations and callers).
    expect(ops(pathToProgram(p, { path: 'mm/x.c', ptes: 1 }))).toEqual(['unlock(ptl0)', 'unlock(ptl0)']);
  });
});

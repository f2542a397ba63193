// Paths that test one call-free condition twice and go both ways, with nothing in between changing it, are dropped.
import { describe, expect, it } from 'vitest';
import { analyzeFunctionText } from '../../src/c/analyze.ts';
import type { EventPath } from '../../src/core/events.ts';
import { join, resolve } from 'node:path';
import { checkPatches, isReportable } from '../../src/engine/index.ts';
import { readInputs } from '../../src/sources/index.ts';

const calls = (p: EventPath): string[] => p.steps.flatMap((s) => (s.step === 'event' ? [s.callee] : []));

const nested = (between: string) => `static void f(struct mm_struct *mm, pmd_t *pmd)
{
	spinlock_t *pml, *ptl;

	pml = pmd_lock(mm, pmd);
	ptl = pte_lockptr(mm, pmd);
	if (ptl != pml)
		spin_lock_nested(ptl, SINGLE_DEPTH_NESTING);
${between}
	if (ptl != pml)
		spin_unlock(ptl);
	spin_unlock(pml);
}`;

describe('feasible paths', () => {
  it('the same test taken twice goes the same way', async () => {
    const img = await analyzeFunctionText(nested('\tpmdp_collapse_flush(vma, addr, pmd);'));
    const shapes = img.paths.map(calls).map((c) => c.filter((x) => x.startsWith('spin_')).join(' '));
    expect(shapes.sort()).toEqual(['spin_lock_nested spin_unlock spin_unlock', 'spin_unlock'].sort());
  });

  it('keeps both ways when a line in between changes what the test reads', async () => {
    const img = await analyzeFunctionText(nested('\tptl = pml;'));
    expect(img.paths.length).toBe(4);
  });

  it('keeps both ways when the test calls a function (it may answer differently)', async () => {
    const text = nested('').replace(/ptl != pml/g, 'spin_is_contended(ptl)');
    expect((await analyzeFunctionText(text)).paths.length).toBe(4);
  });

  it('no finding on a hunk that nests a lock under one test and drops it under the same test', async () => {
    const file = join(resolve(import.meta.dirname, '../..'), 'fixtures/rules/notifier-symmetry/valid-nested-lock-taken-and-dropped-on-one-test.patch');
    const report = await checkPatches((await readInputs([file])).patches);
    expect(report.findings.filter(isReportable).map((f) => `${f.rule}:${f.line}`)).toEqual([]);
  });
});

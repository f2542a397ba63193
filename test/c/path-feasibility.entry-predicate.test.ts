// An entry predicate of a local entry value (`pte_present(pte)`) answers the same while the local is unchanged: a
// path that tests it one way and then the other, with nothing in between that may write it, cannot run
// (src/c/condition-logic.ts entryValuePredicate(), src/c/path-feasibility.ts). Anything that may write it keeps the path.
import { describe, expect, it } from 'vitest';
import { analyzeFunctionText } from '../../src/c/analyze.ts';
import type { EventPath } from '../../src/core/events.ts';
import { parseCondition } from '../../src/c/condition-logic.ts';

const calls = (p: EventPath): string => p.steps.flatMap((s) => (s.step === 'event' ? [s.callee] : [])).join(' ');

const body = (between: string): string => `static void relocate_entry(struct mm_struct *mm, unsigned long addr, pte_t *ptep)
{
	pte_t pte = ptep_get(ptep);

	if (!pte_present(pte))
		note_gone(mm);
	ptep_get_and_clear(mm, addr, ptep);
${between}
	if (pte_present(pte))
		note_here(mm, pte);
}`;

describe('entry predicates of a local value', () => {
  it('parse as pure tests; one given a dereference or a call that locks does not', () => {
    expect(parseCondition('!pte_present(pte)')).toBeDefined();
    expect(parseCondition('pmd_trans_huge(pmdval) && !pte_none(ptent)')).toBeDefined();
    expect(parseCondition('pmd_none(*pmd)')).toBeUndefined();
    expect(parseCondition('pte_alloc_one(mm)')).toBeUndefined();
  });
  it('a value tested not present and then present, untouched in between: the mixed paths are dropped', async () => {
    const img = await analyzeFunctionText(body(''));
    const shapes = img.paths.map(calls);
    expect(shapes.filter((c) => c.includes('note_gone') && c.includes('note_here'))).toEqual([]);
    expect(shapes.some((c) => c.includes('note_gone'))).toBe(true);
    expect(shapes.some((c) => c.includes('note_here'))).toBe(true);
  });
  it('an assignment to the value in between keeps every path', async () => {
    const img = await analyzeFunctionText(body('\tpte = ptep_get(ptep);'));
    expect(img.paths.map(calls).some((c) => c.includes('note_gone') && c.includes('note_here'))).toBe(true);
  });
  it('the value handed out by address in between keeps every path', async () => {
    const img = await analyzeFunctionText(body('\trefresh_entry(mm, &pte);'));
    expect(img.paths.map(calls).some((c) => c.includes('note_gone') && c.includes('note_here'))).toBe(true);
  });
});

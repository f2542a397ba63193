// pmd_clear() writes an empty entry whatever it held: a huge leaf or a table pointer. Only a path that shows a leaf
// (a huge-entry test taken) makes the clear a leaf's stale-TLB hazard; otherwise the claim depends on what it held.
import { describe, expect, it } from 'vitest';
import rule from '../../rules/flush-under-ptl.ts';
import { runRule } from '../../src/rule-tester/index.ts';
import { functionsOfSource } from '../../src/rule-tester/load-functions.ts';

// Written for mmreview: a helper that drops an upper-level entry under the PMD lock and flushes nothing.
const body = (guard: string): string => `
static bool demo_drop_pmd(struct mm_struct *mm, pmd_t *pmd)
{
	spinlock_t *pml = pmd_lock(mm, pmd);

${guard}	pmd_clear(pmd);
	spin_unlock(pml);
	return true;
}
`;

async function unknowns(guard: string): Promise<Array<string | undefined>> {
  const fns = await functionsOfSource(body(guard), 'mm/demo_pmd.c');
  return runRule(rule, fns[0]!, fns).filter((c) => c.messageId === 'flushAfterUnlock').map((c) => c.hazard.unknown);
}

describe('flush-under-ptl: pmd_clear() of a leaf or a table', () => {
  it('nothing says the entry was a leaf: the claim asks what it held', async () => {
    const u = await unknowns('');
    expect(u.length).toBeGreaterThan(0);
    expect(u.every((q) => /a huge leaf, or a pointer to a page table/.test(q ?? ''))).toBe(true);
  });
  it('a huge-entry test taken before the clear: judged as a leaf', async () => {
    const u = await unknowns('\tif (!pmd_trans_huge(*pmd)) {\n\t\tspin_unlock(pml);\n\t\treturn false;\n\t}\n');
    expect(u.length).toBeGreaterThan(0);
    expect(u.some((q) => q === undefined || !/pointer to a page table/.test(q))).toBe(true);
  });
});

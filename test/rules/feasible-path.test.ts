// rules/utils/feasible-path.ts: a path that tests one local value both ways with nothing in between that may write
// it cannot run; anything that may write it keeps the path.
import { describe, expect, it } from 'vitest';
import { functionsOfSource } from '../../src/rule-tester/load-functions.ts';
import { contradictoryPath, feasiblePaths } from '../../rules/utils/feasible-path.ts';

const body = (between: string): string => `static void relocate_one(struct mm_struct *mm, unsigned long addr, pte_t *ptep)
{
	pte_t pte = ptep_get(ptep);

	if (!pte_present(pte))
		mark_missing(mm);
	ptep_get_and_clear(mm, addr, ptep);
${between}
	if (pte_present(pte))
		note_present(mm, pte);
}
`;

async function image(src: string) {
  const fns = await functionsOfSource(src, 'test/feasible-path.c');
  return fns[0]!.post!;
}

describe('contradictoryPath', () => {
  it('a value tested not present and then present, untouched in between: the mixed paths cannot run', async () => {
    const img = await image(body(''));
    const bad = img.paths.filter((p) => contradictoryPath(p, img));
    expect(bad.length).toBeGreaterThan(0);
    expect(feasiblePaths(img).length).toBe(img.paths.length - bad.length);
    expect(feasiblePaths(img).length).toBeGreaterThan(0);
  });
  it('an assignment to the value in between keeps every path', async () => {
    const img = await image(body('\tpte = ptep_get(ptep);'));
    expect(img.paths.filter((p) => contradictoryPath(p, img))).toEqual([]);
  });
  it('the value handed out by address in between keeps every path', async () => {
    const img = await image(body('\trefresh_entry(mm, &pte);'));
    expect(img.paths.filter((p) => contradictoryPath(p, img))).toEqual([]);
  });
});

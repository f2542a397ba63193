// rules/utils/discarded-result.ts: which map calls throw their result away, read from the function text.
import { describe, expect, it } from 'vitest';
import { analyzeFunctionSource } from '../../src/frontend/index.ts';
import { resultDiscarded } from '../../rules/utils/discarded-result.ts';

async function discarded(body: string): Promise<boolean[]> {
  const img = await analyzeFunctionSource(`static void f(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)\n{\n${body}}\n`);
  return img.events.filter((e) => e.kind === 'pte-map-lock' || e.kind === 'pte-map').map((e) => resultDiscarded(img, e) !== undefined);
}

describe('resultDiscarded', () => {
  it('finds a map call standing alone as a statement, with or without a (void) cast', async () => {
    expect(await discarded('\tspinlock_t *ptl;\n\n\tpte_offset_map_lock(mm, pmd, addr, &ptl);\n\tspin_unlock(ptl);\n')).toEqual([true]);
    expect(await discarded('\tspinlock_t *ptl;\n\t/* lock it again */\n\t(void)pte_offset_map_lock(mm, pmd,\n\t\t\t\t   addr, &ptl);\n\tspin_unlock(ptl);\n')).toEqual([true]);
  });
  it('does not take an assigned, tested, returned or conditional result for a discarded one', async () => {
    expect(await discarded('\tspinlock_t *ptl;\n\tpte_t *pte;\n\n\tpte =\n\t\tpte_offset_map_lock(mm, pmd, addr, &ptl);\n\tpte_unmap_unlock(pte, ptl);\n')).toEqual([false]);
    expect(await discarded('\tspinlock_t *ptl;\n\n\tif (!pte_offset_map_lock(mm, pmd, addr, &ptl))\n\t\treturn;\n')).toEqual([false]);
    expect(await discarded('\tspinlock_t *ptl;\n\n\tuse(pte_offset_map_lock(mm, pmd, addr, &ptl));\n')).toEqual([false]);
    expect(await discarded('\tspinlock_t *ptl;\n\tpte_t *pte;\n\n\tpte = k ? pte_offset_kernel(pmd, addr) : pte_offset_map(pmd, addr);\n')).not.toContain(true);
  });
});

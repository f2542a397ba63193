// A clear on a VMA the path shows to be file-backed: the stale access after a concurrent zap reaches the page the
// page cache still holds, so the flush-after-unlock claim depends on whether that page can go before the flush.
import { describe, expect, it, beforeAll } from 'vitest';
import rule from '../../rules/flush-under-ptl.ts';
import { runRule } from '../../src/rule-tester/index.ts';
import { functionsOfSource } from '../../src/rule-tester/load-functions.ts';
import { confirm, loadSimulator } from '../../src/engine/confirm.ts';
import { settlesFileBacked } from '../../rules/utils/file-backed.ts';

// Written for mmreview: a page-cache remap helper that clears PTEs under the PTL and flushes after dropping it.
const body = (guard: string): string => `
static int demo_remap_cached(struct vm_area_struct *vma, pmd_t *pmd, unsigned long start, unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long addr = start;
	spinlock_t *ptl;
	pte_t *pte;
	int cleared = 0;

${guard}
	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!pte)
		return 0;
	for (; addr != end; addr += PAGE_SIZE, pte++) {
		if (!pte_present(ptep_get(pte)))
			continue;
		ptep_get_and_clear(mm, addr, pte);
		cleared++;
	}
	pte_unmap_unlock(pte - 1, ptl);
	if (cleared)
		flush_tlb_range(vma, start, end);
	return 0;
}
`;

async function verdict(guard: string): Promise<{ status: string; dependsOn?: string }> {
  const fns = await functionsOfSource(body(guard), 'mm/demo_remap.c');
  const fn = fns[0]!;
  const c = runRule(rule, fn, fns).filter((x) => x.messageId === 'flushAfterUnlock');
  expect(c.length).toBeGreaterThan(0);
  const r = confirm({ candidate: c[0]!, path: 'mm/demo_remap.c', fn: fn.name }, c[0]!.hazard.arch);
  return { status: r.status, ...(r.dependsOn ? { dependsOn: r.dependsOn } : {}) };
}

describe('flush-under-ptl: clears on a file-backed VMA', () => {
  beforeAll(loadSimulator);

  it('an anonymous or unknown VMA: confirmed', async () => {
    expect((await verdict('')).status).toBe('confirmed');
  });

  it('the path settles vm_file non-NULL: inconclusive, naming the page cache question', async () => {
    const r = await verdict('\tif (!vma || !vma->vm_file || end - start > PMD_SIZE)\n\t\treturn -EINVAL;');
    expect(r.status).toBe('inconclusive');
    expect(r.dependsOn).toMatch(/file-backed on this path \(line \d+\)/);
    expect(r.dependsOn).toMatch(/folio lock/);
  });

  it('a test that does not settle vm_file leaves it confirmed', async () => {
    expect((await verdict('\tif (!vma || (vma->vm_file && end - start > PMD_SIZE))\n\t\treturn -EINVAL;')).status).toBe('confirmed');
  });

  it('settlesFileBacked reads disjunctions not taken and conjunctions taken', () => {
    expect(settlesFileBacked('!vma || !vma->vm_file || !range_in_vma(vma, a, b)', false)).toBe(true);
    expect(settlesFileBacked('!vma || !vma->vm_file', true)).toBe(false);
    expect(settlesFileBacked('vma->vm_file && mapping_large_folio_support(m)', true)).toBe(true);
    expect(settlesFileBacked('(vma->vm_file != NULL)', true)).toBe(true);
    expect(settlesFileBacked('vma->vm_file == NULL', false)).toBe(true);
    expect(settlesFileBacked('!vma || (!vma->vm_file && x)', false)).toBe(false);
    expect(settlesFileBacked('vma->vm_file || x', true)).toBe(false);
  });
});

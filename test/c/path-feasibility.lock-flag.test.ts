// A "do I hold the lock" local settled on the path: a lock getter that never returns NULL stored in it (pmd_lock()),
// or a constant assigned after an `if` the path did not take, decides a later test of it (src/c/path-feasibility.ts).
import { describe, expect, it } from 'vitest';
import { analyzeFunctionText } from '../../src/c/analyze.ts';
import type { EventPath } from '../../src/core/events.ts';

const calls = (p: EventPath): string => p.steps.flatMap((s) => (s.step === 'event' ? [s.callee] : [])).join(' ');

describe('feasible paths through a lock-holding local', () => {
  it('a pmd_lock() result tests true: the path that takes it never takes `!ptl`', async () => {
    const img = await analyzeFunctionText(`static int demo_split(struct vm_area_struct *vma, pmd_t *pmd, struct folio *folio)
{
	spinlock_t *ptl = NULL;

	if (pmd_trans_huge(*pmd))
		ptl = pmd_lock(vma->vm_mm, pmd);
	if (!ptl)
		folio_lock(folio);
	if (ptl)
		spin_unlock(ptl);
	else
		folio_unlock(folio);
	return 0;
}`);
    const shapes = img.paths.map(calls);
    expect(shapes.some((c) => c.includes('pmd_lock') && c.includes('folio_lock'))).toBe(false);
    expect(shapes).toContain('pmd_lock spin_unlock');
    expect(shapes).toContain('folio_lock folio_unlock');
  });

  it('a constant assigned after an `if` not taken (`if (!pte) return; locked = 1;`) settles the later test', async () => {
    const img = await analyzeFunctionText(`static int demo_nested(struct mm_struct *mm, pmd_t *pmd, unsigned long addr, struct folio *folio)
{
	spinlock_t *ptl;
	pte_t *pte;
	int locked = 0;

	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!pte)
		return -EAGAIN;
	locked = 1;
	if (folio_test_large(folio)) {
		pte_unmap_unlock(pte, ptl);
		locked = 0;
	}
	if (!locked)
		folio_lock(folio);
	if (locked)
		pte_unmap_unlock(pte, ptl);
	else
		folio_unlock(folio);
	return 0;
}`);
    const shapes = img.paths.map(calls);
    // The lock kept (the large-folio branch skipped) and the folio lock taken under it cannot run together.
    expect(shapes.filter((c) => c.startsWith('pte_offset_map_lock folio_lock'))).toEqual([]);
    expect(shapes).toContain('pte_offset_map_lock pte_unmap_unlock folio_lock folio_unlock');
    expect(shapes).toContain('pte_offset_map_lock pte_unmap_unlock');
  });

  it('a getter that may return NULL (pmd_trans_huge_lock()) settles nothing', async () => {
    const img = await analyzeFunctionText(`static int demo_unknown(struct vm_area_struct *vma, pmd_t *pmd, struct folio *folio)
{
	spinlock_t *ptl = NULL;

	if (pmd_trans_huge(*pmd))
		ptl = pmd_trans_huge_lock(pmd, vma);
	if (!ptl)
		folio_lock(folio);
	if (ptl)
		spin_unlock(ptl);
	else
		folio_unlock(folio);
	return 0;
}`);
    expect(img.paths.map(calls)).toContain('pmd_trans_huge_lock folio_lock folio_unlock');
  });
});

// Soundness of two pieces of evidence rules read from the visible code: a range's bounds handed in by the callers
// (who may have aligned them), and an -EINTR that only a comment mentions.
import { describe, expect, it } from 'vitest';
import { analyzeFunctionText } from '../../src/c/analyze.ts';
import { regionBoundsUnseen } from '../../rules/utils/extent.ts';
import { syscallEvidence } from '../../rules/utils/task-context.ts';

describe('range bounds', () => {
  it('bounds that are parameters leave the question to the callers; the vma\'s own bounds do not', async () => {
    const fromCaller = await analyzeFunctionText(`static void unshare_range(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	struct mmu_notifier_range range;

	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, vma->vm_mm, start, end);
}`);
    expect(regionBoundsUnseen(fromCaller, 'start', 'end', 'pud', 5, 'above')).toMatch(/callers of this function: are start and end already aligned/);
    const own = await analyzeFunctionText(`static void unshare_vma(struct vm_area_struct *vma)
{
	unsigned long start = vma->vm_start;
	unsigned long end = vma->vm_end;
	struct mmu_notifier_range range;

	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, vma->vm_mm, start, end);
}`);
    expect(regionBoundsUnseen(own, 'start', 'end', 'pud', 7, 'above')).toBeUndefined();
    // A page-walk callback's bounds are one entry's range, handed in by the walker: never a whole PUD region.
    const callback = await analyzeFunctionText(`static int seal_hugetlb_entry(pte_t *pte, unsigned long hmask, unsigned long addr, unsigned long end, struct mm_walk *walk)
{
	flush_hugetlb_tlb_range(walk->vma, addr, end);
	return 0;
}`);
    expect(regionBoundsUnseen(callback, 'addr', 'end', 'pud', 3, 'above')).toBeUndefined();
  });
});

describe('system-call evidence', () => {
  it('an -EINTR inside a block comment is no evidence; one in code is', async () => {
    const text = (code: string) => `static int reset_range(struct mm_struct *mm, unsigned long start)
{
	/*
	 * Callers that want to be interrupted return -EINTR
	 * when the lock cannot be taken.
	 */
${code}
	return 0;
}`;
    const commented = await analyzeFunctionText(text('\tmmap_read_lock(mm);'));
    expect(syscallEvidence(commented, [], 9)).toBeUndefined();
    const real = await analyzeFunctionText(text('\tif (mmap_read_lock_killable(mm))\n\t\treturn -EINTR;'));
    expect(syscallEvidence(real, [], 10)).toMatch(/-EINTR/);
  });
});

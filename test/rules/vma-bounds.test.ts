// rules/utils/vma-bounds.ts and rules/utils/mm-names.ts: evidence read from the visible code that only ever makes a
// rule claim less (a window over the vma's own bounds covers its shared PMD tables; a second mm in sight takes a
// system call's evidence away). Each must hold exactly where the kernel makes it hold.
import { describe, expect, it } from 'vitest';
import { analyzeFunctionText } from '../../src/c/analyze.ts';
import { wholeVmaRange } from '../../rules/utils/vma-bounds.ts';
import { otherMms } from '../../rules/utils/mm-names.ts';

describe('a range that is the vma\'s own bounds', () => {
  it('is the whole vma directly or through locals assigned once', async () => {
    const img = await analyzeFunctionText(`static void drop_all(struct vm_area_struct *vma)
{
	unsigned long start = vma->vm_start;
	unsigned long end = vma->vm_end;

	mmu_notifier_range_init(&range, MMU_NOTIFY_UNMAP, 0, vma->vm_mm, start, end);
}`);
    expect(wholeVmaRange(img, 'start', 'end', ['mm', 'vma', 'addr', 'ptep'])).toBe(true);
    expect(wholeVmaRange(img, 'vma->vm_start', 'vma->vm_end', ['mm', 'vma'])).toBe(true);
    // Not the vma the change is made on.
    expect(wholeVmaRange(img, 'start', 'end', ['mm', 'other_vma'])).toBe(false);
  });
  it('is not when a bound is written again, advanced, or its address handed out', async () => {
    for (const extra of ['start += PAGE_SIZE;', 'start = addr;', 'start++;', 'clamp_range(&start, &end);']) {
      const img = await analyzeFunctionText(`static void drop_some(struct vm_area_struct *vma, unsigned long addr)
{
	unsigned long start = vma->vm_start;
	unsigned long end = vma->vm_end;

	${extra}
	mmu_notifier_range_init(&range, MMU_NOTIFY_UNMAP, 0, vma->vm_mm, start, end);
}`);
      expect(wholeVmaRange(img, 'start', 'end', ['mm', 'vma']), extra).toBe(false);
    }
  });
});

describe('mms a function names', () => {
  it("sees fork's second mm, and none where only the gathered mm is named", async () => {
    const fork = await analyzeFunctionText(`static int copy_all(struct mm_struct *mm, struct mm_struct *oldmm)
{
	if (mmap_write_lock_killable(oldmm))
		return -EINTR;
	return 0;
}`);
    expect(otherMms(fork, 'mm')).toEqual(['oldmm']);
    const one = await analyzeFunctionText(`static ssize_t reset_write(struct file *file, const char __user *buf, size_t count)
{
	struct mm_struct *mm = get_task_mm(task);

	if (mmap_write_lock_killable(mm))
		return -EINTR;
	mmap_write_unlock(mm);
	return count;
}`);
    expect(otherMms(one, 'mm')).toEqual([]);
  });
  it('cannot tell which mm a gather on `tmp->vm_mm` is when the function names two', async () => {
    const fork = await analyzeFunctionText(`static int copy_all(struct mm_struct *mm, struct mm_struct *oldmm)
{
	if (mmap_write_lock_killable(oldmm))
		return -EINTR;
	return 0;
}`);
    expect(otherMms(fork, 'tmp->vm_mm')).toEqual(['mm', 'oldmm']);
    const one = await analyzeFunctionText(`static int reset_one(struct mm_struct *mm)
{
	if (mmap_write_lock_killable(mm))
		return -EINTR;
	return 0;
}`);
    expect(otherMms(one, 'vma->vm_mm')).toEqual([]);
  });
});

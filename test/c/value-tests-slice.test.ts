// Event-relative slicing of PTE-state tests (src/c/value-tests-slice.ts), on small kernel-style functions written for
// these tests.
import { describe, expect, it } from 'vitest';
import { analyzeFunctionText } from '../../src/c/analyze.ts';
import type { EventPath } from '../../src/core/events.ts';

const branches = (p: EventPath): string[] => p.steps.flatMap((s) => (s.step === 'control' && s.kind === 'branch' ? [`${s.taken ? '+' : '-'}${s.cond}`] : []));
const tested = (paths: readonly EventPath[], cond: string): boolean => paths.some((p) => branches(p).some((b) => b.slice(1) === cond));

/** A PTE walk that replaces present entries by markers; `tail` runs after the marker is written, in the loop. */
const walk = (tail: string, after = '') => `static int demo_mark_range(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr, unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long replaced = 0;
	spinlock_t *ptl;
	pte_t *ptep;

	ptep = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!ptep)
		return -EAGAIN;
	for (; addr < end; addr += PAGE_SIZE, ptep++) {
		pte_t pte = ptep_get(ptep);
		swp_entry_t entry;

		if (pte_none(pte))
			continue;
		ptep_get_and_clear(mm, addr, ptep);
		entry = make_readable_migration_entry(pte_pfn(pte));
		if (pte_young(pte))
			entry = make_migration_entry_young(entry);
		if (pte_dirty(pte))
			entry = make_migration_entry_dirty(entry);
		set_pte_at(mm, addr, ptep, swp_entry_to_pte(entry));
${tail}
	}
	pte_unmap_unlock(ptep - 1, ptl);
${after}
	return 0;
}
`;

describe('PTE-state tests equivalent on events', () => {
  it('a test whose arms only pick the bits of a value written later is not on the paths', async () => {
    const img = await analyzeFunctionText(walk(''));
    expect(img.problems).toEqual([]);
    expect(tested(img.paths, 'pte_young(pte)')).toBe(false);
    expect(tested(img.paths, 'pte_dirty(pte)')).toBe(false);
    // A test whose arms differ in events stays.
    expect(tested(img.paths, 'pte_none(pte)')).toBe(true);
  });

  it('a test whose arm sets the variable a later flush is conditioned on stays', async () => {
    // (The arm calls an entry-value helper: an arm with no node at all is no branch of the CFG.)
    const img = await analyzeFunctionText(
      walk('\t\tif (pte_present(pte)) {\n\t\t\treplaced++;\n\t\t\tentry = make_migration_entry_dirty(entry);\n\t\t}', '\tif (replaced)\n\t\tflush_tlb_range(vma, addr, end);'),
    );
    expect(tested(img.paths, 'pte_present(pte)')).toBe(true);
    expect(tested(img.paths, 'replaced')).toBe(true);
    expect(tested(img.paths, 'pte_young(pte)')).toBe(false);
  });

  it('a test whose arm calls a function that is not an entry-value helper stays', async () => {
    const img = await analyzeFunctionText(walk('\t\tif (pte_write(pte))\n\t\t\tdemo_note_writable(vma, addr);'));
    expect(tested(img.paths, 'pte_write(pte)')).toBe(true);
  });

  it('a variable read above the test, but assigned again before that read in its block, does not keep it', async () => {
    // `entry` is read by `demo_private(entry)` only after `entry = pte_to_swp_entry(pte);` in the same block.
    const text = walk('').replace(
      '\t\tif (pte_none(pte))\n\t\t\tcontinue;',
      '\t\tif (pte_none(pte))\n\t\t\tcontinue;\n\t\tif (!pte_present(pte)) {\n\t\t\tentry = pte_to_swp_entry(pte);\n\t\t\tif (!demo_private(entry))\n\t\t\t\tcontinue;\n\t\t\tdemo_take_private(vma, entry);\n\t\t}',
    );
    const img = await analyzeFunctionText(text);
    expect(tested(img.paths, '!demo_private(entry)')).toBe(true);
    expect(tested(img.paths, 'pte_young(pte)')).toBe(false);
  });
});

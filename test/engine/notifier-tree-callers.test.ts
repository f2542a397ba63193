/**
 * Contracts with the callers the tree shows (issue 10 item 3): a changed helper that now returns with an
 * invalidation window open over its caller's range is judged with its unchanged callers from the same file of the
 * tree — when they are all its callers (a `static` function whose name is only ever called there). The tree is
 * generated here.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPatches, isReportable } from '../../src/engine/index.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';
import { functionsOfPatch } from '../../src/frontend/index.ts';
import { directoryTree, extractPatchesFromText } from '../../src/sources/index.ts';

const FILE = (storage: string, extra = ''): string => `// SPDX-License-Identifier: GPL-2.0
#include <linux/mm.h>
#include <linux/mmu_notifier.h>

${storage}void seal_range_prepare(struct vm_area_struct *vma,
			       struct mmu_notifier_range *range)
{
	mmu_notifier_range_init(range, MMU_NOTIFY_CLEAR, 0, vma->vm_mm,
				vma->vm_start, vma->vm_end);
}

int seal_vma(struct vm_area_struct *vma)
{
	struct mmu_notifier_range range;

	seal_range_prepare(vma, &range);
	mmu_notifier_invalidate_range_start(&range);
	seal_vma_ptes(vma);
	mmu_notifier_invalidate_range_end(&range);
	return 0;
}

int seal_vma_count(struct vm_area_struct *vma)
{
	struct mmu_notifier_range range;

	if (!vma->vm_mm)
		return -EINVAL;
	seal_range_prepare(vma, &range);
	return seal_count_ptes(vma, range.start, range.end);
}
${extra}`;

const PATCH = `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Fixture Author <fixtures@mmreview.invalid>
Subject: [PATCH] mm/range_seal: open the invalidation in seal_range_prepare()

---
diff --git a/mm/range_seal.c b/mm/range_seal.c
index 1111111..2222222 100644
--- a/mm/range_seal.c
+++ b/mm/range_seal.c
@@ -7,6 +7,7 @@ static void seal_range_prepare(struct vm_area_struct *vma,
 {
 	mmu_notifier_range_init(range, MMU_NOTIFY_CLEAR, 0, vma->vm_mm,
 				vma->vm_start, vma->vm_end);
+	mmu_notifier_invalidate_range_start(range);
 }
 
 int seal_vma(struct vm_area_struct *vma)
@@ -14,7 +15,6 @@ int seal_vma(struct vm_area_struct *vma)
 	struct mmu_notifier_range range;
 
 	seal_range_prepare(vma, &range);
-	mmu_notifier_invalidate_range_start(&range);
 	seal_vma_ptes(vma);
 	mmu_notifier_invalidate_range_end(&range);
 	return 0;
-- 
2.43.0
`;

function tree(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mmr-tree-callers-'));
  mkdirSync(join(dir, 'mm'));
  writeFileSync(join(dir, 'mm/range_seal.c'), text);
  return directoryTree(dir);
}

const patches = () => extractPatchesFromText(PATCH, { kind: 'patch-file', name: 'range-seal.patch' }).patches;

describe('notifier-symmetry: a window left to the callers the tree shows', () => {
  beforeAll(loadSimulator);

  it('the unchanged callers of a static helper reach the rules as context, not as reviewed functions', async () => {
    const r = await functionsOfPatch(patches()[0]!, { tree: tree(FILE('static ')) });
    expect(r.functions.map((f) => [f.name, f.changed])).toEqual([
      ['seal_range_prepare', true],
      ['seal_vma', true],
      ['seal_vma_count', false],
    ]);
  });

  it('confirms the window the helper now leaves open in a caller that never ends it, at the helper', async () => {
    const report = await checkPatches(patches(), { tree: tree(FILE('static ')), rules: ['notifier-symmetry'] });
    const got = report.findings.map((f) => [f.function, f.status, f.introduced, isReportable(f)]);
    expect(got).toEqual([['seal_range_prepare', 'confirmed', true, true]]);
    const f = report.findings[0]!;
    expect(f.message).toMatch(/its caller seal_vma_count\(\) returns/);
    expect(f.simulation?.invariant).toBe('notifier-balance');
    expect(f.suggestion?.verdict).toBe('removes-violation');
  });

  it('says nothing when the helper is not static (callers in other files are not in the tree file)', async () => {
    const report = await checkPatches(patches(), { tree: tree(FILE('')), rules: ['notifier-symmetry'] });
    expect(report.findings.filter(isReportable)).toEqual([]);
  });

  it('says nothing when the helper is also used other than by a call (an ops table may call it)', async () => {
    const ops = 'static const struct seal_ops seal_default_ops = {\n\t.prepare = seal_range_prepare,\n};\n';
    const report = await checkPatches(patches(), { tree: tree(FILE('static ', ops)), rules: ['notifier-symmetry'] });
    expect(report.findings.filter(isReportable)).toEqual([]);
  });

  it('says nothing when the caller hands the range to another function after the call (it may end the window)', async () => {
    const text = FILE('static ').replace('return seal_count_ptes(vma, range.start, range.end);', 'seal_count_ptes(vma, range.start, range.end);\n\treturn seal_range_finish(&range);');
    const report = await checkPatches(patches(), { tree: tree(text), rules: ['notifier-symmetry'] });
    expect(report.findings.filter(isReportable)).toEqual([]);
  });

  it('without a tree: the end the patch kept after the helper call is not a stray end (the start moved into it)', async () => {
    const report = await checkPatches(patches(), { rules: ['notifier-symmetry'] });
    expect(report.findings.map((f) => [f.function, f.status])).toEqual([]);
  });
});

// A callee the tree shows whole answers the question an unseen one leaves open.
const FILL = `// SPDX-License-Identifier: GPL-2.0
#include <linux/mm.h>
#include <linux/mmu_notifier.h>

static int fill_install_page(struct vm_area_struct *vma, unsigned long addr, struct page *page)
{
	struct mm_struct *mm = vma->vm_mm;
	spinlock_t *ptl;
	pte_t *ptep;

	ptep = get_locked_pte(mm, addr, &ptl);
	if (!ptep)
		return -ENOMEM;
	ptep_clear_flush(vma, addr, ptep);
	set_pte_at(mm, addr, ptep, mk_pte(page, vma->vm_page_prot));
	pte_unmap_unlock(ptep, ptl);
	return 0;
}

int fill_range(struct vm_area_struct *vma, unsigned long start,
	       unsigned long end, struct page **pages)
{
	struct mmu_notifier_range range;
	unsigned long addr;
	int err = 0;

	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, vma->vm_mm,
				start, end);
	mmu_notifier_invalidate_range_start(&range);
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		err = fill_install_page(vma, addr, *pages++); /* ruleid: notifier-symmetry */
		if (err)
			break;
	}
	mmu_notifier_invalidate_range_end(&range);
	return err;
}
`;

describe('notifier-symmetry: a window removed around a callee the tree shows', () => {
  beforeAll(loadSimulator);
  const fixture = join(import.meta.dirname, '../../fixtures/rules/notifier-symmetry/invalid-window-removed-around-unseen-helper.patch');
  const fillPatches = () => extractPatchesFromText(readFileSync(fixture, 'utf8'), { kind: 'patch-file', name: 'fill.patch' }).patches;
  function fillTree(text: string) {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-tree-callees-'));
    mkdirSync(join(dir, 'mm'));
    writeFileSync(join(dir, 'mm/pte_fill.c'), text);
    return directoryTree(dir);
  }

  it('is confirmed when the callee changes a mirrored PTE on some path (no longer a question about it)', async () => {
    const report = await checkPatches(fillPatches(), { tree: fillTree(FILL), rules: ['notifier-symmetry'] });
    expect(report.findings.map((f) => [f.function, f.status, f.introduced, f.dependsOn ?? ''])).toEqual([['fill_range', 'confirmed', true, '']]);
    expect(report.findings[0]?.simulation?.invariant).toBe('secondary-mmu-coherent');
    expect(report.findings[0]?.suggestion?.verdict).toBe('removes-violation');
  });

  it('is refuted when the callee only ever fills an empty entry (no secondary MMU can map it)', async () => {
    const empty = FILL.replace('\tptep_clear_flush(vma, addr, ptep);\n', '\tif (!pte_none(*ptep)) {\n\t\tpte_unmap_unlock(ptep, ptl);\n\t\treturn -EBUSY;\n\t}\n');
    const report = await checkPatches(fillPatches(), { tree: fillTree(empty), rules: ['notifier-symmetry'] });
    expect(report.findings.map((f) => [f.function, f.status])).toEqual([['fill_range', 'refuted']]);
  });

  it('keeps the question when several paths of the callee change a PTE (one harmless path must not refute)', async () => {
    const two = FILL.replace('\tptep_clear_flush(vma, addr, ptep);\n', '\tif (pte_none(*ptep))\n\t\tset_pte_at(mm, addr, ptep, mk_pte(page, vma->vm_page_prot));\n\telse\n\t\tptep_clear_flush(vma, addr, ptep);\n');
    const report = await checkPatches(fillPatches(), { tree: fillTree(two), rules: ['notifier-symmetry'] });
    expect(report.findings.map((f) => [f.function, f.status])).toEqual([['fill_range', 'inconclusive']]);
    expect(report.findings[0]?.dependsOn).toMatch(/fill_install_page\(\)/);
  });

  it('says nothing when the callee seen whole changes no PTE and calls nothing unseen', async () => {
    const quiet = FILL.replace(/\tptep = get_locked_pte[\s\S]*?return 0;\n}/, '\treturn addr & ~PAGE_MASK ? -EINVAL : 0;\n}');
    const report = await checkPatches(fillPatches(), { tree: fillTree(quiet), rules: ['notifier-symmetry'] });
    expect(report.findings.map((f) => [f.function, f.status])).toEqual([]);
  });
});

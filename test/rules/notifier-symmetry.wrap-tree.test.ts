/**
 * notifier-symmetry, a mirrored PTE change wrapped in a new window (the class of mm/ksm.c write_protect_page() in
 * v3.7, 6bdb913f0a70): `set_pte_at_notify()` after `ptep_clear_flush()` under the PTL, now bracketed by
 * invalidate_range_start()/_end() with the _end() reached on the error path through a new label. With a tree the
 * whole function shows the change the window now covers: the fix is credited. Hunk-only the change lies in lines the
 * diff does not show, so the pre-image's violation is not visible and nothing is claimed either way. The tree is
 * generated here.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPatches } from '../../src/engine/index.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';
import { directoryTree, extractPatchesFromText } from '../../src/sources/index.ts';

const FILE = `// SPDX-License-Identifier: GPL-2.0
#include <linux/mm.h>
#include <linux/mmu_notifier.h>

static int dedup_protect_page(struct vm_area_struct *vma, struct page *page,
			      pte_t *orig_pte)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long addr;
	pte_t *ptep;
	spinlock_t *ptl;
	int err = -EFAULT;

	addr = dedup_address_in_vma(page, vma);
	if (addr == -EFAULT)
		goto out;

	ptep = dedup_check_address(page, mm, addr, &ptl);
	if (!ptep)
		goto out;

	if (pte_write(*ptep) || pte_dirty(*ptep)) {
		pte_t entry;

		flush_cache_page(vma, addr, page_to_pfn(page));
		entry = ptep_clear_flush(vma, addr, ptep);
		if (pte_dirty(entry))
			set_page_dirty(page);
		entry = pte_mkclean(pte_wrprotect(entry));
		set_pte_at_notify(mm, addr, ptep, entry);
	}
	*orig_pte = *ptep;
	err = 0;

	pte_unmap_unlock(ptep, ptl);
out:
	return err;
}
`;

const PATCH = `From: Fixture Author <fixtures@mmreview.invalid>
Subject: [PATCH] mm/dedup: wrap set_pte_at_notify

---
diff --git a/mm/dedup.c b/mm/dedup.c
index 97a9c69..6d0c682 100644
--- a/mm/dedup.c
+++ b/mm/dedup.c
@@ -10,14 +10,20 @@ static int dedup_protect_page(struct vm_area_struct *vma, struct page *page,
 	pte_t *ptep;
 	spinlock_t *ptl;
 	int err = -EFAULT;
+	unsigned long mmun_start;
+	unsigned long mmun_end;
 
 	addr = dedup_address_in_vma(page, vma);
 	if (addr == -EFAULT)
 		goto out;
 
+	mmun_start = addr;
+	mmun_end = addr + PAGE_SIZE;
+	mmu_notifier_invalidate_range_start(mm, mmun_start, mmun_end);
+
 	ptep = dedup_check_address(page, mm, addr, &ptl);
 	if (!ptep)
-		goto out;
+		goto out_mn;
 
 	if (pte_write(*ptep) || pte_dirty(*ptep)) {
 		pte_t entry;
@@ -33,6 +39,8 @@ static int dedup_protect_page(struct vm_area_struct *vma, struct page *page,
 	err = 0;
 
 	pte_unmap_unlock(ptep, ptl);
+out_mn:
+	mmu_notifier_invalidate_range_end(mm, mmun_start, mmun_end);
 out:
 	return err;
 }
`;

async function findings(tree: boolean) {
  const patches = extractPatchesFromText(PATCH, { kind: 'patch-file', name: 'dedup-wrap.patch' }).patches;
  let opts = {};
  if (tree) {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-tree-wrap-'));
    mkdirSync(join(dir, 'mm'));
    writeFileSync(join(dir, 'mm/dedup.c'), FILE);
    opts = { tree: directoryTree(dir) };
  }
  const report = await checkPatches(patches, { ...opts, rules: ['notifier-symmetry'] });
  return report.findings.filter((f) => f.status === 'confirmed').map((f) => [f.function, Boolean(f.introduced), Boolean(f.fixed)]);
}

describe('notifier-symmetry: a notifying PTE change wrapped in a new window', () => {
  beforeAll(loadSimulator);
  it('with a tree, the window around ptep_clear_flush() + set_pte_at_notify() is credited as a fix', async () => {
    expect(await findings(true)).toEqual([['dedup_protect_page', false, true]]);
  });
  it('hunk-only, the change is in unseen lines: no claim', async () => {
    expect(await findings(false)).toEqual([]);
  });
});

/**
 * notifier-symmetry and the kernel era: whether an _end() after a failed non-blocking start is owed depends on the
 * notifier core of the patch's kernel (c2655835fd8c, v5.12). A patch that moves the _end() onto the failure arm
 * trades the old contract's violation (the pre-image) for the new one's (the post-image): with the era unknown,
 * neither is claimed; with the era in the lines the patch shows (the maple-tree VMA iterator, v6.1), the new _end()
 * is a confirmed stray end. The era is never read from lines a tree adds around the hunks: a tree given for review
 * may be a later release than the patch's own (a patch of 5.12-rc2 applies cleanly to a 6.1 file). The tree is
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
#include <asm/tlb.h>

static bool trim_cold_vmas(struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	bool trimmed = true;
	VMA_ITERATOR(vmi, mm, 0);

	for_each_vma(vmi, vma) {
		struct mmu_notifier_range range;
		struct mmu_gather tlb;

		if (!vma_is_anonymous(vma))
			continue;

		mmu_notifier_range_init(&range, MMU_NOTIFY_UNMAP, 0, mm,
					vma->vm_start, vma->vm_end);
		tlb_gather_mmu(&tlb, mm);
		if (mmu_notifier_invalidate_range_start_nonblock(&range)) {
			tlb_finish_mmu(&tlb);
			trimmed = false;
			continue;
		}
		trim_cold_range(&tlb, vma, range.start, range.end);
		mmu_notifier_invalidate_range_end(&range);
		tlb_finish_mmu(&tlb);
	}
	return trimmed;
}
`;

const HEADER = `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Fixture Author <fixtures@mmreview.invalid>
Subject: [PATCH] mm/trim_cold: end the invalidation whichever way its start went

---
`;

/** Three lines of context: the hunk does not reach the vma walk. */
const NARROW = HEADER + `diff --git a/mm/trim_cold.c b/mm/trim_cold.c
index 545a65e..10d393d 100644
--- a/mm/trim_cold.c
+++ b/mm/trim_cold.c
@@ -19,12 +19,10 @@ static bool trim_cold_vmas(struct mm_struct *mm)
 		mmu_notifier_range_init(&range, MMU_NOTIFY_UNMAP, 0, mm,
 					vma->vm_start, vma->vm_end);
 		tlb_gather_mmu(&tlb, mm);
-		if (mmu_notifier_invalidate_range_start_nonblock(&range)) {
-			tlb_finish_mmu(&tlb);
+		if (!mmu_notifier_invalidate_range_start_nonblock(&range))
+			trim_cold_range(&tlb, vma, range.start, range.end);
+		else
 			trimmed = false;
-			continue;
-		}
-		trim_cold_range(&tlb, vma, range.start, range.end);
 		mmu_notifier_invalidate_range_end(&range);
 		tlb_finish_mmu(&tlb);
 	}
`;

/** Ten lines of context: the hunk shows `for_each_vma()`. */
const WIDE = HEADER + `diff --git a/mm/trim_cold.c b/mm/trim_cold.c
index 545a65e..10d393d 100644
--- a/mm/trim_cold.c
+++ b/mm/trim_cold.c
@@ -12,21 +12,19 @@ static bool trim_cold_vmas(struct mm_struct *mm)
 	for_each_vma(vmi, vma) {
 		struct mmu_notifier_range range;
 		struct mmu_gather tlb;
 
 		if (!vma_is_anonymous(vma))
 			continue;
 
 		mmu_notifier_range_init(&range, MMU_NOTIFY_UNMAP, 0, mm,
 					vma->vm_start, vma->vm_end);
 		tlb_gather_mmu(&tlb, mm);
-		if (mmu_notifier_invalidate_range_start_nonblock(&range)) {
-			tlb_finish_mmu(&tlb);
+		if (!mmu_notifier_invalidate_range_start_nonblock(&range))
+			trim_cold_range(&tlb, vma, range.start, range.end);
+		else
 			trimmed = false;
-			continue;
-		}
-		trim_cold_range(&tlb, vma, range.start, range.end);
 		mmu_notifier_invalidate_range_end(&range);
 		tlb_finish_mmu(&tlb);
 	}
 	return trimmed;
 }
`;

async function findings(patch: string, tree: boolean) {
  const patches = extractPatchesFromText(patch, { kind: 'patch-file', name: 'trim-cold.patch' }).patches;
  let opts = {};
  if (tree) {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-tree-era-'));
    mkdirSync(join(dir, 'mm'));
    writeFileSync(join(dir, 'mm/trim_cold.c'), FILE);
    opts = { tree: directoryTree(dir) };
  }
  const report = await checkPatches(patches, { ...opts, rules: ['notifier-symmetry'] });
  return report.findings.map((f) => [f.function, f.status, f.introduced]);
}

describe('notifier-symmetry: the era of an _end() after a failed _nonblock start', () => {
  beforeAll(loadSimulator);
  it('hunk-only, with no era in sight, an _end() moved onto the failure arm of `if (!start)` is not claimed', async () => {
    expect(await findings(NARROW, false)).toEqual([]);
  });
  it('with a tree, a maple-tree iterator outside the hunks does not date the patch', async () => {
    expect(await findings(NARROW, true)).toEqual([]);
  });
  it('a maple-tree iterator the hunk shows dates the patch after v5.12: the _end() is a confirmed stray end', async () => {
    expect(await findings(WIDE, false)).toEqual([['trim_cold_vmas', 'confirmed', true]]);
  });
});

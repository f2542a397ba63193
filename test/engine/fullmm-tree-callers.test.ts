/**
 * fullmm-misuse with the callers the tree shows: a static helper that the patch gives a fullmm gather is judged live
 * through its unchanged caller (get_task_mm() before the call) when the tree shows all its callers; without the
 * tree, or when the helper may be called from elsewhere, the mm's state stays unknown (inconclusive).
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPatches } from '../../src/engine/index.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';
import { directoryTree, extractPatchesFromText } from '../../src/sources/index.ts';

const FILE = (storage: string): string => `// SPDX-License-Identifier: GPL-2.0
#include <linux/mm.h>
#include <asm/tlb.h>

${storage}void young_reset_mm(struct mm_struct *mm)
{
	struct mmu_gather tlb;

	tlb_gather_mmu(&tlb, mm, 0, TASK_SIZE);
	walk_page_range(mm, 0, TASK_SIZE, &young_reset_ops, &tlb);
	tlb_finish_mmu(&tlb, 0, TASK_SIZE);
}

ssize_t young_reset_write(struct task_struct *task, size_t count)
{
	struct mm_struct *mm = get_task_mm(task);

	if (!mm)
		return -ESRCH;
	mmap_write_lock(mm);
	young_reset_mm(mm);
	mmap_write_unlock(mm);
	mmput(mm);
	return count;
}
`;

const PATCH = `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Fixture Author <fixtures@mmreview.invalid>
Subject: [PATCH] mm/young_reset: one fullmm gather for the whole reset

---
diff --git a/mm/young_reset.c b/mm/young_reset.c
index 1111111..2222222 100644
--- a/mm/young_reset.c
+++ b/mm/young_reset.c
@@ -6,9 +6,9 @@ static void young_reset_mm(struct mm_struct *mm)
 {
 	struct mmu_gather tlb;
 
-	tlb_gather_mmu(&tlb, mm, 0, TASK_SIZE);
+	tlb_gather_mmu(&tlb, mm, 0, -1);
 	walk_page_range(mm, 0, TASK_SIZE, &young_reset_ops, &tlb);
-	tlb_finish_mmu(&tlb, 0, TASK_SIZE);
+	tlb_finish_mmu(&tlb, 0, -1);
 }
 
 ssize_t young_reset_write(struct task_struct *task, size_t count)
-- 
2.43.0
`;

function tree(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mmr-fullmm-callers-'));
  mkdirSync(join(dir, 'mm'));
  writeFileSync(join(dir, 'mm/young_reset.c'), text);
  return directoryTree(dir);
}

const patches = () => extractPatchesFromText(PATCH, { kind: 'patch-file', name: 'young-reset.patch' }).patches;
const summary = (fs: Array<{ function: string; status: string; introduced: boolean }>) => fs.map((f) => [f.function, f.status, f.introduced]);

describe('fullmm-misuse: liveness through the callers the tree shows', () => {
  beforeAll(loadSimulator);

  it('is confirmed when the only caller took an mm_users reference before the call', async () => {
    const r = await checkPatches(patches(), { tree: tree(FILE('static ')), rules: ['fullmm-misuse'] });
    expect(summary(r.findings)).toEqual([['young_reset_mm', 'confirmed', true]]);
    expect(r.findings[0]?.message).toMatch(/called from young_reset_write\(\), where get_task_mm\(\)/);
  });

  it('stays inconclusive when the helper is not static, and without a tree', async () => {
    const r = await checkPatches(patches(), { tree: tree(FILE('')), rules: ['fullmm-misuse'] });
    expect(summary(r.findings)).toEqual([['young_reset_mm', 'inconclusive', true]]);
    const h = await checkPatches(patches(), { rules: ['fullmm-misuse'] });
    expect(summary(h.findings)).toEqual([['young_reset_mm', 'inconclusive', true]]);
  });
});

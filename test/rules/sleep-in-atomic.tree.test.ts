/**
 * sleep-in-atomic with a tree: a changed static helper that now sleeps, called by an unchanged function of the same
 * file (all its callers, src/frontend/tree-callers.ts) while that caller holds the PTL, is entered holding the PTL.
 * Hunk-only, the caller is not visible and nothing is claimed. The tree is generated here.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPatches } from '../../src/engine/index.ts';
import { directoryTree, extractPatchesFromText } from '../../src/sources/index.ts';

const FILE = (locked: boolean): string => `// SPDX-License-Identifier: GPL-2.0
#include <linux/mm.h>

static void demo_fill_one(struct demo_ctx *ctx, unsigned long addr)
{
	ctx->seen++;
	ctx->last = addr;
}

int demo_fill_range(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr, struct demo_ctx *ctx)
{
	spinlock_t *ptl;
	pte_t *pte;

	pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);
	if (!pte)
		return -EAGAIN;
${locked ? '\tdemo_fill_one(ctx, addr);\n\tpte_unmap_unlock(pte, ptl);' : '\tpte_unmap_unlock(pte, ptl);\n\tdemo_fill_one(ctx, addr);'}
	return 0;
}
`;

const PATCH = `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Fixture Author <fixtures@mmreview.invalid>
Subject: [PATCH] mm/demo_fill: keep a record of each entry

---
diff --git a/mm/demo_fill.c b/mm/demo_fill.c
index 1111111..2222222 100644
--- a/mm/demo_fill.c
+++ b/mm/demo_fill.c
@@ -4,6 +4,9 @@
 static void demo_fill_one(struct demo_ctx *ctx, unsigned long addr)
 {
+	struct demo_rec *rec = kzalloc(sizeof(*rec), GFP_KERNEL);
+
+	demo_keep(ctx, rec);
 	ctx->seen++;
 	ctx->last = addr;
 }
`;

async function findings(tree: boolean | 'unlocked') {
  const patches = extractPatchesFromText(PATCH, { kind: 'patch-file', name: 'demo-fill.patch' }).patches;
  let opts = {};
  if (tree) {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-tree-sleep-'));
    mkdirSync(join(dir, 'mm'));
    writeFileSync(join(dir, 'mm/demo_fill.c'), FILE(tree === true));
    opts = { tree: directoryTree(dir) };
  }
  const report = await checkPatches(patches, opts);
  return report.findings.filter((f) => f.rule === 'sleep-in-atomic').map((f) => [f.function, f.status, f.introduced]);
}

describe('sleep-in-atomic: the lock an unchanged caller of the tree holds', () => {
  it('a helper that now sleeps, called by the tree caller under the PTL, is a confirmed, introduced finding', async () => {
    expect(await findings(true)).toEqual([['demo_fill_one', 'confirmed', true]]);
  });
  it('nothing when the tree caller calls it after dropping the PTL', async () => {
    expect(await findings('unlocked')).toEqual([]);
  });
  it('nothing hunk-only (the caller is not visible)', async () => {
    expect(await findings(false)).toEqual([]);
  });
});

/**
 * Engine facts from the callers the tree shows: whether the page-table lock is held where a changed static helper
 * is called is read from all its callers in the file (yes / no), and stays a question (maybe) when other files may
 * call it. The tree is generated here.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { factsFor } from '../../src/engine/index.ts';
import { functionsOfPatch } from '../../src/frontend/index.ts';
import { directoryTree, extractPatchesFromText } from '../../src/sources/index.ts';

const FILE = (storage: string, locked: boolean): string => `// SPDX-License-Identifier: GPL-2.0
#include <linux/mm.h>

${storage}void wp_one(struct vm_area_struct *vma, unsigned long addr, pte_t *pte)
{
	if (pte_write(*pte))
		ptep_set_wrprotect(vma->vm_mm, addr, pte);
}

int wp_range(struct vm_area_struct *vma, pmd_t *pmd, unsigned long addr)
{
	spinlock_t *ptl;
	pte_t *pte;

	pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);
	if (!pte)
		return -EAGAIN;
${locked ? '\twp_one(vma, addr, pte);\n\tpte_unmap_unlock(pte, ptl);' : '\tpte_unmap_unlock(pte, ptl);\n\twp_one(vma, addr, pte);'}
	return 0;
}
`;

const PATCH = `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Fixture Author <fixtures@mmreview.invalid>
Subject: [PATCH] mm/wp_one: write-protect dirty entries too

---
diff --git a/mm/wp_one.c b/mm/wp_one.c
index 1111111..2222222 100644
--- a/mm/wp_one.c
+++ b/mm/wp_one.c
@@ -5,6 +5,6 @@ static void wp_one(struct vm_area_struct *vma, unsigned long addr, pte_t *pte)
 {
-	if (pte_write(*pte))
+	if (pte_write(*pte) || pte_dirty(*pte))
 		ptep_set_wrprotect(vma->vm_mm, addr, pte);
 }
 
`;

async function facts(storage: string, locked: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'mmr-tree-ptl-'));
  mkdirSync(join(dir, 'mm'));
  writeFileSync(join(dir, 'mm/wp_one.c'), FILE(storage, locked));
  const patch = extractPatchesFromText(PATCH, { kind: 'patch-file', name: 'wp-one.patch' }).patches[0]!;
  const { functions } = await functionsOfPatch(patch, { tree: directoryTree(dir) });
  const fn = functions.find((f) => f.name === 'wp_one')!;
  return { views: functions.map((f) => [f.name, f.changed]), facts: factsFor(fn, 'post', functions) };
}

describe('callers the tree shows: the page-table lock at the calls', () => {
  it('is held when every caller in the file calls the static helper under it', async () => {
    const r = await facts('static ', true);
    expect(r.views).toEqual([['wp_one', true], ['wp_range', false]]);
    expect(r.facts.callerHoldsPtl).toBe('yes');
  });
  it('is not held when a caller calls it after dropping the lock', async () => {
    expect((await facts('static ', false)).facts.callerHoldsPtl).toBe('no');
  });
  it('stays a question when the helper is not static (other files may call it)', async () => {
    const r = await facts('', true);
    expect(r.views).toEqual([['wp_one', true]]);
    expect(r.facts.callerHoldsPtl).toBe('maybe');
  });
});

// uffd-lock-retake unmapUnmapped (review7 item 6): pte_unmap(pvmw->pte) in page_vma_mapped_walk_done() guarded by a
// test of the walk's state other than the catalogued hugetlb tests (`pvmw->flags & SOME_FLAG`) may be told the walks
// apart by that test: a question, never confirmed. The plain `if (pvmw->pte)` stays confirmed (invalid fixture).
// All inputs are written for mmreview.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';
import { readsStructure } from '../../rules/utils/walk-pte-origin.ts';

/** A one-hunk patch of `file` from lines marked ' ', '-', '+'. */
function patchOf(file: string, subject: string, marked: string): string {
  const lines = marked.replace(/\n$/, '').split('\n');
  const pre = lines.filter((l) => !l.startsWith('+')).length;
  const post = lines.filter((l) => !l.startsWith('-')).length;
  return `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Fixture Author <fixtures@mmreview.invalid>
Subject: [PATCH] ${subject}

Test input written for mmreview.
---
diff --git a/${file} b/${file}
index 1111111..2222222 100644
--- a/${file}
+++ b/${file}
@@ -1,${pre} +1,${post} @@
${lines.join('\n')}
`;
}

async function retakeFindings(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mmr-r7-'));
  const file = join(dir, 'probe.patch');
  writeFileSync(file, text);
  const read = await readInputs([file]);
  const r = await checkPatches(read.patches, { rules: ['uffd-lock-retake'] });
  return r.findings.filter((f) => f.rule === 'uffd-lock-retake' && f.introduced && (f.status === 'confirmed' || f.status === 'inconclusive'));
}

describe('uffd-lock-retake unmapUnmapped: only a catalogued test settles the walk kind', () => {
  it('readsStructure: a flag of the walk is read; the field itself and the hugetlb tests are not', () => {
    const hug = /\b(?:PageHuge|folio_test_hugetlb|is_vm_hugetlb_page|hugetlb\w*)\s*\(/;
    expect(readsStructure('pvmw->pte && (pvmw->flags & PVMW_DEMO)', 'pvmw', 'pte', hug)).toBe(true);
    expect(readsStructure('pvmw->pte', 'pvmw', 'pte', hug)).toBe(false);
    expect(readsStructure('pvmw->pte && !is_vm_hugetlb_page(pvmw->vma)', 'pvmw', 'pte', hug)).toBe(false);
    expect(readsStructure('demo_walk_mapped(pvmw)', 'pvmw', 'pte', hug)).toBe(true);
  });
  it('pte_unmap(pvmw->pte) guarded by a flag test: inconclusive', async () => {
    const text = patchOf('include/linux/rmap.h', 'rmap: end the walk by its flag', ` static inline void page_vma_mapped_walk_done(struct page_vma_mapped_walk *pvmw)
 {
-	if (pvmw->pte && !is_vm_hugetlb_page(pvmw->vma))
+	if (pvmw->pte && (pvmw->flags & PVMW_DEMO_MAPPED))
 		pte_unmap(pvmw->pte);
 	if (pvmw->ptl)
 		spin_unlock(pvmw->ptl);
 }
`);
    const f = await retakeFindings(text);
    expect(f).toHaveLength(1);
    expect(f[0]?.status).toBe('inconclusive');
    expect(f[0]?.dependsOn).toMatch(/PVMW_DEMO_MAPPED\)` \(line 3\)/);
  }, 60_000);
});

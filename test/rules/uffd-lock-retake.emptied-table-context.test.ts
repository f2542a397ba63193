// uffd-lock-retake claims that rest on more than the function shows (review7 items 4 and 8):
// - an emptied table's re-check done by a call handed the table after the re-take (followed when its body is shown,
//   else a question);
// - mmap_assert_locked() allows a read or a write hold: the gap is confirmed only when a visible caller holds
//   mmap_lock for read; visible callers all holding it for write leave nothing to report; none shown: a question.
// All inputs are written for mmreview.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';

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

/** The table folder: emptied under the PTL, the PTL dropped, re-taken under the PMD lock, detached. */
function folder(assertLine: string, recheck: string): string {
  return ` static int fold_demo_table(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long haddr, pmd_t *pmd)
 {
 	spinlock_t *pml, *ptl;
 	pte_t *tbl;
 	pmd_t old;
 
${assertLine}
 	tbl = pte_offset_map_lock(mm, pmd, haddr, &ptl);
 	if (!tbl)
 		return -EAGAIN;
 	pte_clear(mm, haddr, tbl);
 	pte_unmap_unlock(tbl, ptl);
 
 	pml = pmd_lock(mm, pmd);
 	tbl = pte_offset_map_nolock(mm, pmd, haddr, &ptl);
 	if (!tbl) {
 		spin_unlock(pml);
 		return -EAGAIN;
 	}
 	if (ptl != pml)
 		spin_lock_nested(ptl, SINGLE_DEPTH_NESTING);
${recheck}
 	old = pmdp_collapse_flush(vma, haddr, pmd);
 	if (ptl != pml)
 		spin_unlock(ptl);
 	pte_unmap(tbl);
 	spin_unlock(pml);
 	pte_free_defer(mm, pmd_pgtable(old));
 	return 0;
 }
`;
}

const BAIL = (cond: string, marker: '+' | '-' | ' '): string => `${marker}	if (${cond}) {
${marker}		if (ptl != pml)
${marker}			spin_unlock(ptl);
${marker}		pte_unmap(tbl);
${marker}		spin_unlock(pml);
${marker}		return -EAGAIN;
${marker}	}`;

describe('uffd-lock-retake tableRefilled: mmap_assert_locked() and the callers', () => {
  const relaxed = '-\tmmap_assert_write_locked(mm);\n+\tmmap_assert_locked(mm);';
  it('no caller shown: inconclusive, asking which mode the callers hold', async () => {
    const f = await retakeFindings(patchOf('mm/fold-demo.c', 'fold: relax the assertion', folder(relaxed, '')));
    expect(f).toHaveLength(1);
    expect(f[0]?.status).toBe('inconclusive');
    expect(f[0]?.dependsOn).toMatch(/mmap_assert_locked\(\) allows either/);
  }, 60_000);
  it('the only visible caller holds mmap_lock for write: nothing to report', async () => {
    const f = await retakeFindings(patchOf('mm/fold-demo.c', 'fold: relax the assertion', folder(relaxed, '') + caller('write')));
    expect(f).toEqual([]);
  }, 60_000);
  it('a visible caller holds mmap_lock for read: confirmed', async () => {
    const f = await retakeFindings(patchOf('mm/fold-demo.c', 'fold: relax the assertion', folder(relaxed, '') + caller('read')));
    expect(f.map((x) => x.status)).toEqual(['confirmed']);
  }, 60_000);
});

/** A caller of the folder, changed by the patch, under mmap_lock in `mode`. */
const caller = (mode: 'read' | 'write'): string => `
 int fold_demo_locked(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr, pmd_t *pmd)
 {
 	int err;
 
 	mmap_${mode}_lock(mm);
-	err = fold_demo_table(mm, vma, addr, pmd);
+	err = fold_demo_table(mm, vma, addr & HPAGE_PMD_MASK, pmd);
 	mmap_${mode}_unlock(mm);
 	return err;
 }
`;

describe('uffd-lock-retake tableRefilled: a re-check done by a call handed the table', () => {
  // mmap_assert_locked() with a caller under mmap_read_lock(): the fill can run, only the re-check is in question.
  const assertRead = ' \tmmap_assert_locked(mm);';
  const inline = BAIL('!pte_none(ptep_get(tbl))', '-');
  const helper = BAIL('!demo_table_empty(tbl)', '+');
  it('the re-check moved into a helper whose body is not shown: inconclusive, naming it', async () => {
    const f = await retakeFindings(patchOf('mm/fold-demo.c', 'fold: move the re-check', folder(assertRead, `${inline}\n${helper}`) + caller('read')));
    expect(f).toHaveLength(1);
    expect(f[0]?.status).toBe('inconclusive');
    expect(f[0]?.dependsOn).toMatch(/whether demo_table_empty\(\) \(line \d+\), handed the table/);
  }, 60_000);
  it('the helper shown reading the entries: it is the re-check, nothing to report', async () => {
    const body = `+static bool demo_table_empty(pte_t *start)
+{
+	int i;
+
+	for (i = 0; i < PTRS_PER_PTE; i++)
+		if (!pte_none(ptep_get(start + i)))
+			return false;
+	return true;
+}
+
`;
    const f = await retakeFindings(patchOf('mm/fold-demo.c', 'fold: move the re-check', body + folder(assertRead, `${inline}\n${helper}`) + caller('read')));
    expect(f).toEqual([]);
  }, 60_000);
  it('without any re-check, still confirmed', async () => {
    const f = await retakeFindings(patchOf('mm/fold-demo.c', 'fold: drop the re-check', folder(assertRead, inline) + caller('read')));
    expect(f.map((x) => x.status)).toEqual(['confirmed']);
  }, 60_000);
});

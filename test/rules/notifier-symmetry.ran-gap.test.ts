// A window opened in one hunk and a return in a later hunk: the lines between the hunks may end it, so a missing
// _end() there is a question about those lines, never a confirmed leak. Without a gap on the way it stays confirmed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';

// Written for mmreview: a demo page-table helper whose early return was added by the patch.
const patch = (gap: boolean): string => `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Fixture Author <fixtures@mmreview.invalid>
Subject: [PATCH] mm/demo_wp: bail out on a busy table

Test input written for mmreview.
---
diff --git a/mm/demo_wp.c b/mm/demo_wp.c
index 1111111..2222222 100644
--- a/mm/demo_wp.c
+++ b/mm/demo_wp.c
@@ -10,10 +10,10 @@ static int demo_wp_range(struct vm_area_struct *vma, pmd_t *pmd, unsigned long start)
 	struct mmu_notifier_range range;
 	spinlock_t *ptl;
 	pte_t *pte;
 
 	mmu_notifier_range_init(&range, MMU_NOTIFY_PROTECTION_PAGE, 0, vma->vm_mm, start, start + PAGE_SIZE);
 	mmu_notifier_invalidate_range_start(&range);
 	pte = pte_offset_map_lock(vma->vm_mm, pmd, start, &ptl);
 	ptep_set_wrprotect(vma->vm_mm, start, pte);
 	flush_tlb_page(vma, start);
 	pte_unmap_unlock(pte, ptl);
${gap ? '@@ -30,4 +30,6 @@ static int demo_wp_range(struct vm_area_struct *vma, pmd_t *pmd, unsigned long start)' : '@@ -20,4 +20,6 @@ static int demo_wp_range(struct vm_area_struct *vma, pmd_t *pmd, unsigned long start)'}
 	demo_account_wp(vma);
+	if (demo_table_busy(vma))
+		return -EBUSY;
 	mmu_notifier_invalidate_range_end(&range);
 	return 0;
 }
`;

async function notifierFindings(gap: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'mmr-gap-'));
  const file = join(dir, 'demo.patch');
  writeFileSync(file, patch(gap));
  const read = await readInputs([file]);
  const r = await checkPatches(read.patches, { rules: ['notifier-symmetry'] });
  return r.findings.filter((f) => f.rule === 'notifier-symmetry' && f.introduced);
}

describe('notifier-symmetry: a missing end on a path that ran a hunk gap', () => {
  it('contiguous hunks: the early exit leaks the window (confirmed)', async () => {
    const f = await notifierFindings(false);
    expect(f.map((x) => x.status)).toContain('confirmed');
  });
  it('unseen lines between the hunks after the start: inconclusive, naming the gap', async () => {
    const f = await notifierFindings(true);
    expect(f.length).toBeGreaterThan(0);
    expect(f.every((x) => x.status !== 'confirmed'), JSON.stringify(f.map((x) => [x.status, x.dependsOn]))).toBe(true);
    expect(f.some((x) => /lines between the hunks after line \d+/.test(x.dependsOn ?? ''))).toBe(true);
  });
});

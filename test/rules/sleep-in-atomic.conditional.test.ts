// A page-table allocator sleeps only when a level is missing (pte_alloc(), get_locked_pte()): on tables the caller
// preallocated it never allocates, so a sleep claim resting on it is a question, never confirmed. An unconditional
// sleeper in the same place stays confirmed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';

// Written for mmreview: a text poker that maps its page through a private mm with interrupts off.
const patch = (call: string): string => `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Fixture Author <fixtures@mmreview.invalid>
Subject: [PATCH] arch/demo: poke text through the private mm

Test input written for mmreview.
---
diff --git a/mm/demo_poke.c b/mm/demo_poke.c
index 1111111..2222222 100644
--- a/mm/demo_poke.c
+++ b/mm/demo_poke.c
@@ -40,10 +40,15 @@ static struct mm_struct *demo_poke_mm;
 static int demo_poke_word(unsigned long addr, u32 val)
 {
 	unsigned long flags;
+	spinlock_t *ptl;
+	pte_t *pte;
 	int err = 0;
 
 	local_irq_save(flags);
+${call}
+	if (!pte)
+		err = -ENOMEM;
 	err = demo_poke_write(addr, val);
 	local_irq_restore(flags);
 	return err;
 }
`;

async function sleepFindings(call: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mmr-cond-sleep-'));
  writeFileSync(join(dir, 'p.patch'), patch(call));
  const r = await checkPatches((await readInputs([join(dir, 'p.patch')])).patches, { rules: ['sleep-in-atomic'] });
  return r.findings.filter((f) => f.rule === 'sleep-in-atomic' && f.introduced);
}

describe('sleep-in-atomic: conditional sleepers', () => {
  it('get_locked_pte() with interrupts off: inconclusive, asking whether the tables are allocated', async () => {
    const f = await sleepFindings('\tpte = get_locked_pte(demo_poke_mm, addr, &ptl);');
    expect(f.length).toBeGreaterThan(0);
    expect(f.every((x) => x.status !== 'confirmed'), JSON.stringify(f.map((x) => [x.status, x.dependsOn]))).toBe(true);
    expect(f.some((x) => /does get_locked_pte\(\) sleep here\?/.test(x.dependsOn ?? ''))).toBe(true);
  });
  it('an allocation that always may sleep there stays confirmed', async () => {
    const f = await sleepFindings('\tpte = kmalloc(sizeof(*pte), GFP_KERNEL);');
    expect(f.map((x) => x.status)).toContain('confirmed');
  });
});

/**
 * Scenario assumptions changed by the patch or its series (catalogue SCENARIO_ASSUMES): fullmm-misuse models the
 * flush hook as reached from tlb_finish_mmu() forcing fullmm on a live mm; when a part of the same series changes
 * tlb_finish_mmu(), the hook's finding is not confirmed but inconclusive, naming the change. Alone it stays confirmed.
 */
import { describe, expect, it } from 'vitest';
import type { Patch } from '../../src/core/patch.ts';
import { extractPatchesFromText } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';

const hook = `---
diff --git a/arch/qux/include/asm/tlb.h b/arch/qux/include/asm/tlb.h
index 1111111..2222222 100644
--- a/arch/qux/include/asm/tlb.h
+++ b/arch/qux/include/asm/tlb.h
@@ -1,10 +1,14 @@
 #define tlb_flush tlb_flush
 #include <asm-generic/tlb.h>
 
 static inline void tlb_flush(struct mmu_gather *tlb)
 {
+	/* a retired context id is never reused without a full invalidation */
+	if (qux_has_ctxid() && tlb->fullmm)
+		return;
+
 	if (tlb->need_flush_all)
 		flush_tlb_mm(tlb->mm);
 	else
 		flush_tlb_mm_range(tlb->mm, tlb->start, tlb->end, PAGE_SHIFT);
 }
`;

const finish = `---
diff --git a/mm/mmu_gather.c b/mm/mmu_gather.c
index 3333333..4444444 100644
--- a/mm/mmu_gather.c
+++ b/mm/mmu_gather.c
@@ -200,7 +200,7 @@ void tlb_finish_mmu(struct mmu_gather *tlb)
 	if (mm_tlb_flush_nested(tlb->mm)) {
 		/* another thread batches on this mm: flush everything */
-		tlb->fullmm = 1;
+		tlb->need_flush_all = 1;
 		__tlb_reset_range(tlb);
 		tlb->freed_tables = 1;
 	}
`;

const root = 'qux-0@example.invalid';
function part(text: string, index: number, title: string): Patch {
  const meta: Partial<Patch> = {
    messageId: `qux-${index}@example.invalid`,
    inReplyTo: root,
    references: [root],
    subject: `[PATCH ${index}/2] ${title}`,
    series: { version: 1, index, total: 2, rfc: false, tags: [] },
  };
  const ps = extractPatchesFromText(text, { kind: 'mail', name: `qux-${index}.eml` }, meta).patches;
  return ps.map((p) => ({ ...p, ...meta }))[0] as Patch;
}

describe('scenario assumptions changed by the series', () => {
  it('the flush hook skipping fullmm is confirmed when nothing changes tlb_finish_mmu()', async () => {
    const r = await checkPatches([part(hook, 2, 'qux: tlb: skip flush on fullmm')]);
    const f = r.findings.filter((x) => x.rule === 'fullmm-misuse' && x.function === 'tlb_flush');
    expect(f.map((x) => x.status)).toContain('confirmed');
  });

  it('is inconclusive, naming the series part, when another part changes tlb_finish_mmu()', async () => {
    const r = await checkPatches([part(finish, 1, 'mm/tlb: flush nested gathers with need_flush_all'), part(hook, 2, 'qux: tlb: skip flush on fullmm')]);
    const f = r.findings.filter((x) => x.rule === 'fullmm-misuse' && x.function === 'tlb_flush');
    expect(f.length).toBeGreaterThan(0);
    expect(f.every((x) => x.status !== 'confirmed')).toBe(true);
    expect(f[0]?.dependsOn ?? '').toMatch(/patch 1\/2 of this series changes tlb_finish_mmu\(\)/);
  });
});

describe('a catalogued callee the patch redefines', () => {
  it('is opaque: the claim that rests on its old model is inconclusive, naming the redefinition', async () => {
    const { readInputs } = await import('../../src/sources/index.ts');
    const read = await readInputs([new URL('../../fixtures/engine/redefined-catalogued-callee.patch', import.meta.url).pathname]);
    const r = await checkPatches(read.patches);
    const f = r.findings.filter((x) => x.rule === 'flush-under-ptl' && x.function === 'trim_shared_tables');
    expect(f.length).toBeGreaterThan(0);
    expect(f.every((x) => x.status !== 'confirmed')).toBe(true);
    expect(f[0]?.dependsOn ?? '').toMatch(/huge_pmd_unshare\(\) is redefined by this patch/);
  });
});

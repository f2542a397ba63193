/**
 * A before-image whose path enumeration was cut even at the lowest unrolling (MMR011, src/c/paths.ts) was not
 * walked whole: a violation it already had may sit on a path the walk never reached. A confirmed finding on the
 * after-image is then not claimed as introduced (src/engine/index.ts preImagePartial()), as a fix is not credited on
 * a cut after-image.
 *
 * The generated walker clears a PTE in the `else` arm of its first PTE-state test, drops the lock and flushes after
 * it — before and after the patch. A dozen independent PTE-state tests after it make too many paths even with the
 * loop taken once; the before-image's walk (taken arms first) never leaves the first test's taken arm. The patch
 * adds a PTE-state test inside the `else` arm, so the after-image's paths through the change come first and reach
 * the clear.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPatches, isReportable } from '../../src/engine/index.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';
import { readInputs } from '../../src/sources/index.ts';

const TESTS = ['young', 'write', 'uffd_wp', 'present'];

/** The patch, lines marked ' ', '-' or '+'; `extra` independent PTE-state tests after the first one. */
function walkerPatch(extra: number): string {
  const tests = Array.from({ length: extra }, (_, i) => [` \t\tif (pte_${TESTS[i % TESTS.length]}(pte) && ctl->f${i})`, ` \t\t\tdemo_note_${i}(ctl);`]).flat();
  const marked = [
    ' static void demo_age_range(struct vm_area_struct *vma, pmd_t *pmd, unsigned long start, unsigned long end, struct demo_ctl *ctl)',
    ' {',
    ' \tstruct mm_struct *mm = vma->vm_mm;',
    ' \tunsigned long addr;',
    ' \tspinlock_t *ptl;',
    ' \tpte_t *ptep;',
    ' ',
    ' \tptep = pte_offset_map_lock(mm, pmd, start, &ptl);',
    ' \tif (!ptep)',
    ' \t\treturn;',
    ' \tfor (addr = start; addr < end; addr += PAGE_SIZE, ptep++) {',
    ' \t\tpte_t pte = ptep_get(ptep);',
    ' ',
    ' \t\tif (pte_young(pte)) {',
    ' \t\t\tdemo_age(ctl);',
    ' \t\t} else {',
    ' \t\t\tptep_get_and_clear(mm, addr, ptep);',
    '+\t\t\tif (pte_write(pte))',
    '+\t\t\t\tdemo_count_cleared(ctl);',
    ' \t\t}',
    ...tests,
    ' \t}',
    ' \tpte_unmap_unlock(ptep - 1, ptl);',
    ' \tflush_tlb_range(vma, start, end);',
    ' }',
  ];
  const pre = marked.filter((l) => !l.startsWith('+')).length;
  const post = marked.filter((l) => !l.startsWith('-')).length;
  return [
    'From: Demo Author <demo@example.org>',
    'Subject: [PATCH] mm/demo_age: count cleared writable entries',
    '',
    '---',
    'diff --git a/mm/demo_age.c b/mm/demo_age.c',
    '--- a/mm/demo_age.c',
    '+++ b/mm/demo_age.c',
    `@@ -10,${pre} +10,${post} @@`,
    ...marked,
    '',
  ].join('\n');
}

async function check(extra: number) {
  const dir = mkdtempSync(join(tmpdir(), 'mmr-pre-cut-'));
  writeFileSync(join(dir, 'demo.patch'), walkerPatch(extra));
  return checkPatches((await readInputs([join(dir, 'demo.patch')])).patches, { rules: ['flush-under-ptl'] });
}

describe('a cut before-image: no "introduced" claim', () => {
  beforeAll(loadSimulator);

  it('the violation the before-image had on an unwalked path is confirmed after, not claimed introduced', async () => {
    const { findings, errors } = await check(11);
    // Both images cut at the lowest unrolling (the truncated form, not "all N path(s) at that unrolling kept").
    const bound = errors.filter((e) => e.code === 'MMR011').map((e) => e.message);
    expect(bound).toHaveLength(2);
    expect(bound[0]).toMatch(/\(pre\): path bound reached .*\); 1024 path\(s\) kept$/);
    const f = findings.find((x) => x.rule === 'flush-under-ptl' && x.status === 'confirmed');
    expect(f).toBeDefined();
    expect(f!.introduced).toBe(false);
    expect(f!.notes?.join(' ')).toMatch(/before this patch was analysed partially/);
    expect(findings.filter(isReportable)).toEqual([]);
  });

  it('a before-image walked whole (no cut) still decides: the same violation before is no new finding', async () => {
    const { findings, errors } = await check(2);
    expect(errors.filter((e) => e.code === 'MMR011')).toEqual([]);
    const f = findings.find((x) => x.rule === 'flush-under-ptl' && x.status === 'confirmed');
    expect(f).toBeDefined();
    expect(f!.introduced).toBe(false);
    expect(f!.notes ?? []).toEqual([]);
  });
});

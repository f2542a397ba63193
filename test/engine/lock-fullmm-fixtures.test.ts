/**
 * The uffd-lock-retake and fullmm-misuse fixture patches end to end: each invalid patch gives a confirmed finding
 * the patch introduces, with the invariant its doc page shows; each valid patch gives nothing to report.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { extractPatchesFromText, readInputs } from '../../src/sources/index.ts';
import { checkPatches, isReportable } from '../../src/engine/index.ts';

const root = join(import.meta.dirname, '../..');

async function check(rule: string, file: string) {
  const read = await readInputs([join(root, 'fixtures/rules', rule, file)]);
  return (await checkPatches(read.patches, { rules: [rule] })).findings;
}

describe('uffd-lock-retake and fullmm-misuse fixtures through the engine', () => {
  const confirmed: Array<[string, string, string]> = [
    ['uffd-lock-retake', 'invalid-unmap-after-null-map.patch', 'lock-balance'],
    ['uffd-lock-retake', 'invalid-unlock-after-failed-get-locked-pte.patch', 'lock-balance'],
    ['uffd-lock-retake', 'invalid-remap-result-discarded.patch', 'lock-balance'],
    ['uffd-lock-retake', 'invalid-unmap-keeps-lock.patch', 'lock-balance'],
    ['uffd-lock-retake', 'invalid-stale-orig-pte-after-retake.patch', 'lock-balance'],
    ['uffd-lock-retake', 'invalid-hunk-unlocks-stale-orig-pte.patch', 'lock-balance'],
    ['uffd-lock-retake', 'invalid-spin-unlock-leaves-pte-mapped.patch', 'lock-balance'],
    ['uffd-lock-retake', 'invalid-unmap-of-kernel-pte.patch', 'lock-balance'],
    ['uffd-lock-retake', 'invalid-unmap-address-of-pte-copy.patch', 'lock-balance'],
    ['uffd-lock-retake', 'invalid-unmap-unlock-twice.patch', 'lock-balance'],
    ['uffd-lock-retake', 'invalid-unmap-cursor-past-walk.patch', 'lock-balance'],
    ['uffd-lock-retake', 'invalid-unmap-walk-pte-of-hugetlb-walk.patch', 'lock-balance'],
    ['uffd-lock-retake', 'invalid-stale-pte-value-after-retake.patch', 'no-stale-access'],
    ['uffd-lock-retake', 'invalid-fault-retake-without-pte-same.patch', 'no-stale-access'],
    ['uffd-lock-retake', 'invalid-lockless-read-then-write-under-lock.patch', 'no-stale-access'],
    ['uffd-lock-retake', 'invalid-fault-install-drops-pte-same.patch', 'no-stale-access'],
    ['uffd-lock-retake', 'invalid-fault-finish-drops-pte-changed.patch', 'no-stale-access'],
    ['uffd-lock-retake', 'invalid-huge-fault-install-drops-pmd-same.patch', 'no-stale-access'],
    ['fullmm-misuse', 'invalid-fullmm-helper-called-from-syscall.patch', 'write-protect-holds'],
    ['fullmm-misuse', 'invalid-flush-hook-skips-fullmm.patch', 'no-stale-access'],
    ['fullmm-misuse', 'invalid-fullmm-assigned-on-live-mm.patch', 'write-protect-holds'],
  ];
  it.each(confirmed)('%s: %s is confirmed (%s) and introduced', async (rule, file, invariant) => {
    const findings = await check(rule, file);
    const mine = findings.filter((f) => f.rule === rule && isReportable(f));
    expect(mine.length, JSON.stringify(findings.map((f) => [f.rule, f.status, f.introduced]))).toBeGreaterThan(0);
    expect(mine.every((f) => f.simulation?.invariant === invariant)).toBe(true);
    expect(mine[0]?.simulation?.trace?.steps.at(-1)?.violation).toBe(invariant);
  });

  const quiet: Array<[string, string]> = [
    ['uffd-lock-retake', 'valid-null-map-returns-early.patch'],
    ['uffd-lock-retake', 'valid-retake-updates-orig-pte.patch'],
    ['uffd-lock-retake', 'valid-hunk-retake-updates-orig-pte.patch'],
    ['uffd-lock-retake', 'valid-unmap-unlock-after-get-locked-pte.patch'],
    ['uffd-lock-retake', 'valid-unlock-inside-get-locked-pte-test.patch'],
    ['uffd-lock-retake', 'valid-remap-result-kept.patch'],
    ['uffd-lock-retake', 'valid-unmap-then-spin-unlock.patch'],
    ['uffd-lock-retake', 'valid-arch-remap-result-discarded.patch'],
    ['uffd-lock-retake', 'valid-unmap-of-pte-offset-map.patch'],
    ['uffd-lock-retake', 'valid-unmap-walk-pte-hugetlb-excluded.patch'],
    ['uffd-lock-retake', 'valid-unmap-unlock-once-per-path.patch'],
    ['uffd-lock-retake', 'valid-unmap-cursor-minus-one-after-walk.patch'],
    ['uffd-lock-retake', 'valid-pte-same-after-retake.patch'],
    ['uffd-lock-retake', 'valid-lockless-read-checked-with-pte-same.patch'],
    ['fullmm-misuse', 'valid-fullmm-helper-called-from-exit-mmap.patch'],
    ['fullmm-misuse', 'valid-flush-hook-skips-fullmm-leaf-only.patch'],
    ['fullmm-misuse', 'valid-fullmm-assigned-in-teardown.patch'],
  ];
  it.each(quiet)('%s: %s has nothing to report', async (rule, file) => {
    expect((await check(rule, file)).filter(isReportable)).toEqual([]);
  });

  it('confirms a discarded re-map in a reply quoting a bare hunk (no file, no function name), with its location', async () => {
    const read = await readInputs([join(root, 'fixtures/inputs/quoted-hunk-discarded-remap.eml')]);
    const mine = (await checkPatches(read.patches, { rules: ['uffd-lock-retake'] })).findings.filter(isReportable);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.simulation?.invariant).toBe('lock-balance');
    expect(mine[0]?.message).toMatch(/result of pte_offset_map_lock\(\) is thrown away/);
    expect(mine[0]?.path).toBe('');
    expect(mine[0]?.location?.messageId).toBe('quoted-discarded-remap@mmreview.invalid');
    // The line of the discarded call in the message body.
    expect(mine[0]?.location?.line).toBe(9);
  });

  it('credits excluding the hugetlb walk from the walk end\'s pte_unmap() as a fix (the pointer was never mapped there)', async () => {
    const findings = await check('uffd-lock-retake', 'valid-unmap-walk-pte-hugetlb-excluded.patch');
    const fixed = findings.filter((f) => f.fixed);
    expect(fixed.map((f) => [f.function, f.status]), JSON.stringify(findings.map((f) => [f.rule, f.status, f.fixed]))).toEqual([['page_vma_mapped_walk_done', 'confirmed']]);
    expect(fixed[0]?.message).toMatch(/pte_unmap\(pvmw->pte\) ends a mapping that was never made: .*hugetlb/);
    expect(fixed[0]?.simulation?.invariant).toBe('lock-balance');
  });

  it('says inconclusive when the walk end hands the walk on before its unmap (the callee may reset the pointer)', async () => {
    const text = [
      'From: Fixture Author <fixtures@mmreview.invalid>',
      'Subject: [PATCH] rmap: trace the end of a walk',
      '',
      '---',
      'diff --git a/include/linux/rmap.h b/include/linux/rmap.h',
      '--- a/include/linux/rmap.h',
      '+++ b/include/linux/rmap.h',
      '@@ -10,7 +10,8 @@',
      ' static inline void page_vma_mapped_walk_done(struct page_vma_mapped_walk *pvmw)',
      ' {',
      '-\tif (pvmw->pte && !is_vm_hugetlb_page(pvmw->vma))',
      '+\twalk_trace_end(pvmw);',
      '+\tif (pvmw->pte)',
      ' \t\tpte_unmap(pvmw->pte);',
      ' \tif (pvmw->ptl)',
      ' \t\tspin_unlock(pvmw->ptl);',
      '',
    ].join('\n');
    const { patches } = extractPatchesFromText(text, { kind: 'patch-file', name: 'inline.patch' });
    const findings = (await checkPatches(patches, { rules: ['uffd-lock-retake'] })).findings;
    const f = findings.find((x) => x.rule === 'uffd-lock-retake');
    expect(f?.status, JSON.stringify(findings.map((x) => [x.rule, x.status]))).toBe('inconclusive');
    expect(f?.dependsOn).toMatch(/walk_trace_end\(pvmw\)/);
    expect(findings.filter(isReportable)).toEqual([]);
  });

  it('says inconclusive when a hunk gap lies between the fault handler\'s lock and its install', async () => {
    const findings = await check('uffd-lock-retake', 'invalid-hunk-fault-install-drops-pte-same.patch');
    const f = findings.find((x) => x.rule === 'uffd-lock-retake');
    expect(f?.status, JSON.stringify(findings.map((x) => [x.rule, x.status]))).toBe('inconclusive');
    expect(f?.introduced).toBe(true);
    expect(f?.dependsOn).toMatch(/lines between 41 and 81 .* re-read vmf->pte under the lock/);
    expect(findings.filter(isReportable)).toEqual([]);
  });

  it('says inconclusive, with the reason, when no caller shows whether the mm is live', async () => {
    const text = [
      'From: Fixture Author <fixtures@mmreview.invalid>',
      'Subject: [PATCH] mm/drop_ranges: batch the unmap as a full-mm gather',
      '',
      '---',
      'diff --git a/mm/drop_ranges.c b/mm/drop_ranges.c',
      '--- a/mm/drop_ranges.c',
      '+++ b/mm/drop_ranges.c',
      '@@ -1,10 +1,10 @@',
      ' static void drop_user_ranges(struct mm_struct *mm)',
      ' {',
      ' \tstruct vm_area_struct *vma;',
      ' \tstruct mmu_gather tlb;',
      ' ',
      '-\ttlb_gather_mmu(&tlb, mm);',
      '+\ttlb_gather_mmu_fullmm(&tlb, mm);',
      ' \tfor (vma = mm->mmap; vma; vma = vma->vm_next)',
      ' \t\tunmap_page_range(&tlb, vma, vma->vm_start, vma->vm_end, NULL);',
      ' \ttlb_finish_mmu(&tlb);',
      ' }',
      '',
    ].join('\n');
    const { patches } = extractPatchesFromText(text, { kind: 'patch-file', name: 'inline.patch' });
    const findings = (await checkPatches(patches, { rules: ['fullmm-misuse'] })).findings;
    const f = findings.find((x) => x.rule === 'fullmm-misuse');
    expect(f?.status, JSON.stringify(findings.map((x) => [x.rule, x.status]))).toBe('inconclusive');
    expect(f?.simulation?.note).toMatch(/no caller of drop_user_ranges\(\) is in this patch/);
    expect(findings.filter(isReportable)).toEqual([]);
  });

  it('does not take a system call\'s -EINTR as liveness of a second mm the function handles (fork\'s child mm)', async () => {
    const findings = await check('fullmm-misuse', 'invalid-fullmm-child-mm-after-eintr.patch');
    expect(findings.map((x) => [x.function, x.status, x.introduced])).toEqual([['clone_ranges', 'inconclusive', true]]);
    expect(findings[0]?.dependsOn).toMatch(/no caller of clone_ranges\(\) is in this patch/);
    expect(findings.filter(isReportable)).toEqual([]);
  });

  it('does not take current->active_mm (borrowed with mm_count only) as a live mm', async () => {
    const findings = await check('fullmm-misuse', 'invalid-fullmm-on-borrowed-active-mm.patch');
    expect(findings.map((x) => [x.function, x.status, x.introduced])).toEqual([['foo_drop_bounce_maps', 'inconclusive', true]]);
    expect(findings[0]?.dependsOn).toMatch(/no caller of foo_drop_bounce_maps\(\) is in this patch/);
  });

  it('does not take an mm_users reference on another mm as liveness of the gathered one', async () => {
    const findings = await check('fullmm-misuse', 'invalid-fullmm-other-mm-pinned.patch');
    expect(findings.map((x) => [x.function, x.status, x.introduced])).toEqual([['mirror_drop_shadow', 'inconclusive', true]]);
    expect(findings[0]?.dependsOn).toMatch(/no caller of mirror_drop_shadow\(\) is in this patch/);
  });
});

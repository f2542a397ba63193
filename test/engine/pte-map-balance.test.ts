/**
 * PTE-map balance end to end (uffd-lock-retake): helper pairs judged together, early returns that skip the unmap,
 * and the era question on an arch without HIGHPTE (a complaint asks it, a fix credit rests on the map's contract).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { extractPatchesFromText, readInputs } from '../../src/sources/index.ts';
import { checkPatches, isReportable } from '../../src/engine/index.ts';

const root = join(import.meta.dirname, '../..');
const RULE = 'uffd-lock-retake';

async function fixture(file: string) {
  const read = await readInputs([join(root, 'fixtures/rules', RULE, file)]);
  return (await checkPatches(read.patches, { rules: [RULE] })).findings;
}

async function inline(lines: string[]) {
  const { patches } = extractPatchesFromText(lines.join('\n'), { kind: 'patch-file', name: 'inline.patch' });
  return (await checkPatches(patches, { rules: [RULE] })).findings;
}

const summary = (fs: Awaited<ReturnType<typeof fixture>>) => JSON.stringify(fs.map((f) => [f.function, f.status, f.introduced, f.fixed, f.dependsOn]));

describe('PTE-map balance through the engine', () => {
  it.each(['invalid-helper-pair-drops-only-lock.patch', 'invalid-early-return-skips-unmap.patch'])('%s: confirmed lock-balance, introduced', async (file) => {
    const findings = await fixture(file);
    const mine = findings.filter(isReportable);
    expect(mine.length, summary(findings)).toBe(1);
    expect(mine[0]?.simulation?.invariant).toBe('lock-balance');
    expect(mine[0]?.message).toMatch(/still mapped when this path returns/);
  });

  it.each([
    'valid-helper-pair-unmap-unlock.patch',
    'valid-early-return-after-unmap.patch',
    // A flag or another parameter's NULL test gives a helper no release contract; a literal NULL is no release.
    'valid-helper-releases-on-flag.patch',
    'valid-helper-returns-on-null-state.patch',
    'valid-helper-given-null-releases-nothing.patch',
    // A pointer also set to a cast PMD: the entry read through it may tell how it was made.
    'valid-leaf-read-through-cast-pmd.patch',
  ])('%s: nothing to report', async (file) => {
    expect((await fixture(file)).filter(isReportable)).toEqual([]);
  });

  it('asks which era when an arch without HIGHPTE leaves a new mapping in place', async () => {
    const findings = await fixture('invalid-arch-leak-era-unknown.patch');
    const f = findings.find((x) => x.rule === RULE);
    expect(f?.status, summary(findings)).toBe('inconclusive');
    expect(f?.introduced).toBe(true);
    expect(f?.dependsOn).toMatch(/v6\.5 or later/);
    // Worded from the map's contract: no kmap_local / RCU effect it cannot know.
    expect(f?.message).toMatch(/balances pte_alloc_map_lock\(\); it matters with CONFIG_HIGHPTE or from v6\.5/);
    expect(f?.message).not.toMatch(/kmap_local/);
    expect(findings.filter(isReportable)).toEqual([]);
  });

  const balancing = (file: string) => [
      'From: Fixture Author <fixtures@mmreview.invalid>',
      'Subject: [PATCH] keyscan: end the operation with pte_unmap_unlock()',
      '',
      '---',
      `diff --git a/${file} b/${file}`,
      `--- a/${file}`,
      `+++ b/${file}`,
      '@@ -1,30 +1,29 @@',
      ' static pte_t *keyscan_walk(struct mm_struct *mm, pmd_t *pmd, unsigned long addr,',
      ' \t\t\t   spinlock_t **ptlp)',
      ' {',
      '-\tif (pmd_none(*pmd))',
      '+\tif (pmd_none(*pmd) || pmd_bad(*pmd))',
      ' \t\treturn NULL;',
      ' \treturn pte_alloc_map_lock(mm, pmd, addr, ptlp);',
      ' }',
      ' ',
      '-static void keyscan_end(spinlock_t *ptl)',
      '+static void keyscan_end(pte_t *ptep, spinlock_t *ptl)',
      ' {',
      '-\tif (ptl)',
      '-\t\tspin_unlock(ptl);',
      '+\tpte_unmap_unlock(ptep, ptl);',
      ' }',
      ' ',
      ' static int keyscan_one(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)',
      ' {',
      ' \tspinlock_t *ptl;',
      ' \tpte_t *ptep;',
      ' \tint rc = -EAGAIN;',
      ' ',
      ' \tptep = keyscan_walk(mm, pmd, addr, &ptl);',
      ' \tif (!ptep)',
      ' \t\treturn rc;',
      ' \tif (pte_present(ptep_get(ptep)))',
      ' \t\trc = 0;',
      '-\tkeyscan_end(ptl);',
      '+\tkeyscan_end(ptep, ptl);',
      ' \treturn rc;',
      ' }',
      '',
    ];

  it('credits balancing the map where the map is real (HIGHPTE possible), through the helper pair of the same patch', async () => {
    const findings = await inline(balancing('mm/keyscan.c'));
    const fixed = findings.filter((f) => f.fixed);
    expect(fixed.map((f) => [f.function, f.status]), summary(findings)).toEqual([['keyscan_one', 'confirmed']]);
    expect(fixed[0]?.message).toMatch(/keyscan_end\(\) drops the page-table lock but leaves the table mapped/);
    expect(findings.filter(isReportable)).toEqual([]);
  });

  it('claims no fix on an arch without HIGHPTE and no sign of v6.5 (the unmap did nothing before v6.5)', async () => {
    const findings = await inline(balancing('arch/s390/mm/keyscan.c'));
    expect(findings.filter((f) => f.fixed && f.status === 'confirmed'), summary(findings)).toEqual([]);
    expect(findings.filter(isReportable)).toEqual([]);
  });
});

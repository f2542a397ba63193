/**
 * flush-under-ptl on a helper that flushes and gathers nowhere (RC9): the flush is its caller's, and with no caller
 * in the patch the claim is inconclusive, naming the callers.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractPatchesFromText } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';

const root = join(import.meta.dirname, '../..');

function asNewFile(fixture: string, path: string): string {
  const lines = readFileSync(join(root, fixture), 'utf8').trimEnd().split('\n');
  return [`diff --git a/${path} b/${path}`, 'new file mode 100644', 'index 0000000..1111111', '--- /dev/null', `+++ b/${path}`, `@@ -0,0 +1,${lines.length} @@`, ...lines.map((l) => `+${l}`), ''].join('\n');
}

describe('flush-under-ptl: a helper that leaves every flush to its caller', () => {
  it('is inconclusive when no caller is in the patch', async () => {
    const patches = extractPatchesFromText(asNewFile('fixtures/rules/flush-under-ptl/invalid-move-helper-flush-left-to-caller.c', 'mm/huge_shift.c'), { kind: 'patch-file', name: 'huge_shift.patch' }).patches;
    const f = (await checkPatches(patches, { rules: ['flush-under-ptl'] })).findings.filter((x) => x.function === 'shift_one_huge_entry');
    expect(f.length).toBeGreaterThan(0);
    expect(f.every((x) => x.status !== 'confirmed')).toBe(true);
    expect(f[0]?.dependsOn ?? '').toMatch(/callers of shift_one_huge_entry\(\)/);
  });
});

describe('flush-under-ptl: a clearing callee handed the gather', () => {
  it('is inconclusive: whether the callee gives the entry to the gather is its body', async () => {
    const { readInputs } = await import('../../src/sources/index.ts');
    const read = await readInputs([join(root, 'fixtures/rules/flush-under-ptl/invalid-gather-handed-to-clearing-callee.patch')]);
    const f = (await checkPatches(read.patches, { rules: ['flush-under-ptl'] })).findings.filter((x) => x.function === 'trim_shared_tables');
    expect(f.length).toBeGreaterThan(0);
    expect(f.every((x) => x.status !== 'confirmed')).toBe(true);
    expect(f[0]?.dependsOn ?? '').toMatch(/huge_pmd_unshare\(\) receives the mmu_gather/);
  });
});

describe('flush-under-ptl: a hugetlb fragment whose exclusive locks may be held above the hunk', () => {
  it('credits no fix for moving the flush under the PTL: the old flush after the unlock may have been covered', async () => {
    const { readInputs } = await import('../../src/sources/index.ts');
    const read = await readInputs([join(root, 'fixtures/engine/hugetlb-fix-exclusion-above-hunk.patch')]);
    const f = (await checkPatches(read.patches, { rules: ['flush-under-ptl'] })).findings.filter((x) => x.function === 'hugetlb_seal_range');
    expect(f.filter((x) => x.status === 'confirmed')).toEqual([]);
  });
});

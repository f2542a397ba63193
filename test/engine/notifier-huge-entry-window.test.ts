/**
 * notifier-symmetry's `windowTooSmall` for a PMD-level change with no catalogue extent: a window written as one page
 * around a huge PMD's change can never cover the PMD_SIZE region it maps (confirmed, whatever the callers aligned);
 * a window over the whole huge page is no finding.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { extractPatchesFromText } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';

const dir = join(import.meta.dirname, '../../fixtures/rules/notifier-symmetry');

async function checkNewFile(fixture: string) {
  const lines = readFileSync(join(dir, fixture), 'utf8').trimEnd().split('\n');
  const diff = ['diff --git a/mm/huge_seal.c b/mm/huge_seal.c', 'new file mode 100644', 'index 0000000..1111111', '--- /dev/null', '+++ b/mm/huge_seal.c', `@@ -0,0 +1,${lines.length} @@`, ...lines.map((l) => `+${l}`), ''].join('\n');
  const patches = extractPatchesFromText(diff, { kind: 'patch-file', name: 'huge_seal.patch' }).patches;
  return (await checkPatches(patches, { rules: ['notifier-symmetry'] })).findings;
}

describe('notifier-symmetry: a one-page window around a huge PMD change', () => {
  beforeAll(loadSimulator);
  it('is confirmed: the window can never cover the PMD_SIZE region', async () => {
    const f = await checkNewFile('invalid-window-one-page-for-huge-pmd.c');
    expect(f.map((x) => [x.function, x.status])).toEqual([['seal_huge_slot', 'confirmed']]);
    expect(f[0]?.message).toMatch(/PMD_SIZE/);
    expect(f[0]?.simulation?.invariant).toBe('secondary-mmu-coherent');
  });
  it('a window over the whole huge page gives nothing', async () => {
    expect(await checkNewFile('valid-window-huge-page-for-huge-pmd.c')).toEqual([]);
  });
});

/**
 * notifier-symmetry's `rangeMismatch` end to end: an end over a range no start named is simulated over two entries
 * (the model tells the two ranges apart), and confirmed only when the text settles that the ranges differ (the same
 * base, another size); bounds that may be equal (an address its callers may have aligned) leave it inconclusive.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { extractPatchesFromText, readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';

const root = join(import.meta.dirname, '../..');
const dir = join(root, 'fixtures/rules/notifier-symmetry');

describe('notifier-symmetry: the end over another range', () => {
  beforeAll(loadSimulator);
  it('is confirmed when the end covers another size of the same base', async () => {
    const lines = readFileSync(join(dir, 'invalid-end-range-other-size.c'), 'utf8').trimEnd().split('\n');
    const diff = ['diff --git a/mm/huge_slot.c b/mm/huge_slot.c', 'new file mode 100644', 'index 0000000..1111111', '--- /dev/null', '+++ b/mm/huge_slot.c', `@@ -0,0 +1,${lines.length} @@`, ...lines.map((l) => `+${l}`), ''].join('\n');
    const patches = extractPatchesFromText(diff, { kind: 'patch-file', name: 'huge_slot.patch' }).patches;
    const f = (await checkPatches(patches, { rules: ['notifier-symmetry'] })).findings;
    expect(f.map((x) => [x.function, x.status])).toEqual([['remap_huge_slot', 'confirmed']]);
    expect(f[0]?.simulation?.invariant).toBe('notifier-balance');
  });
  it('is inconclusive, naming the bounds, when they may be equal (an address already aligned)', async () => {
    const read = await readInputs([join(dir, 'invalid-end-range-unaligned-address.patch')]);
    const f = (await checkPatches(read.patches, { rules: ['notifier-symmetry'] })).findings;
    expect(f.map((x) => [x.function, x.status, x.introduced])).toEqual([['split_huge_slot', 'inconclusive', true]]);
    expect(f[0]?.dependsOn).toMatch(/address&HPAGE_PMD_MASK/);
    expect(f[0]?.simulation?.verdict).toBe('violation');
  });
});

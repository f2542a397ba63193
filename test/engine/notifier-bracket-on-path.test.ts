/**
 * notifier-symmetry counts a function's own bracket only on the path of the change (RC10): a walk callback whose
 * window is on another branch says nothing about the window its walker's caller may hold around this path, so the
 * PTE change outside it is inconclusive, naming the callers.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { extractPatchesFromText } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';

const root = join(import.meta.dirname, '../..');

describe('notifier-symmetry: a bracket on another branch', () => {
  it('leaves a change outside it inconclusive, depending on the callers', async () => {
    // The fixture as a new file added by a patch: the whole function, no caller in sight.
    const lines = readFileSync(join(root, 'fixtures/rules/notifier-symmetry/invalid-walk-callback-bracket-other-branch.c'), 'utf8').trimEnd().split('\n');
    const diff = ['diff --git a/mm/age_walk.c b/mm/age_walk.c', 'new file mode 100644', 'index 0000000..1111111', '--- /dev/null', '+++ b/mm/age_walk.c', `@@ -0,0 +1,${lines.length} @@`, ...lines.map((l) => `+${l}`), ''].join('\n');
    const patches = extractPatchesFromText(diff, { kind: 'patch-file', name: 'age_walk.patch' }).patches;
    const f = (await checkPatches(patches, { rules: ['notifier-symmetry'] })).findings;
    const hit = f.filter((x) => x.function === 'age_huge_entry');
    expect(hit.length).toBeGreaterThan(0);
    expect(hit.every((x) => x.status !== 'confirmed')).toBe(true);
    expect(hit[0]?.dependsOn ?? '').toMatch(/callers of age_huge_entry\(\)/);
  });
});

/**
 * sleep-in-atomic: a spinlock the visible code holds (taken in sight, or held from above a hunk whose release the
 * patch deletes) handed to a function the tool cannot see — by the lock itself, a struct that captured it, or the PTE
 * pointer mapped with it — may be released there: a sleep after that call is a question naming the callee, never a
 * confirmed claim (rules/utils/entry-lock-release.ts takenLockReleaser()). double_pt_unlock() releases both locks it
 * is given (mm/userfaultfd.c). A helper given nothing of the lock leaves the claim confirmed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPatches } from '../../src/engine/index.ts';
import { extractPatchesFromText } from '../../src/sources/index.ts';

const DIR = join(import.meta.dirname, '../../fixtures/rules/sleep-in-atomic');

async function findings(name: string): Promise<Map<string, { status: string; dependsOn: string }>> {
  const text = readFileSync(join(DIR, name), 'utf8');
  const patches = extractPatchesFromText(text, { kind: 'patch-file', name }).patches;
  const report = await checkPatches(patches, {});
  const out = new Map<string, { status: string; dependsOn: string }>();
  for (const f of report.findings.filter((x) => x.rule === 'sleep-in-atomic')) out.set(f.function, { status: f.status, dependsOn: f.dependsOn ?? '' });
  return out;
}

describe('sleep-in-atomic: a held lock given to a function the tool cannot see', () => {
  it('an unlock replaced by a helper given the lock leaves the reschedule after it a question', async () => {
    const out = await findings('valid-unlock-replaced-by-helper.patch');
    expect(out.get('demo_age_pte_range')?.status).toBe('inconclusive');
    expect(out.get('demo_age_pte_range')?.dependsOn).toMatch(/age_scan_done\(\).*release ptl/);
  });
  it('the lock given through a struct that captured it, or through its PTE pointer, is a question too', async () => {
    const out = await findings('invalid-lock-handed-to-unseen-helper.patch');
    for (const fn of ['demo_walk_struct', 'demo_walk_braced']) {
      expect(out.get(fn)?.status).toBe('inconclusive');
      expect(out.get(fn)?.dependsOn).toMatch(/demo_walk_finish\(\).*release ptl/);
    }
    expect(out.get('demo_walk_pte')?.status).toBe('inconclusive');
    expect(out.get('demo_walk_pte')?.dependsOn).toMatch(/demo_walk_release_table\(\)/);
  });
  it('a table mapped by pte_offset_map() given to a helper may be unmapped there: a question', async () => {
    const out = await findings('invalid-lock-handed-to-unseen-helper.patch');
    expect(out.get('demo_walk_mapped')?.status).toBe('inconclusive');
    expect(out.get('demo_walk_mapped')?.dependsOn).toMatch(/demo_walk_put_table\(\).*unmap/);
  });
  it('double_pt_unlock() releases the second lock it is given', async () => {
    const out = await findings('invalid-lock-handed-to-unseen-helper.patch');
    expect(out.get('demo_walk_pair')).toBeUndefined();
  });
  it('a helper given nothing of the lock leaves the sleep under it confirmed', async () => {
    const out = await findings('invalid-lock-handed-to-unseen-helper.patch');
    expect(out.get('demo_walk_keep')?.status).toBe('confirmed');
  });
});

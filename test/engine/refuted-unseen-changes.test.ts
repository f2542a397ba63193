/**
 * A refutation must not claim safety from code the patch does not show (docs/engine.md, "Unseen code"): a flush
 * moved after the release of a page-table lock taken above the hunk, with no entry change in sight, is
 * `inconclusive` asking which entries were changed under that lock, never `refuted`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';

describe('flush after the release of a lock taken above the hunk, no change shown', () => {
  beforeAll(loadSimulator);

  it('is inconclusive with the question, not refuted', async () => {
    const read = await readInputs([join(import.meta.dirname, '../../fixtures/patches/unseen-locks/flush-after-unlock-changes-above.patch')]);
    const { findings } = await checkPatches(read.patches, { rules: ['flush-under-ptl'] });
    expect(findings.map((f) => [f.function, f.status, f.introduced])).toEqual([['sprocket_protect_ptes', 'inconclusive', true]]);
    expect(findings[0]?.dependsOn).toMatch(/code above the hunk: which page-table entries were changed under the lock released at line 90/);
  });

  it('a write whose effect the rule cannot tell (a destination populated) shows no change: still inconclusive', async () => {
    const read = await readInputs([join(import.meta.dirname, '../../fixtures/patches/unseen-locks/flush-after-unlock-populate-shown.patch')]);
    const { findings } = await checkPatches(read.patches, { rules: ['flush-under-ptl'] });
    expect(findings.map((f) => [f.function, f.status, f.introduced])).toEqual([['sprocket_move_table', 'inconclusive', true]]);
    expect(findings[0]?.dependsOn).toMatch(/changed under the (page-table )?lock released at line 143/);
  });
});

/**
 * flush-under-ptl in hunk-only mode claims nothing that the unseen lines could answer: a forced flush that may sit
 * between two hunks (dirty file pages given to a gather), and a flag-guarded flush after the unlock when the path
 * already flushed under the lock (the flag's changes may be the ones flushed).
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';

const DIR = join(import.meta.dirname, '../../fixtures/rules/flush-under-ptl');

async function flushFindings(file: string) {
  const { patches } = await readInputs([join(DIR, file)]);
  return (await checkPatches(patches, { rules: ['flush-under-ptl'] })).findings;
}

describe('flush-under-ptl: evidence the hunks do not show', () => {
  it('confirms no dirty-page claim when unseen lines lie between the dirtying and the unlock', async () => {
    const f = await flushFindings('valid-dirty-forced-flush-in-gap.patch');
    expect(f.filter((x) => x.status === 'confirmed')).toEqual([]);
  });
  it('does not take a guarding flag as proof when the path flushed under the lock before the unlock', async () => {
    const f = await flushFindings('invalid-flag-flush-after-unlock-also-under-lock.patch');
    expect(f.length).toBeGreaterThan(0);
    expect(f.every((x) => x.status !== 'confirmed')).toBe(true);
    expect(f[0]?.dependsOn ?? '').toMatch(/code above the hunk/);
  });
});

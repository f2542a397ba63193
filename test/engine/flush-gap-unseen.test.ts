/**
 * flush-under-ptl: the unseen lines of a hunk gap that a path runs between the change and the lock release may hold
 * the flush itself, so a claim that needs them empty is a question, not a confirmed (or pre-existing) finding.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';

const file = join(import.meta.dirname, '../../fixtures/patches/unseen-gaps/flush-may-hide-in-gap.patch');

describe('a flush that may sit in a hunk gap', () => {
  beforeAll(loadSimulator);

  it('clear in one hunk, unlock and a late flush in the next: inconclusive on both sides, naming the gap', async () => {
    const read = await readInputs([file]);
    const { findings } = await checkPatches(read.patches, { rules: ['flush-under-ptl'] });
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.filter((f) => f.status === 'confirmed')).toEqual([]);
    expect(findings.every((f) => /the lines the diff does not show after line \d+: do they flush the TLB/.test(f.dependsOn ?? ''))).toBe(true);
  });
});

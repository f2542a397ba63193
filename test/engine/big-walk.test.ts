/**
 * A migrate_vma_collect_pmd()-sized PTE walk (fixtures/patches/big-walk, written for this test): a loop with a dozen
 * `goto next` branches, a trylock, a lazy-mmu section, entries replaced by markers whose bits PTE-state tests pick,
 * and a flush after the loop conditioned on a count of replaced present entries. The patch moves the flush before
 * the unlock.
 *
 * Whole function: the PTE-state tests that only choose the marker's bits are sliced (src/c/value-tests-slice.ts), so
 * the walk is enumerated at the default unrolling without reaching the bound (it hit MMR011 before, and a fix is never credited on a cut after-image);
 * the before-image's violation is confirmed and the fix recognised.
 *
 * Hunk only: the clear is above the hunk, so the before-image's violation depends on unseen code — no fix claim,
 * nothing posted.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSimulator } from '../../src/engine/confirm.ts';
import { checkPatches, isReportable } from '../../src/engine/index.ts';
import { readInputs } from '../../src/sources/index.ts';

const dir = join(import.meta.dirname, '../../fixtures/patches/big-walk');

describe('a big PTE walk with a flush after the loop', () => {
  beforeAll(loadSimulator);

  it('whole function: enumerated without reaching the bound, the flush moved under the lock is a recognised fix', async () => {
    const read = await readInputs([join(dir, 'harvest-flush-under-lock-whole.patch')]);
    const { findings, errors } = await checkPatches(read.patches, { rules: ['flush-under-ptl'] });
    expect(errors.filter((e) => e.code === 'MMR011')).toEqual([]);
    // (The post-image's lost-dirty-bit candidate on its migration entry is refuted by the simulator: not a claim.)
    const claims = findings.filter((f) => f.status !== 'refuted');
    expect(claims.map((f) => [f.rule, f.function, f.status, f.fixed, f.introduced])).toEqual([['flush-under-ptl', 'demo_harvest_pmd', 'confirmed', true, false]]);
    expect(findings.filter(isReportable)).toEqual([]);
  });

  it('hunk only: the entries cleared above the hunk are unseen, no fix claim and nothing posted', async () => {
    const read = await readInputs([join(dir, 'harvest-flush-under-lock-hunk.patch')]);
    const { findings } = await checkPatches(read.patches, { rules: ['flush-under-ptl'] });
    expect(findings.filter((f) => f.fixed && f.status === 'confirmed')).toEqual([]);
    expect(findings.filter(isReportable)).toEqual([]);
  });

  it('a copy_pte_range()-like walk with an unrelated change stays quiet, and says where a bound cut it', async () => {
    const read = await readInputs([join(dir, 'clone-count-copied-whole.patch')]);
    const { findings, errors } = await checkPatches(read.patches);
    expect(findings.filter(isReportable)).toEqual([]);
    expect(findings.filter((f) => f.fixed || f.introduced)).toEqual([]);
    // Never zero paths in silence: the images cut by the bound say so.
    for (const e of errors.filter((x) => x.code === 'MMR011')) expect(e.message).toMatch(/path bound reached/);
  });
});

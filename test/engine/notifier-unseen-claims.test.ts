/**
 * notifier-symmetry claims that rest on what the visible code does not show are never confirmed: a PTE value computed
 * in unseen lines (the simulator would install it unchanged, so the claim was "refuted" on an assumption), and an
 * _end() after a failed non-blocking start, whose correctness depends on the notifier core of the patch's kernel.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';

const root = join(import.meta.dirname, '../..');

async function check(file: string) {
  const read = await readInputs([join(root, 'fixtures/rules/notifier-symmetry', file)]);
  return (await checkPatches(read.patches, { rules: ['notifier-symmetry'] })).findings;
}

describe('notifier-symmetry: claims on unseen code', () => {
  beforeAll(loadSimulator);
  it('an untraced value installed by set_pte_at_notify() is inconclusive, naming the value, and the stand-in violates', async () => {
    const findings = await check('invalid-notify-value-computed-above.patch');
    expect(findings.map((f) => [f.function, f.status, f.introduced])).toEqual([['share_dup_page', 'inconclusive', true]]);
    expect(findings[0]?.dependsOn).toMatch(/value `fresh` that set_pte_at_notify\(\) installs/);
    expect(findings[0]?.simulation?.invariant).toBe('secondary-mmu-coherent');
  });
  it('an _end() on the failure branch of a _nonblock start is inconclusive, naming the kernel contract', async () => {
    const findings = await check('invalid-nonblock-failure-ends-late.patch');
    expect(findings.map((f) => [f.function, f.status, f.introduced])).toEqual([['shrink_idle_vmas', 'inconclusive', true]]);
    expect(findings[0]?.dependsOn).toMatch(/since 5\.12 \(c2655835fd8c\)/);
    expect(findings[0]?.simulation?.invariant).toBe('notifier-balance');
  });
  it('an _end() on the failure branch of a _nonblock start is confirmed when the visible code dates the tree after v5.12', async () => {
    const findings = await check('invalid-nonblock-failure-ends-modern-tree.patch');
    expect(findings.map((f) => [f.function, f.status, f.introduced])).toEqual([['shrink_idle_vmas', 'confirmed', true]]);
    expect(findings[0]?.simulation?.invariant).toBe('notifier-balance');
  });
  it('a goto the patch adds, from an open window to a label below the hunk, is inconclusive, naming the label', async () => {
    const findings = await check('invalid-goto-label-below-hunk.patch');
    expect(findings.map((f) => [f.function, f.status, f.introduced])).toEqual([['fold_one_table', 'inconclusive', true]]);
    expect(findings[0]?.dependsOn).toMatch(/from label `out_unlock_mmap` \(the goto at line 220\) end the invalidation window opened at line 210 before the function returns/);
    expect(findings[0]?.simulation?.invariant).toBe('notifier-balance');
    expect(await check('valid-goto-label-below-hunk-after-end.patch')).toEqual([]);
  });
});

/**
 * notifier-symmetry's `unbracketedCall` end to end: a call the patch took out of a removed mmu_notifier window is
 * simulated with the call standing for a mirrored PTE change, but what the callee does is unseen, so the finding is
 * inconclusive naming the callee — never confirmed. A window moved to the caller or into the callee gives nothing.
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

describe('notifier-symmetry: a call taken out of a removed window', () => {
  beforeAll(loadSimulator);
  it('is inconclusive, names the callee, and the simulation of the stand-in violates secondary-MMU coherence', async () => {
    const findings = await check('invalid-window-removed-around-unseen-helper.patch');
    expect(findings.map((f) => [f.function, f.status, f.introduced])).toEqual([['fill_range', 'inconclusive', true]]);
    expect(findings[0]?.dependsOn).toMatch(/fill_install_page\(\)/);
    expect(findings[0]?.simulation?.verdict).toBe('violation');
    expect(findings[0]?.simulation?.invariant).toBe('secondary-mmu-coherent');
  });
  it('is confirmed when the callee is a catalogued PTE changer that opens no window itself (migrate_vma_insert_page)', async () => {
    const findings = await check('invalid-window-removed-around-known-changer.patch');
    expect(findings.map((f) => [f.function, f.status, f.introduced])).toEqual([['devmem_fill_holes', 'confirmed', true]]);
    expect(findings[0]?.dependsOn).toBeUndefined();
    expect(findings[0]?.simulation?.invariant).toBe('secondary-mmu-coherent');
  });
  it.each(['valid-window-moved-to-caller.patch', 'valid-window-kept-around-known-changer.patch', 'valid-window-moved-into-callee.patch', 'valid-pte-change-window-moved-to-caller.patch'])('%s gives no finding', async (file) => {
    expect((await check(file)).map((f) => [f.function, f.status])).toEqual([]);
  });
});

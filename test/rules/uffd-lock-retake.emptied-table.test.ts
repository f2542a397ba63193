// uffd-lock-retake tableRefilled: a page table emptied under its PTL, the PTL dropped, and the table detached
// (pmdp_collapse_flush()) with no look at its entries in between. A userfaultfd fill in the gap is dropped with the
// table (adversary uffd-fill, no-lost-write). What closes the gap, and when the claim rests on the caller's lock.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import rule from '../../rules/uffd-lock-retake.ts';
import { branchExcludesFill } from '../../rules/utils/emptied-table.ts';
import { loadFixtureFunctions } from '../../src/rule-tester/load-functions.ts';
import { runRule } from '../../src/rule-tester/index.ts';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches, isReportable } from '../../src/engine/index.ts';

const DIR = join(import.meta.dirname, '../../fixtures/rules/uffd-lock-retake');
const UNKNOWN = readFileSync(join(DIR, 'invalid-emptied-table-caller-lock-unknown.c'), 'utf8');

async function refills(text: string): Promise<Array<{ line: number; unknown?: string }>> {
  const fns = await loadFixtureFunctions('mm/fold.c', text);
  return fns
    .flatMap((f) => runRule(rule, f, fns))
    .filter((c) => c.messageId === 'tableRefilled')
    .map((c) => ({ line: c.anchor.loc.line, ...(c.hazard.unknown ? { unknown: c.hazard.unknown } : {}) }));
}

describe('uffd-lock-retake: emptied table detached after the drop', () => {
  it('with no sign of the mmap_lock mode, the claim is a question about the caller', async () => {
    const c = await refills(UNKNOWN);
    expect(c).toHaveLength(1);
    expect(c[0]?.unknown).toMatch(/whether the caller holds mmap_lock for write from line 21 to line 26/);
  });
  it('a read lock taken says read suffices: confirmable; mmap_assert_locked() (read or write) asks the callers; a write hold keeps the fill out', async () => {
    const withAssert = (a: string): string => UNKNOWN.replace('\tstart_pte = pte_offset_map_lock(', `\t${a}\n\tstart_pte = pte_offset_map_lock(`);
    expect(await refills(withAssert('mmap_read_lock(mm);'))).toEqual([{ line: 27 }]);
    const asserted = await refills(withAssert('mmap_assert_locked(mm);'));
    expect(asserted).toHaveLength(1);
    expect(asserted[0]?.unknown).toMatch(/mmap_assert_locked\(\) allows either/);
    expect(await refills(withAssert('mmap_assert_write_locked(mm);'))).toEqual([]);
    expect(await refills(withAssert('vma_start_write(vma);'))).toEqual([]);
  });
  it('the PTL kept from the clears to the detach, or the entries looked at again, closes the gap', async () => {
    const kept = UNKNOWN.replace('\tpte_unmap_unlock(start_pte, ptl);\n', '\tpte_unmap(start_pte);\n').replace('\tpml = pmd_lock(mm, pmd);\n\tif (ptl != pml)\n\t\tspin_lock_nested(ptl, SINGLE_DEPTH_NESTING);\n', '\tpml = ptl;\n');
    expect(await refills(kept)).toEqual([]);
    const rechecked = UNKNOWN.replace('\told_pmd = pmdp_collapse_flush(', '\tif (!pte_none(ptep_get(start_pte)))\n\t\treturn -EBUSY;\n\told_pmd = pmdp_collapse_flush(');
    expect(await refills(rechecked)).toEqual([]);
  });
  it('a branch whose outcome means "not registered with userfaultfd, or shared" excludes the fill', () => {
    const cond = 'userfaultfd_armed(vma) && !(vma->vm_flags & VM_SHARED)';
    expect(branchExcludesFill(cond, false)).toBe(true);
    expect(branchExcludesFill(cond, true)).toBe(false);
    expect(branchExcludesFill('!userfaultfd_armed(vma)', true)).toBe(true);
    expect(branchExcludesFill('userfaultfd_armed(vma) || busy', false)).toBe(true);
    expect(branchExcludesFill('userfaultfd_armed(vma) || busy', true)).toBe(false);
    expect(branchExcludesFill('vma->vm_flags & VM_SHARED', true)).toBe(true);
    expect(branchExcludesFill('pte_none(pte)', false)).toBe(false);
  });
});

describe('uffd-lock-retake: emptied-table fixtures through the engine', () => {
  async function findings(file: string) {
    const read = await readInputs([join(DIR, file)]);
    return (await checkPatches(read.patches, { rules: ['uffd-lock-retake'] })).findings;
  }
  it('dropping the PTL between emptying and detaching is confirmed (no-lost-write) and introduced', async () => {
    const f = (await findings('invalid-emptied-table-detached-after-drop.patch')).filter(isReportable);
    expect(f).toHaveLength(1);
    expect(f[0]?.status).toBe('confirmed');
    expect(f[0]?.introduced).toBe(true);
    expect(f[0]?.simulation?.invariant).toBe('no-lost-write');
  }, 60_000);
  it('looking at the entries again under both locks leaves nothing to report', async () => {
    expect((await findings('valid-emptied-table-rechecked-after-retake.patch')).filter(isReportable)).toEqual([]);
  }, 60_000);
});

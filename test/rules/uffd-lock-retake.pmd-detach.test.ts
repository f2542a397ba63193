// uffd-lock-retake detachUnlocked: a PTE table taken out of its PMD (pmdp_collapse_flush()) by a function that held
// mmap_lock for write before the patch and no longer does. A catalogued reader that trusts that lock (mremap's
// whole-table move, v5.1–v6.11: adversary mremap-table-move) finds the PMD gone under its lock and installs a page
// that is not a table (no-stale-access). Confirmed only when the visible code dates the tree inside the reader's range.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches, isReportable } from '../../src/engine/index.ts';

const DIR = join(import.meta.dirname, '../../fixtures/rules/uffd-lock-retake');
const INVALID = readFileSync(join(DIR, 'invalid-pmd-detach-drops-mmap-lock.patch'), 'utf8');

async function findings(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'pmd-detach-')), 'x.patch');
  writeFileSync(file, text);
  const read = await readInputs([file]);
  const out = await checkPatches(read.patches, { rules: ['uffd-lock-retake'] });
  // The function was read (an empty answer is the rule's, not a patch the front end could not parse).
  expect(out.stats.functions).toBe(1);
  return out.findings.filter((f) => f.message.includes('takes the page table out of the PMD without mmap_lock'));
}

describe('uffd-lock-retake: a PMD table detached without the mmap_lock the function held before', () => {
  it('is confirmed (no-stale-access, against mremap-table-move) and introduced when the code dates the tree before v6.12', async () => {
    const f = (await findings(INVALID)).filter(isReportable);
    expect(f).toHaveLength(1);
    expect(f[0]?.status).toBe('confirmed');
    expect(f[0]?.introduced).toBe(true);
    expect(f[0]?.simulation?.invariant).toBe('no-stale-access');
  }, 60_000);
  it('with nothing dating the tree before the reader re-validates, it is a question about the kernel release', async () => {
    const undated = INVALID.replace('collapse_and_free_pmd(mm, vma, addr, pmd);', 'fold_free_pmd(mm, vma, addr, pmd);');
    const f = await findings(undated);
    expect(f.filter(isReportable)).toEqual([]);
    expect(f).toHaveLength(1);
    expect(f[0]?.status).toBe('inconclusive');
    expect(JSON.stringify(f[0])).toMatch(/between v5\.1 and v6\.12/);
  }, 60_000);
  it('a post-image that holds mmap_lock for read, or asserts it held, keeps the mover out: nothing to report', async () => {
    const read = INVALID.replace('+\t\tpml = pmd_lock(mm, pmd);', '+\t\tmmap_read_lock(mm);\n+\t\tpml = pmd_lock(mm, pmd);').replace('+\t\tmm_dec_nr_ptes(mm);', '+\t\tmmap_read_unlock(mm);\n+\t\tmm_dec_nr_ptes(mm);').replace(/@@ -3,23 \+3,30 @@/, '@@ -3,23 +3,32 @@');
    expect(await findings(read)).toEqual([]);
    const asserted = INVALID.replace('+\t\tpml = pmd_lock(mm, pmd);', '+\t\tmmap_assert_locked(mm);\n+\t\tpml = pmd_lock(mm, pmd);').replace(/@@ -3,23 \+3,30 @@/, '@@ -3,23 +3,31 @@');
    expect(await findings(asserted)).toEqual([]);
  }, 60_000);
  it('a pre-image that only asserted mmap_lock held (the caller took it) is no lock the function dropped', async () => {
    const onlyAsserted = INVALID.replace('-\t\tif (!mmap_write_trylock(mm))\n-\t\t\tcontinue;\n', '-\t\tmmap_assert_write_locked(mm);\n').replace('-\t\tmmap_write_unlock(mm);\n', '').replace(/@@ -3,23 \+3,30 @@/, '@@ -3,21 +3,30 @@');
    expect(await findings(onlyAsserted)).toEqual([]);
  }, 60_000);
  it('keeping mmap_lock for write around the detach leaves nothing to report', async () => {
    expect(await findings(readFileSync(join(DIR, 'valid-pmd-detach-keeps-mmap-lock.patch'), 'utf8'))).toEqual([]);
  }, 60_000);
});

describe('uffd-lock-retake: a whole-table move that trusts the PMD under its lock (pmdUnchecked)', () => {
  const MOVE = readFileSync(join(DIR, 'invalid-pmd-table-moved-unchecked.c'), 'utf8');
  /** The function added as a new file: a whole function, the patch's own. */
  function added(text: string): string {
    const lines = text.split('\n');
    return `From: Fixture Author <fixtures@mmreview.invalid>\nSubject: [PATCH] mm/shift: move page tables\n\n---\ndiff --git a/mm/shift.c b/mm/shift.c\nnew file mode 100644\n--- /dev/null\n+++ b/mm/shift.c\n@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join('\n')}\n`;
  }
  async function moves(text: string) {
    const file = join(mkdtempSync(join(tmpdir(), 'pmd-move-')), 'x.patch');
    writeFileSync(file, added(text));
    const read = await readInputs([file]);
    return (await checkPatches(read.patches, { rules: ['uffd-lock-retake'] })).findings.filter((f) => f.message.includes('without looking at the entry there'));
  }
  it('is simulated against a retract (no-stale-access) and left inconclusive on the caller, the release and the VMA', async () => {
    const f = await moves(MOVE);
    expect(f).toHaveLength(1);
    expect(f[0]?.status).toBe('inconclusive');
    expect(f[0]?.simulation?.invariant).toBe('no-stale-access');
    expect(f[0]?.dependsOn ?? JSON.stringify(f[0])).toMatch(/retract can reach this VMA/);
  }, 60_000);
  it('a look at the entry under the lock (pmd_present() / pmd_leaf(), pmd_same()) leaves nothing', async () => {
    expect(await moves(readFileSync(join(DIR, 'valid-pmd-table-move-rechecked.c'), 'utf8'))).toEqual([]);
    expect(await moves(readFileSync(join(DIR, 'valid-pmd-table-move-pmd-same.c'), 'utf8'))).toEqual([]);
  }, 60_000);
  it('a test of the destination (pmd_none(*dst)) is no look at the source', async () => {
    const f = await moves(MOVE.replace('\tpmd_clear(src);\n', '\tpmd_clear(src);\n\tVM_BUG_ON(!pmd_none(*dst));\n'));
    expect(f).toHaveLength(1);
  }, 60_000);
});

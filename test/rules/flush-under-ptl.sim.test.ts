// The simulator proves each finding of the fixtures written for the page-table-level, gather, batch and
// announcement shapes of flush-under-ptl, and shows it as a CPU table; the suggested fix removes the violation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import rule, { hazardFor } from '../../rules/flush-under-ptl.ts';
import { runRule } from '../../src/rule-tester/index.ts';
import { functionsOfSource } from '../../src/rule-tester/load-functions.ts';
import { confirm, loadSimulator } from '../../src/engine/confirm.ts';
import { renderTable } from '../../src/sim/index.ts';
import type { Candidate } from '../../src/core/rule.ts';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches, isReportable } from '../../src/engine/index.ts';

const DIR = join(process.cwd(), 'fixtures', 'rules', 'flush-under-ptl');

async function candidates(file: string): Promise<{ fn: string; c: Candidate[] }> {
  const path = join(DIR, file);
  const fns = await functionsOfSource(readFileSync(path, 'utf8'), `fixtures/rules/flush-under-ptl/${file}`);
  const fn = fns[0]!;
  return { fn: fn.name, c: runRule(rule, fn, fns) };
}

const cases: Array<{ file: string; messageId: string; invariant: string; table: RegExp[]; fixRefutes: boolean }> = [
  {
    // A present PTE replaced by a migration entry under the PTL (the value read before the clear tested several
    // times): the migration entry is no translation, so a zap in the window finds nothing to flush and returns
    // while the reader still loads through its stale TLB entry.
    file: 'invalid-collect-migration-entry-flush-after-unlock.c',
    messageId: 'flushAfterUnlock',
    invariant: 'write-protect-holds',
    table: [/ptep_get_and_clea/, /set_pte_at\(\)/, /pte_unmap_unlock\(\)/, /unmapping call returned/],
    fixRefutes: true,
  },
  {
    file: 'invalid-pmd-move-flush-after-unlock.c',
    messageId: 'flushAfterUnlock',
    invariant: 'no-stale-access',
    table: [/pmd_clear\(\)/, /spin_unlock\(\)/, /page0 freed/],
    fixRefutes: true,
  },
  {
    // A moved entry's flush left to a gather finished after the unlock: migration through the new slot flushes only
    // the new address (ptep_clear_flush()) and frees the page the old TLB entry still maps.
    file: 'invalid-pmd-move-gather-finished-after-unlock.c',
    messageId: 'movedGathered',
    invariant: 'no-stale-access',
    table: [/pmd_clear\(\)/, /tlb_flush_pte_range\(\)/, /pmd_populate\(\)/, /spin_unlock\(\)/, /page0 freed/],
    fixRefutes: true,
  },
  {
    // The caller's gather: the model finishes it after the function returns, and migration through the new slot still wins.
    file: 'invalid-pte-move-caller-gather.c',
    messageId: 'movedGathered',
    invariant: 'no-stale-access',
    table: [/ptep_get_and_clea/, /tlb_remove_tlb_entry\(\)/, /set_pte_at\(\)/, /page0 freed/],
    fixRefutes: true,
  },
  {
    // The destination's own lock (new_ptl) is what walkers of the new range take: a flush after its release is late
    // even while the old lock is held.
    file: 'invalid-pte-move-flush-between-unlocks.c',
    messageId: 'flushAfterUnlock',
    invariant: 'no-stale-access',
    table: [/spin_lock_nested\(\)/, /set_pte_at\(\)/, /spin_unlock\(\)/, /page0 freed/],
    fixRefutes: true,
  },
  {
    file: 'invalid-pte-move-flush-after-unlock.c',
    messageId: 'flushAfterUnlock',
    invariant: 'no-stale-access',
    table: [/ptep_get_and_clea/, /set_pte_at\(\)/, /page0 freed/],
    fixRefutes: true,
  },
  {
    file: 'invalid-gather-entry-beside.c',
    messageId: 'notGathered',
    invariant: 'write-protect-holds',
    table: [/huge_pmd_unshare/, /tlb_finish_mmu\(\)/, /stale TLB entry/],
    fixRefutes: true,
  },
  {
    file: 'invalid-batched-flush-not-announced.c',
    messageId: 'deferNotAnnounced',
    invariant: 'write-protect-holds',
    table: [/ptep_get_and_clea/, /pte_unmap_unlock/, /unmapping call/],
    fixRefutes: false,
  },
  {
    file: 'invalid-range-start-advanced.c',
    messageId: 'rangeMisses',
    invariant: 'write-protect-holds',
    table: [/ptep_set_wrprotec/, /flush_tlb_range\(\)/, /stale TLB/],
    fixRefutes: true,
  },
  {
    file: 'invalid-range-not-widened-for-shared-pmd.c',
    messageId: 'rangeTooSmall',
    invariant: 'write-protect-holds',
    table: [/huge_pmd_unshare/, /flush_hugetlb_tlb_range\(\)/, /stale TLB/],
    fixRefutes: true,
  },
  {
    file: 'invalid-announce-not-retracted.c',
    messageId: 'announceLeak',
    invariant: 'flush-pending-balance',
    table: [/inc_tlb_flush_pen/],
    fixRefutes: true,
  },
  {
    file: 'invalid-finish-ignores-nested.c',
    messageId: 'finishIgnoresNested',
    invariant: 'write-protect-holds',
    table: [/madvise\(MADV_DONTNEED\)/, /ptep_get_and_clea/, /tlb_finish_mmu/, /unmapping call returned/],
    fixRefutes: true,
  },
  {
    file: 'invalid-dirty-page-gathered-unflushed.c',
    messageId: 'dirtyBeforeFlush',
    invariant: 'no-lost-write',
    table: [/ptep_get_and_clea/, /set_page_dirty/, /pte_unmap_unlock/, /stale TLB entry/],
    fixRefutes: true,
  },
  {
    file: 'invalid-clear-flush-skips-pending.c',
    messageId: 'skipsPendingFlush',
    invariant: 'write-protect-holds',
    table: [/change_protection\(PROT_NONE\)/, /inc_tlb_flush_pending/, /ptep_get_and_clea/, /unmapping call returned/],
    fixRefutes: true,
  },
];

/**
 * A cleaned entry of a page the path marks lazyfree (MADV_FREE): reclaim discards the clean page after the call
 * returned, losing a store made through the stale dirty TLB entry. The notGathered suggestion (a
 * tlb_remove_tlb_entry() placed before the unlock, after the loop) is not simulated here: after the loop the model's
 * cursor has moved past the entry.
 */
const lazyfreeCases = [
  { file: 'invalid-lazyfree-clean-not-gathered.c', table: [/ptep_get_and_clea/, /set_pte_at\(\)/, /after drop_idle_anon_pte_range returned/, /folio_mark_lazyfree\(\)/, /try_to_unmap_one\(\)/] },
  { file: 'invalid-lazyfree-modify-prot-unflushed.c', table: [/ptep_modify_prot_commit\(\)/, /after lazyfree_table returned/, /try_to_unmap_one\(\)/] },
  { file: 'invalid-lazyfree-batch-cleaned-not-gathered.c', table: [/clear_young_dirty_ptes\(\)/, /after shed_lazy_anon_batches returned/, /folio_mark_lazyfree\(\)/, /try_to_unmap_one\(\)/] },
];

describe('flush-under-ptl: a cleaned lazyfree page is lost to reclaim', () => {
  beforeAll(loadSimulator);
  it.each(lazyfreeCases.map((c) => [c.file, c] as const))('%s', async (file, want) => {
    const { fn, c } = await candidates(file);
    const clean = c.filter((x) => x.messageId === 'notGathered' && x.hazard.adversaries.includes('lazyfree-reclaim'));
    expect(clean.length, JSON.stringify(c.map((x) => [x.messageId, x.hazard.adversaries]))).toBeGreaterThan(0);
    expect(clean[0]!.hazard.adversaries).not.toContain('writeback');
    const r = confirm({ candidate: clean[0]!, path: `fixtures/rules/flush-under-ptl/${file}`, fn }, clean[0]!.hazard.arch);
    expect(r.status).toBe('confirmed');
    expect(r.simulation?.invariant).toBe('no-lost-write');
    const table = renderTable(r.simulation!.trace!, { width: 200 });
    for (const re of want.table) expect(table).toMatch(re);
  });
  it('only a path that marks the page lazyfree uses lazyfree reclaim; any other clean keeps writeback', () => {
    expect(hazardFor(['clean'], ['mm-live']).adversaries).toEqual(['user-writer', 'writeback']);
    expect(hazardFor(['clean'], ['mm-live', 'lazyfree']).adversaries).toEqual(['user-writer', 'lazyfree-reclaim']);
    expect(hazardFor(['wrprotect'], ['mm-live', 'lazyfree']).adversaries).not.toContain('lazyfree-reclaim');
  });
});

describe('flush-under-ptl findings are confirmed by the simulator', () => {
  beforeAll(loadSimulator);
  it.each(cases.map((c) => [c.file, c] as const))('%s', async (file, want) => {
    const { fn, c } = await candidates(file);
    const mine = c.filter((x) => x.messageId === want.messageId);
    expect(mine.length, JSON.stringify(c.map((x) => x.messageId))).toBeGreaterThan(0);
    // As the engine does: the shortest path first, then the anchor's longer paths (Candidate.alternatives).
    const tries = [mine[0]!, ...(mine[0]!.alternatives ?? [])].map((x) => ({ x, r: confirm({ candidate: x, path: `fixtures/rules/flush-under-ptl/${file}`, fn }, x.hazard.arch) }));
    const { x: cand, r } = tries.find((t) => t.r.status === 'confirmed') ?? tries[0]!;
    expect(r.status).toBe('confirmed');
    expect(r.simulation?.invariant).toBe(want.invariant);
    const table = renderTable(r.simulation!.trace!, { width: 200 });
    for (const re of want.table) expect(table).toMatch(re);
    if (want.fixRefutes) {
      expect(cand.suggestion?.path).toBeDefined();
      const fix = confirm({ candidate: cand, path: file, fn, pathOverride: cand.suggestion!.path! }, [r.simulation!.arch]);
      expect(fix.status).toBe('refuted');
    }
  });
});

describe('a patch that gives the entry to the gather is recognised as a fix', () => {
  it('valid-fix-gather-entry-given.patch: fixed, nothing reported', async () => {
    const { patches } = await readInputs([join(DIR, 'valid-fix-gather-entry-given.patch')]);
    const report = await checkPatches(patches);
    const summary = JSON.stringify(report.findings.map((f) => [f.rule, f.function, f.status, f.introduced, f.fixed]));
    expect(report.findings.filter(isReportable), summary).toEqual([]);
    expect(report.findings.some((f) => f.rule === 'flush-under-ptl' && f.fixed && f.function === 'drop_huge_range'), summary).toBe(true);
  });
});

describe('a moved entry: a gather does not hold its page', () => {
  it('valid-fix-move-gather-flush-under-lock.patch: the flush moved back under the locks is recognised as a fix', async () => {
    const { patches } = await readInputs([join(DIR, 'valid-fix-move-gather-flush-under-lock.patch')]);
    const report = await checkPatches(patches, { rules: ['flush-under-ptl'] });
    const summary = JSON.stringify(report.findings.map((f) => [f.rule, f.function, f.status, f.introduced, f.fixed]));
    expect(report.findings.filter(isReportable), summary).toEqual([]);
    expect(report.findings.some((f) => f.fixed && f.status === 'confirmed' && f.function === 'slide_table_pmd'), summary).toBe(true);
  });
});

describe('a move helper whose flush the patch hoists into its caller', () => {
  const run = async (file: string): Promise<{ findings: Awaited<ReturnType<typeof checkPatches>>['findings']; summary: string }> => {
    const { patches } = await readInputs([join(DIR, file)]);
    const report = await checkPatches(patches, { rules: ['flush-under-ptl'] });
    return { findings: report.findings, summary: JSON.stringify(report.findings.map((f) => [f.rule, f.function, f.status, f.introduced, f.fixed, f.dependsOn])) };
  };
  it('invalid-pmd-move-flush-hoisted-to-caller.patch: the whole helper shows the move, confirmed and introduced', async () => {
    const { findings, summary } = await run('invalid-pmd-move-flush-hoisted-to-caller.patch');
    const f = findings.find((x) => isReportable(x));
    expect(f?.function, summary).toBe('slide_table_pmd');
    expect(['no-stale-access', 'write-protect-holds']).toContain(f?.simulation?.invariant);
  });
  it('valid-fix-move-flush-back-under-lock.patch: the flush moved back from the caller under the locks is a fix', async () => {
    const { findings, summary } = await run('valid-fix-move-flush-back-under-lock.patch');
    expect(findings.filter(isReportable), summary).toEqual([]);
    expect(findings.some((f) => f.fixed && f.status === 'confirmed' && f.function === 'slide_table_pmd'), summary).toBe(true);
  });
  it('invalid-move-flush-hoisted-clear-above-hunk.patch: the clear is above the hunk, inconclusive naming that code', async () => {
    const { findings, summary } = await run('invalid-move-flush-hoisted-clear-above-hunk.patch');
    expect(findings.filter(isReportable), summary).toEqual([]);
    const f = findings.find((x) => x.function === 'slide_table_pmd' && x.status === 'inconclusive' && x.introduced);
    expect(f, summary).toBeDefined();
    expect(f?.simulation?.invariant).toBe('no-stale-access');
    expect(f?.dependsOn ?? '').toMatch(/code above the hunk: was the entry val was read from cleared/);
  });
});

describe('a gathered clear and an install of a value read above the hunk', () => {
  it('invalid-move-gather-value-above-hunk.patch: whether the install moves the cleared entry is unseen, inconclusive', async () => {
    const { patches } = await readInputs([join(DIR, 'invalid-move-gather-value-above-hunk.patch')]);
    const report = await checkPatches(patches, { rules: ['flush-under-ptl'] });
    const summary = JSON.stringify(report.findings.map((f) => [f.rule, f.function, f.status, f.introduced, f.fixed, f.dependsOn]));
    expect(report.findings.filter(isReportable), summary).toEqual([]);
    const f = report.findings.find((x) => x.function === 'slide_table_pmd' && x.status === 'inconclusive' && x.introduced);
    expect(f?.simulation?.invariant, summary).toBe('no-stale-access');
    expect(f?.dependsOn ?? '').toMatch(/is pmd_pgtable\(val\), which pmd_populate\(\) installs at to_pmd .* the value of the PMD entry pmd_clear\(\) clears/);
  });
});

describe('a gather left open at a `continue` of a loop the hunk does not show', () => {
  const run = async (file: string): Promise<{ findings: Awaited<ReturnType<typeof checkPatches>>['findings']; summary: string }> => {
    const { patches } = await readInputs([join(DIR, file)]);
    const report = await checkPatches(patches);
    return { findings: report.findings, summary: JSON.stringify(report.findings.map((f) => [f.rule, f.function, f.status, f.introduced, f.fixed])) };
  };
  it('valid-fix-gather-finished-on-continue.patch: the added tlb_finish_mmu() is recognised as a fix', async () => {
    const { findings, summary } = await run('valid-fix-gather-finished-on-continue.patch');
    expect(findings.filter(isReportable), summary).toEqual([]);
    expect(findings.some((f) => f.rule === 'flush-under-ptl' && f.fixed && f.status === 'confirmed' && f.function === 'sweep_private_ranges'), summary).toBe(true);
  });
  it('invalid-gather-left-on-continue.patch: removing it is a confirmed, introduced leak', async () => {
    const { findings, summary } = await run('invalid-gather-left-on-continue.patch');
    const f = findings.find((x) => x.rule === 'flush-under-ptl' && x.status === 'confirmed' && x.introduced);
    expect(f, summary).toBeDefined();
  });
  it('valid-gather-continue-unseen-loop.patch: neither image shows the retraction, nothing is claimed', async () => {
    const { findings, summary } = await run('valid-gather-continue-unseen-loop.patch');
    expect(findings.filter((f) => f.rule === 'flush-under-ptl'), summary).toEqual([]);
  });
});

describe('a gather finish that hands its gather to an unknown helper', () => {
  beforeAll(loadSimulator);
  it('invalid-finish-test-maybe-in-helper.c: the violation depends on the helper, so it is inconclusive', async () => {
    const file = 'invalid-finish-test-maybe-in-helper.c';
    const { fn, c } = await candidates(file);
    const cand = c.find((x) => x.messageId === 'finishIgnoresNested');
    expect(cand?.unseen).toMatch(/sweep_gather_force\(\) is given the gather/);
    const r = confirm({ candidate: cand!, path: `fixtures/rules/flush-under-ptl/${file}`, fn }, cand!.hazard.arch);
    expect(r.status).toBe('inconclusive');
  });
});

describe('a gather finish the patch adds', () => {
  it('invalid-finish-added-definition.patch: inconclusive, never reported as introduced', async () => {
    const { patches } = await readInputs([join(DIR, 'invalid-finish-added-definition.patch')]);
    const report = await checkPatches(patches);
    const summary = JSON.stringify(report.findings.map((f) => [f.rule, f.function, f.status, f.introduced, f.fixed]));
    expect(report.findings.filter(isReportable), summary).toEqual([]);
    expect(report.findings.some((f) => f.rule === 'flush-under-ptl' && f.function === 'tlb_finish_mmu' && f.status === 'inconclusive'), summary).toBe(true);
  });
});

describe('a clear whose flush is moved after the unlock (a concurrent zap finds the entry none and returns)', () => {
  const run = async (file: string): Promise<{ findings: Awaited<ReturnType<typeof checkPatches>>['findings']; summary: string }> => {
    const { patches } = await readInputs([join(DIR, file)]);
    const report = await checkPatches(patches, { rules: ['flush-under-ptl'] });
    return { findings: report.findings, summary: JSON.stringify(report.findings.map((f) => [f.rule, f.function, f.status, f.introduced, f.fixed])) };
  };
  it('invalid-flush-moved-after-unlock.patch: confirmed and introduced, an access after the unmapping call returned', async () => {
    const { findings, summary } = await run('invalid-flush-moved-after-unlock.patch');
    const f = findings.find((x) => isReportable(x));
    expect(f, summary).toBeDefined();
    expect(f?.simulation?.invariant).toBe('write-protect-holds');
    expect(renderTable(f!.simulation!.trace!, { width: 200 })).toMatch(/unmapping call returned/);
  });
  it('valid-fix-flush-before-unlock.patch: the flush moved under the lock is recognised as a fix', async () => {
    const { findings, summary } = await run('valid-fix-flush-before-unlock.patch');
    expect(findings.filter(isReportable), summary).toEqual([]);
    expect(findings.some((f) => f.fixed && f.status === 'confirmed' && f.function === 'shrink_collect_pmd'), summary).toBe(true);
  });
});

describe('a flush guarded by a catalogued flag (force_flush) moved after the unlock, the clears above the hunk', () => {
  const run = async (file: string, edit?: (text: string) => string): Promise<{ findings: Awaited<ReturnType<typeof checkPatches>>['findings']; summary: string }> => {
    let path = join(DIR, file);
    if (edit) {
      const { mkdtempSync, writeFileSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      path = join(mkdtempSync(join(tmpdir(), 'mmr-flag-')), file);
      writeFileSync(path, edit(readFileSync(join(DIR, file), 'utf8')));
    }
    const { patches } = await readInputs([path]);
    const report = await checkPatches(patches, { rules: ['flush-under-ptl'] });
    return { findings: report.findings, summary: JSON.stringify(report.findings.map((f) => [f.rule, f.function, f.status, f.introduced, f.fixed, f.dependsOn])) };
  };
  it('invalid-flagged-flush-moved-after-unlock.patch: confirmed and introduced; the table shows the flagged clear and the stale access', async () => {
    const { findings, summary } = await run('invalid-flagged-flush-moved-after-unlock.patch');
    const f = findings.find((x) => isReportable(x));
    expect(f, summary).toBeDefined();
    expect(f?.introduced).toBe(true);
    const table = renderTable(f!.simulation!.trace!, { width: 200 });
    expect(table).toMatch(/force_flush set/);
    expect(table).toMatch(/pte_unmap_unlock\(\)/);
    expect(table).toMatch(/stale TLB entry/);
  });
  it('valid-fix-flagged-flush-before-unlock.patch: the flagged flush moved under the lock is recognised as a fix', async () => {
    const { findings, summary } = await run('valid-fix-flagged-flush-before-unlock.patch');
    expect(findings.filter(isReportable), summary).toEqual([]);
    expect(findings.some((f) => f.fixed && f.status === 'confirmed' && f.function === 'shuffle_pte_span'), summary).toBe(true);
  });
  it('invalid-collect-unmapped-flush-moved-after-unlock.patch: `unmapped` in migrate_vma_collect_pmd() records the clears: confirmed and introduced', async () => {
    const { findings, summary } = await run('invalid-collect-unmapped-flush-moved-after-unlock.patch');
    const f = findings.find((x) => isReportable(x));
    expect(f, summary).toBeDefined();
    expect(f?.function).toBe('migrate_vma_collect_pmd');
    const table = renderTable(f!.simulation!.trace!, { width: 200 });
    expect(table).toMatch(/unmapped set/);
    expect(table).toMatch(/pte_unmap_unlock\(\)/);
  });
  it('valid-fix-collect-unmapped-flush-under-lock.patch: the flush moved under the lock is recognised as a fix', async () => {
    const { findings, summary } = await run('valid-fix-collect-unmapped-flush-under-lock.patch');
    expect(findings.filter(isReportable), summary).toEqual([]);
    expect(findings.some((f) => f.fixed && f.status === 'confirmed' && f.function === 'migrate_vma_collect_pmd'), summary).toBe(true);
  });
  it('`unmapped` in another function is a common word, not the catalogued flag: inconclusive, no fix credit', async () => {
    const bug = await run('invalid-collect-unmapped-flush-moved-after-unlock.patch', (t) => t.replace('static int migrate_vma_collect_pmd(', 'static int relocate_collect_pmd('));
    expect(bug.findings.filter(isReportable), bug.summary).toEqual([]);
    expect(bug.findings.some((f) => f.status === 'inconclusive' && f.function === 'relocate_collect_pmd'), bug.summary).toBe(true);
    const fix = await run('valid-fix-collect-unmapped-flush-under-lock.patch', (t) => t.replace('static int migrate_vma_collect_pmd(', 'static int relocate_collect_pmd('));
    expect(fix.findings.some((f) => f.fixed), fix.summary).toBe(false);
  });
  it('a flag the visible code sets itself says nothing by the catalogue: inconclusive', async () => {
    const { findings, summary } = await run('invalid-flagged-flush-moved-after-unlock.patch', (t) =>
      t.replace(' \t\tset_pte_at(mm, to_addr, to_pte, entry);\n', ' \t\tset_pte_at(mm, to_addr, to_pte, entry);\n+\t\tforce_flush = shuffle_wants_flush(vma);\n').replace('@@ -61,10 +61,10 @@', '@@ -61,10 +61,11 @@'),
    );
    expect(findings.filter(isReportable), summary).toEqual([]);
    expect(findings.some((f) => f.status === 'inconclusive' && f.introduced), summary).toBe(true);
  });
  it('an announcement shown in the function leaves the deferral open: inconclusive', async () => {
    const { findings, summary } = await run('invalid-flagged-flush-moved-after-unlock.patch', (t) =>
      t.replace('+\t\tflush_tlb_range(vma, span_end - span_len, span_end); /* ruleid: flush-under-ptl */\n', '+\t\tflush_tlb_range(vma, span_end - span_len, span_end); /* ruleid: flush-under-ptl */\n+\tdec_tlb_flush_pending(mm);\n').replace('@@ -61,10 +61,10 @@', '@@ -61,10 +61,11 @@'),
    );
    expect(findings.filter(isReportable), summary).toEqual([]);
  });
});

describe('a dirty page given to the gather: only a file-backed page is cleaned by writeback', () => {
  it('without a PageAnon()/folio_test_anon() test on the path, the candidate names the question', async () => {
    const text = readFileSync(join(DIR, 'invalid-dirty-page-gathered-unflushed.c'), 'utf8').replace('\t\tif (!PageAnon(page)) {\n', '\t\t{\n');
    const fns = await functionsOfSource(text, 'fixtures/rules/flush-under-ptl/anon-unknown.c');
    const mine = runRule(rule, fns[0]!, fns).filter((x) => x.messageId === 'dirtyBeforeFlush');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((x) => /file-backed/.test(x.hazard.unknown ?? ''))).toBe(true);
  });
  it('a flush-named call the tool cannot see, between the dirtying and the release, is a question too', async () => {
    const text = readFileSync(join(DIR, 'invalid-dirty-page-gathered-unflushed.c'), 'utf8').replace('\tpte_unmap_unlock(start_pte, ptl);\n', '\tshred_flush_gathered(tlb);\n\tpte_unmap_unlock(start_pte, ptl);\n');
    const fns = await functionsOfSource(text, 'fixtures/rules/flush-under-ptl/hidden-flush.c');
    const mine = runRule(rule, fns[0]!, fns).filter((x) => x.messageId === 'dirtyBeforeFlush');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((x) => /does shred_flush_gathered\(\) .* flush the TLB\?/.test(x.hazard.unknown ?? ''))).toBe(true);
  });
});

describe('a hunk that adds or drops the forced flush of dirty pages given to the gather', () => {
  const run = async (file: string): Promise<{ findings: Awaited<ReturnType<typeof checkPatches>>['findings']; summary: string }> => {
    const { patches } = await readInputs([join(DIR, file)]);
    const report = await checkPatches(patches, { rules: ['flush-under-ptl'] });
    return { findings: report.findings, summary: JSON.stringify(report.findings.map((f) => [f.rule, f.function, f.status, f.introduced, f.fixed, f.dependsOn])) };
  };
  it('valid-fix-dirty-page-flushed-before-unlock.patch: the forced flush under the lock is recognised as a fix', async () => {
    const { findings, summary } = await run('valid-fix-dirty-page-flushed-before-unlock.patch');
    expect(findings.filter(isReportable), summary).toEqual([]);
    expect(findings.some((f) => f.fixed && f.status === 'confirmed' && f.function === 'shred_file_ptes'), summary).toBe(true);
  });
  it('invalid-dirty-page-forced-flush-dropped.patch: confirmed and introduced, a store lost to writeback', async () => {
    const { findings, summary } = await run('invalid-dirty-page-forced-flush-dropped.patch');
    const f = findings.find((x) => isReportable(x));
    expect(f, summary).toBeDefined();
    expect(f?.simulation?.invariant).toBe('no-lost-write');
    expect(renderTable(f!.simulation!.trace!, { width: 200 })).toMatch(/page_mkclean_one\(\)[\s\S]*stale TLB entry/);
  });
});

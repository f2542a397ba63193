// Whole kernel functions whose default path enumeration hits the bound (MMR011): a retried PTE walk is enumerated
// completely at a lower unrolling instead of being cut after the first 1024 paths of the walk, and when even that
// is cut, the paths through the changed lines are kept first (src/c/paths.ts enumeratePaths).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeFunctionText, type LineInfo } from '../../src/c/analyze.ts';
import type { EventPath } from '../../src/core/events.ts';

const WALK = readFileSync(new URL('./fixtures/retried-pte-walk.c', import.meta.url), 'utf8');

/** Event kinds and branch outcomes of a path, one token each. */
function show(p: EventPath): string {
  return p.steps
    .map((s) => (s.step === 'event' ? (s.kind === 'call' ? s.callee : s.kind) : s.kind === 'branch' ? `${s.taken ? '+' : '-'}(${s.cond})` : s.kind))
    .join(' ');
}

/** A PTE cleared under the lock, the lock released, then the flush: the hazard a rule looks for, deep in the walk. */
const CLEAR_UNLOCK_FLUSH = /\+\(pte_dirty\(pte\)\) pte-clear .*pte-unmap-unlock \+\(dropped\) tlb-flush -\(ctl->flags & DEMO_RESCAN\) return$/;

describe('path reduction on whole functions', () => {
  it('a retried PTE walk: every path at a lower unrolling instead of a cut enumeration', async () => {
    const r = await analyzeFunctionText(WALK);
    const bound = r.problems.filter((p) => p.startsWith('MMR011'));
    expect(bound).toHaveLength(1);
    expect(bound[0]).toMatch(/1024 distinct paths at the default unrolling; loop bodies and backward gotos taken once\); all \d+ path\(s\) at that unrolling kept/);
    expect(r.paths.length).toBeLessThan(1024);
    // The clear → unlock → flush sequence on the first pass and on the retried one.
    const shown = r.paths.filter((p) => p.complete).map(show);
    expect(shown.some((s) => CLEAR_UNLOCK_FLUSH.test(s) && !/goto/.test(s))).toBe(true);
    expect(shown.some((s) => CLEAR_UNLOCK_FLUSH.test(s) && /goto/.test(s))).toBe(true);
  });

  it('is deterministic (same paths, same order)', async () => {
    const a = await analyzeFunctionText(WALK);
    const b = await analyzeFunctionText(WALK);
    expect(a.paths.map(show)).toEqual(b.paths.map(show));
  });

  it('leaves a function under the bound alone', async () => {
    const small = WALK.replace(/\tif \(ctl->flags & DEMO_RESCAN\)\n\t\tgoto retry;\n/, '');
    const r = await analyzeFunctionText(small);
    expect(r.problems).toEqual([]);
    // Two iterations of the PTE loop are still walked.
    expect(r.paths.some((p) => p.steps.filter((s) => s.step === 'control' && s.kind === 'loop-next').length >= 2)).toBe(true);
  });

  it('when even the lowest unrolling is cut, the paths through the changed line come first', async () => {
    // Four more independent PTE-state checks in the loop body: too many paths even with every loop taken once.
    const extra = ['young', 'write', 'uffd_wp', 'soft_dirty']
      .map((f) => `\t\tif (pte_${f === 'soft_dirty' ? 'young' : f}(pte) && ctl->${f})\n\t\t\tdemo_note_${f}(ctl);\n\t\tif (pte_${f}(pte))\n\t\t\tctl->${f}++;\n`)
      .join('');
    const big = WALK.replace('\t\tpage = vm_normal_page', `${extra}\t\tpage = vm_normal_page`)
      // The change under review: the final return of the function.
      .replace('\treturn err;\n}', '\tsynchronize_rcu();\n\treturn err;\n}');
    const lines = big.split('\n');
    const changedRow = lines.findIndex((l) => l.includes('synchronize_rcu'));
    const lineInfo: LineInfo = lines.map((_, i) => (i === changedRow ? { diff: 'add' } : { diff: 'ctx' }));
    const r = await analyzeFunctionText(big, { lineInfo });
    const bound = r.problems.find((p) => p.startsWith('MMR011'));
    expect(bound).toMatch(/path\(s\) through the changed lines kept first/);
    // 1024 enumerated; the infeasible ones (`if (dropped)` taken with `dropped = 0` never incremented) are dropped after.
    expect(r.paths.length).toBeGreaterThan(100);
    expect(r.paths.length).toBeLessThanOrEqual(1024);
    const through = r.paths.filter((p) => p.steps.some((s) => s.loc?.diff === 'add'));
    expect(through.length).toBeGreaterThan(100);
    // They come first (the paths filled in after them may pass the change too).
    expect(r.paths.slice(0, 100).every((p) => through.includes(p))).toBe(true);
  });
});

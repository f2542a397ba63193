/**
 * A companion path (a second patched thread of the same hazard, run under its default completion) is not enumerated
 * over the completions of its own unseen code: a violation found with it is confirmed only when it has no open
 * choice (docs/engine.md, "Confirmation").
 */
import { describe, expect, it } from 'vitest';
import type { EventPath, PathStep } from '../../src/core/events.ts';
import type { Candidate } from '../../src/core/rule.ts';
import { ctl, ev } from '../../src/rule-tester/path-builder.ts';
import { companionOpen } from '../../src/engine/confirm.ts';
import { candidateOn } from '../helpers/candidate.ts';

const path = (steps: PathStep[]): EventPath => ({ steps, complete: !steps.some((s) => s.step === 'control' && s.kind === 'truncated') });

const candidate = (p: EventPath): Candidate =>
  candidateOn(p, { kind: 'flush-after-unlock', invariants: ['no-stale-access'], adversaries: ['user-reader'] });

describe('companionOpen', () => {
  const main = candidate(path([ev(0, 'tlb-flush', 'flush_tlb_range', { vma: 'vma' }), ctl({ kind: 'truncated', reason: 'end of fragment' })]));

  it('a companion clearing an entry with no page-table lock in sight leaves "is the PTL held?" open', () => {
    const other = candidate(path([ev(1, 'pte-clear', 'ptep_get_and_clear', { pte: 'pte' }, { attrs: { effects: ['clear'] } }), ev(2, 'tlb-flush', 'flush_tlb_range', { vma: 'vma' }), ctl({ kind: 'truncated', reason: 'end of fragment' })]));
    const open = companionOpen({ candidate: main, path: 'mm/x.c', fn: 'f', fragment: true, companion: { candidate: other, path: 'mm/x.c', fn: 'g', fragment: true } });
    expect(open).toHaveLength(1);
    expect(open[0]).toMatch(/other patched path in g\(\).*page-table lock held/);
  });

  it('a companion whose lock is established (released in the hunk, so taken before it) leaves nothing open', () => {
    const other = candidate(path([
      ev(1, 'pte-clear', 'ptep_get_and_clear', { pte: 'pte' }, { attrs: { effects: ['clear'] } }),
      ev(2, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }),
      ev(3, 'tlb-flush', 'flush_tlb_range', { vma: 'vma' }),
      ctl({ kind: 'truncated', reason: 'end of fragment' }),
    ]));
    expect(companionOpen({ candidate: main, path: 'mm/x.c', fn: 'f', fragment: true, companion: { candidate: other, path: 'mm/x.c', fn: 'g', fragment: true } })).toEqual([]);
  });
});

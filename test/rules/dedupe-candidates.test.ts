/**
 * dedupeCandidates keeps one candidate per rule, side, anchor, message and hazard: two hazards sharing an anchor (a
 * flush moved after the unlock, with the entry changed on one path and only before the hunk on another) are both
 * kept, so a shorter path without the modelled change cannot shadow the one that carries it.
 */
import { describe, expect, it } from 'vitest';
import type { EventPath, PathStep } from '../../src/core/events.ts';
import type { Candidate } from '../../src/core/rule.ts';
import { ctl, ev } from '../../src/rule-tester/path-builder.ts';
import { ALTERNATIVE_PATHS, dedupeCandidates } from '../../src/rule-tester/index.ts';

const path = (steps: PathStep[]): EventPath => ({ steps, complete: true });
const flush = ev(3, 'tlb-flush', 'flush_tlb_range', { vma: 'vma' });
const unlock = ev(2, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' });

function cand(messageId: string, kind: string, steps: PathStep[]): Candidate {
  const { step: _s, ...anchor } = flush as Extract<PathStep, { step: 'event' }>;
  return {
    rule: 'r', messageId, message: messageId, data: {}, side: 'post', anchor, related: [], path: path(steps),
    hazard: { kind, invariants: ['no-stale-access'], adversaries: [], arch: ['x86'], context: [] },
  };
}

describe('dedupeCandidates', () => {
  const withChange = cand('flushAfterUnlock', 'flush-after-unlock', [
    ev(0, 'pte-clear', 'ptep_get_and_clear', { pte: 'pte' }),
    ev(1, 'pte-advance', 'pte++', { pte: 'pte' }),
    unlock,
    flush,
    ctl({ kind: 'return' }),
  ]);
  const changeless = cand('unlockBeforeFlush', 'unlock-before-flush', [unlock, flush, ctl({ kind: 'return' })]);

  it('keeps both hazards at one anchor, whatever their path lengths', () => {
    expect(dedupeCandidates([withChange, changeless]).map((c) => c.messageId).sort()).toEqual(['flushAfterUnlock', 'unlockBeforeFlush']);
  });

  it('still keeps the shortest path of one hazard at one anchor', () => {
    const longer = cand('unlockBeforeFlush', 'unlock-before-flush', [ev(5, 'call', 'foo', {}), unlock, flush, ctl({ kind: 'return' })]);
    expect(dedupeCandidates([longer, changeless])).toEqual([{ ...changeless, alternatives: [longer] }]);
  });

  it('keeps the next shortest paths as alternatives, shortest first, at most ALTERNATIVE_PATHS', () => {
    const mid = cand('unlockBeforeFlush', 'unlock-before-flush', [ev(5, 'call', 'foo', {}), unlock, flush, ctl({ kind: 'return' })]);
    const long = cand('unlockBeforeFlush', 'unlock-before-flush', [ev(5, 'call', 'foo', {}), ev(6, 'call', 'bar', {}), unlock, flush, ctl({ kind: 'return' })]);
    const longest = cand('unlockBeforeFlush', 'unlock-before-flush', [ev(5, 'call', 'foo', {}), ev(6, 'call', 'bar', {}), ev(7, 'call', 'baz', {}), unlock, flush, ctl({ kind: 'return' })]);
    const [kept] = dedupeCandidates([longest, mid, changeless, long]);
    expect(kept!.path).toBe(changeless.path);
    expect(kept!.alternatives?.map((a) => a.path.steps.length)).toEqual([mid.path.steps.length, long.path.steps.length]);
    expect(ALTERNATIVE_PATHS).toBe(2);
  });
});

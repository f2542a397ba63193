// Test data: Finding / Report values shaped like the engine's output for a flush-after-unlock race (data only).
import type { Finding, Report } from '../../src/core/finding.ts';
import type { RuleMeta } from '../../src/core/rule.ts';

/** Rule metadata as the rules module would provide it. */
export const FLUSH_META: RuleMeta = {
  id: 'flush-under-ptl',
  severity: 'error',
  docs: { description: 'PTE downgraded and PTL dropped before the TLB flush', url: 'docs/rules/flush-under-ptl.md' },
  messages: { flushAfterUnlock: '{{fn}} {{verb}} a PTE and drops the PTL before flushing the TLB' },
  hazard: 'Another CPU can keep using a stale writable TLB entry after the PTL is released and before the flush.',
};

export const NOTIFIER_META: RuleMeta = {
  id: 'notifier-symmetry',
  severity: 'warning',
  docs: { description: 'mmu_notifier start/end unpaired', url: 'https://example.org/rules/notifier-symmetry' },
  messages: {},
  hazard: 'A secondary MMU keeps a mapping the primary dropped.',
};

/** A confirmed, introduced finding with a 3-CPU trace. */
export function confirmedFinding(over: Partial<Finding> = {}): Finding {
  return {
    fingerprint: 'fp-flush-1',
    rule: 'flush-under-ptl',
    severity: 'error',
    status: 'confirmed',
    introduced: true,
    fixed: false,
    path: 'mm/pgclean.c',
    line: 43,
    side: 'RIGHT',
    function: 'pgclean_pte_range',
    message: 'pgclean_pte_range() cleans a PTE and drops the PTL before flushing the TLB',
    suggestion: { text: 'flush the TLB before pte_unmap_unlock()', verdict: 'removes-violation' },
    patch: { id: 'git:abc', subject: 'mm/pgclean: flush the TLB after dropping the PTL', commit: 'a'.repeat(40) },
    related: [{ path: 'mm/pgclean.c', line: 42, side: 'RIGHT', message: 'the PTL is dropped here' }],
    simulation: {
      arch: 'x86',
      verdict: 'violation',
      invariant: 'no-lost-write',
      states: 812,
      transitions: 2210,
      ms: 4,
      trace: {
        threads: ['CPU0 (pgclean_pte_range)', 'CPU1 (user)', 'CPU2 (writeback)'],
        summary: 'A store through a stale writable TLB entry after the PTE was cleaned is lost.',
        steps: [
          { thread: 1, action: 'store to page (TLB fill, writable)' },
          { thread: 0, action: 'set_pte_at(mm, addr, pte, ptent)', note: 'PTE clean, TLB still writable', source: { line: 39, text: 'set_pte_at(mm, addr, pte, ptent);' } },
          { thread: 0, action: 'pte_unmap_unlock(start_pte, ptl)', source: { path: 'mm/pgclean.c', line: 42 } },
          { thread: 2, action: 'writeback page (clean)' },
          { thread: 1, action: 'store to page through stale TLB' },
          { thread: 2, action: 'reclaim drops clean page', violation: 'no-lost-write' },
        ],
      },
    },
    ...over,
  };
}

/** A report around some findings. */
export function reportOf(findings: Finding[], errors: Report['errors'] = []): Report {
  return {
    tool: 'mmreview',
    version: '0.1.0',
    findings,
    errors,
    stats: { inputs: 1, patches: 1, files: 1, functions: 2, candidates: findings.length, simulations: findings.length, ms: 5 },
  };
}

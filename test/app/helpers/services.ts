/**
 * Test doubles for the app's non-GitHub services where a test is about the GitHub channel only: an engine that
 * returns given findings for a head commit, and plain trace renderers. End-to-end tests use the real engine.
 */
import type { Finding, Report, Trace } from '../../../src/core/finding.ts';
import type { Patch } from '../../../src/core/patch.ts';
import { parseUnifiedDiff } from '../../../src/sources/index.ts';
import type { AppServices, CheckOptions } from '../../../src/app/engine-port.ts';

/** A readable CPU-column table (one column per thread). */
export function plainTable(t: Trace): string {
  const w = 34;
  const head = t.threads.map((x) => x.padEnd(w)).join(' | ');
  const rows = t.steps.map((s) => t.threads.map((_, i) => (i === s.thread ? s.action : '').padEnd(w)).join(' | '));
  return [head, '-'.repeat(head.length), ...rows].join('\n');
}

/** A Mermaid sequence diagram of the steps. */
export function plainMermaid(t: Trace): string {
  const ids = t.threads.map((_, i) => `T${i}`);
  return [
    'sequenceDiagram',
    ...t.threads.map((x, i) => `  participant ${ids[i]} as ${x}`),
    ...t.steps.map((s) => `  Note over ${ids[s.thread]}: ${s.action}`),
  ].join('\n');
}

/** A report with the given findings. */
export function reportOf(findings: Finding[]): Report {
  return {
    tool: 'mmreview',
    version: '0.1.0',
    findings,
    errors: [],
    stats: { inputs: 1, patches: 1, files: 1, functions: 2, candidates: findings.length, simulations: findings.length, ms: 5 },
  };
}

/** Services whose engine answers per head commit; records every call. */
export function channelServices(byCommit: Record<string, Finding[]>): AppServices & { calls: Array<{ patches: Patch[]; opts?: CheckOptions }> } {
  const calls: Array<{ patches: Patch[]; opts?: CheckOptions }> = [];
  return {
    calls,
    async checkPatches(patches, opts) {
      calls.push(opts ? { patches, opts } : { patches });
      return reportOf(byCommit[patches[0]?.commit ?? ''] ?? []);
    },
    renderers: { table: plainTable, mermaid: plainMermaid },
    parseDiff: parseUnifiedDiff,
  };
}

/** The trace of a lost write after a PTE clean with the flush after unlock. */
export const LOST_WRITE: Trace = {
  threads: ['CPU0 (clean_pte_range)', 'CPU1 (user)', 'CPU2 (writeback)'],
  steps: [
    { thread: 1, action: 'store (TLB: writable, dirty)' },
    { thread: 0, action: 'ptep_modify_prot_commit() -> clean', note: 'PTE clean, TLB still writable' },
    { thread: 0, action: 'pte_unmap_unlock()' },
    { thread: 2, action: 'write page to disk, drop clean page' },
    { thread: 1, action: 'store through stale TLB entry', violation: 'no-lost-write' },
    { thread: 0, action: 'flush_tlb_range()' },
  ],
  summary: 'a store through a stale writable TLB entry is lost when writeback drops the page as clean',
};

/** A finding as the engine would report it for the flush moved after pte_unmap_unlock(). */
export function flushFinding(over: Partial<Finding> = {}): Finding {
  return {
    fingerprint: 'flush-under-ptl:mm/mapping_clean.c:clean_pte_range:3f2a9c',
    rule: 'flush-under-ptl',
    severity: 'error',
    status: 'confirmed',
    introduced: true,
    fixed: false,
    path: 'mm/mapping_clean.c',
    line: 54,
    side: 'RIGHT',
    function: 'clean_pte_range',
    message: 'PTEs are cleaned under the PTL but the TLB is flushed only after pte_unmap_unlock().',
    suggestion: { text: 'flush the TLB before `pte_unmap_unlock()`', verdict: 'removes-violation' },
    patch: { id: 'p' },
    simulation: { arch: 'x86', verdict: 'violation', invariant: 'no-lost-write', states: 812, transitions: 2100, ms: 4, trace: LOST_WRITE },
    ...over,
  };
}

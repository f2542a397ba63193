// Terminal output: fixes as short notes, prose wrapped to the width, traces only where they belong.
import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../src/core/finding.ts';
import { renderTerminal } from '../../src/render/terminal.ts';
import { renderTable } from '../../src/sim/render-table.ts';

const trace = {
  threads: ['CPU0 (dirty_track_pte_range)', 'CPU1 (userspace)', 'CPU2 (page writeback)'],
  steps: [
    { thread: 1, action: 'cache PTE in TLB' },
    { thread: 0, action: 'ptep_modify_prot_commit()', note: 'PTE write-protected, CPU1 TLB still writable', source: { path: 'mm/x.c', line: 35 } },
    { thread: 0, action: 'pte_unmap_unlock()', source: { path: 'mm/x.c', line: 39 } },
    { thread: 2, action: 'page_mkclean_one()', note: '!pte_dirty && !pte_write && !mm_tlb_flush_pending: no flush' },
    { thread: 1, action: 'Write to page', note: 'using stale TLB entry' },
    { thread: 2, action: 'drop clean page', violation: 'no-lost-write' as const },
  ],
  summary: 'A user store was lost: the page was dropped as clean, or replaced, without it.',
};

function finding(over: Partial<Finding>): Finding {
  return {
    fingerprint: 'f',
    rule: 'flush-under-ptl',
    severity: 'error',
    status: 'confirmed',
    introduced: true,
    fixed: false,
    path: 'mm/x.c',
    line: 41,
    side: 'RIGHT',
    function: 'dirty_track_pte_range',
    message: 'ptep_modify_prot_commit() write-protects a PTE under the page-table lock, but pte_unmap_unlock() releases the lock before flush_tlb_range(): another CPU can keep using the stale TLB entry in between.',
    patch: { id: 'p' },
    simulation: { arch: 'x86', verdict: 'violation', invariant: 'no-lost-write', states: 10, transitions: 20, ms: 1, trace },
    suggestion: { text: 'flush the TLB entry (flush_tlb_page()) right after the PTE is changed, before its dirty bit is handed to the page and before the page-table lock is released', verdict: 'removes-violation' },
    ...over,
  };
}

function report(findings: Finding[]): Report {
  return { tool: 'mmreview', version: '0', findings, errors: [], stats: { inputs: 1, patches: 1, files: 1, functions: 1, candidates: 1, simulations: 1, ms: 1 } };
}

describe('renderTerminal', () => {
  it('keeps every line but quoted source footnotes within the width', () => {
    for (const width of [100, 80]) {
      const f = finding({});
      const text = renderTerminal(report([f]), { findings: [f], width, renderTrace: (t) => renderTable(t, { width: width - 4 }) });
      const long = text.split('\n').filter((l) => l.length > width && !/^\s+\[\d+\] /.test(l));
      expect(long, text).toEqual([]);
      expect(text.replace(/\s+/g, ' ')).toContain('[VIOLATION: no-lost-write]');
    }
  });

  it('prints a fix as a note of at most three lines, and its trace only when asked', () => {
    const f = finding({ introduced: false, fixed: true, suggestion: undefined });
    const note = renderTerminal(report([f]), { findings: [f], renderTrace: (t) => renderTable(t) });
    const block = note.split('\n').filter((l) => l.includes('fixes') || l.startsWith('    '));
    expect(block.length).toBeLessThanOrEqual(3);
    expect(block.map((l) => l.trim()).join(' ')).toMatch(/^mm\/x.c:41 dirty_track_pte_range\(\): fixes flush-under-ptl \(simulated on x86: no-lost-write before the patch, none after\)$/);
    expect(note.split('\n').length).toBeLessThanOrEqual(3);
    expect(note).not.toContain('VIOLATION');
    const explained = renderTerminal(report([f]), { findings: [f], explain: true, renderTrace: (t) => renderTable(t) });
    expect(explained).toContain('[VIOLATION: no-lost-write]');
  });
});

describe('renderTable column sizing', () => {
  it('sizes columns to their content and never splits a call from its source marker', () => {
    const narrow = renderTable(trace, { width: 80 });
    for (const l of narrow.split('\n').filter((x) => !/^\s+\[\d+\] /.test(x))) expect(l.length).toBeLessThanOrEqual(80);
    expect(narrow).toMatch(/ptep_modify_prot_commit\(\) \[1\]/);
    expect(narrow).toMatch(/pte_unmap_unlock\(\) \[2\]/);
    // a two-CPU trace with short items takes less than the full width
    const small = renderTable({ threads: ['CPU0 (a)', 'CPU1 (b)'], steps: [{ thread: 0, action: 'x()' }, { thread: 1, action: 'y()' }], summary: 's' }, { width: 100 });
    expect(Math.max(...small.split('\n').map((l) => l.length))).toBeLessThan(30);
  });
});

/**
 * Trace rendering: the CPU-column table (columns, merged rows, violation last, footnotes) and Mermaid.
 */
import { describe, expect, it } from 'vitest';
import { GROUND_TRUTH, renderMermaid, renderTable, simulate } from '../../src/sim/index.ts';
import type { Trace } from '../../src/core/finding.ts';

const trace: Trace = {
  threads: ['CPU0 (userspace)', 'CPU1 (clear_refs_write)'],
  steps: [
    { thread: 1, action: 'pte_wrprotect()', note: 'PTE write-protected, CPU0 TLB still writable', source: { path: 'fs/proc/task_mmu.c', line: 1100, text: 'ptent = pte_wrprotect(ptent);' } },
    { thread: 1, action: 'tlb_finish_mmu()' },
    { thread: 0, action: 'Write to page [using stale TLB entry]', violation: 'write-protect-holds' },
  ],
  summary: 'A store succeeded through an old mapping after the write-protecting call returned.',
};

describe('renderTable', () => {
  const out = renderTable(trace, { width: 72 });
  const lines = out.split('\n');
  it('has one column per CPU, with the role under the CPU name', () => {
    expect(lines[0]).toMatch(/^\s+CPU0\s+CPU1$/);
    expect(lines[1]).toMatch(/^\s+----\s+----$/);
    expect(lines[2]).toMatch(/userspace\s+clear_refs_write/);
    const col1 = lines[0]!.indexOf('CPU1');
    expect(lines.find((l) => l.includes('pte_wrprotect()'))!.indexOf('pte_wrprotect()')).toBe(col1);
  });
  it('merges consecutive steps of one CPU into one block and separates blocks by a blank line', () => {
    const a = lines.findIndex((l) => l.includes('pte_wrprotect()'));
    const b = lines.findIndex((l) => l.includes('tlb_finish_mmu()'));
    const c = lines.findIndex((l) => l.includes('Write to page'));
    expect(lines.slice(a, b).every((l) => l.trim() !== '')).toBe(true);
    expect(lines.slice(b, c).some((l) => l.trim() === '')).toBe(true);
  });
  it('puts bracketed notes under the action and the violation last, sources as footnotes', () => {
    expect(out).toMatch(/\[PTE write-protected, CPU0 TLB/);
    const viol = lines.findIndex((l) => l.includes('[VIOLATION: write-protect-holds]'));
    expect(viol).toBeGreaterThan(lines.findIndex((l) => l.includes('Write to page')));
    expect(out).toContain('pte_wrprotect() [1]');
    expect(out).toContain('[1] fs/proc/task_mmu.c:1100  ptent = pte_wrprotect(ptent);');
  });
  it('keeps every line within the width', () => {
    for (const l of lines.filter((x) => !x.includes('[1] '))) expect(l.length).toBeLessThanOrEqual(72);
  });
  it('renders every ground-truth violation with its invariant on the last block', () => {
    for (const g of GROUND_TRUTH.filter((x) => x.expect === 'violation')) {
      const r = simulate(g.scenario);
      const text = renderTable(r.trace!).replace(/\s+/g, ' ');
      const v = text.indexOf(`[VIOLATION: ${g.invariant}]`);
      expect(v).toBeGreaterThan(-1);
      // nothing but the summary (and footnotes) after the violation
      expect(text.slice(v + `[VIOLATION: ${g.invariant}]`.length).trim().startsWith(r.trace!.summary)).toBe(true);
    }
  });
});

describe('renderMermaid', () => {
  it('is a sequenceDiagram with one participant per CPU and the violation on the last note', () => {
    const m = renderMermaid(trace).trim().split('\n');
    expect(m[0]).toBe('sequenceDiagram');
    expect(m.filter((l) => l.includes('participant'))).toEqual(['  participant C0 as CPU0 (userspace)', '  participant C1 as CPU1 (clear_refs_write)']);
    expect(m.filter((l) => l.includes('Note over'))).toHaveLength(3);
    expect(m.at(-1)).toMatch(/^ {2}Note over C0: .*VIOLATION: write-protect-holds$/);
    expect(m.join('\n')).not.toMatch(/Note over C\d: .*;/);
  });
});

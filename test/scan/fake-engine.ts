/**
 * Test doubles for the engine and the table renderer, so the scan channel can be tested on constructed findings
 * while the real engine lands. The double flags a hunk that moves `flush_tlb*` below `pte_unmap_unlock` (post
 * image: introduced; pre image: fixed); it is structural, not tied to any fixture's text.
 */
import { createHash } from 'node:crypto';
import type { Finding, Report, Trace } from '../../src/core/finding.ts';
import type { Hunk, Patch } from '../../src/core/patch.ts';
import type { ScanDeps } from '../../src/scan/deps.ts';
import { defaultScanDeps } from '../../src/scan/default-deps.ts';

function flushAfterUnlock(h: Hunk, side: 'pre' | 'post'): { line: number; text: string } | undefined {
  const lines = h.lines.filter((l) => (side === 'pre' ? l.type !== 'add' : l.type !== 'del'));
  const unlock = lines.findIndex((l) => /pte_unmap_unlock\s*\(/.test(l.text));
  if (unlock < 0) return undefined;
  const flush = lines.slice(unlock + 1).find((l) => /\bflush_tlb_\w+\s*\(/.test(l.text));
  if (!flush) return undefined;
  const n = side === 'pre' ? flush.oldLine : flush.newLine;
  return n === undefined ? undefined : { line: n, text: flush.text.trim() };
}

export const FAKE_TRACE: Trace = {
  threads: ['CPU0 (kernel)', 'CPU1 (user)'],
  steps: [
    { thread: 0, action: 'pte_mkclean()', note: 'PTE clean, TLB still writable' },
    { thread: 0, action: 'pte_unmap_unlock()' },
    { thread: 1, action: 'write to page', violation: 'no-lost-write' },
  ],
  summary: 'A write through a stale writable TLB entry is lost.',
};

/** A engine double over the diff only (see file header). */
export async function fakeCheckPatches(patches: Patch[]): Promise<Report> {
  const findings: Finding[] = [];
  for (const p of patches) {
    for (const f of p.files) {
      for (const h of f.hunks) {
        const pre = flushAfterUnlock(h, 'pre');
        const post = flushAfterUnlock(h, 'post');
        const hit = post ?? pre;
        if (!hit) continue;
        const path = f.newPath ?? f.oldPath ?? '';
        // The function: a definition inside the hunk (a line at column 0 naming one), else the @@ context.
        const def = h.lines.map((l) => /^(?:static\s+)?(?:inline\s+)?[\w\s*]+?\b(\w+)\s*\(/.exec(l.text)?.[1]).find((x) => x !== undefined);
        const fn = def ?? /(\w+)\s*\(/.exec(h.header)?.[1] ?? 'unknown';
        findings.push({
          fingerprint: createHash('sha1').update(`flush-under-ptl|${path}|${h.lines.filter((l) => l.type !== 'del').map((l) => l.text.trim()).join('|')}`).digest('hex').slice(0, 16),
          rule: 'flush-under-ptl', severity: 'error', status: 'confirmed',
          introduced: post !== undefined && pre === undefined, fixed: pre !== undefined && post === undefined,
          path, line: hit.line, side: post ? 'RIGHT' : 'LEFT', function: fn,
          message: `TLB flush after pte_unmap_unlock(): ${hit.text}`,
          patch: { id: p.id, subject: p.subject, messageId: p.messageId },
          simulation: { arch: 'arm64-nodbm', verdict: 'violation', invariant: 'no-lost-write', states: 42, transitions: 77, ms: 1, trace: FAKE_TRACE },
          suggestion: { text: 'flush the TLB before pte_unmap_unlock()', verdict: 'removes-violation' },
        });
      }
    }
  }
  return { tool: 'mmreview', version: 'test', findings, errors: [], stats: { inputs: patches.length, patches: patches.length, files: 0, functions: 0, candidates: findings.length, simulations: findings.length, ms: 0 } };
}

/** A plain two-column table renderer double. */
export function fakeRenderTable(t: Trace): string {
  const w = 28;
  const rows = [t.threads.map((x) => x.padEnd(w)).join(' ')];
  for (const s of t.steps) rows.push(t.threads.map((_, i) => (i === s.thread ? s.action : '').padEnd(w)).join(' '));
  return rows.join('\n');
}

/** Real sources and policy, engine and renderer doubles. */
export function fakeDeps(over: Partial<ScanDeps> = {}): ScanDeps {
  return { ...defaultScanDeps(), checkPatches: fakeCheckPatches, renderTable: fakeRenderTable, ...over };
}

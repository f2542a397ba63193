// Candidate-level recall and false positives of the rules on the seeds and the labelled real-world corpus
// (read from ../shared when present; nothing is copied into the project). Zero candidates on clean cases and
// zero post-image candidates at a fix's labelled function are hard gates; recall is a ratchet.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { runRule } from '../../src/rule-tester/index.ts';
import { functionsOfPatchFile } from '../../src/rule-tester/load-functions.ts';
import type { Candidate } from '../../src/core/rule.ts';

import { CORPUS, SEEDS, corpusPresent, seedsPresent } from '../helpers/shared.ts';
import { expectRatchets } from '../helpers/ratchet.ts';

// Recorded floor (2026-12-07): labelled (case, function) pairs whose candidate the rules raise (bug: post image;
// fix: pre image and not post), of 44.
const FLOOR = { labelledFound: 30 };

interface Hit {
  fn: string;
  c: Candidate;
}

/** Every candidate of every rule over every changed function of a patch/mail file. */
async function candidatesOf(file: string): Promise<Hit[]> {
  const out: Hit[] = [];
  for (const { functions } of await functionsOfPatchFile(file)) {
    for (const fn of functions) for (const rule of RULES) for (const c of runRule(rule, fn, functions)) out.push({ fn: fn.name, c });
  }
  return out;
}

const has = (hits: Hit[], rule: string, side: 'pre' | 'post', fn?: string): boolean =>
  hits.some((h) => h.c.rule === rule && h.c.side === side && (fn === undefined || h.fn === fn));

describe.skipIf(!seedsPresent())('seeds', () => {
  const seed = (prefix: string): string => {
    const names = ['000_333ae3392d04b86d', '001_f45d45952489e74f', '002_148e1c4e2f4a1a9c', '003_5e573377754daf1f', '004_6a69d73b2e137619'];
    return join(SEEDS, `${names.find((n) => n.startsWith(prefix))}.txt`);
  };
  it('000: fault_in_user_writeable fixes a fault with get_user_pages (pre-image)', async () => {
    expect(has(await candidatesOf(seed('000')), 'fault-fixup', 'pre', 'fault_in_user_writeable')).toBe(true);
  });
  it('001: removing the invalidate bracket around set_pte_at_notify (post-image of each caller)', async () => {
    const hits = await candidatesOf(seed('001'));
    for (const fn of ['write_protect_page', 'do_wp_page', '__replace_page']) expect(has(hits, 'notifier-symmetry', 'post', fn), fn).toBe(true);
    expect(hits.filter((h) => h.c.rule !== 'notifier-symmetry')).toEqual([]);
  });
  it('002: apply_pt_clean / apply_pt_wrprotect change PTEs under the caller\'s PTL without a flush', async () => {
    const hits = await candidatesOf(seed('002'));
    for (const fn of ['apply_pt_clean', 'apply_pt_wrprotect']) expect(has(hits, 'flush-under-ptl', 'post', fn), fn).toBe(true);
  });
  it('003: continue after pte_unmap_unlock + wp_page_copy without re-locking', async () => {
    expect(has(await candidatesOf(seed('003')), 'uffd-lock-retake', 'post')).toBe(true);
  });
  it('004: clear_refs_write fullmm gather is a pre-image violation the patch fixes', async () => {
    const hits = await candidatesOf(seed('004'));
    expect(has(hits, 'fullmm-misuse', 'pre', 'clear_refs_write')).toBe(true);
    expect(has(hits, 'fullmm-misuse', 'post', 'clear_refs_write')).toBe(false);
  });
});

interface Label {
  id: string;
  file: string;
  kind: 'bug' | 'fix' | 'clean';
  rule: string | null;
  expected: Array<{ path: string; function: string }>;
}

describe.skipIf(!corpusPresent())('labelled corpus', () => {
  it('reports recall and false positives per rule', async () => {
    const labels = JSON.parse(readFileSync(join(CORPUS, 'labels.json'), 'utf8')) as Label[];
    const stats = new Map<string, { expected: number; found: number; fp: number }>();
    const stat = (r: string): { expected: number; found: number; fp: number } => {
      if (!stats.has(r)) stats.set(r, { expected: 0, found: 0, fp: 0 });
      return stats.get(r) as { expected: number; found: number; fp: number };
    };
    for (const r of RULES) stat(r.meta.id);
    const lines: string[] = [];
    for (const l of [...labels].sort((a, b) => a.id.localeCompare(b.id))) {
      const hits = await candidatesOf(join(CORPUS, l.file));
      if (l.kind === 'clean') {
        for (const h of hits) {
          stat(h.c.rule).fp++;
          lines.push(`FP ${l.id}: ${h.c.rule} ${h.c.side} ${h.fn} ${h.c.messageId}`);
        }
        continue;
      }
      const rule = l.rule as string;
      for (const e of l.expected) {
        stat(rule).expected++;
        const ok = l.kind === 'bug' ? has(hits, rule, 'post', e.function) : has(hits, rule, 'pre', e.function) && !has(hits, rule, 'post', e.function);
        if (ok) stat(rule).found++;
        lines.push(`${ok ? 'hit ' : 'miss'} ${l.id}: ${e.function}`);
      }
      for (const h of hits) {
        const labelled = h.c.rule === rule && l.expected.some((e) => e.function === h.fn);
        if (!labelled) lines.push(`  (unlabelled) ${l.id}: ${h.c.rule} ${h.c.side} ${h.fn} ${h.c.messageId}`);
        if (l.kind === 'fix' && h.c.rule === rule && h.c.side === 'post' && labelled) stat(rule).fp++;
      }
    }
    const table = [...stats.entries()].sort().map(([r, s]) => `${r.padEnd(18)} recall ${s.found}/${s.expected}  false positives ${s.fp}`);
    console.log(['corpus (candidate level):', ...table, ...lines].join('\n'));
    const total = [...stats.values()].reduce((a, s) => ({ expected: a.expected + s.expected, found: a.found + s.found, fp: a.fp + s.fp }), { expected: 0, found: 0, fp: 0 });
    expect(total.fp).toBe(0);
    expectRatchets('test/rules/corpus.test.ts', [{ name: `labelled functions with the rule's candidate (of ${total.expected})`, measured: total.found, floor: FLOOR.labelledFound }]);
  });
});

/**
 * The labelled real-kernel corpus (../shared/corpus, when present): every bug case must yield a confirmed finding
 * of its rule near the labelled function; fix and clean cases must yield no confirmed introduced finding. Prints
 * recall and false positives.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scoreCase } from './corpus-score.ts';
import type { CorpusLabel, CaseResult } from './corpus-score.ts';

const dir = join(import.meta.dirname, '../../../shared/corpus');
const present = existsSync(join(dir, 'labels.json'));
const labels: CorpusLabel[] = present ? JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) : [];
const results: CaseResult[] = [];

describe.skipIf(!present)('corpus', () => {
  it.each(labels.map((l) => [l.id, l] as const))('%s', async (_id, label) => {
    const r = await scoreCase(dir, label);
    results.push(r);
    const detail = JSON.stringify(r.findings.map((f) => [f.rule, f.function, f.status, f.introduced, f.fixed]));
    if (label.kind === 'bug') expect(r.hit, detail).toBe(true);
    else expect(r.falsePositives.map((f) => `${f.rule}:${f.function}`), detail).toEqual([]);
  });

  it('reports recall and false positives', () => {
    const bugs = results.filter((r) => r.kind === 'bug');
    const fixes = results.filter((r) => r.kind === 'fix');
    const fp = results.reduce((n, r) => n + r.falsePositives.length, 0);
    console.log(
      `corpus: recall ${bugs.filter((b) => b.hit).length}/${bugs.length} bug cases, ` +
        `${fixes.filter((f) => f.hit).length}/${fixes.length} fixes recognised, ${fp} false positives on ${results.length - bugs.length} fix/clean cases`,
    );
    expect(results.length).toBe(labels.length);
  });
});

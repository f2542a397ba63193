/**
 * Scores the engine over the labelled real-kernel corpus (../shared/corpus): recall on bug cases, recognised
 * fixes, and false positives (a confirmed introduced finding on a fix or clean case). Used by the corpus test
 * and by `npm run bench`.
 */
import { join } from 'node:path';
import type { Finding } from '../../src/core/finding.ts';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches, isReportable } from '../../src/engine/index.ts';

export interface CorpusLabel {
  id: string;
  file: string;
  kind: 'bug' | 'fix' | 'clean';
  rule: string | null;
  expected: Array<{ path: string; function: string }>;
}

export interface CaseResult {
  id: string;
  kind: CorpusLabel['kind'];
  rule: string | null;
  /** Bug: a confirmed introduced finding of the rule near a labelled function. Fix: a fixed note of the rule. */
  hit: boolean;
  /** Confirmed introduced findings on a fix or clean case. */
  falsePositives: Finding[];
  findings: Finding[];
  errors: number;
}

export interface CorpusScore {
  bugs: number;
  bugHit: number;
  fixes: number;
  fixSeen: number;
  falsePositives: number;
  cases: CaseResult[];
}

function nearLabel(f: Finding, l: CorpusLabel): boolean {
  return l.expected.some((e) => f.function === e.function || (f.path === e.path && l.expected.length === 1));
}

export async function scoreCase(corpusDir: string, l: CorpusLabel): Promise<CaseResult> {
  const read = await readInputs([join(corpusDir, l.file)]);
  const report = await checkPatches(read.patches);
  const findings = report.findings;
  let hit = false;
  if (l.kind === 'bug') hit = findings.some((f) => f.rule === l.rule && isReportable(f) && nearLabel(f, l));
  if (l.kind === 'fix') hit = findings.some((f) => f.rule === l.rule && f.fixed && f.status === 'confirmed');
  const falsePositives = l.kind === 'bug' ? [] : findings.filter(isReportable);
  return { id: l.id, kind: l.kind, rule: l.rule, hit, falsePositives, findings, errors: report.errors.length + read.problems.length };
}

export async function scoreCorpus(corpusDir: string, labels: CorpusLabel[]): Promise<CorpusScore> {
  const cases: CaseResult[] = [];
  for (const l of labels) cases.push(await scoreCase(corpusDir, l));
  return {
    bugs: cases.filter((c) => c.kind === 'bug').length,
    bugHit: cases.filter((c) => c.kind === 'bug' && c.hit).length,
    fixes: cases.filter((c) => c.kind === 'fix').length,
    fixSeen: cases.filter((c) => c.kind === 'fix' && c.hit).length,
    falsePositives: cases.reduce((n, c) => n + c.falsePositives.length, 0),
    cases,
  };
}

/**
 * Scores the engine over the labelled real-kernel corpus (../shared/corpus): bugs confirmed at the labelled
 * function, bugs left inconclusive there (with the reason), recognised fixes, and false positives (a reportable
 * finding — confirmed and introduced — on a fix or clean case). Used by the corpus test and by `npm run bench`.
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

/** What the engine made of one case, from the user's point of view. */
export type CaseOutcome = 'confirmed' | 'inconclusive' | 'refuted' | 'missed' | 'recognised' | 'quiet' | 'false-positive';

export interface CaseResult {
  id: string;
  kind: CorpusLabel['kind'];
  rule: string | null;
  /** Bug: a confirmed introduced finding of the rule at a labelled function. Fix: a fixed note of the rule. */
  hit: boolean;
  outcome: CaseOutcome;
  /** Reportable findings on a fix or clean case. */
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

/** The finding sits at a labelled function (same name; same file when the finding knows its file). */
function atLabel(f: Finding, l: CorpusLabel): boolean {
  return l.expected.some((e) => f.function === e.function && (f.path === e.path || f.path === '?' || f.path === ''));
}

function outcomeOf(l: CorpusLabel, findings: Finding[], hit: boolean, fps: Finding[]): CaseOutcome {
  if (l.kind === 'clean') return fps.length ? 'false-positive' : 'quiet';
  if (l.kind === 'fix') return fps.length ? 'false-positive' : hit ? 'recognised' : 'quiet';
  if (hit) return 'confirmed';
  const mine = findings.filter((f) => f.rule === l.rule && !f.fixed && atLabel(f, l));
  if (mine.some((f) => f.status === 'inconclusive' || f.status === 'unsimulated')) return 'inconclusive';
  if (mine.some((f) => f.status === 'refuted')) return 'refuted';
  return 'missed';
}

export async function scoreCase(corpusDir: string, l: CorpusLabel): Promise<CaseResult> {
  const read = await readInputs([join(corpusDir, l.file)]);
  const report = await checkPatches(read.patches);
  const findings = report.findings;
  let hit = false;
  if (l.kind === 'bug') hit = findings.some((f) => f.rule === l.rule && isReportable(f) && atLabel(f, l));
  if (l.kind === 'fix') hit = findings.some((f) => f.rule === l.rule && f.fixed && f.status === 'confirmed');
  const falsePositives = l.kind === 'bug' ? [] : findings.filter(isReportable);
  return {
    id: l.id,
    kind: l.kind,
    rule: l.rule,
    hit,
    outcome: outcomeOf(l, findings, hit, falsePositives),
    falsePositives,
    findings,
    errors: report.errors.length + read.problems.length,
  };
}

export async function scoreCorpus(corpusDir: string, labels: CorpusLabel[]): Promise<CorpusScore> {
  const cases: CaseResult[] = [];
  for (const l of labels) cases.push(await scoreCase(corpusDir, l));
  return summarise(cases);
}

export function summarise(cases: CaseResult[]): CorpusScore {
  return {
    bugs: cases.filter((c) => c.kind === 'bug').length,
    bugHit: cases.filter((c) => c.kind === 'bug' && c.hit).length,
    fixes: cases.filter((c) => c.kind === 'fix').length,
    fixSeen: cases.filter((c) => c.kind === 'fix' && c.hit).length,
    falsePositives: cases.reduce((n, c) => n + c.falsePositives.length, 0),
    cases,
  };
}

/** Outcome counts per kind and per rule, as printed by the corpus test and the bench. */
export function outcomeTable(cases: CaseResult[]): string[] {
  const rows = new Map<string, Map<CaseOutcome, number>>();
  const bump = (key: string, o: CaseOutcome): void => {
    const m = rows.get(key) ?? new Map<CaseOutcome, number>();
    m.set(o, (m.get(o) ?? 0) + 1);
    rows.set(key, m);
  };
  for (const c of cases) {
    bump(c.kind, c.outcome);
    if (c.rule) bump(`${c.kind} ${c.rule}`, c.outcome);
  }
  return [...rows.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, m]) => {
      const total = [...m.values()].reduce((a, b) => a + b, 0);
      const parts = [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([o, n]) => `${o} ${n}`);
      return `  ${key.padEnd(28)} ${String(total).padStart(3)}: ${parts.join(', ')}`;
    });
}

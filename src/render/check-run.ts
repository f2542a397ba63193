/** Pure renderer of the `mmreview` check run: conclusion, title, summary listing every finding, annotations. */
import type { Finding, Report, RunError } from '../core/finding.ts';

/** The GitHub check-run annotation shape (REST `output.annotations[]`). */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
  raw_details?: string;
}

export type CheckConclusion = 'success' | 'failure' | 'neutral';

/** What the completed check run says. */
export interface CheckRunView {
  conclusion: CheckConclusion;
  title: string;
  summary: string;
  annotations: CheckAnnotation[];
}

/** GitHub's limits: `output.summary` ≤ 65535 characters, `raw_details` ≤ 64 KB, 50 annotations per request. */
export const SUMMARY_LIMIT = 65_000;
export const ANNOTATIONS_PER_REQUEST = 50;

/** Default failure policy: a confirmed finding this patch introduces. */
export function failsCheck(f: Finding): boolean {
  return f.status === 'confirmed' && f.introduced;
}

function where(f: Finding): string {
  return `\`${f.path}:${f.line}\`${f.side === 'LEFT' ? ' (old file)' : ''} in \`${f.function}()\``;
}

function item(f: Finding): string {
  const sim = f.simulation;
  const how =
    f.status === 'confirmed' && sim
      ? `confirmed on ${sim.arch}${sim.invariant ? `, violates ${sim.invariant}` : ''}`
      : f.status === 'inconclusive'
        ? `inconclusive${f.dependsOn ? ` (${f.dependsOn})` : sim?.bound ? ` (${sim.bound})` : ''}`
        : f.status === 'refuted'
          ? 'refuted by simulation'
          : `not simulated${sim?.note ? ` (${sim.note})` : ''}`;
  return `- **${f.rule}** ${where(f)}: ${oneLine(f.message)} _(${how})_`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Stable order: path, line, rule, fingerprint. */
export function sortFindings(fs: readonly Finding[]): Finding[] {
  return [...fs].sort(
    (a, b) =>
      cmp(a.path, b.path) || a.line - b.line || cmp(a.rule, b.rule) || cmp(a.fingerprint, b.fingerprint),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function plural(n: number, w: string): string {
  return `${n} ${w}${n === 1 ? '' : 's'}`;
}

/** Extra facts for the summary. */
export interface CheckRunContext {
  headSha: string;
  /** Files analysed / skipped (with reason) — listed at the end of the summary. */
  analysed: string[];
  skipped: Array<{ path: string; reason: string }>;
}

/**
 * Render the completed check run for a report; no report or nothing analysed gives a neutral run. Annotations are
 * limited to the analysed files (GitHub refuses paths outside the commit); the summary lists every finding.
 */
export function renderCheckRun(report: Report | undefined, ctx: CheckRunContext): CheckRunView {
  if (!report || ctx.analysed.length === 0) {
    const summary = [
      'No file of this pull request is in mmreview\'s scope (mm/ code, or code using page-table, TLB, MMU-notifier or userfaultfd APIs).',
      ...skippedSection(ctx),
    ].join('\n');
    return { conclusion: 'neutral', title: 'Nothing to review', summary: clip(summary), annotations: [] };
  }
  const fs = sortFindings(report.findings);
  const analysed = new Set(ctx.analysed);
  const failing = fs.filter(failsCheck);
  const introducedOther = fs.filter((f) => f.introduced && !failsCheck(f));
  const fixed = fs.filter((f) => f.fixed);
  const pre = fs.filter((f) => !f.introduced && !f.fixed);

  const title =
    failing.length > 0
      ? `${plural(failing.length, 'confirmed issue')} introduced`
      : fixed.length > 0
        ? `No issue introduced; this patch fixes ${plural(fixed.length, 'known hazard')}`
        : 'No confirmed issue introduced';

  const s: string[] = [];
  if (failing.length) s.push('### Confirmed issues introduced by this patch', ...failing.map(item), '');
  if (fixed.length) {
    s.push('### Fixed by this patch');
    for (const f of fixed) s.push(`- This patch fixes **${f.rule}** in \`${f.function}()\` (\`${f.path}\`): ${oneLine(f.message)}`);
    s.push('');
  }
  if (introducedOther.length) s.push('### Introduced, not confirmed', ...introducedOther.map(item), '');
  if (pre.length) s.push('### Pre-existing (not introduced by this patch)', ...pre.map(item), '');
  if (fs.length === 0) s.push('No finding.', '');
  if (report.errors.length) s.push('### Problems', ...report.errors.map(errorItem), '');
  const st = report.stats;
  s.push(
    `Analysed ${plural(ctx.analysed.length, 'file')}, ${plural(st.functions, 'function')}, ` +
      `${plural(st.candidates, 'candidate')}, ${plural(st.simulations, 'simulation')} at ${ctx.headSha.slice(0, 12)}.`,
  );
  s.push(...skippedSection(ctx));

  return {
    conclusion: failing.length > 0 ? 'failure' : 'success',
    title,
    summary: clip(s.join('\n')),
    annotations: annotationsFor(fs.filter((f) => analysed.has(f.path))),
  };
}

function errorItem(e: RunError): string {
  return `- ${e.code} ${e.input}${e.line ? `:${e.line}` : ''}: ${oneLine(e.message)}`;
}

function skippedSection(ctx: CheckRunContext): string[] {
  if (ctx.skipped.length === 0) return [];
  return [
    '',
    '<details><summary>Files not analysed</summary>',
    '',
    ...ctx.skipped.map((x) => `- \`${x.path}\`: ${x.reason}`),
    '',
    '</details>',
  ];
}

function clip(s: string): string {
  return s.length <= SUMMARY_LIMIT ? s : `${s.slice(0, SUMMARY_LIMIT - 40)}\n\n… (summary truncated)`;
}

/** Annotations for findings on new-file lines; refuted findings and old-file (fixed) locations stay in the summary. */
export function annotationsFor(findings: readonly Finding[]): CheckAnnotation[] {
  const out: CheckAnnotation[] = [];
  for (const f of sortFindings(findings)) {
    if (f.side !== 'RIGHT' || f.status === 'refuted' || f.fixed || f.line < 1) continue;
    const level = failsCheck(f) ? 'failure' : f.introduced ? 'warning' : 'notice';
    const a: CheckAnnotation = {
      path: f.path,
      start_line: f.line,
      end_line: f.line,
      annotation_level: level,
      title: `${f.rule}${f.introduced ? '' : ' (pre-existing)'}`,
      message: oneLine(f.message).slice(0, 4000),
    };
    const trace = f.simulation?.trace;
    if (trace) a.raw_details = trace.summary.slice(0, 60_000);
    out.push(a);
  }
  return out;
}

/** Split annotations into batches of at most `size` (GitHub accepts 50 per request). */
export function batchAnnotations<T>(annotations: readonly T[], size = ANNOTATIONS_PER_REQUEST): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < annotations.length; i += size) out.push(annotations.slice(i, i + size));
  return out;
}

/** The check run shown for a configuration that does not validate. */
export function renderConfigFailure(issues: Array<{ key: string; message: string }>, file: string): CheckRunView {
  const summary = [
    `\`${file}\` is not valid; nothing was analysed. Fix these keys:`,
    '',
    ...issues.map((i) => `- \`${i.key}\`: ${i.message}`),
  ].join('\n');
  return {
    conclusion: 'failure',
    title: `Bad configuration: ${issues.map((i) => i.key).join(', ')}`.slice(0, 200),
    summary: clip(summary),
    annotations: [],
  };
}

// Pure renderer for b4's external check protocol (`b4.review-perpatch-check-cmd`): a JSON array of check results.
import type { Finding, Report, Trace } from '../core/finding.ts';
import { findingHeading, findingWhere } from './where.ts';
import { severityOf } from '../core/errors.ts';

/** One check result as b4 reads it (b4 docs: "CI check integration"); `status` is one of pass | warn | fail. */
export interface B4CheckResult {
  tool: string;
  status: 'pass' | 'warn' | 'fail';
  summary: string;
  url?: string;
  details: string;
}

/** Options for {@link renderB4}. */
export interface B4Options {
  /** Column name in b4's results matrix (default `mmreview`). */
  tool?: string;
  /** Link b4 offers the maintainer (e.g. the rules documentation); only absolute URLs are emitted. */
  url?: string;
  /** Renders a trace as the CPU-column table; without it each step is listed on its own line. */
  renderTrace?: (t: Trace) => string;
  /** Which findings fail the check (default: confirmed and introduced by the patch). */
  isReportable?: (f: Finding) => boolean;
}

const defaultReportable = (f: Finding): boolean => f.status === 'confirmed' && f.introduced;

function listTrace(t: Trace): string {
  return t.steps
    .map((s) => {
      const who = t.threads[s.thread] ?? `CPU${s.thread}`;
      const note = s.note ? `  [ ${s.note} ]` : '';
      const v = s.violation ? `  <-- ${s.violation}` : '';
      return `  ${who}: ${s.action}${note}${v}`;
    })
    .join('\n');
}

function block(f: Finding, label: string, opts: B4Options): string {
  const head = `${label} ${f.rule}: ${findingHeading(f)}: ${f.message}`;
  const lines = [head];
  const sim = f.simulation;
  if (sim) {
    const inv = sim.invariant ? `, violates ${sim.invariant}` : '';
    lines.push(`  simulated on ${sim.arch}: ${sim.verdict}${inv} (${sim.states} states)`);
  } else {
    lines.push(`  status: ${f.status}`);
  }
  if (sim?.trace && sim.trace.steps.length > 0) {
    lines.push('', opts.renderTrace ? opts.renderTrace(sim.trace) : listTrace(sim.trace));
  }
  if (f.dependsOn) lines.push(`  ${f.dependsOn}`);
  if (f.suggestion) lines.push('', `  suggested fix: ${f.suggestion.text}${f.suggestion.verdict ? ` (${f.suggestion.verdict})` : ''}`);
  return lines.join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function order(a: Finding, b: Finding): number {
  return a.path.localeCompare(b.path) || a.line - b.line || a.rule.localeCompare(b.rule) || a.fingerprint.localeCompare(b.fingerprint);
}

/**
 * Renders one report (one patch b4 piped to us) as b4 check results: a single result for the `mmreview` column whose
 * status is `fail` when a finding is reportable (confirmed and introduced), `warn` for other confirmed findings, for
 * undecided introduced findings and for input errors, and `pass` otherwise (fixed hazards are named in the summary).
 */
export function renderB4(report: Report, opts: B4Options = {}): B4CheckResult[] {
  const reportable = opts.isReportable ?? defaultReportable;
  const fs = [...report.findings].sort(order);
  const failing = fs.filter(reportable);
  const undecided = fs.filter((f) => !reportable(f) && f.introduced && (f.status === 'inconclusive' || f.status === 'unsimulated'));
  const preexisting = fs.filter((f) => !reportable(f) && !f.introduced && !f.fixed && f.status === 'confirmed');
  const tolerated = fs.filter((f) => !reportable(f) && f.introduced && f.status === 'confirmed');
  const fixed = fs.filter((f) => f.fixed && f.status !== 'refuted');

  // Notes (which tree base a patch was read against) are listed, but they are no input problem.
  const problems = report.errors.filter((e) => severityOf(e.code) !== 'note');
  const status: B4CheckResult['status'] =
    failing.length > 0 ? 'fail' : undecided.length + preexisting.length + tolerated.length + problems.length > 0 ? 'warn' : 'pass';
  const parts: string[] = [];
  if (failing.length) parts.push(`${plural(failing.length, 'confirmed race')} introduced (${[...new Set(failing.map((f) => f.rule))].join(', ')})`);
  if (undecided.length) parts.push(`${plural(undecided.length, 'undecided candidate')}`);
  if (tolerated.length) parts.push(`${plural(tolerated.length, 'confirmed hazard')} below the failing policy`);
  if (preexisting.length) parts.push(`${plural(preexisting.length, 'pre-existing hazard')}`);
  if (fixed.length) parts.push(`fixes ${plural(fixed.length, 'hazard')} (${[...new Set(fixed.map((f) => f.rule))].join(', ')})`);
  if (problems.length) parts.push(plural(problems.length, 'input problem'));
  const summary = parts.length > 0 ? parts.join('; ') : `no hazards found (${plural(report.stats.functions, 'function')} checked)`;

  const sections: string[] = [];
  for (const f of failing) sections.push(block(f, 'FAIL', opts));
  for (const f of undecided) sections.push(block(f, 'UNDECIDED', opts));
  for (const f of tolerated) sections.push(block(f, 'CONFIRMED', opts));
  for (const f of preexisting) sections.push(block(f, 'PRE-EXISTING', opts));
  for (const f of fixed) sections.push(`FIXED ${f.rule}: ${findingHeading(f)}: ${f.message}`);
  for (const e of report.errors) sections.push(`${e.code}: ${e.message} (${e.input}${e.line !== undefined ? `:${e.line}` : ''})`);

  const result: B4CheckResult = { tool: opts.tool ?? 'mmreview', status, summary, details: sections.join('\n\n') };
  if (opts.url && /^https?:\/\//.test(opts.url)) result.url = opts.url;
  return [result];
}

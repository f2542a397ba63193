/**
 * Terminal rendering of a check report: one block per finding (location, rule, verdict, message, the CPU-column
 * interleaving, the suggested fix and its own verdict), then errors and a one-line summary. Pure.
 */
import type { Finding, Report } from '../core/finding.ts';

export interface TerminalOptions {
  /** ANSI colours (callers pass `process.stdout.isTTY`). */
  color?: boolean;
  /** Renders a trace as the CPU table (src/sim's renderTable). */
  renderTrace: (trace: NonNullable<NonNullable<Finding['simulation']>['trace']>) => string;
  /** Heading per report (e.g. commit sha + subject for --git). */
  heading?: string;
  /** Findings to show (already filtered by the caller's policy). */
  findings: readonly Finding[];
}

const ANSI = { red: '\x1b[31m', yellow: '\x1b[33m', green: '\x1b[32m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };

function paint(on: boolean, code: keyof typeof ANSI, s: string): string {
  return on ? `${ANSI[code]}${s}${ANSI.reset}` : s;
}

function indent(text: string, pad: string): string {
  return text
    .split('\n')
    .map((l) => (l.length > 0 ? pad + l : l))
    .join('\n');
}

/** How a finding relates to the patch, in words. */
export function classification(f: Finding): string {
  if (f.fixed) return 'fixed by this patch';
  if (f.introduced) return 'introduced by this patch';
  return 'pre-existing';
}

function block(f: Finding, o: TerminalOptions): string {
  const c = o.color === true;
  const where = `${f.path}:${f.line > 0 ? f.line : '?'}`;
  const tag = f.fixed ? paint(c, 'green', 'fixed') : f.status === 'confirmed' ? paint(c, 'red', 'confirmed') : paint(c, 'yellow', f.status);
  const lines = [`${paint(c, 'bold', where)} ${f.function}(): ${tag} ${f.rule} (${classification(f)})`, `  ${f.message}`];
  const sim = f.simulation;
  if (sim) {
    const inv = sim.invariant ? ` — violates ${sim.invariant}` : '';
    const bound = sim.bound ? ` (bound: ${sim.bound})` : '';
    lines.push(paint(c, 'dim', `  simulated on ${sim.arch}: ${sim.verdict}${inv}; ${sim.states} states, ${sim.ms} ms${bound}`));
    if (sim.note) lines.push(paint(c, 'yellow', `  ${f.status === 'inconclusive' ? 'inconclusive: ' : ''}${sim.note}`));
    if (sim.trace && sim.trace.steps.length > 0) {
      lines.push('', indent(o.renderTrace(sim.trace), '    '));
    }
  } else if (f.status === 'unsimulated') {
    lines.push(paint(c, 'dim', '  not simulated'));
  }
  if (f.suggestion) {
    const v = f.suggestion.verdict === 'removes-violation' ? 'simulated: removes the violation' : f.suggestion.verdict === 'still-violates' ? 'simulated: still violates' : 'not simulated';
    lines.push('', `  suggested fix: ${f.suggestion.text} (${v})`);
  }
  for (const r of f.related ?? []) lines.push(paint(c, 'dim', `  ${r.path}:${r.line}: ${r.message}`));
  return lines.join('\n');
}

export function renderTerminal(report: Report, o: TerminalOptions): string {
  const out: string[] = [];
  if (o.heading) out.push(paint(o.color === true, 'bold', o.heading));
  for (const f of o.findings) out.push(block(f, o), '');
  for (const e of report.errors) out.push(`${paint(o.color === true, 'yellow', 'warning')}: ${e.input}${e.line ? `:${e.line}` : ''}: ${e.message} [${e.code}]`);
  const confirmed = report.findings.filter((f) => f.status === 'confirmed' && f.introduced).length;
  const fixed = report.findings.filter((f) => f.fixed).length;
  const hidden = report.findings.length - o.findings.length;
  const s = report.stats;
  out.push(
    `${s.patches} patch${s.patches === 1 ? '' : 'es'}, ${s.functions} changed function${s.functions === 1 ? '' : 's'}, ${s.candidates} candidate${s.candidates === 1 ? '' : 's'}, ${s.simulations} simulation${s.simulations === 1 ? '' : 's'}: ` +
      `${confirmed} confirmed introduced, ${fixed} fixed${hidden > 0 ? `, ${hidden} more with --all` : ''} (${s.ms} ms)`,
  );
  return out.join('\n');
}

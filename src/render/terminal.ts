/**
 * Terminal rendering of a check report: one block per finding (location, rule, verdict, message, the CPU-column
 * interleaving, the suggested fix and its own verdict), then errors and a one-line summary. A fix the patch makes is
 * a short note (its before/after simulation in one line); its trace is shown only with `explain`. Prose is wrapped
 * to the terminal width; code quoted verbatim (footnotes) is not. Pure.
 */
import type { Finding, Report } from '../core/finding.ts';
import { wrap } from '../sim/render-table.ts';
import { findingHeading, findingWhere } from './where.ts';
import { BASE_NOTE_CODES, severityOf } from '../core/errors.ts';

export interface TerminalOptions {
  /** ANSI colours (callers pass `process.stdout.isTTY`). */
  color?: boolean;
  /** Renders a trace as the CPU table (src/sim's renderTable). */
  renderTrace: (trace: NonNullable<NonNullable<Finding['simulation']>['trace']>) => string;
  /** Heading per report (e.g. commit sha + subject for --git). */
  heading?: string;
  /** Findings to show (already filtered by the caller's policy). */
  findings: readonly Finding[];
  /** Line width for prose and tables (default 100). */
  width?: number;
  /** Show the full trace of fixes too (default: a one- to three-line note). */
  explain?: boolean;
  /**
   * Only what needs attention (hooks): findings in full and fix notes; no notes about the base a patch was read
   * against, and no summary line unless something was found.
   */
  brief?: boolean;
}

/** Wrap prose to `width`, every line indented by `pad`. */
function prose(text: string, pad: string, width: number): string[] {
  return wrap(text, Math.max(20, width - pad.length)).map((l) => pad + l);
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

/** A fix as a note: where, which rule, and the before/after simulation, in one line (wrapped to at most three). */
function fixNote(f: Finding, o: TerminalOptions, width: number): string {
  const c = o.color === true;
  const where = findingWhere(f);
  const sim = f.simulation;
  const how = sim ? `simulated on ${sim.arch}: ${sim.invariant ?? 'a violation'} before the patch, none after` : 'simulated before and after';
  // `how` names the invariant the pre-image violated; the post-image's refutation is what made it a fix.
  const text = wrap(`${findingHeading(f)}: fixes ${f.rule} (${how})`, width).slice(0, 3);
  text[0] = text[0]!.replace(where, paint(c, 'bold', where)).replace(': fixes ', `: ${paint(c, 'green', 'fixes')} `);
  return text.map((l, k) => (k === 0 ? l : `    ${l}`)).join('\n');
}

function block(f: Finding, o: TerminalOptions): string {
  const width = o.width ?? 100;
  if (f.fixed && !o.explain) return fixNote(f, o, width);
  const c = o.color === true;
  const where = findingWhere(f);
  const tag = f.fixed ? paint(c, 'green', 'fixed') : f.status === 'confirmed' ? paint(c, 'red', 'confirmed') : paint(c, 'yellow', f.status);
  const head = wrap(`${findingHeading(f)}: ${f.status === 'confirmed' && !f.fixed ? 'confirmed' : f.fixed ? 'fixed' : f.status} ${f.rule} (${classification(f)})`, width);
  // colour only the location and the verdict; a long heading continues on an indented line
  const first = head[0]!.replace(where, paint(c, 'bold', where)).replace(/\): (confirmed|fixed|\w+) /, (_m, v: string) => `): ${v === 'confirmed' || v === 'fixed' ? tag : paint(c, 'yellow', v)} `);
  const rest = head.slice(1).join(' ');
  const lines = [first, ...(rest ? prose(rest, '    ', width) : []), ...prose(f.message, '  ', width)];
  const sim = f.simulation;
  if (sim) {
    const inv = sim.invariant ? ` — violates ${sim.invariant}` : '';
    const bound = sim.bound ? ` (bound: ${sim.bound})` : '';
    for (const l of prose(`simulated on ${sim.arch}: ${sim.verdict}${inv}; ${sim.states} states, ${sim.ms} ms${bound}`, '  ', width)) lines.push(paint(c, 'dim', l));
    // The reason a verdict rests on unseen context, unless the dependsOn line below already says it.
    if (sim.note && sim.note !== f.dependsOn) {
      for (const l of prose(`${f.status === 'inconclusive' ? 'inconclusive: ' : ''}${sim.note}`, '  ', width)) lines.push(paint(c, 'yellow', l));
    }
    if (sim.trace && sim.trace.steps.length > 0) {
      lines.push('', indent(o.renderTrace(sim.trace), '    '));
    }
  } else if (f.status === 'unsimulated') {
    lines.push(paint(c, 'dim', '  not simulated'));
  }
  if (f.suggestion) {
    const v = f.suggestion.verdict === 'removes-violation' ? 'simulated: removes the violation' : f.suggestion.verdict === 'still-violates' ? 'simulated: still violates' : 'not simulated';
    lines.push('', ...prose(`suggested fix: ${f.suggestion.text} (${v})`, '  ', width));
  }
  if (f.dependsOn) for (const l of prose(f.dependsOn, '  ', width)) lines.push(paint(c, 'yellow', l));
  for (const n of f.notes ?? []) for (const l of prose(`note: ${n}`, '  ', width)) lines.push(paint(c, 'dim', l));
  for (const b of f.budgets ?? []) for (const l of prose(`partially analysed: ${b}`, '  ', width)) lines.push(paint(c, 'dim', l));
  for (const r of f.related ?? []) for (const l of prose(`${r.path ? `${r.path}:${r.line}` : `line ${r.line}`}: ${r.message}`, '  ', width)) lines.push(paint(c, 'dim', l));
  return lines.join('\n');
}

export function renderTerminal(report: Report, o: TerminalOptions): string {
  const out: string[] = [];
  if (o.heading && !(o.brief && o.findings.length === 0)) out.push(paint(o.color === true, 'bold', o.heading));
  // Full findings are separated by a blank line; fix notes (without `explain`) are one line each.
  for (const f of o.findings) {
    if (f.fixed && !o.explain) out.push(block(f, o));
    else out.push(block(f, o), '');
  }
  // Notes (which tree base a patch was read against) are not warnings; --brief leaves out the tree-base lines.
  for (const e of report.errors) {
    if (o.brief && BASE_NOTE_CODES.has(e.code)) continue;
    const note = severityOf(e.code) === 'note';
    const tag = note ? 'note' : paint(o.color === true, 'yellow', 'warning');
    const pad = note ? '      ' : '         ';
    const [first, ...rest] = wrap(`${e.input}${e.line ? `:${e.line}` : ''}: ${e.message} [${e.code}]`, Math.max(20, (o.width ?? 100) - pad.length));
    out.push(`${tag}: ${first}`, ...rest.map((l) => `${pad}${l}`));
  }
  const confirmed = report.findings.filter((f) => f.status === 'confirmed' && f.introduced).length;
  const fixed = report.findings.filter((f) => f.fixed).length;
  const hidden = report.findings.length - o.findings.length;
  const s = report.stats;
  const summary =
    `${s.patches} patch${s.patches === 1 ? '' : 'es'}, ${s.functions} changed function${s.functions === 1 ? '' : 's'}, ${s.candidates} candidate${s.candidates === 1 ? '' : 's'}, ${s.simulations} simulation${s.simulations === 1 ? '' : 's'}: ` +
    `${confirmed} confirmed introduced, ${fixed} fixed${hidden > 0 ? `, ${hidden} more with --all` : ''} (${s.ms} ms)`;
  if (!o.brief || o.findings.some((f) => !f.fixed)) out.push(...prose(summary, '', o.width ?? 100));
  return out.join('\n');
}

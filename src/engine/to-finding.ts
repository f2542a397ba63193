/**
 * Turns a simulated candidate into the data-only Finding every channel renders.
 */
import type { FunctionView } from '../core/events.ts';
import type { Finding, Trace } from '../core/finding.ts';
import type { Patch } from '../core/patch.ts';
import type { Candidate } from '../core/rule.ts';
import { ruleById } from '../../rules/index.ts';
import type { Confirmation } from './confirm.ts';
import { fingerprint } from './fingerprint.ts';

export interface FindingInput {
  patch: Patch;
  fn: FunctionView;
  candidate: Candidate;
  confirmation: Confirmation;
  introduced: boolean;
  fixed: boolean;
  suggestion?: 'removes-violation' | 'still-violates' | 'not-simulated';
  /** Other candidates of the same function, side, rule and hazard: listed as related lines. */
  others?: readonly Candidate[];
  /** Bounds hit for this finding. */
  budgets?: readonly string[];
  /** Notes from classification. */
  notes?: readonly string[];
}

/** The message shown for a fixed hazard: it credits the patch, it never complains. */
function fixedMessage(c: Candidate): string {
  return `This patch fixes a ${c.rule} hazard present before it: ${c.message}`;
}

/** Keep only the CPUs that took a step in the interleaving (idle adversaries are noise in a review). */
export function compactTrace(trace: Trace): Trace {
  const used = [...new Set(trace.steps.map((s) => s.thread))].sort((a, b) => a - b);
  if (used.length === trace.threads.length) return trace;
  const index = new Map(used.map((t, i) => [t, i] as const));
  return {
    ...trace,
    threads: used.map((t, i) => (trace.threads[t] ?? `CPU${t}`).replace(/^CPU\d+/, `CPU${i}`)),
    steps: trace.steps.map((s) => ({ ...s, thread: index.get(s.thread) ?? s.thread })),
  };
}

export function toFinding(x: FindingInput): Finding {
  const { candidate: c, fn, confirmation: conf } = x;
  const side: Finding['side'] = c.side === 'post' ? 'RIGHT' : 'LEFT';
  const rule = ruleById(c.rule);
  const sim = conf.simulation?.trace ? { ...conf.simulation, trace: compactTrace(conf.simulation.trace) } : conf.simulation;
  const roles = sim?.trace?.threads.map((t) => t.replace(/^CPU\d+\s*/, '')).sort().join(',') ?? '';
  const fp = fingerprint({
    rule: c.rule,
    path: fn.path,
    fn: fn.name,
    code: c.anchor.text,
    hazard: c.hazard.kind,
    signature: `${x.fixed ? 'fixed' : 'open'}|${sim?.invariant ?? conf.status}|${roles}`,
  });
  // A fragment whose file the diff did not name is located in the message that holds it, never at "?".
  const unknownPath = fn.path === '?' || fn.path === '';
  const finding: Finding = {
    fingerprint: fp,
    rule: c.rule,
    severity: x.fixed ? 'info' : (rule?.meta.severity ?? 'error'),
    status: conf.status,
    introduced: x.introduced,
    fixed: x.fixed,
    path: unknownPath ? '' : fn.path,
    ...(unknownPath
      ? {
          location: {
            input: x.patch.source.name,
            ...(x.patch.messageId ? { messageId: x.patch.messageId } : {}),
            ...(c.anchor.loc.inputLine ? { line: c.anchor.loc.inputLine } : {}),
          },
        }
      : {}),
    line: c.anchor.loc.fileLine ?? 0,
    side,
    function: fn.name === '?' ? '' : fn.name,
    message: x.fixed ? fixedMessage(c) : c.message,
    ...(c.anchor.loc.inputLine ? { inputLine: c.anchor.loc.inputLine } : {}),
    patch: {
      id: x.patch.id,
      ...(x.patch.subject ? { subject: x.patch.subject } : {}),
      ...(x.patch.messageId ? { messageId: x.patch.messageId } : {}),
      ...(x.patch.commit ? { commit: x.patch.commit } : {}),
    },
    ...(sim ? { simulation: sim } : {}),
  };
  const notes = [...(x.notes ?? [])];
  // A suggested fix is shown only when its simulation removed the violation (under every completion of unseen code).
  if (c.suggestion && !x.fixed && conf.status === 'confirmed') {
    if (x.suggestion === 'removes-violation') finding.suggestion = { text: c.suggestion.text, verdict: 'removes-violation' };
    else notes.push(`no mechanical fix was found (the rewrite "${c.suggestion.text}" ${x.suggestion === 'still-violates' ? 'still violates in simulation' : 'could not be simulated to the end'})`);
  }
  if (conf.dependsOn) finding.dependsOn = conf.dependsOn;
  if (conf.assumes && conf.assumes.length > 0) notes.push(`assumed about unseen code: ${conf.assumes.join('; ')}`);
  if (notes.length > 0) finding.notes = notes;
  if (x.budgets && x.budgets.length > 0) finding.budgets = [...x.budgets];
  const related = c.related
    .filter((r) => r.event.loc.fileLine !== undefined)
    .map((r) => ({ path: unknownPath ? '' : fn.path, line: r.event.loc.fileLine as number, side, message: r.message }));
  const lines = new Set([finding.line, ...related.map((r) => r.line)]);
  let more = 0;
  for (const o of x.others ?? []) {
    const line = o.anchor.loc.fileLine;
    if (line === undefined || lines.has(line)) continue;
    lines.add(line);
    if (more > 0 || related.length >= MAX_RELATED) {
      more++;
      continue;
    }
    related.push({ path: unknownPath ? '' : fn.path, line, side, message: `the same ${c.hazard.kind} hazard on another path (${o.anchor.callee})` });
  }
  if (more > 0) {
    finding.notes = [...(finding.notes ?? []), `the same hazard on ${more} more path${more === 1 ? '' : 's'} of ${fn.name}() (not listed)`];
  }
  if (related.length > 0) finding.related = related;
  return finding;
}

/** Related lines listed per finding; further paths with the same hazard are counted in a note. */
export const MAX_RELATED = 10;

const STATUS_RANK = { confirmed: 0, inconclusive: 1, refuted: 2, unsimulated: 3 } as const;

/** Deterministic order: confirmed first, then by path, line, rule, fingerprint. */
export function findingOrder(a: Finding, b: Finding): number {
  return (
    STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
    a.path.localeCompare(b.path) ||
    a.line - b.line ||
    a.rule.localeCompare(b.rule) ||
    a.fingerprint.localeCompare(b.fingerprint)
  );
}

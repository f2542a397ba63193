/**
 * The engine: patches → functions (front end) → candidates (rules) → confirmed / refuted findings (simulator),
 * classified as introduced, pre-existing or fixed by comparing the post-image with the pre-image.
 *
 *   1. read functions of every non-cover patch (whole functions from the tree when one is given)
 *   2. run the enabled rules over both images of each changed function
 *   3. simulate each candidate on its relevant arch presets (and its suggested fix)
 *   4. pair post-image findings with pre-image ones: introduced / pre-existing / fixed
 *   5. fingerprint, sort, return a data-only Report
 */
import type { FunctionView } from '../core/events.ts';
import type { Finding, Report, RunError } from '../core/finding.ts';
import type { Patch, SourceTree } from '../core/patch.ts';
import type { Candidate } from '../core/rule.ts';
import type { Arch } from '../core/sim-contract.ts';
import { ARCH_PRESETS } from '../core/sim-contract.ts';
import { VERSION } from '../core/version.ts';
import { functionsOfPatch } from '../frontend/index.ts';
import { runRules } from '../rule-tester/index.ts';
import { RULES } from '../../rules/index.ts';
import { confirm, loadSimulator } from './confirm.ts';
import type { Confirmation } from './confirm.ts';
import type { BuildInput } from './scenario-builder.ts';
import { toFinding, findingOrder } from './to-finding.ts';

export interface CheckOptions {
  /** The tree the patches apply to (whole functions instead of hunk context). */
  tree?: SourceTree;
  /** Rule ids to run (default: all). */
  rules?: string[];
  /** Arch presets to simulate (default: each candidate's own list). */
  arch?: Arch[];
}

export { isReportable } from './policy.ts';

interface Simulated {
  fn: FunctionView;
  candidate: Candidate;
  confirmation: Confirmation;
}

/** Key pairing a pre-image candidate with a post-image one: same rule, same hazard, same kind of anchor call. */
function pairKey(c: Candidate): string {
  return `${c.rule}\u0000${c.hazard.kind}\u0000${c.anchor.callee}`;
}
function looseKey(c: Candidate): string {
  return `${c.rule}\u0000${c.hazard.kind}`;
}

/** A second patched path for hazards that compose (two deferred flushes in one patch). */
function companionFor(c: Candidate, all: ReadonlyArray<{ fn: FunctionView; c: Candidate }>): BuildInput['companion'] {
  if (c.hazard.kind !== 'flush-after-unlock') return undefined;
  const mine = new Set(c.path.steps.flatMap((s) => (s.step === 'event' ? (s.attrs.effects ?? []) : [])));
  const other = all.find(
    (o) =>
      o.c !== c &&
      o.c.side === c.side &&
      o.c.rule === c.rule &&
      o.c.hazard.kind === c.hazard.kind &&
      o.c.path.steps.some((s) => s.step === 'event' && (s.attrs.effects ?? []).some((e) => !mine.has(e))),
  );
  return other ? { candidate: other.c, path: other.fn.path, fn: other.fn.name, fragment: isFragment(other.fn, other.c.side) } : undefined;
}

/** Is the image a candidate was found on a hunk fragment rather than the whole function? */
function isFragment(fn: FunctionView, side: Candidate['side']): boolean {
  const image = side === 'pre' ? fn.pre : fn.post;
  return image ? !image.complete : false;
}

function archsFor(c: Candidate, requested: readonly Arch[] | undefined): Arch[] {
  const wanted = c.hazard.arch.length > 0 ? c.hazard.arch : [...ARCH_PRESETS];
  return requested ? wanted.filter((a) => requested.includes(a)) : wanted;
}

/** Review one patch: its findings and errors. */
async function checkPatch(patch: Patch, opts: CheckOptions, stats: Report['stats']): Promise<{ findings: Finding[]; errors: RunError[] }> {
  const errors: RunError[] = [];
  const { functions, problems } = await functionsOfPatch(patch, opts.tree ? { tree: opts.tree } : {});
  for (const p of problems) errors.push({ code: p.code, message: p.message, input: p.input, ...(p.line ? { line: p.line } : {}) });
  stats.files += patch.files.length;
  const changed = functions.filter((f) => f.changed);
  stats.functions += changed.length;
  const rules = opts.rules ? RULES.filter((r) => opts.rules?.includes(r.meta.id)) : RULES;
  const all: Array<{ fn: FunctionView; c: Candidate }> = [];
  for (const fn of changed) {
    const { candidates, errors: errs } = runRules(rules, fn, changed);
    errors.push(...errs);
    for (const c of candidates) all.push({ fn, c });
  }
  stats.candidates += all.length;
  if (all.length > 0) await loadSimulator();
  const simulated: Simulated[] = [];
  for (const { fn, c } of all) {
    const input: BuildInput = { candidate: c, path: fn.path, fn: fn.name, fragment: isFragment(fn, c.side) };
    const companion = companionFor(c, all);
    if (companion) input.companion = companion;
    let confirmation: Confirmation;
    try {
      confirmation = confirm(input, archsFor(c, opts.arch));
    } catch (err) {
      errors.push({ code: 'MMR030', message: `simulation of ${c.rule} in ${fn.name} failed: ${err instanceof Error ? err.message : String(err)}`, input: `${fn.path}:${fn.name}` });
      confirmation = { status: 'unsimulated', runs: 0 };
    }
    stats.simulations += confirmation.runs;
    simulated.push({ fn, candidate: c, confirmation });
  }
  const findings: Finding[] = [];
  const byFn = new Map<FunctionView, Simulated[]>();
  for (const s of simulated) byFn.set(s.fn, [...(byFn.get(s.fn) ?? []), s]);
  for (const [fn, list] of byFn) {
    const pre = list.filter((s) => s.candidate.side === 'pre');
    const post = list.filter((s) => s.candidate.side === 'post');
    const preConfirmed = pre.filter((s) => s.confirmation.status === 'confirmed');
    const postConfirmed = post.filter((s) => s.confirmation.status === 'confirmed');
    for (const s of post) {
      const strict = pre.some((p) => pairKey(p.candidate) === pairKey(s.candidate));
      const loose = pre.some((p) => looseKey(p.candidate) === looseKey(s.candidate));
      const matchConfirmed = preConfirmed.some((p) => looseKey(p.candidate) === looseKey(s.candidate));
      const introduced = fn.pre === undefined ? true : s.confirmation.status === 'confirmed' ? !matchConfirmed : !(strict || loose);
      const suggestion = simulateSuggestion(s, opts, all);
      findings.push(toFinding({ patch, fn, candidate: s.candidate, confirmation: s.confirmation, introduced, fixed: false, suggestion }));
    }
    for (const p of preConfirmed) {
      const still = postConfirmed.some((s) => looseKey(s.candidate) === looseKey(p.candidate));
      if (still) continue;
      findings.push(toFinding({ patch, fn, candidate: p.candidate, confirmation: p.confirmation, introduced: false, fixed: true }));
    }
  }
  return { findings, errors };
}

/** Simulate the candidate's suggested fix when it is confirmed and the rule gave a rewritten path. */
function simulateSuggestion(s: Simulated, opts: CheckOptions, all: ReadonlyArray<{ fn: FunctionView; c: Candidate }>): 'removes-violation' | 'still-violates' | 'not-simulated' {
  const sugg = s.candidate.suggestion;
  if (!sugg?.path || s.confirmation.status !== 'confirmed' || !s.confirmation.simulation) return 'not-simulated';
  const input: BuildInput = { candidate: s.candidate, path: s.fn.path, fn: s.fn.name, pathOverride: sugg.path, fragment: isFragment(s.fn, s.candidate.side) };
  const companion = companionFor(s.candidate, all);
  if (companion) input.companion = companion;
  try {
    const r = confirm(input, [s.confirmation.simulation.arch]);
    return r.status === 'confirmed' ? 'still-violates' : r.status === 'refuted' ? 'removes-violation' : 'not-simulated';
  } catch {
    return 'not-simulated';
  }
}

/**
 * Run front end + rules + simulator over patches. Returns ALL findings (every status; introduced/fixed flags set);
 * channels apply their own posting policy (see isReportable). Never throws for bad input: problems become errors.
 */
export async function checkPatches(patches: Patch[], opts: CheckOptions = {}): Promise<Report> {
  const started = performance.now();
  const stats: Report['stats'] = { inputs: 0, patches: 0, files: 0, functions: 0, candidates: 0, simulations: 0, ms: 0 };
  const findings: Finding[] = [];
  const errors: RunError[] = [];
  for (const patch of patches) {
    if (patch.cover) continue;
    stats.patches++;
    try {
      const r = await checkPatch(patch, opts, stats);
      findings.push(...r.findings);
      errors.push(...r.errors);
    } catch (err) {
      errors.push({ code: 'MMR010', message: `analysis failed: ${err instanceof Error ? err.message : String(err)}`, input: patch.subject ?? patch.id });
    }
  }
  findings.sort(findingOrder);
  stats.ms = Math.round(performance.now() - started);
  return { tool: 'mmreview', version: VERSION, findings, errors, stats };
}

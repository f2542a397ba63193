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
import { movedPartners } from './moves.ts';
import { movedIntoCallee, replacedByUnseenCall } from './fix-credit.ts';
import { seriesMates, touchedFunctions, withAssumptions } from './scenario-assumptions.ts';
import { ARCH_PRESETS } from '../core/sim-contract.ts';
import { VERSION } from '../core/version.ts';
import { functionsOfPatch } from '../frontend/index.ts';
import { runRules } from '../rule-tester/index.ts';
import { RULES } from '../../rules/index.ts';
import { confirm, fixVerdict, loadSimulator, ruleUnseen } from './confirm.ts';
import type { Confirmation } from './confirm.ts';
import type { BuildInput } from './scenario-builder.ts';
import { INVENTED_BACK_EDGES, pathToProgram, shapeOf } from './path-program.ts';
import type { UnseenFacts } from './unseen.ts';
import { gapsOf } from './unseen.ts';
import { toFinding, findingOrder } from './to-finding.ts';
import { assertedPtl } from '../../rules/utils/lock-assertions.ts';
import { annotationsOf, baseName, callerCompletes, callersOf, callSitesVerdict, handOver, paramName } from '../../rules/utils/contracts.ts';
import { LockState, isPtlAcquire, norm } from '../../rules/utils/paths.ts';
import { applyOnPath } from '../../rules/utils/failure.ts';
import { PMD_PTL_EXPR, PTL_EXPR } from '../kernel-api/catalogue.ts';

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
  /** Other candidates of the same function, side, rule and hazard (one root cause, one finding). */
  others: Candidate[];
  /** Bounds hit (path cap of the image, simulation budget of the hazard). */
  budgets: string[];
  /** The patch's changed functions (callers and callees of this one), and with a tree their unchanged callers. */
  siblings: readonly FunctionView[];
}

/** Distinct path programs simulated per (function, side, rule, hazard) before the budget stops. */
export const HAZARD_SIMULATION_BUDGET = 6;
/** Longer paths of the group's anchors (Candidate.alternatives) simulated when none of the shortest confirms. */
export const ALTERNATIVE_SIMULATION_BUDGET = 4;

/** Key pairing a pre-image candidate with a post-image one: same rule, same hazard, same kind of anchor call. */
function pairKey(c: Candidate): string {
  return `${c.rule}\u0000${c.hazard.kind}\u0000${c.anchor.callee}`;
}
function looseKey(c: Candidate): string {
  return `${c.rule}\u0000${c.hazard.kind}${variantOf(c)}`;
}
/**
 * The violation kind within a hazard kind, where a rule names it: an arch flush hook's missing entry kind
 * (`tlb-level:table`). A walk-cache gap before and a leaf gap after are two violations, not one kept.
 */
function variantOf(c: Candidate): string {
  const v = c.hazard.context?.find((x) => x.startsWith('tlb-level:'));
  return v ? `\u0000${v}` : '';
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
  return other ? { candidate: other.c, path: other.fn.path, fn: other.fn.name, fragment: isFragment(other.fn, other.c.side), facts: factsFor(other.fn, other.c.side) } : undefined;
}

/** Do the callers in the patch hold a page-table lock at their calls? (`maybe` when none is in the patch.) */
function ptlAtCalls(sites: ReturnType<typeof callersOf>): 'yes' | 'no' | 'maybe' {
  const held = (s: (typeof sites)[number]): boolean => {
    const state = new LockState();
    for (let k = 0; k < s.index; k++) applyOnPath(state, s.path, k);
    return state.ptlHeld();
  };
  // A call reached without the lock on one path and with it on another is not a caller without the lock.
  const verdict = callSitesVerdict(sites, held);
  return verdict === 'holds' ? 'yes' : verdict === 'violated' ? 'no' : 'maybe';
}

/** Is the event a page-table-lock acquisition or release? */
function ptlRelease(e: { kind: string; attrs: { lockClass?: string } }): boolean {
  return e.kind === 'pte-unmap-unlock' || (e.kind === 'unlock' && (e.attrs.lockClass === 'ptl' || e.attrs.lockClass === 'pmd-ptl'));
}

/**
 * What the engine knows about a candidate's function beyond its path (unseen.ts): annotations, hand-over
 * parameters, and, for a PTL stored where the caller sees it, what the callers changed in the same patch do with it.
 */
export function factsFor(fn: FunctionView, side: Candidate['side'], siblings: readonly FunctionView[] = []): UnseenFacts {
  const image = side === 'pre' ? fn.pre : fn.post;
  const visibleStart = [fn.pre, fn.post].some((img) => img?.events.some((e) => e.kind === 'notifier-start') ?? false);
  if (!image) return { fragment: false, visibleStart, handsLock: false, lockOnEntry: false };
  const ann = annotationsOf(image);
  let handsLock = handOver(image).lockOut.length > 0 || ann.acquires.length > 0;
  let lockToCaller: 'maybe' | undefined;
  const params = new Set(image.params.map(paramName));
  const visibleToCaller = image.events.some((e) => isPtlAcquire(e) && /->|^\*/.test(norm(e.args.lock)) && params.has(baseName(e.args.lock)));
  if (!handsLock && visibleToCaller) {
    // Judge the pair when a caller is in the patch: it drops the lock after the call on every path, or it does not.
    const sites = callersOf(siblings, fn, side);
    const verdict = sites.length > 0 ? callerCompletes(sites, ptlRelease) : 'unknown';
    if (verdict === 'closes') handsLock = true;
    else if (verdict === 'unknown') lockToCaller = 'maybe';
  }
  const gaps = image.complete ? [] : gapsOf(image);
  const callerHoldsPtl = image.complete ? ptlAtCalls(callersOf(siblings, fn, side)) : undefined;
  // The code's own statement that a page-table lock is held (`lockdep_assert_held(ptl)` before any operation on it).
  const asserted = assertedPtl(image);
  const annotated = [...ann.mustHold, ...ann.releases].some((x) => PTL_EXPR.test(x.replace(/^\*/, '')) || PMD_PTL_EXPR.test(x.replace(/^\*/, '')));
  return {
    fragment: !image.complete,
    visibleStart,
    handsLock,
    ...(gaps.length > 0 ? { gaps } : {}),
    ...(callerHoldsPtl ? { callerHoldsPtl } : {}),
    lockOnEntry: annotated || (image.complete && asserted?.beforeAll === true),
    ...(asserted && !image.complete ? { ptlAsserted: { lock: asserted.lock, fileLines: asserted.fileLines } } : {}),
    ...(!annotated && image.complete && asserted?.beforeAll === true ? { entryAsserted: true } : {}),
    ...(lockToCaller ? { lockToCaller } : {}),
  };
}

/** The model program of a candidate's path without source positions: candidates with equal signatures are one scenario. */
function programSignature(fn: FunctionView, c: Candidate): string {
  try {
    const program = pathToProgram(c.path, { path: fn.path, ptes: shapeOf([c.path]).ptes, fragment: isFragment(fn, c.side) });
    // The back edges of invented loops are part of the scenario (the unseen code they cross is completed there).
    return JSON.stringify([ruleUnseen(c) ?? '', program.map((i) => ('ctl' in i ? i : { ...i, src: undefined, label: undefined })), INVENTED_BACK_EDGES.get(program) ?? []]);
  } catch {
    // An untranslatable path is its own scenario (its simulation reports the error).
    return `anchor:${c.anchor.id}:${c.path.steps.length}`;
  }
}

/** The function's after-image (its own, or its moved half's) had its path enumeration cut or reduced (MMR011). */
function postImageCut(fn: FunctionView, partner: FunctionView | undefined): boolean {
  const post = fn.post ?? partner?.post;
  return (post?.problems ?? []).some((p) => p.startsWith('MMR011'));
}

/**
 * The function's before-image (its own, or its moved half's) was analysed partially: its path enumeration was cut
 * even at the lowest unrolling, or redone at the other image's lower unrolling (`pathBound` not complete), or it
 * has events but no path. A violation it already had may sit on a path that was not walked: what a post-image
 * finding matches there is unknown.
 */
function preImagePartial(fn: FunctionView, partner: FunctionView | undefined): string | undefined {
  const pre = fn.pre ?? partner?.pre;
  if (!pre) return undefined;
  if (pre.paths.length === 0 && pre.events.length > 0) return 'no path of it could be enumerated';
  if (pre.pathBound === undefined || pre.pathBound.complete) return undefined;
  // The problem that says how it was cut (not a note that every path at a lowered unrolling was kept).
  const cut = pre.problems.find((p) => p.startsWith('MMR011') && !p.endsWith('at that unrolling kept'));
  return cut === undefined ? 'path bound reached' : cut.replace(/^MMR011:\s*/, '');
}

/** Path-cap problems of the candidate's image (MMR011). */
function imageBudgets(fn: FunctionView, side: Candidate['side']): string[] {
  const image = side === 'pre' ? fn.pre : fn.post;
  return (image?.problems ?? []).filter((p) => p.startsWith('MMR011'));
}

/**
 * A violation found on an image the C front end could not parse cleanly (MMR010: syntax errors recovered, e.g. a
 * quoted diff that lost lines) rests on paths the recovery may have invented: never `confirmed`, `inconclusive`
 * with the reason.
 */
function unparsedCaveat(c: Confirmation, fn: FunctionView, side: Candidate['side']): Confirmation {
  if (c.status !== 'confirmed') return c;
  const recovered = (side === 'pre' ? fn.pre : fn.post)?.problems.find((p) => p.includes('syntax errors recovered'));
  if (!recovered) return c;
  const reason = `the code as parsed: ${side === 'pre' ? 'the code before the patch' : 'the patched code'} has ${recovered.replace(/^MMR010: /, '')}, so the paths may not be the function's`;
  return { ...c, status: 'inconclusive', dependsOn: reason, ...(c.simulation ? { simulation: { ...c.simulation, note: reason } } : {}) };
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
async function checkPatch(patch: Patch, opts: CheckOptions, stats: Report['stats'], mates: readonly Patch[] = []): Promise<{ findings: Finding[]; errors: RunError[] }> {
  const errors: RunError[] = [];
  const { functions, problems } = await functionsOfPatch(patch, opts.tree ? { tree: opts.tree } : {});
  for (const p of problems) errors.push({ code: p.code, message: p.message, input: p.input, ...(p.line ? { line: p.line } : {}) });
  stats.files += patch.files.length;
  const changed = functions.filter((f) => f.changed);
  // With a tree: unchanged callers of changed functions (all of them, or none) and unchanged callees of the same
  // file (tree-callers.ts), for contracts between functions.
  const contextOf = new Map<string, FunctionView[]>();
  for (const f of functions) {
    if (f.changed) continue;
    const list = contextOf.get(f.path);
    if (list) list.push(f);
    else contextOf.set(f.path, [f]);
  }
  const fileContext = (path: string): FunctionView[] => contextOf.get(path) ?? [];
  stats.functions += changed.length;
  // Never zero paths in silence: an image with code but no enumerated path was not analysed.
  for (const fn of changed) {
    for (const side of ['pre', 'post'] as const) {
      const img = fn[side];
      if (!img || img.paths.length > 0 || img.events.length === 0 || img.problems.length > 0) continue;
      errors.push({ code: 'MMR011', message: `${fn.path}: ${fn.name}() (${side}-image): no path could be enumerated within the bounds; not analysed`, input: patch.id });
    }
  }
  const rules = opts.rules ? RULES.filter((r) => opts.rules?.includes(r.meta.id)) : RULES;
  const all: Array<{ fn: FunctionView; c: Candidate }> = [];
  // Functions this patch changes: the front end's changed functions and the definitions its changed lines carry.
  const own = new Set([...changed.map((f) => f.name), ...touchedFunctions(patch, false)]);
  for (const fn of changed) {
    // Context callers are per file (a static function's callers are in its own file, a name may recur elsewhere).
    const { candidates, errors: errs } = runRules(rules, fn, changed, fileContext(fn.path));
    errors.push(...errs);
    // A scenario assumption (catalogue SCENARIO_ASSUMES) changed by this patch or its series: not confirmed.
    for (const c of withAssumptions(candidates, fn.name, own, mates)) all.push({ fn, c });
  }
  stats.candidates += all.length;
  if (all.length > 0) await loadSimulator();
  // One root cause, one finding: candidates of one function, side, rule and hazard form a group; equal path
  // programs are one scenario; the group is simulated path by path (changed lines first) until one confirms or the
  // budget is spent, and gives one finding (the confirmed path, else the first), the others listed as related.
  const groups = new Map<string, Array<{ fn: FunctionView; c: Candidate }>>();
  for (const x of all) {
    const key = [x.fn.path, x.fn.name, x.c.side, x.c.rule, x.c.hazard.kind].join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), x]);
  }
  const simulated: Simulated[] = [];
  for (const members of groups.values()) {
    const fn = (members[0] as { fn: FunctionView }).fn;
    const changedKind = members[0]?.c.side === 'pre' ? 'del' : 'add';
    // Changed-line anchors first; within each, a path that carries a PTE change of its own before one that does not
    // (which can only show the hazard through another path's change, and says "changed before this hunk").
    const carries = (c: Candidate): boolean => c.path.steps.some((st) => st.step === 'event' && (st.attrs.effects ?? []).length > 0);
    const tier = (m: { c: Candidate }): number => (m.c.anchor.loc.diff === changedKind ? 0 : 2) + (carries(m.c) ? 0 : 1);
    const ordered = members.map((m, i) => ({ m, i })).sort((a, b) => tier(a.m) - tier(b.m) || a.i - b.i).map((x) => x.m);
    const seen = new Set<string>();
    const distinct: Candidate[] = [];
    for (const m of ordered) {
      const sig = programSignature(fn, m.c);
      if (seen.has(sig)) continue;
      seen.add(sig);
      distinct.push(m.c);
    }
    // Longer paths of the same anchors (Candidate.alternatives), tried only when no shortest path confirms.
    const alternatives: Candidate[] = [];
    for (const c of distinct) {
      for (const a of c.alternatives ?? []) {
        const sig = programSignature(fn, a);
        if (seen.has(sig)) continue;
        seen.add(sig);
        alternatives.push(a);
      }
    }
    let best: { c: Candidate; confirmation: Confirmation } | undefined;
    let tried = 0;
    const siblings = [...changed, ...fileContext(fn.path)];
    const primaries = distinct.slice(0, HAZARD_SIMULATION_BUDGET);
    for (const c of [...primaries, ...alternatives.slice(0, ALTERNATIVE_SIMULATION_BUDGET)]) {
      if (primaries.includes(c)) tried++;
      const input: BuildInput = { candidate: c, path: fn.path, fn: fn.name, fragment: isFragment(fn, c.side), facts: factsFor(fn, c.side, siblings) };
      const companion = companionFor(c, all);
      if (companion) input.companion = companion;
      let confirmation: Confirmation;
      try {
        confirmation = confirm(input, archsFor(c, opts.arch));
        // A companion whose own unseen code is open can only make the verdict inconclusive: the path alone may
        // still be confirmed.
        if (input.companion && confirmation.status === 'inconclusive' && (confirmation.companionOpen ?? []).length > 0) {
          const { companion: _companion, ...alone } = input;
          const solo = confirm(alone, archsFor(c, opts.arch));
          stats.simulations += solo.runs;
          if (solo.status === 'confirmed') confirmation = solo;
        }
        confirmation = unparsedCaveat(confirmation, fn, c.side);
      } catch (err) {
        errors.push({ code: 'MMR030', message: `simulation of ${c.rule} in ${fn.name} failed: ${err instanceof Error ? err.message : String(err)}`, input: `${fn.path}:${fn.name}` });
        confirmation = { status: 'unsimulated', runs: 0 };
      }
      stats.simulations += confirmation.runs;
      if (!best || STATUS_WORST[confirmation.status] < STATUS_WORST[best.confirmation.status]) best = { c, confirmation };
      if (confirmation.status === 'confirmed') break;
    }
    if (!best) continue;
    const budgets = imageBudgets(fn, best.c.side);
    const bound = best.confirmation.simulation?.bound;
    if (bound) {
      // The state budget is deterministic; the wall-clock limit is only a safety net, and a verdict it cut may differ
      // on another machine.
      const netNote = bound.startsWith('time>') ? ' (the wall-clock safety net, not the state budget: this result depends on the machine and its load)' : '';
      budgets.push(`simulation bound reached: ${bound}${netNote}`);
    }
    if (tried < distinct.length && best.confirmation.status !== 'confirmed') {
      budgets.push(`simulation budget: ${tried} of ${distinct.length} distinct paths with this hazard simulated`);
    }
    const chosen = best.c;
    const others = members.map((m) => m.c).filter((c) => c !== chosen && !(c.alternatives ?? []).includes(chosen));
    simulated.push({ fn, candidate: chosen, confirmation: best.confirmation, others, budgets, siblings });
  }
  const findings: Finding[] = [];
  const byFn = new Map<FunctionView, Simulated[]>();
  for (const s of simulated) byFn.set(s.fn, [...(byFn.get(s.fn) ?? []), s]);
  // A moved function is judged against its other half: the added copy's "before" is the removed original's code,
  // and the removed original's "after" is the copy's.
  const moved = movedPartners(changed, patch);
  // Functions of this patch whose after-image carries a candidate of a rule that the simulator did not refute.
  const holders = new Map<string, Set<string>>();
  for (const s of simulated) {
    if (s.candidate.side !== 'post' || s.confirmation.status === 'refuted') continue;
    const set = holders.get(s.fn.name) ?? new Set<string>();
    set.add(s.candidate.rule);
    holders.set(s.fn.name, set);
  }
  const visibleNames = new Set(changed.filter((f) => f.post !== undefined).map((f) => f.name));
  for (const [fn, list] of byFn) {
    const partner = moved.get(fn);
    const partnerList = partner ? (byFn.get(partner) ?? []) : [];
    const own = (side: Candidate['side']): Simulated[] => list.filter((s) => s.candidate.side === side);
    // What the function was before the patch and what it is after: its own images, or its moved half's.
    const pre = fn.pre ? own('pre') : partnerList.filter((s) => s.candidate.side === 'pre');
    const post = fn.post ? own('post') : partnerList.filter((s) => s.candidate.side === 'post');
    const hasBefore = fn.pre !== undefined || partner?.pre !== undefined;
    const preConfirmed = pre.filter((s) => s.confirmation.status === 'confirmed');
    const postConfirmed = post.filter((s) => s.confirmation.status === 'confirmed');
    // Rules with a candidate this patch introduces into the function (confirmed or inconclusive): no fix credit.
    const introducing = new Set<string>();
    for (const s of own('post')) {
      const strict = pre.some((p) => pairKey(p.candidate) === pairKey(s.candidate));
      const loose = pre.some((p) => looseKey(p.candidate) === looseKey(s.candidate));
      const matchConfirmed = preConfirmed.some((p) => looseKey(p.candidate) === looseKey(s.candidate));
      // The pre-image violates under some completions of unseen code: "introduced" would rest on that code.
      const preUnsure = pre.find((p) => p.confirmation.dependsOn !== undefined && looseKey(p.candidate) === looseKey(s.candidate));
      let introduced = !hasBefore ? true : s.confirmation.status === 'confirmed' ? !matchConfirmed : !(strict || loose);
      const notes: string[] = [];
      if (partner) notes.push(`moved by this patch from ${partner.path}; judged against its code there`);
      if (introduced && hasBefore && s.confirmation.status === 'confirmed' && preUnsure) {
        introduced = false;
        notes.push(`the code before this patch may violate too (${preUnsure.confirmation.dependsOn}); whether this patch introduced it depends on that code`);
      }
      // Nor when the pre-image's paths were cut: a violation it already had may sit on a path that was not walked.
      // It still counts as a possible introduction of its rule, so that no fix credit is given for that rule.
      const prePartial = hasBefore ? preImagePartial(fn, partner) : undefined;
      if (introduced && prePartial !== undefined) {
        if (s.confirmation.status === 'confirmed' || s.confirmation.status === 'inconclusive') introducing.add(s.candidate.rule);
        introduced = false;
        notes.push(`the code before this patch was analysed partially (${prePartial}); whether it already had this violation on a path not walked is unknown, so it is not claimed as introduced`);
      }
      if (introduced && (s.confirmation.status === 'confirmed' || s.confirmation.status === 'inconclusive')) introducing.add(s.candidate.rule);
      const suggestion = simulateSuggestion(s, opts, all);
      findings.push(toFinding({ patch, fn, candidate: s.candidate, confirmation: s.confirmation, introduced, fixed: false, suggestion, others: s.others, budgets: s.budgets, notes }));
    }
    // A function the patch deletes (and does not move) fixes nothing: there is no "after" to be free of the violation.
    for (const p of fn.post || partner ? own('pre').filter((x) => x.confirmation.status === 'confirmed') : []) {
      const still = postConfirmed.some((s) => looseKey(s.candidate) === looseKey(p.candidate));
      if (still) continue;
      // "Fixed" needs the post-image to be free of the violation under every completion of unseen code.
      const unsure = post.some((s) => s.confirmation.dependsOn !== undefined && looseKey(s.candidate) === looseKey(p.candidate));
      if (unsure) continue;
      // Nor is an after-image whose paths a bound cut or enumerated at a lower unrolling (MMR011, src/c/paths.ts)
      // shown free of it: the violation may sit on a path that was not walked.
      if (postImageCut(fn, partner)) continue;
      // A patch that may introduce a hazard of the same rule into the same function is not credited with fixing
      // one: the only note a reader would see is a fix, on a patch that may have broken the same protocol.
      if (introducing.has(p.candidate.rule)) continue;
      // Nor a violation the patch only moved out of sight: into a function of this patch that still carries it, or
      // behind a call the tool cannot see given the same objects (src/engine/fix-credit.ts).
      const after = fn.post ?? partner?.post;
      const selfHolders = new Map([...holders].filter(([name]) => name !== fn.name));
      if (movedIntoCallee(after, p.candidate.rule, selfHolders) !== undefined) continue;
      if (replacedByUnseenCall(p.candidate, after, patch, visibleNames) !== undefined) continue;
      findings.push(toFinding({ patch, fn, candidate: p.candidate, confirmation: p.confirmation, introduced: false, fixed: true, others: p.others, budgets: p.budgets }));
    }
  }
  return { findings, errors };
}

/**
 * Simulate the candidate's suggested fix when it is confirmed and the rule gave a rewritten path: it removes the
 * violation only when no completion of the unseen code still violates.
 */
function simulateSuggestion(s: Simulated, _opts: CheckOptions, all: ReadonlyArray<{ fn: FunctionView; c: Candidate }>): 'removes-violation' | 'still-violates' | 'not-simulated' {
  const sugg = s.candidate.suggestion;
  if (!sugg?.path || s.confirmation.status !== 'confirmed' || !s.confirmation.simulation) return 'not-simulated';
  const input: BuildInput = { candidate: s.candidate, path: s.fn.path, fn: s.fn.name, pathOverride: sugg.path, fragment: isFragment(s.fn, s.candidate.side), facts: factsFor(s.fn, s.candidate.side, s.siblings) };
  const companion = companionFor(s.candidate, all);
  if (companion) input.companion = companion;
  try {
    return fixVerdict(input, s.confirmation.simulation.arch).verdict;
  } catch {
    return 'not-simulated';
  }
}

/** Which of two confirmations is the worst news (the one a group's finding shows). */
const STATUS_WORST = { confirmed: 0, inconclusive: 1, refuted: 2, unsimulated: 3 } as const;

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
      const r = await checkPatch(patch, opts, stats, seriesMates(patch, patches));
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

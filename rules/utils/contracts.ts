/**
 * Contracts between functions: what a function promises its caller about locks and notifier windows, from the
 * kernel's own annotations (`__acquires(x)`, `__releases(x)`, `__must_hold(x)`) and from out-parameters that hand
 * state over (`spinlock_t **ptlp`, `struct mmu_notifier_range *range`), and the callers of a function among the
 * patch's other changed functions, so a rule can judge the pair (callee + caller) instead of the half.
 * Pure functions over src/core/events.ts data.
 */
import type { Event, EventPath, FunctionImage, FunctionView } from '../../src/core/events.ts';
import type { LockClass } from '../../src/core/ops.ts';
import { PMD_PTL_EXPR, PTL_EXPR } from '../../src/kernel-api/catalogue.ts';
import { norm, truncated } from './paths.ts';

export interface Annotations {
  /** `__acquires(x)`: returns with x held. */
  acquires: string[];
  /** `__releases(x)`: is entered with x held and returns with it released. */
  releases: string[];
  /** `__must_hold(x)`: x is held on entry and on return. */
  mustHold: string[];
}

/** The function's header: the text before the body's opening brace (where sparse annotations sit). */
export function header(image: FunctionImage): string {
  const at = image.text.indexOf('{');
  return at < 0 ? '' : image.text.slice(0, at);
}

/**
 * Sparse lock annotations of a function, read from its header. Only a whole function shows its header; a hunk
 * fragment shows it only when the hunk starts at the signature.
 */
export function annotationsOf(image: FunctionImage): Annotations {
  const out: Annotations = { acquires: [], releases: [], mustHold: [] };
  // The front end's own reading of the header, when it provides one (FunctionImage.annotations: kind + expr).
  const given = (image as { annotations?: ReadonlyArray<{ kind: string; expr: string }> }).annotations;
  if (Array.isArray(given)) {
    for (const a of given) {
      const arg = norm(a.expr);
      // A conditional acquire/release holds on the paths where it succeeded: the engine only hands back a lock a
      // path still holds, so it reads like the unconditional form.
      if (a.kind === 'acquires' || a.kind === 'cond-acquires') out.acquires.push(arg);
      else if (a.kind === 'releases' || a.kind === 'cond-releases') out.releases.push(arg);
      else if (a.kind === 'must-hold') out.mustHold.push(arg);
    }
    return out;
  }
  const text = header(image);
  const re = /\b(__acquires|__releases|__must_hold|__cond_acquires|__cond_releases)(?:_shared)?\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const arg = norm(m[2]);
    if (m[1] === '__acquires' || m[1] === '__cond_acquires') out.acquires.push(arg);
    else if (m[1] === '__releases' || m[1] === '__cond_releases') out.releases.push(arg);
    else out.mustHold.push(arg);
  }
  return out;
}

/** The declared name of a parameter (`spinlock_t **ptlp` → `ptlp`). */
export function paramName(param: string): string {
  const m = /([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)*$/.exec(param.trim());
  return m ? (m[1] as string) : '';
}

/** Parameters through which the function hands state to its caller or receives it from it. */
export interface HandOver {
  /** `spinlock_t **ptlp`: the function may return with the lock it stores there held, for the caller to drop. */
  lockOut: string[];
  /** `struct mmu_notifier_range *range`: the caller owns the range; the window may be opened or closed there. */
  rangeParams: string[];
}

export function handOver(image: FunctionImage): HandOver {
  const out: HandOver = { lockOut: [], rangeParams: [] };
  for (const p of image.params) {
    const name = paramName(p);
    if (name === '') continue;
    if (/\bspinlock_t\s*\*\s*\*/.test(p)) out.lockOut.push(name);
    if (/\bstruct\s+mmu_notifier_range\s*\*/.test(p)) out.rangeParams.push(name);
  }
  return out;
}

/** Base identifier of an expression (`&range`, `range->start`, `(*rangep)` → `range`, `rangep`). */
export function baseName(expr: string | undefined): string {
  const m = /^[&*(\s]*([A-Za-z_]\w*)/.exec(expr ?? '');
  return m ? (m[1] as string) : '';
}

/** Is the range of this notifier call one the caller handed in (a `struct mmu_notifier_range *` parameter)? */
export function rangeFromCaller(image: FunctionImage, ev: Event): boolean {
  const base = baseName(ev.args.range);
  return base !== '' && handOver(image).rangeParams.includes(base);
}

/** A call of `name` on a path of a caller. */
export interface CallSite {
  caller: FunctionView;
  image: FunctionImage;
  path: EventPath;
  index: number;
  event: Event;
}

/** Calls of `self` from the patch's other changed functions, on the same side (pre/post), path by path. */
export function callersOf(siblings: readonly FunctionView[], self: FunctionView, side: 'pre' | 'post'): CallSite[] {
  const out: CallSite[] = [];
  for (const s of siblings) {
    if (s.name === self.name && s.path === self.path) continue;
    const image = side === 'pre' ? s.pre : s.post;
    if (!image || !image.events.some((e) => e.callee === self.name)) continue;
    for (const path of image.paths) {
      path.steps.forEach((st, index) => {
        if (st.step === 'event' && st.callee === self.name) {
          const { step: _s, ...event } = st;
          out.push({ caller: s, image, path, index, event });
        }
      });
    }
  }
  return out;
}

/**
 * Is the function's header shown and without `static` (`void f(…)`, not `static inline void f(…)`)? Only such a
 * function can be the one a call in another file reaches; a header not shown (a hunk fragment) proves nothing.
 */
export function visiblyExtern(view: FunctionView, side: 'pre' | 'post'): boolean {
  const image = side === 'pre' ? (view.pre ?? view.post) : (view.post ?? view.pre);
  if (!image) return false;
  const m = new RegExp(`\\b${view.name}\\s*\\(`).exec(image.text);
  if (!m) return false;
  const head = image.text.slice(0, m.index);
  return !head.includes('{') && !head.includes(';') && !/\bstatic\b/.test(head);
}

/**
 * Can a call of `target.name` made in the file `from` be a call of `target`? In its own file, yes; from another file
 * only when that file shows no function of the name of its own and `target` is visibly not static (a static
 * function of another file is another function that shares the name).
 */
export function callReaches(views: readonly FunctionView[], from: string, target: FunctionView, side: 'pre' | 'post'): boolean {
  if (target.path === from) return true;
  if (views.some((v) => v.name === target.name && v.path === from)) return false;
  return visiblyExtern(target, side);
}

/** callersOf(), keeping only calls that reach `self` (callReaches(): the same file, or `self` not static). */
export function sameFunctionCallersOf(views: readonly FunctionView[], self: FunctionView, side: 'pre' | 'post'): CallSite[] {
  return callersOf(views, self, side).filter((site) => callReaches([...views, self], site.caller.path, self, side));
}

/**
 * The call sites whose state at the call (`holds`: a lock held, a window open) another path contradicts at the same
 * call (the same event of the same caller image). Whether both paths can run depends on how the caller's branches
 * correlate, which path enumeration does not always know (a window opened lazily behind a flag on the first pass;
 * a test repeated through a call): such a site says nothing certain about the call, so callers judging what holds
 * before a call treat it as unknown, never as a caller without the state.
 */
export function contradictedAtSameCall(sites: readonly CallSite[], holds: (s: CallSite) => boolean): Set<CallSite> {
  const byCall = new Map<string, { yes: boolean; no: CallSite[] }>();
  for (const s of sites) {
    const key = `${s.caller.path}\u0000${s.caller.name}\u0000${s.event.id}`;
    const g = byCall.get(key) ?? { yes: false, no: [] };
    if (holds(s)) g.yes = true;
    else g.no.push(s);
    byCall.set(key, g);
  }
  return new Set([...byCall.values()].filter((g) => g.yes).flatMap((g) => g.no));
}

/**
 * What the patch's call sites say about a state before the call (`holds`: a lock held, a window open), evaluated
 * once per site: `holds` when it holds at every site, `violated` when a whole caller reaches a call without it on a
 * path no other path contradicts at the same call (contradictedAtSameCall), `unknown` when there is no site or the
 * only sites without it are in fragments or contradicted.
 */
export function callSitesVerdict(sites: readonly CallSite[], holds: (s: CallSite) => boolean): 'holds' | 'violated' | 'unknown' {
  if (sites.length === 0) return 'unknown';
  const held = new Map(sites.map((s) => [s, holds(s)]));
  const contradicted = contradictedAtSameCall(sites, (s) => held.get(s) === true);
  let unknown = false;
  for (const s of sites) {
    if (held.get(s) === true) continue;
    if (!s.image.complete || contradicted.has(s)) unknown = true;
    else return 'violated';
  }
  return unknown ? 'unknown' : 'holds';
}

/**
 * After a call site, does the caller's path do what the callee left for it (`closes` an event kind)? `closes` when
 * every path through a call does, `leaks` when some complete path returns without, `unknown` when the only paths
 * that do not are cut by a bound or by the end of a hunk.
 */
export function callerCompletes(sites: readonly CallSite[], closes: (ev: Event) => boolean): 'closes' | 'leaks' | 'unknown' {
  let unknown = false;
  for (const s of sites) {
    const after = s.path.steps.slice(s.index + 1);
    const done = after.some((st) => st.step === 'event' && closes(st));
    if (done) continue;
    if (truncated(s.path)) unknown = true;
    else return 'leaks';
  }
  return unknown ? 'unknown' : 'closes';
}

/** Spinlocks the annotations say are held on entry (`__must_hold(x)`, `__releases(x)`), by expression spelling. */
export function annotatedEntryLocks(image: FunctionImage): Array<{ key: string; cls: LockClass; by: Event }> {
  const ann = annotationsOf(image);
  const out: Array<{ key: string; cls: LockClass; by: Event }> = [];
  for (const expr of [...ann.mustHold, ...ann.releases]) {
    const key = norm(expr).replace(/^\*/, '');
    const cls: LockClass | undefined = PTL_EXPR.test(key) ? 'ptl' : PMD_PTL_EXPR.test(key) ? 'pmd-ptl' : undefined;
    if (!cls || out.some((o) => o.key === key)) continue;
    out.push({ key, cls, by: { id: -1, kind: 'lock', callee: '<caller>', args: { lock: key }, attrs: { lockClass: cls }, loc: { line: 0, column: 0 }, text: expr } });
  }
  return out;
}

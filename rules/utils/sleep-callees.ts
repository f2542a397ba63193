/**
 * Sleeping through function bodies the patch (or, with a tree, the file) shows, for sleep-in-atomic:
 *
 * - `sleepingCallees()`: functions that sleep on every path, directly or through another such function (a wrapper
 *   of a wrapper: a fixpoint over the visible bodies, so one or two levels and more), outside their own atomic
 *   sections. Calling one of them is a sleeping call.
 * - `callerHeldLocks()`: the spinlocks a caller the patch or the tree shows holds at its call of a whole function:
 *   that function is entered holding them (mm/memory.c copy_pte_range() calls its per-entry helpers with both PTLs
 *   held; a wrapper called under pmd_lock()).
 *
 * A function entered with its caller's lock by contract (annotated `__must_hold` / `__releases`, releasing a lock it
 * never takes, or calling something that releases a lock it is given) is neither: it may drop that lock before it
 * sleeps, so its sleeping calls say nothing about the caller's context, and its entry is described by its
 * annotations, not by the callers.
 */
import type { Event, EventPath, FunctionImage, FunctionView } from '../../src/core/events.ts';
import type { LockClass } from '../../src/core/ops.ts';
import { annotationsOf, callReaches, sameFunctionCallersOf } from './contracts.ts';
import { applyOnPath, failedCalls } from './failure.ts';
import { callArgs } from '../../src/c/call-args.ts';
import { ATOMIC_LOCK_CLASSES, LockState, firstGapBetween, gapsOf, norm, stripStep } from './paths.ts';

/**
 * Calls that drop the spinlock they are given to reschedule and take it again (include/linux/sched.h
 * cond_resched_lock(), cond_resched_rwlock_read(), cond_resched_rwlock_write(): kernel/sched/core.c
 * __cond_resched_lock() unlocks, schedules, relocks). Called under that lock by contract.
 */
const DROPS_GIVEN_LOCK: ReadonlySet<string> = new Set(['cond_resched_lock', 'cond_resched_rwlock_read', 'cond_resched_rwlock_write']);

/** The lock a call drops while it sleeps and takes again (DROPS_GIVEN_LOCK), normalised, or undefined. */
export function droppedWhileSleeping(e: Event): string | undefined {
  if (!DROPS_GIVEN_LOCK.has(e.callee)) return undefined;
  const l = norm(e.args.lock ?? callArgs(e.text)[0]);
  return l === '' ? undefined : l;
}

/**
 * Does the image take its caller's lock by contract (annotated, releases a lock it never takes, hands one on, or
 * reschedules through cond_resched_lock() on a lock it never takes)?
 */
export function handsLocks(img: FunctionImage): boolean {
  const ann = annotationsOf(img);
  if (ann.mustHold.length > 0 || ann.releases.length > 0) return true;
  for (const p of img.paths) {
    const st = new LockState();
    const failed = failedCalls(p);
    for (let i = 0; i < p.steps.length; i++) {
      const x = p.steps[i];
      if (x?.step !== 'event' || failed.has(i)) continue;
      const e = stripStep(x);
      if ((e.attrs.releases?.length ?? 0) > 0) return true;
      const given = droppedWhileSleeping(e);
      if (given !== undefined && !st.held.has(given)) return true;
      const r = applyOnPath(st, p, i);
      if (r && r.unheld.length > 0) return true;
      if (e.kind === 'unlock' && e.attrs.lockClass !== undefined && !r?.released.length) return true;
    }
  }
  return false;
}

/** Is the path complete (not cut by the enumeration)? */
function wholePath(p: EventPath): boolean {
  return p.complete && !p.steps.some((st) => st.step === 'control' && st.kind === 'truncated');
}

/** Does every complete path of the image reach a sleeping call (`sleeps`) outside its own atomic sections? */
export function sleepsOnEveryPath(img: FunctionImage, sleeps: (e: Event) => boolean): boolean {
  if (!img.complete || img.paths.length === 0) return false;
  return img.paths.every((p) => {
    if (!wholePath(p)) return false;
    const st = new LockState();
    const failed = failedCalls(p);
    let hit = false;
    p.steps.forEach((x, i) => {
      if (x.step !== 'event' || failed.has(i)) return;
      if (sleeps(stripStep(x)) && !st.atomicHeld()) hit = true;
      applyOnPath(st, p, i);
    });
    return hit;
  });
}

/**
 * Names that, called from the file `file`, reach a visible function (`views`, same side; `self` of `file` excluded)
 * that sleeps on every path: a sleeping call (`maySleep`) or a call of another such function, outside their own
 * atomic sections. Iterated to a fixpoint over functions keyed by file and name: a call reaches a function of its own
 * file, or of another file only when its own file shows none of that name and that one is not static
 * (contracts.ts callReaches()).
 */
export function sleepingCallees(views: readonly FunctionView[], self: string, side: 'pre' | 'post', maySleep: (e: Event) => boolean, file?: string): Set<string> {
  const keyOf = (v: { path: string; name: string }): string => `${v.path}\u0000${v.name}`;
  const sleeping = new Set<string>();
  const cand = new Map<string, { view: FunctionView; img: FunctionImage }>();
  for (const v of views) {
    if ((v.name === self && (file === undefined || v.path === file)) || cand.has(keyOf(v))) continue;
    const img = side === 'pre' ? v.pre : v.post;
    if (img?.complete && !handsLocks(img)) cand.set(keyOf(v), { view: v, img });
  }
  const selfView = file !== undefined ? [{ path: file, name: self }] : [];
  const all = [...views, ...selfView];
  // Does a call of `name` made in `from` reach a function known to sleep?
  const reachesSleeper = (name: string, from: string): boolean => {
    if (sleeping.has(keyOf({ path: from, name }))) return true;
    if (all.some((v) => v.name === name && v.path === from)) return false;
    return [...cand.values()].some((c) => c.view.name === name && sleeping.has(keyOf(c.view)) && callReaches(views, from, c.view, side));
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const [key, { view, img }] of cand) {
      if (sleeping.has(key)) continue;
      if (sleepsOnEveryPath(img, (e) => maySleep(e) || (e.kind === 'call' && reachesSleeper(e.callee, view.path)))) {
        sleeping.add(key);
        changed = true;
      }
    }
  }
  const out = new Set<string>();
  for (const { view } of cand.values()) if (sleeping.has(keyOf(view)) && (file === undefined || reachesSleeper(view.name, file))) out.add(view.name);
  return out;
}

/** A spinlock a visible caller holds at its call of the function under review. */
export interface CallerLock {
  /** Key in the callee's lock state (prefixed with the caller, so it cannot meet a lock of the callee's own). */
  key: string;
  /** The lock as the caller names it. */
  lock: string;
  cls: LockClass;
  caller: string;
  /** The caller's call of the function (for the message: its line). */
  call: Event;
  /** The caller's step that took the lock. */
  take: Event;
}

/**
 * Spinlocks held by a visible caller (same side: a changed function of the patch or, with a tree, an unchanged one of
 * the file) at a call of `self`, taken on the caller's path (in a hunk fragment of the caller: with no unseen lines
 * between the take and the call). A call is counted only when every
 * path of that caller reaching that call holds the lock there (two paths disagreeing at one call say nothing certain).
 */
export function callerHeldLocks(views: readonly FunctionView[], self: FunctionView, side: 'pre' | 'post'): CallerLock[] {
  const byCall = new Map<string, { locks: CallerLock[] | undefined }>();
  for (const site of sameFunctionCallersOf(views, self, side)) {
    // A hunk fragment of a caller counts for what it shows: a lock taken on its path, with no unseen lines between
    // the take and the call.
    const gaps = site.image.complete ? [] : gapsOf(site.image);
    if (site.image.complete ? !wholePath(site.path) : site.path.steps.slice(0, site.index).some((st) => st.step === 'control' && st.kind === 'truncated')) continue;
    const st = new LockState();
    const failed = failedCalls(site.path);
    for (let i = 0; i < site.index; i++) if (!failed.has(i)) applyOnPath(st, site.path, i);
    const held: CallerLock[] = [];
    for (const [key, v] of [...st.held.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      if (!ATOMIC_LOCK_CLASSES.includes(v.cls) || v.by.id < 0) continue;
      if (!site.image.complete) {
        const from = v.by.loc.fileLine;
        const to = site.event.loc.fileLine;
        if (from === undefined || to === undefined || firstGapBetween(gaps, from, to) !== undefined) continue;
      }
      held.push({ key: `${site.caller.name}():${key}`, lock: key, cls: v.cls, caller: site.caller.name, call: site.event, take: v.by });
    }
    const id = `${site.caller.path}\u0000${site.caller.name}\u0000${site.event.id}`;
    const g = byCall.get(id);
    if (!g) byCall.set(id, { locks: held });
    else if (g.locks) g.locks = g.locks.filter((l) => held.some((h) => h.key === l.key));
  }
  const out: CallerLock[] = [];
  for (const g of byCall.values()) for (const l of g.locks ?? []) if (!out.some((o) => o.key === l.key)) out.push(l);
  return out;
}

/** The truth value of a literal argument (`false`, `0`, `NULL`, `true`, `1`), or undefined when it is not one. */
function literalTruth(arg: string): boolean | undefined {
  if (/^(?:false|0|NULL)$/.test(arg)) return false;
  if (/^(?:true|[1-9]\d*)$/.test(arg)) return true;
  return undefined;
}

/**
 * Can the caller's call (`call`, its text) run this path of the callee up to step `upto`? A branch that tests a
 * parameter alone (`if (!can_block)`, `if (atomic)`) is decided when the call passes a literal for it (`false`,
 * `0`, `NULL`, `true`, `1`); a path taking the other side is not run by that call. Anything else is left open.
 */
export function feasibleFor(call: Event, image: FunctionImage, path: EventPath, upto: number): boolean {
  const args = callArgs(call.text);
  const params = image.params.map((p) => /(\w+)\s*(?:\[\s*\])?\s*$/.exec(p)?.[1]);
  if (args.length !== params.length) return true;
  const known = new Map<string, boolean>();
  params.forEach((p, k) => {
    const v = literalTruth(args[k] ?? '');
    if (p && v !== undefined) known.set(p, v);
  });
  if (known.size === 0) return true;
  for (let i = 0; i < upto && i < path.steps.length; i++) {
    const s = path.steps[i];
    if (s?.step !== 'control' || s.kind !== 'branch') continue;
    const m = /^\s*(!?)\s*\(?\s*(\w+)\s*\)?\s*$/.exec(s.cond);
    const v = m?.[2] !== undefined ? known.get(m[2]) : undefined;
    if (v === undefined) continue;
    if ((m?.[1] === '!' ? !v : v) !== s.taken) return false;
  }
  return true;
}

/**
 * Rule sleep-in-atomic: a call that may sleep (cond_resched(), mutex_lock(), down_read(), lock_page(),
 * split_folio(), a GFP_KERNEL allocation, ...) made while a spinlock-class lock is held (the PTL, the pmd lock,
 * page_table_lock, any spin_lock) or while a PTE table mapped by pte_offset_map() is not yet unmapped (an RCU
 * read-side section since 6.5). What may sleep is catalogue data (`attrs.sleeps`, the `gfp` hook).
 */
import type { Event, EventPath, FunctionImage, FunctionView } from '../src/core/events.ts';
import type { Hazard } from '../src/core/rule.ts';
import type { LockClass } from '../src/core/ops.ts';
import { PTE_MAP_SEMANTICS } from '../src/kernel-api/catalogue.ts';
import { ATOMIC_SECTION_KINDS, FAULT_ONLY_SLEEPERS, PAGEFAULT_OFF_KINDS, SECTION_CALLS, sectionEffect } from '../src/kernel-api/atomic-sections.ts';
import type { SectionKind } from '../src/kernel-api/atomic-sections.ts';
import { createRule } from './create-rule.ts';
import type { TypedRuleContext } from './create-rule.ts';
import { annotatedEntryLocks, sameFunctionCallersOf } from './utils/contracts.ts';
import { applyOnPath, callOutcome, failedCalls } from './utils/failure.ts';
import { declaredBetween } from './utils/loop-lock.ts';
import { walkedCursorAfter } from './utils/pte-walk.ts';
import { ptePointerParams, unseenMappedPte } from './utils/pte-in-use.ts';
import { heldAssertions } from './utils/lock-assertions.ts';
import { ATOMIC_LOCK_CLASSES, LockState, firstGapBetween, gapsOf, fragmentEntryLocks, imageEvent, insertAt, lockOf, norm, stripStep, synthEvent } from './utils/paths.ts';
import { callerHeldLocks, droppedWhileSleeping, feasibleFor, handsLocks, sleepingCallees, sleepsOnEveryPath } from './utils/sleep-callees.ts';
import type { CallerLock } from './utils/sleep-callees.ts';
import { unrunnableRelease } from './utils/unrunnable-release.ts';
import { fixedGfpVariable } from './utils/gfp-variable.ts';
import { sectionClosedBelow } from './utils/section-from-above.ts';
import { SPIN_BEFORE_HUNK, fragmentSpinEntryLocks, unseenTakeBetween } from './utils/fragment-spin-entry.ts';
import { unresolvedSleep } from './utils/unresolved-sleep.ts';
import { calleeOwnersOf, mappedPteReleaser, ownersOf, takenLockReleaser, unknownReleaserBefore } from './utils/entry-lock-release.ts';

export type MessageId = 'sleepUnderLock' | 'sleepUnderCallerLock' | 'sleepUnderPteMap' | 'sleepInAtomicSection' | 'sleepInPteWalk' | 'sleepWithMappedPte';

function hazard(): Hazard {
  return { kind: 'sleep-in-atomic', invariants: ['no-sleep-in-atomic'], adversaries: [], arch: ['x86'], context: ['pte-map-hold'] };
}

/**
 * Does the event stand for a call that may sleep? Catalogue data: `may-sleep` ops (a `gfp` allocation is only one
 * when its mask allows direct reclaim; otherwise the hook makes it a plain call) and sleeping locks
 * (`attrs.sleeps`: mutex, rwsem, mmap_lock, page lock). A blockable mmu_notifier start is notifier-symmetry's
 * `blockableUnderLock` (one finding per root cause), so it is not reported here.
 */
export function maySleep(ev: Event): boolean {
  if (ev.kind === 'notifier-start') return false;
  return ev.kind === 'may-sleep' || ev.attrs.sleeps === true;
}


/** An open PTE-table mapping (RCU read-side section) on a path: the step that made it. */
interface MapHold {
  index: number;
  event: Event;
  /** The PTL taken with the mapping (pte_offset_map_lock()): a callee that releases it unmaps too. */
  lock?: string;
}

/**
 * The path the simulator runs: a sleep marker before the sleeping call (a sleeping lock is modelled by the simulator
 * as a lock, not as a sleep), and the PTE-table mapping as a spinning hold of its own (`pte-map:N`) from the map to
 * the unmap that closes it, when that is what makes the context atomic.
 */
function simPath(path: EventPath, at: number, ev: Event, map: MapHold | undefined, unmapAt: number | undefined): EventPath {
  let p = path;
  const marks: Array<{ index: number; ev: Event }> = [];
  if (ev.kind !== 'may-sleep') marks.push({ index: at, ev: { ...synthEvent('may-sleep', ev.callee, {}, ev.loc), text: `${ev.callee}() may sleep` } });
  if (map) {
    const hold = { lock: `pte-map:${map.index}` };
    marks.push({ index: map.index + 1, ev: { ...synthEvent('lock', '<pte-map>', hold, map.event.loc, { lockClass: 'other' }), text: `${map.event.callee}(): rcu_read_lock() (PTE table mapped)` } });
    if (unmapAt !== undefined) marks.push({ index: unmapAt + 1, ev: { ...synthEvent('unlock', '<pte-map>', hold, path.steps[unmapAt]!.loc, { lockClass: 'other' }), text: 'pte_unmap(): rcu_read_unlock()' } });
  }
  // Insert from the back so earlier indices stay valid.
  for (const m of marks.sort((a, b) => b.index - a.index)) p = insertAt(p, m.index, m.ev);
  return p;
}

/** An open atomic section on a path (rcu_read_lock(), preempt_disable(), kmap_atomic(), ...): the step that opened it. */
interface SectionHold {
  index: number;
  event: Event;
  kind: SectionKind;
}

/** Index of the call that closes the section of `kind` that is the `opened`-th open one at `from`, or undefined. */
function sectionCloseIndex(path: EventPath, from: number, kind: SectionKind, opened: number): number | undefined {
  let depth = opened;
  for (let i = from + 1; i < path.steps.length; i++) {
    const s = path.steps[i];
    const sc = s?.step === 'event' ? sectionEffect(s.callee) : undefined;
    if (!sc || sc.kind !== kind) continue;
    depth += sc.opens ? 1 : -1;
    if (depth < opened) return i;
  }
  return undefined;
}

/** The simulated path for a sleep inside an atomic section: the section as a spinning hold from its open to its close. */
function sectionPath(path: EventPath, at: number, ev: Event, sec: SectionHold, closeAt: number | undefined): EventPath {
  let p = path;
  const hold = { lock: `${sec.kind}-section:${sec.index}` };
  const marks: Array<{ index: number; ev: Event }> = [];
  if (ev.kind !== 'may-sleep') marks.push({ index: at, ev: { ...synthEvent('may-sleep', ev.callee, {}, ev.loc), text: `${ev.callee}() may sleep` } });
  marks.push({ index: sec.index + 1, ev: { ...synthEvent('lock', `<${sec.kind}-section>`, hold, sec.event.loc, { lockClass: 'spin' }), text: `${sec.event.callee}(): atomic section (${sec.kind})` } });
  if (closeAt !== undefined) marks.push({ index: closeAt + 1, ev: { ...synthEvent('unlock', `<${sec.kind}-section>`, hold, path.steps[closeAt]!.loc, { lockClass: 'spin' }), text: `${(path.steps[closeAt] as Event).callee}(): end of the atomic section` } });
  for (const m of marks.sort((a, b) => b.index - a.index)) p = insertAt(p, m.index, m.ev);
  return p;
}

/** Index of the pte_unmap() that closes the mapping made at `map`, after `from`, or undefined. */
function unmapIndex(path: EventPath, from: number, opened: number): number | undefined {
  let depth = opened;
  for (let i = from + 1; i < path.steps.length; i++) {
    const s = path.steps[i];
    if (s?.step !== 'event') continue;
    if ((s.kind === 'pte-map' || s.kind === 'pte-map-lock') && PTE_MAP_SEMANTICS.rcuMappers.has(s.callee)) depth++;
    if (s.kind === 'pte-unmap' || s.kind === 'pte-unmap-unlock') {
      depth--;
      if (depth < opened) return i;
    }
  }
  return undefined;
}

/** The first atomic lock held (as LockState.atomicHeld()) other than those in `except`. */
function atomicHeldExcept(state: LockState, except: ReadonlySet<string>): { key: string; by: Event } | undefined {
  for (const [key, v] of [...state.held.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (ATOMIC_LOCK_CLASSES.includes(v.cls) && !except.has(key)) return { key, by: v.by };
  }
  return undefined;
}

/** File lines of a fragment after which lines the diff does not show follow (the gaps between hunks). */
function fileLine(ev: { loc: Event['loc'] }): number | undefined {
  return ev.loc.fileLine;
}

/**
 * A lock a fragment releases without taking it was held from above the hunk only as far as the visible code runs
 * without a gap: across unseen lines between two hunks it may have been dropped and re-taken, or taken there only.
 * Is the lock known to be held at step `at`, i.e. do no unseen lines lie between it and the release?
 */
function heldThroughGaps(path: EventPath, at: number, key: string, gaps: readonly number[]): boolean {
  const from = fileLine(path.steps[at] as { loc: Event['loc'] });
  const rel = path.steps.findIndex((s, k) => k > at && s.step === 'event' && (s.kind === 'pte-unmap-unlock' || s.kind === 'unlock') && norm(s.args.lock ?? s.args.ptl ?? '') === key);
  const to = rel >= 0 ? fileLine(path.steps[rel] as { loc: Event['loc'] }) : undefined;
  if (from === undefined || to === undefined) return false;
  return firstGapBetween(gaps, from, to) === undefined;
}

/** The first gap (unseen file lines after it) between where a lock was taken and a later call, if any. */
function gapBetween(take: { id: number; loc: Event['loc'] }, call: { loc: Event['loc'] }, gaps: readonly number[]): number | undefined {
  const from = take.id >= 0 ? fileLine(take) : undefined;
  const to = fileLine(call);
  if (from === undefined || to === undefined) return undefined;
  return firstGapBetween(gaps, from, to);
}

/**
 * Locks the patch stops releasing: in a hunk fragment's post-image, a page-table lock that the pre-image releases on a
 * deleted line without having taken it was held from above the hunk. The lines above the hunk are the same in both
 * images, so the post-image is entered holding it too, and with that release gone it stays held (until a release the
 * post-image shows). Judged like any lock held from above: not across unseen lines (heldThroughGaps).
 */
function deletedEntryReleases(ctx: TypedRuleContext<MessageId>): Array<{ key: string; cls: LockClass; by: Event }> {
  const pre = ctx.fn.pre;
  if (ctx.side !== 'post' || ctx.image.complete || !pre || pre.complete) return [];
  const preTop = firstFileLine(pre);
  const preGaps = gapsOf(pre);
  const out: Array<{ key: string; cls: LockClass; by: Event }> = [];
  for (const p of pre.paths) {
    for (const l of fragmentEntryLocks(pre, p)) {
      const at = l.by.loc.fileLine;
      if (pre.lineInfo[l.by.loc.line - 1]?.diff !== 'del' || at === undefined || preTop === undefined) continue;
      // Held at the top of the pre-image only when no unseen lines lie between the top and that release.
      if (firstGapBetween(preGaps, preTop, at) !== undefined) continue;
      if (!out.some((o) => o.key === l.key)) out.push({ ...l, by: { ...l.by, loc: { line: 1, column: 0 }, callee: DELETED_RELEASE } });
    }
  }
  return out;
}

/** The step that takes, above the hunk, a page-table lock whose release the patch deleted. */
function takenAbove(key: string, path: EventPath): Event {
  const first = path.steps.find((s) => s.step === 'event');
  const loc = first ? first.loc : { line: 1, column: 0 };
  return { ...synthEvent('lock', 'spin_lock', { lock: key }, loc, { lockClass: 'ptl' }), text: `(above the hunk) ${key} taken: the pre-image released it on a line this patch deletes` };
}

/** The step that stands for a spinlock taken above the hunk, which the fragment releases below `at` (fragmentSpinEntryLocks()). */
function spinTakenAbove(key: string, by: Event, at: Event): Event {
  const line = by.loc.fileLine ?? by.loc.line;
  return { ...synthEvent('lock', 'spin_lock', { lock: key }, at.loc, { lockClass: by.attrs.lockClass ?? 'spin' }), text: `(above the hunk) ${key} taken: the hunk releases it at line ${line} without taking it` };
}

/** The marker callee of a spinlock the code asserts it holds (assertedSpinlocks()). */
const ASSERTED = '<asserted held>';

/**
 * Spinlocks the code asserts it holds (rules/utils/lock-assertions.ts): a top-level `assert_spin_locked(l)`, or a
 * `lockdep_assert_held*(l)` of a page-table lock or a KVM mmu_lock (spinlock or rwlock) — of any other lock the
 * assertion does not say whether it spins. Held from the assertion's line on (tracked from the path's start, claimed
 * only for calls below that line with no hunk gap in between).
 */
function assertedSpinlocks(image: FunctionImage): Array<{ key: string; cls: LockClass; by: Event; line: number }> {
  const out: Array<{ key: string; cls: LockClass; by: Event; line: number }> = [];
  for (const a of heldAssertions(image)) {
    if (!a.topLevel || a.lock === '' || out.some((o) => o.key === a.lock)) continue;
    const cls: LockClass | undefined = a.callee === 'assert_spin_locked' ? 'spin' : a.cls === 'ptl' || a.cls === 'pmd-ptl' || a.cls === 'mmu' ? a.cls : undefined;
    if (!cls) continue;
    const fileLine = image.lineInfo[a.line - 1]?.fileLine;
    const loc = { line: a.line, column: 0, ...(fileLine !== undefined ? { fileLine } : {}) };
    out.push({ key: a.lock, cls, line: a.line, by: { ...synthEvent('lock', ASSERTED, { lock: a.lock }, loc, { lockClass: cls }), text: `${a.callee}(${a.lock}): the code asserts ${a.lock} is held` } });
  }
  return out;
}

/** The marker callee of a lock the function is entered with because a visible caller holds it (callerHeldLocks()). */
const CALLER_HELD = '<caller holds>';

/** The step that stands for the caller's lock, held when the function is entered. */
function callerEntry(c: CallerLock, path: EventPath): Event {
  const first = path.steps.find((s) => s.step === 'event');
  const loc = first ? first.loc : { line: 1, column: 0 };
  const line = c.call.loc.fileLine ?? c.call.loc.line;
  return { ...synthEvent('lock', CALLER_HELD, { lock: c.key }, loc, { lockClass: c.cls }), text: `(caller) ${c.caller}() holds ${c.lock} (${c.take.callee}()) at its call at line ${line}` };
}

/** The marker callee of a lock held from above because the patch deleted its release (deletedEntryReleases()). */
const DELETED_RELEASE = '<before hunk, release deleted>';

function firstFileLine(image: FunctionImage): number | undefined {
  return image.lineInfo.find((l) => l.fileLine !== undefined)?.fileLine;
}

function checkPath(
  ctx: TypedRuleContext<MessageId>,
  path: EventPath,
  seen: Set<number>,
  sleepers: ReadonlySet<string>,
  deleted: ReadonlyArray<{ key: string; cls: LockClass; by: Event }>,
  callers: readonly CallerLock[],
  unconditional: boolean,
  pteParams: readonly string[],
  views: readonly FunctionView[],
): void {
  const { image } = ctx;
  // `__must_hold` / `__releases` say the lock is held on entry; in a hunk fragment the unseen lines between the entry
  // and the hunk may already have released it, so the annotation speaks only for whole functions.
  const entry = image.complete ? [...annotatedEntryLocks(image)] : [];
  // A spinlock the code asserts it holds: from the assertion on.
  const asserted = assertedSpinlocks(image);
  for (const a of asserted) if (!entry.some((e) => e.key === a.key)) entry.push(a);
  // A whole function a visible caller calls holding a spinlock is entered holding it (callerHeldLocks()).
  for (const c of callers) if (!entry.some((e) => e.key === c.key)) entry.push({ key: c.key, cls: c.cls, by: callerEntry(c, path) });
  const fromAbove = [...fragmentEntryLocks(image, path)];
  // Any other spinning lock the fragment releases without taking it: held from above the hunk too.
  for (const l of fragmentSpinEntryLocks(image, path)) if (!fromAbove.some((e) => e.key === l.key)) fromAbove.push(l);
  for (const l of deleted) if (!fromAbove.some((e) => e.key === l.key)) fromAbove.push(l);
  for (const l of fromAbove) if (!entry.some((e) => e.key === l.key)) entry.push(l);
  const gaps = image.complete ? [] : gapsOf(image);
  // A path that releases a lock it did not take (closes a section it did not open) while the function takes it on a
  // branch above that the path skipped is not one the code runs as walked: a claim on it depends on how the tests
  // correlate (rules/utils/unrunnable-release.ts).
  const bad = unrunnableRelease(image, path, entry.map((e) => e.key));
  // Allocations whose GFP local the visible code settles as sleeping (no question then).
  const gfpResolved = new Set<number>();
  const report: typeof ctx.report = (r) => {
    const questions: string[] = [];
    if (r.hazard.unknown !== undefined) questions.push(r.hazard.unknown);
    else if (bad) questions.push(`can this path run as walked? ${bad.what}: the branches that take and release it may test the same condition`);
    // A call that sleeps only under a condition the code around it may rule out (a page-table allocator on tables
    // the caller preallocated): whether it sleeps here is a question (catalogue attrs.sleepsWhen).
    const conditional = [r.anchor, ...r.related.map((x) => x.event)].find((e): e is Event => 'attrs' in e && e.attrs.sleepsWhen !== undefined && maySleep(e));
    if (conditional) questions.push(`does ${conditional.callee}() sleep here? It sleeps ${conditional.attrs.sleepsWhen}: are the tables it walks allocated before this point?`);
    const unread = 'attrs' in r.anchor && !gfpResolved.has(r.anchor.id) ? unresolvedSleep(r.anchor) : undefined;
    if (unread !== undefined) questions.push(unread);
    return ctx.report(questions.length > 0 ? { ...r, hazard: { ...r.hazard, unknown: questions.join('; ') } } : r);
  };
  const state = new LockState(entry);
  const failed = failedCalls(path);
  const maps: MapHold[] = [];
  const sections: SectionHold[] = [];
  const real = (e: Event): Event => imageEvent(image, e);
  path.steps.forEach((s, i) => {
    if (s.step !== 'event') return;
    const ev = stripStep(s);
    if (failed.has(i)) return;
    // With page faults off (kmap_atomic(), pagefault_disable()) a user access fails instead of sleeping.
    const faultsOff = sections.some((x) => PAGEFAULT_OFF_KINDS.has(x.kind));
    // A GFP mask held in a local the visible code only ever gives sleeping masks (gfp-variable.ts) sleeps; one the
    // text does not spell otherwise may sleep, claimed only as a question (unresolved-sleep.ts).
    const gfpVar = fixedGfpVariable(image, path, i, ev);
    if (gfpVar) gfpResolved.add(ev.id);
    const sleeps = (maySleep(ev) && !(faultsOff && FAULT_ONLY_SLEEPERS.has(ev.callee))) || (ev.kind === 'call' && (sleepers.has(ev.callee) || gfpVar?.sleeps === true)) || (!gfpVar && unresolvedSleep(ev) !== undefined);
    if (sleeps && !seen.has(ev.id)) {
      // A call that drops a lock before it sleeps (do_wp_page() releases vmf->ptl, cond_resched_lock(lock) drops
      // the lock it is given to reschedule) is called under that lock by contract: only another atomic lock counts.
      const dropped = new Set((ev.attrs.releases ?? []).map((x) => norm(x)));
      const given = droppedWhileSleeping(ev);
      if (given !== undefined) dropped.add(given);
      // A caller's lock is keyed with the caller's name: the callee drops it when it names it as the caller does.
      for (const c of callers) if (dropped.has(norm(c.lock))) dropped.add(c.key);
      // A caller whose literal arguments steer its call away from this path does not hold its lock here.
      for (const c of callers) if (!feasibleFor(c.call, image, path, i)) dropped.add(c.key);
      // An asserted lock counts only below its assertion, with no unseen lines in between.
      for (const a of asserted) {
        if (state.held.get(a.key)?.by !== a.by) continue;
        const from = a.by.loc.fileLine;
        const to = fileLine(ev);
        const unseen = gaps.length > 0 && (from === undefined || to === undefined || firstGapBetween(gaps, from, to) !== undefined);
        if (ev.loc.line <= a.line || unseen) dropped.add(a.key);
      }
      const held = atomicHeldExcept(state, dropped);
      // Held only because the fragment releases it below: not claimed across a gap between hunks.
      // Nor when the fragment declares the lock variable: then unseen lines after the declaration took it, not code
      // above the hunk.
      const fromAboveHeld = held !== undefined && fromAbove.some((l) => l.key === held.key && state.held.get(l.key)?.by === l.by);
      // A release the patch deleted: held from the top of the post-image too, as far as it runs without a gap.
      const deletedHeld = fromAboveHeld && held.by.callee === DELETED_RELEASE;
      const top = firstFileLine(image);
      const at = fileLine(ev);
      const unknown = deletedHeld
        ? top === undefined || at === undefined || firstGapBetween(gaps, top, at) !== undefined || declaredBetween(image, held.key, 1, image.lineInfo.length)
        : fromAboveHeld && (!heldThroughGaps(path, i, held.key, gaps) || declaredBetween(image, held.key, 1, image.lineInfo.length) || (held.by.callee === SPIN_BEFORE_HUNK && unseenTakeBetween(path, i, held.key) !== undefined));
      // Taken in the visible code, but unseen lines lie between the lock and the sleeping call: they may drop it.
      const gapAfter = held !== undefined && !unknown ? gapBetween(held.by, ev, gaps) : undefined;
      const byCaller = held ? callers.find((c) => c.key === held.key && state.held.get(c.key)?.by.callee === CALLER_HELD) : undefined;
      // An entry lock (asserted, annotated, a caller's) given, or its owner, to a function the tool does not know
      // before the call: that function may have dropped it (rules/utils/entry-lock-release.ts).
      const entryKind = held === undefined ? undefined : byCaller ? 'caller' : held.by.callee === ASSERTED || held.by.callee === '<caller>' ? 'own' : undefined;
      // A lock taken in the visible code (or held from above a hunk) given to such a function after the take likewise.
      const releaser = held === undefined ? undefined
        : entryKind === undefined ? takenLockReleaser(path, i, held.key, held.by.callee === DELETED_RELEASE ? { ...held.by, id: -1 } : held.by, image, views, ctx.fn.path, ctx.side)
        : byCaller ? unknownReleaserBefore(path, i, 0, byCaller.lock, calleeOwnersOf(byCaller.lock, byCaller.call, image), views, ctx.fn.path, ctx.side)
        : unknownReleaserBefore(path, i, held.by.loc.line, held.key, ownersOf(held.key), views, ctx.fn.path, ctx.side);
      const mayDrop = releaser ? `does ${releaser.callee}() at line ${fileLine(releaser) ?? releaser.loc.line} (not shown) release ${byCaller ? byCaller.lock : held?.key}? It is given ${releaser.text.trim()}` : undefined;
      if (held && byCaller) {
        seen.add(ev.id);
        const line = byCaller.call.loc.fileLine ?? byCaller.call.loc.line;
        report({
          messageId: 'sleepUnderCallerLock',
          data: { call: ev.callee, caller: byCaller.caller, fn: ctx.fn.name, line: String(line), lock: byCaller.lock },
          anchor: real(ev),
          related: [],
          path: insertAt(simPath(path, i, ev, undefined, undefined), 0, callerEntry(byCaller, path)),
          // The call holds the lock; whether it reaches this path of the function depends on what it passes, unless
          // the function sleeps on every path.
          hazard: mayDrop ? { ...hazard(), unknown: mayDrop } : unconditional ? hazard() : { ...hazard(), unknown: `does the call of ${ctx.fn.name}() by ${byCaller.caller}() at line ${line}, made holding ${byCaller.lock}, reach this path (the call of ${ev.callee}() at line ${fileLine(ev) ?? ev.loc.line})?` },
          suggestion: { text: `do not call ${ev.callee}() from ${ctx.fn.name}() while its caller holds ${byCaller.lock}: move it to the caller before the lock is taken, or use a non-sleeping form` },
        });
      } else if (held && !unknown) {
        seen.add(ev.id);
        const at = held.by.id >= 0 ? path.steps.findIndex((x) => x.step === 'event' && x.id === held.by.id) : -1;
        report({
          messageId: 'sleepUnderLock',
          data: { call: ev.callee, lock: held.key },
          anchor: real(ev),
          related: at >= 0 ? [{ event: real(held.by), message: `${held.key} (a spinlock) taken here` }] : [],
          // A lock held from above only because the patch deleted its release: the simulated path takes it first.
          // A spinlock released below without a take: the simulated path takes it just before the sleeping call (it is
          // known held only from there to the release, with no unseen lines in between).
          path: held.by.callee === DELETED_RELEASE ? insertAt(simPath(path, i, ev, undefined, undefined), 0, takenAbove(held.key, path)) : held.by.callee === ASSERTED ? insertAt(simPath(path, i, ev, undefined, undefined), 0, held.by) : held.by.callee === SPIN_BEFORE_HUNK ? insertAt(simPath(path, i, ev, undefined, undefined), i, spinTakenAbove(held.key, held.by, ev)) : simPath(path, i, ev, undefined, undefined),
          hazard: gapAfter !== undefined ? { ...hazard(), unknown: `the unseen lines after line ${gapAfter}: is ${held.key} still held at line ${fileLine(ev) ?? '?'}?` } : mayDrop ? { ...hazard(), unknown: mayDrop } : hazard(),
          suggestion: { text: `call ${ev.callee}() before taking ${held.key} or after dropping it (re-validate the entry after re-taking the lock)` },
        });
      } else if (!held && maps.some((m) => !m.lock || !dropped.has(m.lock))) {
        seen.add(ev.id);
        const map = maps.filter((m) => !m.lock || !dropped.has(m.lock)).pop() as MapHold;
        // The mapped pointer given to a function the tool does not know: it may have unmapped the table.
        const unmapper = mappedPteReleaser(path, i, map.event, views, ctx.fn.path, ctx.side);
        report({
          messageId: 'sleepUnderPteMap',
          data: { call: ev.callee, map: map.event.callee },
          anchor: real(ev),
          related: [{ event: real(map.event), message: `PTE table mapped here (rcu_read_lock())` }],
          path: simPath(path, i, ev, map, unmapIndex(path, i, maps.length)),
          hazard: unmapper ? { ...hazard(), unknown: `does ${unmapper.callee}() at line ${fileLine(unmapper) ?? unmapper.loc.line} (not shown) unmap the PTE table mapped by ${map.event.callee}()? It is given ${unmapper.text.trim()}` } : hazard(),
          suggestion: { text: `pte_unmap() before calling ${ev.callee}() and map the table again afterwards (it may have changed)` },
        });
      } else if (!held && sections.some((x) => ATOMIC_SECTION_KINDS.has(x.kind))) {
        const sec = sections.filter((x) => ATOMIC_SECTION_KINDS.has(x.kind)).pop() as SectionHold;
        seen.add(ev.id);
        // Unseen lines between the open and the call may close the section: then only a question.
        const gap = gapBetween(sec.event, ev, gaps);
        const opened = sections.filter((x) => x.kind === sec.kind).length;
        report({
          messageId: 'sleepInAtomicSection',
          data: { call: ev.callee, section: sec.event.callee, kind: sec.kind },
          anchor: real(ev),
          related: [{ event: real(sec.event), message: `atomic section (${sec.kind}) opened here` }],
          path: sectionPath(path, i, ev, sec, sectionCloseIndex(path, i, sec.kind, opened)),
          hazard: gap !== undefined ? { ...hazard(), unknown: `the unseen lines after line ${gap}: is the ${sec.kind} section opened by ${sec.event.callee}() still open at line ${fileLine(ev) ?? '?'}?` } : hazard(),
          suggestion: { text: `call ${ev.callee}() outside the section opened by ${sec.event.callee}(), or use a form that does not sleep` },
        });
      } else if (!held && sectionClosedBelow(image, path, i, gaps) !== undefined) {
        // A section the fragment closes below the call without opening it: opened above the hunk, open here.
        const below = sectionClosedBelow(image, path, i, gaps) as NonNullable<ReturnType<typeof sectionClosedBelow>>;
        const open = Object.entries(SECTION_CALLS).find(([, c]) => c.kind === below.kind && c.opens)?.[0] ?? below.kind;
        const sec: SectionHold = { index: i - 1, kind: below.kind, event: { ...synthEvent('call', open, {}, ev.loc), text: `(above the hunk) ${open}(): the hunk closes the section at line ${fileLine(below.event) ?? below.event.loc.line} without opening it` } };
        seen.add(ev.id);
        report({
          messageId: 'sleepInAtomicSection',
          data: { call: ev.callee, section: open, kind: below.kind },
          anchor: real(ev),
          related: [{ event: real(below.event), message: `atomic section (${below.kind}) closed here, opened above the hunk` }],
          path: sectionPath(path, i, ev, sec, below.close),
          hazard: hazard(),
          suggestion: { text: `call ${ev.callee}() outside the ${below.kind} section closed by ${below.event.callee}(), or use a form that does not sleep` },
        });
      } else if (!held) {
        // A fragment whose visible code does not map the table, but advances a PTE cursor after the call with no
        // unmap in between: the table walked by the loop is mapped at the call, by code above the hunk.
        const cursor = image.complete ? undefined : walkedCursorAfter(path, i, gaps);
        // Otherwise a PTE pointer the visible code never mapped, in use at the call (handed in, or used after it).
        const inUse = cursor === undefined ? unseenMappedPte(image, path, i, gaps, pteParams) : undefined;
        if (inUse) {
          seen.add(ev.id);
          const first = path.steps[0]?.loc ?? ev.loc;
          const how = inUse.how === 'param' ? `${inUse.pte} is handed in by the caller, which mapped its table` : `${inUse.pte} is used after the call and was mapped above the hunk`;
          const map: MapHold = { index: -1, event: { ...synthEvent('pte-map', 'pte_offset_map', { pte: inUse.pte }, first), text: `(unseen) the PTE table ${inUse.pte} points into is mapped` } };
          report({
            messageId: 'sleepWithMappedPte',
            data: { call: ev.callee, pte: inUse.pte, how },
            anchor: real(ev),
            related: [],
            path: simPath(path, i, ev, map, undefined),
            hazard: hazard(),
            unseen: `depends on code the patch does not show: how the PTE table that ${inUse.pte} points into was mapped (${inUse.how === 'param' ? 'by the caller' : 'above the hunk'}): pte_offset_map_lock() holds the page-table lock; since 6.5 pte_offset_map() is an RCU read-side section; before it only a HIGHPTE kmap_atomic() is atomic`,
            suggestion: { text: `call ${ev.callee}() where the PTE table is not mapped (before the caller maps it, or after pte_unmap()), or use a form that does not sleep` },
          });
        } else if (cursor !== undefined) {
          seen.add(ev.id);
          const first = path.steps[0]?.loc ?? ev.loc;
          const map: MapHold = { index: -1, event: { ...synthEvent('pte-map', 'pte_offset_map', { pte: cursor }, first), text: `(above the hunk) the PTE table walked by ${cursor} is mapped` } };
          report({
            messageId: 'sleepInPteWalk',
            data: { call: ev.callee, cursor },
            anchor: real(ev),
            related: [],
            path: simPath(path, i, ev, map, undefined),
            hazard: hazard(),
            unseen: `depends on code above the hunk and on the kernel: how the PTE table that ${cursor} walks was mapped (pte_offset_map_lock() holds the page-table lock; since 6.5 pte_offset_map() is an RCU read-side section; before it only a HIGHPTE kmap_atomic() is atomic)`,
            suggestion: { text: `leave the PTE walk (unmap the table, and drop the lock) before calling ${ev.callee}(), then map it again` },
          });
        }
      }
    }
    applyOnPath(state, path, i);
    // A release with _irq / _irqrestore / _bh also ends an open irq / softirq section (sectionEffect()).
    const sc = sectionEffect(ev.callee);
    if (sc?.opens) sections.push({ index: i, event: ev, kind: sc.kind });
    else if (sc) {
      // A close without an open on the path (opened above a hunk, or by the caller) closes nothing we track.
      const k = sections.map((x) => x.kind).lastIndexOf(sc.kind);
      if (k >= 0) sections.splice(k, 1);
    }
    // A callee that releases a lock it is given (do_wp_page() and vmf->ptl) returns without it, and unmaps the
    // table it was mapped with.
    for (const r of ev.attrs.releases ?? []) {
      const key = norm(r);
      state.held.delete(key);
      for (let k = maps.length - 1; k >= 0; k--) if (maps[k]?.lock === key) maps.splice(k, 1);
    }
    // A mapping opens an RCU read-side section on trees where pte_offset_map() can fail (6.5+): the path testing
    // its result for NULL is written against that API. An untested mapping may be older code (no RCU section).
    // pte_offset_map_lock() maps too: after spin_unlock(ptl) the table stays mapped until pte_unmap().
    if ((ev.kind === 'pte-map' || ev.kind === 'pte-map-lock') && PTE_MAP_SEMANTICS.rcuMappers.has(ev.callee) && callOutcome(path, i) === 'succeeded') maps.push({ index: i, event: ev, ...(ev.kind === 'pte-map-lock' ? { lock: lockOf(ev) } : {}) });
    else if ((ev.kind === 'pte-unmap' || ev.kind === 'pte-unmap-unlock') && maps.length > 0) maps.pop();
  });
}

export default createRule<MessageId>({
  meta: {
    id: 'sleep-in-atomic',
    severity: 'error',
    docs: { description: 'Do not call a function that may sleep while a spinlock (PTL, pmd lock) is held or a PTE table is mapped' },
    messages: {
      sleepUnderLock: '{{call}}() may sleep, but {{lock}} (a spinlock) is held here: sleeping in atomic context.',
      sleepUnderCallerLock: '{{call}}() may sleep, but {{caller}}() calls {{fn}}() holding {{lock}} (a spinlock, line {{line}}): sleeping in atomic context.',
      sleepUnderPteMap: '{{call}}() may sleep, but the PTE table mapped by {{map}}() is not unmapped yet: since 6.5 the mapping is an RCU read-side section, where sleeping is not allowed.',
      sleepWithMappedPte: '{{call}}() may sleep while the PTE table that {{pte}} points into is mapped ({{how}}): with the page-table lock held, or since 6.5 in the RCU read-side section of the mapping, sleeping is not allowed.',
      sleepInAtomicSection: '{{call}}() may sleep, but the atomic section ({{kind}}) opened by {{section}}() is not closed yet: sleeping in atomic context.',
      sleepInPteWalk: '{{call}}() may sleep inside a walk of a mapped PTE table ({{cursor}} is advanced after it with no pte_unmap() in between): with the page-table lock held, or since 6.5 in the RCU read-side section of the mapping, sleeping is not allowed.',
    },
    hazard:
      'A task that holds a spinlock (the page-table lock, the pmd lock, mm->page_table_lock) runs with preemption disabled; one that mapped a PTE table with pte_offset_map() is, since 6.5, inside an RCU read-side section until pte_unmap(). Calling something that may sleep there (cond_resched, mutex_lock, down_read, lock_page, split_folio, a GFP_KERNEL allocation) schedules with the lock held: "BUG: sleeping function called from invalid context", a deadlock when another task spins on the lock on the same CPU, or an RCU grace period that frees the page table under the sleeper.',
  },
  check(ctx) {
    const seen = new Set<number>();
    const views = [...ctx.siblings, ...(ctx.context ?? [])];
    const sleepers = sleepingCallees(views, ctx.fn.name, ctx.side, maySleep, ctx.fn.path);
    const deleted = deletedEntryReleases(ctx);
    // Entered holding a visible caller's spinlock: whole functions that do not take their caller's lock by contract.
    const heldBy = ctx.image.complete && !handsLocks(ctx.image) ? callerHeldLocks(views, ctx.fn, ctx.side) : [];
    const unconditional = heldBy.length > 0 && sleepsOnEveryPath(ctx.image, (e) => maySleep(e) || (e.kind === 'call' && sleepers.has(e.callee)));
    // A function that sleeps on every path is a sleeping call for a changed caller, reported at that call (one
    // finding per root cause); an unchanged caller (the tree's) is not reviewed, so its lock is reported here.
    const callers = unconditional ? heldBy.filter((c) => !ctx.siblings.some((s) => s.name === c.caller)) : heldBy;
    // `pte_t *` parameters: the caller mapped their table. Not when visible callers were judged (callerHeldLocks()).
    const pteParams = sameFunctionCallersOf(views, ctx.fn, ctx.side).length === 0 && !(ctx.image.complete && handsLocks(ctx.image)) ? ptePointerParams(ctx.image) : [];
    // Paths that can run as walked first: a sleep both they and an unrunnable path reach is claimed on them.
    const unrunnable = new Set(ctx.image.paths.filter((p) => unrunnableRelease(ctx.image, p, []) !== undefined));
    const paths = [...ctx.image.paths.filter((p) => !unrunnable.has(p)), ...unrunnable];
    for (const path of paths) checkPath(ctx, path, seen, sleepers, deleted, callers, unconditional, pteParams, views);
  },
});

/**
 * Rule notifier-symmetry: mmu_notifier invalidate_range_start/_end unpaired on some path or with different ranges,
 * PTE changes mirrored by secondary MMUs made outside a start/end bracket, and blockable notifier starts under a
 * spinlock.
 */
import type { Event, EventPath, FunctionImage, FunctionView, PathStep } from '../src/core/events.ts';
import type { Hazard } from '../src/core/rule.ts';
import type { InvariantName } from '../src/core/sim-contract.ts';
import { ranGapBetween } from './utils/ran-gap.ts';
import { unseenRangeStarter, unseenStarterQuestion } from './utils/unseen-range-starter.ts';
import { createRule } from './create-rule.ts';
import type { TypedRuleContext } from './create-rule.ts';
import { annotatedEntryLocks, baseName, callersOf, callSitesVerdict, handOver, paramName, rangeFromCaller } from './utils/contracts.ts';
import { PTE_PRESERVING_HOOKS } from '../src/kernel-api/catalogue.ts';
import { coversRegion, regionBoundsUnseen, widenedRanges } from './utils/extent.ts';
import { RANGE_ZAPPERS } from '../src/kernel-api/range-zappers.ts';
import { WINDOW_OWED_CHANGERS } from '../src/kernel-api/window-owed-changers.ts';
import { callOutcome, failedCalls, returnSemantics } from './utils/failure.ts';
import { untestedFailureVariants } from './utils/untested-failure.ts';
import { failureLeftUnended } from './utils/failure-swap.ts';
import { gotoOutOfFragment, leaveAtGoto } from './utils/goto-out.ts';
import { wholeVmaRange } from './utils/vma-bounds.ts';
import { rangesDiffer } from './utils/range-differ.ts';
import { treeAtLeast } from './utils/tree-era.ts';
import { FAILURE_ERAS, eraQuestion } from '../src/kernel-api/failure-eras.ts';
import type { FailureEra } from '../src/kernel-api/failure-eras.ts';
import type { GotoOut } from './utils/goto-out.ts';
import type { FailureSemantics } from '../src/kernel-api/catalogue.ts';
import { LockState, MIRRORED_KINDS, callArgs, firstGapBetween, gapsOf, imageEvent, insertAt, isPtlAcquire, locAt, moveBefore, norm, pickAnchor, removeAt, replaceAt, stripStep, synthEvent, truncated } from './utils/paths.ts';

export type MessageId = 'missingEnd' | 'missingEndAbove' | 'strayEnd' | 'rangeMismatch' | 'windowTooSmall' | 'unbracketed' | 'unbracketedCall' | 'blockableUnderLock' | 'windowLeftToCaller';

/** Event kinds that change a PTE in a way a secondary MMU (KVM, IOMMU, GPU) mirrors. */
export { MIRRORED_KINDS };

function hazard(kind: string, invariants: InvariantName[]): Hazard {
  return { kind, invariants, adversaries: ['kvm-vcpu', 'invalidator'], arch: ['x86'], context: ['secondary-mmu', 'mm-live'] };
}

/** Range identity of a notifier call: the range object, or the (start, end) pair, resolved through range-init. */
export function rangeKey(ev: Event, inits: ReadonlyMap<string, string>): string {
  if (ev.args.range !== undefined) {
    const r = norm(ev.args.range);
    return inits.get(r) ?? `range:${r}`;
  }
  return `${norm(ev.args.start)}..${norm(ev.args.end)}`;
}

/** Range variable → `start..end` from mmu_notifier_range_init calls of the image. */
function rangeInits(image: FunctionImage): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of image.events) {
    if (e.kind === 'notifier-range-init' && e.args.range !== undefined) m.set(norm(e.args.range), `${norm(e.args.start)}..${norm(e.args.end)}`);
  }
  return m;
}

function has(img: FunctionImage | undefined, kind: Event['kind']): boolean {
  return img?.events.some((e) => e.kind === kind) ?? false;
}

/** Is the range stored outside the function's frame (a struct field), so its end may legitimately live elsewhere? */
function nonLocalRange(ev: Event): boolean {
  return ev.args.range !== undefined && /->|\./.test(norm(ev.args.range));
}

/** Does the path leave between index `from` and its end without passing lines where an end call sits? */
function exitsEarly(path: EventPath, from: number, lines: readonly number[]): boolean {
  if (lines.length === 0) return true;
  const last = Math.max(...lines);
  for (let i = from + 1; i < path.steps.length; i++) {
    const s = path.steps[i];
    if (s?.step !== 'control') continue;
    if (s.kind === 'return' && s.loc.line < last) return true;
    if (s.kind === 'goto' && jumpsOver(path, i, lines)) return true;
  }
  return false;
}

/** Does the goto at `gi` jump forward over one of `lines` (the label it lands on is past the line)? */
function jumpsOver(path: EventPath, gi: number, lines: readonly number[]): boolean {
  const g = path.steps[gi];
  if (g?.step !== 'control' || g.kind !== 'goto') return false;
  for (let j = gi + 1; j < path.steps.length; j++) {
    const s = path.steps[j];
    if (s?.step === 'control' && s.kind === 'label' && s.label === g.label) {
      return lines.some((l) => l > g.loc.line && l < s.loc.line);
    }
  }
  return false;
}

/** Texts of page-table-lock acquisitions that run inside an open invalidation window on some path of `img`. */
function lockedInsideWindow(img: FunctionImage | undefined): Set<string> {
  const out = new Set<string>();
  for (const path of img?.paths ?? []) {
    let open = 0;
    for (const s of path.steps) {
      if (s.step !== 'event') continue;
      if (s.kind === 'notifier-start') open++;
      else if (s.kind === 'notifier-end') open = Math.max(0, open - 1);
      else if (s.kind === 'pte-map-lock' && open > 0) out.add(norm(s.text));
    }
  }
  return out;
}

function checkPath(
  ctx: TypedRuleContext<MessageId>,
  path: EventPath,
  owner: boolean,
  inits: Map<string, string>,
  movedIntoWindow: ReadonlySet<string>,
  entry: EntryWindow,
  handOff: HandOff,
  uncovered: ReadonlySet<string>,
): void {
  const { image, fn } = ctx;
  const other = ctx.side === 'post' ? fn.pre : fn.post;
  // Locks the function's annotations say its caller holds on entry (`__must_hold(ptl)`, `__releases(ptl)`). A PTL a
  // hunk fragment releases without taking it is NOT assumed held from the fragment's start: it may have been taken
  // in the unseen lines between two hunks.
  const state = new LockState(annotatedEntryLocks(image));
  // A window opened where the rule cannot see it (above the hunk, or by the caller that handed the range in) is
  // open on entry; its range is unknown ('*' matches any end).
  const open: Array<{ index: number; event: Event; key: string; unseen?: string }> = entry.open ? [{ index: -1, event: entry.open, key: '*' }] : [];
  // Calls that failed on this path did nothing: a failed `_nonblock` start opened no window, a failed trylock or
  // pte_offset_map_lock() holds no lock (catalogue FAILURE).
  const failed = failedCalls(path);
  let closedOnPath = false;
  const endLines = image.events.filter((e) => e.kind === 'notifier-end').map((e) => e.loc.line);
  const startLines = image.events.filter((e) => e.kind === 'notifier-start').map((e) => e.loc.line);
  const real = (e: Event): Event => imageEvent(image, e);
  const unbracketed: Array<{ index: number; event: Event; held: LockState }> = [];
  // Calls of unseen functions that ran inside the window the patch removed and now run outside any.
  const uncoveredCalls: Array<{ index: number; event: Event; held: LockState }> = [];
  // Range expressions widened (adjust_range_if_pmd_sharing_possible(vma, &range.start, ...)) anywhere in the image:
  // an opaque call sliced off the paths still widened the range (utils/extent.ts widenedRanges).
  const widened = widenedRanges(image);
  /** Entries whose region the window open around them does not cover (huge_pmd_unshare()'s PUD entry). */
  const small: Array<{ index: number; event: Event; window: Event; init: Event; extent: 'pmd' | 'pud' }> = [];
  path.steps.forEach((s, i) => {
    if (s.step !== 'event') return;
    const ev = stripStep(s);
    if (failed.has(i)) return;
    const extent = regionOf(ev);
    if (extent !== undefined && MIRRORED_KINDS.has(ev.kind) && open.length > 0 && clearedOnPath(path, i, ev)) {
      const w = open[open.length - 1];
      const init = w && w.key !== '*' ? windowInit(image, w.event) : undefined;
      // A PMD or PUD entry's change (no catalogue extent) is judged only against a window written as one page.
      const judged = ev.attrs.extent !== undefined || (init !== undefined && onePage(init.args.start, init.args.end));
      if (w && init && judged && !windowCovers(image, w.event, init, extent, widened) && !wholeVmaRange(image, init.args.start, init.args.end, callArgs(ev.text))) small.push({ index: i, event: ev, window: w.event, init, extent });
    }
    const opener = ev.kind === 'call' ? handOff.openers.get(ev.callee) : undefined;
    if (opener) {
      // A changed function that returns with a window open over the range we hand it: the call opens it, unless
      // its result says it did not (it returns NULL / an error on the paths where it closed or never opened it).
      const outcome = opener.sem ? callOutcome(path, i, opener.sem) : undefined;
      if (outcome === 'failed') return;
      const known = outcome === 'succeeded' || opener.always;
      open.push({ index: i, event: ev, key: '*', ...(known ? {} : { unseen: `depends on ${ev.callee}(): does it return with the invalidation window open on this path?` }) });
      return;
    }
    if (ev.kind === 'call' && handOff.closers.has(ev.callee) && open.length > 0) {
      // A changed function that ends the window over the range we hand it: the call closes it.
      closedOnPath = true;
      open.pop();
      return;
    }
    if (ev.kind === 'notifier-start') {
      const held = state.atomicHeld();
      if (ev.attrs.blockable !== false && held) {
        const at = path.steps.findIndex((x) => x.step === 'event' && x.id === held.by.id);
        ctx.report({
          messageId: 'blockableUnderLock',
          data: { start: ev.callee, lock: held.key },
          anchor: real(ev),
          related: held.by.id >= 0 ? [{ event: real(held.by), message: `${held.key} taken here` }] : [],
          path,
          hazard: hazard('blockable-notifier-under-spinlock', ['no-sleep-in-atomic']),
          ...(at >= 0 ? { suggestion: { text: `start the invalidation before taking ${held.key}`, path: moveBefore(path, i, at) } } : {}),
        });
      }
      open.push({ index: i, event: ev, key: rangeKey(ev, inits) });
    } else if (ev.kind === 'notifier-end') {
      const key = rangeKey(ev, inits);
      if (open.length === 0) {
        const skipped = path.steps.some((x, gi) => gi < i && x.step === 'control' && x.kind === 'goto' && jumpsOver(path, gi, startLines));
        const removed = startLines.length === 0 && has(other, 'notifier-start');
        // A `_nonblock` start that failed on this path opened nothing: ending it unbalances the count.
        const failedStart = [...failed].some((k) => k < i && path.steps[k]?.step === 'event' && (path.steps[k] as Event).kind === 'notifier-start');
        // The patch moved the start into a changed function this path called first: that call opened the window.
        const movedInto = removed && !skipped && !failedStart ? gainedStart(ctx) : [];
        const openedByCallee = movedInto.length > 0 && path.steps.slice(0, i).some((x) => x.step === 'event' && x.kind === 'call' && movedInto.includes(x.callee));
        // With the era unknown, a patch that moves an _end() onto (or off) the failure arm of a `_nonblock` start
        // trades one notifier contract's violation for the other's: neither image is claimed.
        const eraUnknown = failedStart && !skipped && !removed && !treeAtLeast([ctx.fn, ...ctx.siblings], NONBLOCK_CONTRACT_SETTLED);
        if (eraUnknown && failureLeftUnended(other, ev.args.range)) return;
        if (!openedByCallee && (skipped || removed || failedStart)) {
          const moved = movedInto.length > 0 ? `depends on the window the patch opens in ${movedInto.map((n) => `${n}()`).join(', ')}: is it open when this path reaches the end?` : undefined;
          // A helper the diff does not show, given this end's range before it, may have started it (utils/unseen-range-starter.ts).
          const starter = skipped || removed ? unseenRangeStarter(path, i, ev, [...ctx.siblings, ...(ctx.context ?? [])], ctx.side, [image, other]) : undefined;
          const unseenQ = [moved, starter ? unseenStarterQuestion(starter, real(ev)) : undefined].filter((q): q is string => q !== undefined).join('; ');
          ctx.report({
            ...(unseenQ ? { unseen: unseenQ } : {}),
            // The end after a failed start is stray only under the notifier core's contract since v5.12; which one
            // the patch's kernel has is in the visible code only when it uses an API of a later release
            // (catalogue API_SINCE: struct folio, the VMA iterator, ...). Otherwise the claim names the question.
            ...(eraUnknown ? { unseen: FAILED_START_UNSEEN } : {}),
            messageId: 'strayEnd',
            data: { end: ev.callee },
            anchor: real(ev),
            related: [],
            path,
            hazard: hazard('unpaired-notifier', ['notifier-balance', 'secondary-mmu-coherent']),
            suggestion: { text: 'leave through a label placed after the end call when the invalidation was not started', path: removeAt(path, i) },
          });
        }
      } else {
        closedOnPath = true;
        const at = open.findIndex((o) => o.key === key || o.key === '*');
        const match = at >= 0 ? open.splice(at, 1)[0] : open.pop();
        if (match && at < 0) {
          const fixed: Event = { ...ev, args: { ...ev.args, ...pick(match.event.args, ['range', 'mm', 'start', 'end']) } };
          // Bounds written differently may be equal (an address its callers already aligned, a local assigned out of
          // sight): the claim stands alone only when the text settles the difference (rules/utils/range-differ.ts).
          const differs = rangesDiffer(match.key, key);
          ctx.report({
            ...(differs ? {} : { unseen: `depends on the values of the bounds: are ${match.key} (started at line ${lineOf(match.event)}) and ${key} (ended at line ${lineOf(ev)}) different here (an address its callers have not aligned, locals assigned out of sight)?` }),
            messageId: 'rangeMismatch',
            data: { start: match.event.callee, end: ev.callee, startRange: match.key, endRange: key },
            anchor: pickAnchor(ctx.side, [real(ev), real(match.event)]),
            related: [{ event: real(match.event), message: `invalidation started here for ${match.key}` }],
            path,
            hazard: hazard('notifier-range-mismatch', ['notifier-balance', 'secondary-mmu-coherent']),
            suggestion: { text: 'end the invalidation with the same range it was started with', path: replaceAt(path, i, fixed) },
          });
        }
      }
    } else if (ev.kind === 'pte-map-lock' && open.length === 0 && owner && movedIntoWindow.has(norm(ev.text))) {
      // The patch moved this page-table section across a bracket: in the other image it runs inside a window.
      unbracketed.push({ index: i, event: ev, held: new LockState([...state.held.entries()].map(([key, v]) => ({ key, cls: v.cls, by: v.by }))) });
    } else if (ev.kind === 'call' && open.length === 0 && uncovered.has(ev.callee)) {
      uncoveredCalls.push({ index: i, event: ev, held: new LockState([...state.held.entries()].map(([key, v]) => ({ key, cls: v.cls, by: v.by }))) });
    } else if (MIRRORED_KINDS.has(ev.kind) && open.length === 0 && (owner || (ev.attrs.notifies === true && image.complete))) {
      unbracketed.push({ index: i, event: ev, held: new LockState([...state.held.entries()].map(([key, v]) => ({ key, cls: v.cls, by: v.by }))) });
    } else if (ev.kind === 'call' && RANGE_ZAPPERS.has(ev.callee) && open.length === 0 && owner) {
      // A zap of a whole range that notifies nothing itself (unmap_page_range()): its PTE clears are this function's.
      unbracketed.push({ index: i, event: ev, held: new LockState([...state.held.entries()].map(([key, v]) => ({ key, cls: v.cls, by: v.by }))) });
    }
    state.apply(ev);
  });
  for (const sm of small.slice(0, 1)) reportSmallWindow(ctx, path, sm);
  if (unbracketed.length > 0) {
    // One report per path: the change on an added line if any (the patch's doing), else the first one.
    const ordered = [...unbracketed.filter((u) => u.event.kind !== 'pte-map-lock'), ...unbracketed.filter((u) => u.event.kind === 'pte-map-lock')];
    const anchor = pickAnchor(ctx.side, ordered.map((u) => real(u.event)));
    const u = unbracketed.find((x) => x.event.id === anchor.id) ?? (unbracketed[0] as (typeof unbracketed)[number]);
    // "Outside any window" is established only by what the visible code shows: the whole function, a bracket
    // visible in either image, or a window closed earlier on the path. Otherwise a window may have been opened
    // above the hunk, or (in a whole function with no bracket of its own) by the caller: the callers changed in the
    // same patch answer that; with none, the claim depends on unseen code.
    // A value the visible code does not trace (computed in lines the patch does not show): the simulator would
    // install the PTE unchanged. Write-protecting it, the least change secondary MMUs must see, stands in for it,
    // and the claim names the value it depends on (never confirmed).
    const unknownValue = u.event.kind === 'pte-set' && untracedValue(u.event);
    // A range zap is simulated as the clear of one mirrored entry of the range.
    const zap = u.event.kind === 'call' && knownChanger(u.event.callee);
    const simPath = unknownValue
      ? replaceAt(path, u.index, { ...u.event, attrs: { ...u.event.attrs, effects: ['wrprotect'] } })
      : zap
        ? replaceAt(path, u.index, { ...synthEvent('pte-clear', u.event.callee, { mm: 'mm' }, u.event.loc, { effects: ['clear'] }), id: u.event.id, text: u.event.text })
        : path;
    // A bracket counts only on this path (a window closed earlier on it), or as the patch removing the function's
    // whole window; a bracket on another branch says nothing about a window the caller (or code above the hunk)
    // holds around this path (a page-walk callback run inside its walker's window).
    const onPath = closedOnPath || path.steps.some((x) => x.step === 'event' && (x.kind === 'notifier-start' || x.kind === 'notifier-end'));
    const removedWindow = !has(image, 'notifier-start') && !has(image, 'notifier-end') && (has(other, 'notifier-start') || has(other, 'notifier-end'));
    const ownBracket = onPath || removedWindow;
    let unseen: string | undefined;
    // The patch removed the function's whole window: strong evidence that nothing else covers the change, unless
    // the window moved. Callers in the patch that now call it inside a window answer that; a window another
    // function of the patch gains without a visible call of this one leaves it to unseen code.
    if (!has(image, 'notifier-start') && !has(image, 'notifier-end') && !closedOnPath && (has(other, 'notifier-start') || has(other, 'notifier-end'))) {
      const atCalls = callerWindow(ctx);
      if (atCalls === 'inside') return;
      if (atCalls === 'unknown' && windowMovedElsewhere(ctx)) unseen = `depends on the callers of ${fn.name}(): the patch opens an invalidation window in another function — is ${fn.name}() called inside it?`;
    }
    if (!ownBracket) {
      if (!image.complete) unseen = `depends on code above the hunk: is an mmu_notifier invalidation window already open at line ${lineOf(u.event)}?`;
      else {
        const atCalls = callerWindow(ctx);
        if (atCalls === 'inside') return;
        if (atCalls === 'unknown') unseen = `depends on the callers of ${fn.name}(): is an mmu_notifier invalidation window open when it is called?`;
      }
    }
    if (unknownValue) {
      const valueQ = `depends on the value ${valueText(u.event)} that ${u.event.callee}() installs, computed in code the visible lines do not show: does it change the page or the permissions secondary MMUs map?`;
      unseen = unseen ? `${unseen}; ${valueQ}` : valueQ;
    }
    ctx.report({
      ...(unseen ? { unseen } : {}),
      messageId: 'unbracketed',
      data: { op: u.event.callee },
      anchor,
      related: unbracketed.filter((x) => x !== u).map((x) => ({ event: real(x.event), message: 'another PTE change outside the window' })),
      path: simPath,
      hazard: hazard('unbracketed-pte-change', ['secondary-mmu-coherent']),
      suggestion: { text: 'wrap the PTE change in mmu_notifier_invalidate_range_start()/_end(), outside the page-table lock', path: bracket(simPath, u.index, u.event, u.held) },
    });
  }
  if (unbracketed.length === 0 && uncoveredCalls.length > 0 && callerWindow(ctx) !== 'inside') reportUncoveredCall(ctx, path, uncoveredCalls);
  if (truncated(path)) {
    // A goto the patch adds (or removes) to a label the hunk does not show, with a window the path opened still open:
    // whether the label ends it is unseen, so the leak is a question about that label, never a fact.
    const out = gotoOutOfFragment(image, path, ctx.side);
    const left = open.filter((o) => o.index >= 0 && o.event.kind === 'notifier-start' && !rangeFromCaller(image, o.event) && !nonLocalRange(o.event));
    if (out?.changed && left.length > 0 && !closedBySibling(ctx.siblings, fn, ctx.side, (left[left.length - 1] as (typeof left)[number]).key)) {
      reportGotoOut(ctx, path, out, left[left.length - 1] as (typeof left)[number]);
    }
    return;
  }
  for (const o of open) {
    if (o.index < 0) {
      // Opened by unseen code. In a fragment that ends it, a path that returns before the end leaves it open
      // unless the unseen start was itself conditional: the claim depends on the code above the hunk.
      if (!image.complete) reportAboveLeak(ctx, path, endLines);
      continue;
    }
    if (endLines.length === 0 && !has(other, 'notifier-end') && nonLocalRange(o.event)) continue;
    if (closedBySibling(ctx.siblings, fn, ctx.side, o.key)) continue;
    // A range handed in by the caller: the window may be the caller's to close. A changed caller is judged where it
    // calls us (it treats the call as the start); unchanged callers are judged here when the tree shows them all.
    if (o.event.kind === 'notifier-start' && rangeFromCaller(ctx.image, o.event)) {
      reportCallerLeak(ctx, path, o.event, handOff);
      continue;
    }
    if (!exitsEarly(path, o.index, endLines)) continue;
    const ret = exitIndex(path, o.index, endLines);
    // A call of a changed function that opened the window for us: simulate it as the start it stands for.
    const byCall = o.event.kind === 'call';
    const args = byCall ? { range: HANDED_RANGE } : pick(o.event.args, ['range', 'mm', 'start', 'end']);
    const simPath = byCall ? replaceAt(path, o.index, { ...synthEvent('notifier-start', 'mmu_notifier_invalidate_range_start', args, o.event.loc), id: o.event.id, text: o.event.text }) : path;
    const end = synthEvent('notifier-end', 'mmu_notifier_invalidate_range_end', args, locAt(path, ret));
    // The path ran lines between two hunks after the start: they may end the window (rules/utils/ran-gap.ts).
    const gap = ranGapBetween(image, path, o.index, ret);
    const gapQ = gap === undefined ? undefined : `depends on the lines between the hunks after line ${gap}: do they end the invalidation window before the return at line ${locAt(path, ret).fileLine ?? locAt(path, ret).line}?`;
    const unseen = [o.unseen, gapQ].filter((q): q is string => q !== undefined).join('; ');
    ctx.report({
      messageId: 'missingEnd',
      data: { start: o.event.callee },
      anchor: real(o.event),
      related: [],
      ...(unseen ? { unseen } : {}),
      path: simPath,
      hazard: hazard('unpaired-notifier', ['notifier-balance', 'secondary-mmu-coherent']),
      suggestion: { text: 'call mmu_notifier_invalidate_range_end() on every path that started the invalidation', path: insertAt(simPath, ret, end) },
    });
  }
}

/**
 * Callees whose calls the patch took out of an invalidation window: the other image starts and ends a window and
 * calls them only between its first start and its last end (textually), this image has no window at all. What
 * they do is unseen unless they are changed in the patch too: a changed callee with a bracket of its own, or a
 * whole one that changes no PTE and calls nothing unseen, needs no window from us. Architecture hooks that never
 * change a PTE (catalogue PTE_PRESERVING_HOOKS: update_mmu_cache(), flush_cache_page(), ...) are not asked about.
 */
function uncoveredCallees(ctx: TypedRuleContext<MessageId>, other: FunctionImage | undefined): Set<string> {
  const out = new Set<string>();
  const { image } = ctx;
  if (!other || has(image, 'notifier-start') || has(image, 'notifier-end')) return out;
  const starts = other.events.filter((e) => e.kind === 'notifier-start').map((e) => e.loc.line);
  const ends = other.events.filter((e) => e.kind === 'notifier-end').map((e) => e.loc.line);
  if (starts.length === 0 || ends.length === 0) return out;
  const lo = Math.min(...starts);
  const hi = Math.max(...ends);
  const calls = other.events.filter((e) => e.kind === 'call' && e.attrs.opaque === true && !PTE_PRESERVING_HOOKS.has(e.callee));
  const inside = new Set(calls.filter((e) => e.loc.line > lo && e.loc.line < hi).map((e) => e.callee));
  for (const e of calls) if (e.loc.line <= lo || e.loc.line >= hi) inside.delete(e.callee);
  for (const callee of inside) {
    if (!image.events.some((e) => e.kind === 'call' && e.callee === callee)) continue;
    const sib = ctx.siblings.find((f) => f.name === callee) ?? ctx.context?.find((f) => f.name === callee);
    const img = sib ? (ctx.side === 'pre' ? sib.pre : sib.post) : undefined;
    if (img && (has(img, 'notifier-start') || (img.complete && !img.events.some((e) => MIRRORED_KINDS.has(e.kind) || (e.kind === 'call' && e.attrs.opaque === true))))) continue;
    out.add(callee);
  }
  return out;
}

/**
 * A call the catalogue knows to change PTEs secondary MMUs mirror while notifying nothing itself: a range zap
 * (RANGE_ZAPPERS: unmap_page_range()) or a present entry's replacement (WINDOW_OWED_CHANGERS:
 * migrate_vma_insert_page()). The caller owes the window around it.
 */
function knownChanger(callee: string): boolean {
  return RANGE_ZAPPERS.has(callee) || WINDOW_OWED_CHANGERS.has(callee);
}

/** Does another changed function gain an invalidation start in this image (the window moved, not removed)? */
function windowMovedElsewhere(ctx: TypedRuleContext<MessageId>): boolean {
  return gainedStart(ctx).length > 0;
}

/** Other changed functions that have more invalidation starts in this image than in the other one. */
function gainedStart(ctx: TypedRuleContext<MessageId>): string[] {
  return ctx.siblings
    .filter((s) => {
      if (s.name === ctx.fn.name && s.path === ctx.fn.path) return false;
      const [mine, theirs] = ctx.side === 'post' ? [s.post, s.pre] : [s.pre, s.post];
      const count = (img: FunctionImage | undefined): number => img?.events.filter((e) => e.kind === 'notifier-start').length ?? 0;
      return count(mine) > count(theirs);
    })
    .map((s) => s.name);
}

/**
 * A call the removed window covered now runs outside any window. Whether it changes a PTE that secondary MMUs
 * mirror is in the callee, which the diff does not show: the claim is simulated with the change the window was
 * there for standing in for the call, and it names the callee it depends on (never confirmed).
 */
function reportUncoveredCall(ctx: TypedRuleContext<MessageId>, path: EventPath, calls: ReadonlyArray<{ index: number; event: Event; held: LockState }>): void {
  if (windowMovedElsewhere(ctx)) return;
  // A call the catalogue knows to change a mirrored PTE with no window of its own speaks for itself: it is the one
  // simulated, and the claim no longer depends on an unseen callee.
  const u = calls.find((c) => knownChanger(c.event.callee)) ?? (calls[0] as (typeof calls)[number]);
  const ev = u.event;
  // The stand-in takes the mirrored entry away from the page it mapped (the first half of a replacement): the
  // change a window exists for. Write-protecting or replacing it is judged the same way by the secondary MMU.
  const stand = { ...synthEvent('pte-clear', ev.callee, { mm: 'mm' }, ev.loc, { effects: ['clear'] }), id: ev.id, text: ev.text };
  // With a tree that shows the callee whole, one of its paths that changes a mirrored PTE replaces the stand-in:
  // the claim no longer depends on the callee.
  const body = knownChanger(ev.callee) ? undefined : calleeChange(ctx, ev.callee);
  const simPath = body ? { steps: [...path.steps.slice(0, u.index), ...body.steps, ...path.steps.slice(u.index + 1)], complete: path.complete } : replaceAt(path, u.index, stand);
  const names = [...new Set(calls.map((c) => c.event.callee))];
  const listed = names.slice(0, 3).map((n) => `${n}()`).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
  ctx.report({
    ...(body || knownChanger(ev.callee)
      ? {}
      : { unseen: `depends on ${listed}: the patch removed the mmu_notifier invalidation window around ${names.length > 1 ? 'these calls' : 'this call'} — does ${names.length > 1 ? 'one of them' : 'it'} change a PTE that secondary MMUs mirror?` }),
    messageId: 'unbracketedCall',
    data: { callee: ev.callee },
    anchor: imageEvent(ctx.image, ev),
    related: calls.filter((c) => c !== u).map((c) => ({ event: imageEvent(ctx.image, c.event), message: 'another call the removed window covered' })),
    path: simPath,
    hazard: hazard('unbracketed-pte-change', ['secondary-mmu-coherent']),
    suggestion: { text: `keep ${ev.callee}() inside an mmu_notifier_invalidate_range_start()/_end() window`, path: body ? bracketSpan(simPath, u.index, u.index + body.steps.length, ev) : bracket(simPath, u.index, stand, u.held) },
  });
}

/**
 * The callee seen whole (a changed function of the patch, or with a tree an unchanged one of the same file), with
 * no invalidation bracket of its own and all of its paths enumerated: its one path that changes a PTE secondary
 * MMUs mirror, without its return. Undefined when the callee is not seen whole, or when no path or several paths
 * make such a change (one candidate per call is simulated: a harmless first path must not refute a harmful second
 * one, so the stand-in and the question stay).
 */
function calleeChange(ctx: TypedRuleContext<MessageId>, callee: string): EventPath | undefined {
  const view = ctx.siblings.find((f) => f.name === callee) ?? ctx.context?.find((f) => f.name === callee);
  const img = view ? (ctx.side === 'pre' ? view.pre : view.post) : undefined;
  if (!img?.complete || img.paths.some(truncated) || has(img, 'notifier-start') || has(img, 'notifier-end')) return undefined;
  const changing = img.paths.filter((x) => x.steps.some((st) => st.step === 'event' && MIRRORED_KINDS.has(st.kind)));
  if (changing.length !== 1) return undefined;
  const p = changing[0] as EventPath;
  return { steps: p.steps.filter((st) => !(st.step === 'control' && st.kind === 'return')), complete: p.complete };
}

/** The path with a window (over the call's range, unknown: the page at `addr`) around steps [from, to). */
function bracketSpan(path: EventPath, from: number, to: number, call: Event): EventPath {
  const args = { mm: call.args.mm ?? 'mm', start: 'addr', end: 'addr + PAGE_SIZE' };
  const withEnd = insertAt(path, to, synthEvent('notifier-end', 'mmu_notifier_invalidate_range_end', args, locAt(path, to)));
  return insertAt(withEnd, from, synthEvent('notifier-start', 'mmu_notifier_invalidate_range_start', args, locAt(path, from), { blockable: true }));
}

/**
 * The region of address space the changed entry maps, when it is more than a page: the catalogue's `extent`
 * (huge_pmd_unshare() clears a PUD entry over a shared PMD table), or the entry's own level for a change that takes a
 * PMD or PUD entry away or restricts it (pmdp_invalidate(), pmdp_huge_clear_flush(), pmdp_collapse_flush(),
 * pmdp_set_wrprotect(), their PUD forms): a huge entry maps the whole PMD_SIZE / PUD_SIZE region, a table entry
 * every page under it, and secondary MMUs may mirror any of those pages with small mappings of their own. Such a
 * level-only change is judged against a window written as one page (`addr, addr + PAGE_SIZE`), which can never cover
 * the region; other windows (a parameter range; `addr, addr + HPAGE_PMD_SIZE` at the aligned address the pmdp_*
 * helpers require, VM_BUG_ON(address & ~HPAGE_PMD_MASK) in mm/pgtable-generic.c) are left alone.
 */
function regionOf(ev: Event): 'pmd' | 'pud' | undefined {
  if (ev.attrs.extent !== undefined) return ev.attrs.extent;
  if (ev.kind !== 'pte-clear' && ev.kind !== 'pte-clear-flush' && ev.kind !== 'pte-wrprotect') return undefined;
  return ev.attrs.level === 'pmd' || ev.attrs.level === 'pud' ? ev.attrs.level : undefined;
}

/** Is the range written as exactly one page (`X`, `X + PAGE_SIZE`)? */
function onePage(start: string | undefined, end: string | undefined): boolean {
  return start !== undefined && end !== undefined && norm(end).replace(/^\((.*)\)$/, '$1') === `${norm(start)}+PAGE_SIZE`;
}

/**
 * Does the path take the branch on which the entry was changed? For a call that changes it only when it returns
 * true (`attrs.onlyIfTrue`: huge_pmd_unshare()), the next branch on the call must be taken true.
 */
function clearedOnPath(path: EventPath, i: number, ev: Event): boolean {
  if (ev.attrs.onlyIfTrue !== true) return true;
  for (let k = i + 1; k < path.steps.length; k++) {
    const s = path.steps[k];
    if (s?.step === 'event') return false;
    if (s?.step === 'control' && s.kind === 'branch' && norm(s.cond).includes(norm(ev.text))) return s.taken && !/^!/.test(norm(s.cond));
  }
  return false;
}

/** The window's bounds as written: its range's mmu_notifier_range_init(), or the start call's own start/end. */
function windowInit(image: FunctionImage, start: Event): Event | undefined {
  if (start.args.range === undefined) return start.args.start !== undefined && start.args.end !== undefined ? start : undefined;
  const r = norm(start.args.range);
  const inits = image.events.filter((e) => e.kind === 'notifier-range-init' && norm(e.args.range) === r && e.loc.line < start.loc.line);
  const init = inits[inits.length - 1];
  return init?.args.start !== undefined && init.args.end !== undefined ? init : undefined;
}

/** Does the window cover the whole region of `level` (its range widened on the path, or written in the level's units)? */
function windowCovers(image: FunctionImage, start: Event, init: Event, level: 'pmd' | 'pud', widened: ReadonlySet<string>): boolean {
  if (start.args.range !== undefined) {
    const r = norm(start.args.range).replace(/^&/, '');
    if ([`${r}.start`, `${r}->start`].some((x) => widened.has(x)) && [`${r}.end`, `${r}->end`].some((x) => widened.has(x))) return true;
    // A range object whose bounds are assigned outside mmu_notifier_range_init() (`range.start = ...`) is not read.
    if (new RegExp(`\\b${r.replace(/[.>-]/g, (c) => `\\${c}`)}\\s*(?:\\.|->)\\s*(?:start|end)\\s*=(?!=)`).test(image.text)) return true;
  }
  return coversRegion(image, init.args.start, init.args.end, level, widened);
}

/**
 * A window too small for the entry changed in it: huge_pmd_unshare() clears a PUD entry that maps a whole PUD_SIZE
 * region, but the window covers only [start, end) (not widened by adjust_range_if_pmd_sharing_possible()). Secondary
 * MMUs keep mappings of the rest of the region: for them that part of the change is outside any window. Simulated as
 * the change made outside the window; the fix (the window widened) as the path unchanged.
 */
function reportSmallWindow(ctx: TypedRuleContext<MessageId>, path: EventPath, sm: { index: number; event: Event; window: Event; init: Event; extent: 'pmd' | 'pud' }): void {
  const level = sm.extent === 'pmd' ? 'PMD_SIZE' : 'PUD_SIZE';
  const outside: EventPath = { steps: path.steps.filter((x) => !(x.step === 'event' && (x.kind === 'notifier-start' || x.kind === 'notifier-end'))), complete: path.complete };
  const anchor = pickAnchor(ctx.side, [imageEvent(ctx.image, sm.event), imageEvent(ctx.image, sm.init), imageEvent(ctx.image, sm.window)].filter((e) => e.id >= 0));
  // In a fragment the bounds may have been widened (or aligned) in lines the hunks do not show, but only before the
  // window is started: the notifiers are told the range at mmu_notifier_invalidate_range_start(), and a widening after
  // it (in a gap between the start and the change) does not widen the window they hold. So the unseen lines that
  // matter are those above the start: above the hunk, or in a gap between the window's setup and its start.
  // Or its bounds are the function's parameters, which the callers may have aligned already.
  const unseen = regionBoundsUnseen(ctx.image, sm.init.args.start, sm.init.args.end, sm.extent, sm.window.loc.line, `before the window is started at line ${lineOf(sm.window)}`, { onePage: onePage(sm.init.args.start, sm.init.args.end) });
  ctx.report({
    ...(unseen ? { unseen } : {}),
    messageId: 'windowTooSmall',
    data: { op: sm.event.callee, region: level, start: norm(sm.init.args.start), end: norm(sm.init.args.end) },
    anchor,
    related: [
      { event: imageEvent(ctx.image, sm.event), message: `changes an entry that maps a whole ${level} region` },
      { event: imageEvent(ctx.image, sm.init), message: 'the window is set up here, not widened to that region' },
    ].filter((r) => r.event.id >= 0 && r.event.id !== anchor.id),
    path: outside,
    hazard: hazard('notifier-window-too-small', ['secondary-mmu-coherent']),
    suggestion: { text: `widen the window to the whole ${level} region before starting it (adjust_range_if_pmd_sharing_possible(vma, &range.start, &range.end))`, path },
  });
}

/** Notifier starts that can fail (catalogue FAILURE): their failure opens no window. */
const NONBLOCK_STARTS: ReadonlySet<string> = new Set(['mmu_notifier_invalidate_range_start_nonblock']);

/** The notifier core's promise on a failed non-blocking start, by era (src/kernel-api/failure-eras.ts). */
const NONBLOCK_ERA = FAILURE_ERAS.mmu_notifier_invalidate_range_start_nonblock as FailureEra;

/** A tree of this release or later has c2655835fd8c: the caller owes no _end() after a failure. */
const NONBLOCK_CONTRACT_SETTLED = NONBLOCK_ERA.settledSince;

const FAILED_START_UNSEEN = eraQuestion('mmu_notifier_invalidate_range_start_nonblock') as string;

/** A PTE store whose value the front end could not trace (no effects, or `unknown` among them). */
function untracedValue(ev: Event): boolean {
  const eff = ev.attrs.effects ?? [];
  return eff.length === 0 || eff.includes('unknown');
}

/** The value argument of a PTE store, as written (`entry`), for a question about it. */
function valueText(ev: Event): string {
  const v = ev.args.value;
  return v ? `\`${norm(v)}\`` : 'it';
}

/**
 * A path of this function returns with a window open over the range its caller handed in, and an unchanged caller
 * from the tree (all the callers are there: RuleContext.context) returns without ending it after the call. The
 * pair is judged on one path: the caller up to the call, this path, the caller after the call. Caller paths that
 * branch on the call's result are not paired (which of our paths they follow is not tracked), nor callers that
 * hand a range on to their own caller.
 */
function reportCallerLeak(ctx: TypedRuleContext<MessageId>, path: EventPath, start: Event, handOff: HandOff): void {
  const sites = callersOf(ctx.context ?? [], ctx.fn, ctx.side);
  const slot = ctx.image.params.map(paramName).indexOf(baseName(start.args.range));
  const site = sites.find((s) => {
    if (truncated(s.path) || handOver(s.image).rangeParams.length > 0) return false;
    // The range must be the caller's own local (`&range`): a range in a struct or handed in may be ended by code
    // the caller's callers run after it returns.
    const local = /^&\s*([A-Za-z_]\w*)$/.exec((callArgs(s.event.text)[slot] ?? '').trim())?.[1];
    if (slot < 0 || !local || s.image.params.map(paramName).includes(local)) return false;
    // The range's address taken anywhere but in a call of ours or of the notifier API (`finish_range(&range)`,
    // `r = &range`) may end the window out of sight: not judged.
    const address = new RegExp(`&\\s*${local}\\b(?!\\s*(?:\\.|->|\\[))`);
    const callOf = new RegExp(`\\b(?:${ctx.fn.name}|mmu_notifier_\\w+)\\s*\\(`);
    if (s.image.text.split('\n').some((l) => address.test(l) && !callOf.test(l))) return false;
    const after = s.path.steps.slice(s.index + 1);
    if (after.some((st) => st.step === 'event' && (st.kind === 'notifier-end' || (st.kind === 'call' && handOff.closers.has(st.callee))))) return false;
    const result = s.event.result ? new RegExp(`\\b${s.event.result.replace(/[^\w]/g, '')}\\b`) : undefined;
    return !after.some((st) => st.step === 'control' && st.kind === 'branch' && (st.cond.includes(ctx.fn.name) || (result?.test(st.cond) ?? false)));
  });
  if (!site) return;
  const own = path.steps.filter((st) => !(st.step === 'control' && (st.kind === 'return' || st.kind === 'truncated')));
  const steps = [...site.path.steps.slice(0, site.index), ...own, ...site.path.steps.slice(site.index + 1)];
  const paired: EventPath = { steps, complete: site.path.complete && path.complete };
  const ret = paired.steps.findIndex((st, k) => k >= site.index + own.length && st.step === 'control' && st.kind === 'return');
  const endAt = ret >= 0 ? ret : paired.steps.length;
  const end = synthEvent('notifier-end', 'mmu_notifier_invalidate_range_end', pick(start.args, ['range', 'mm', 'start', 'end']), locAt(paired, endAt));
  const retLoc = (site.path.steps[site.path.steps.length - 1] as PathStep).loc;
  ctx.report({
    messageId: 'windowLeftToCaller',
    data: { start: start.callee, caller: site.caller.name, line: String(retLoc.fileLine ?? retLoc.line) },
    anchor: imageEvent(ctx.image, start),
    related: [{ event: site.event, message: `${site.caller.name}() calls ${ctx.fn.name}() here and does not end the window after it` }],
    path: paired,
    hazard: hazard('unpaired-notifier', ['notifier-balance', 'secondary-mmu-coherent']),
    suggestion: { text: `end the invalidation window in ${site.caller.name}() after ${ctx.fn.name}() returns with it open`, path: insertAt(paired, endAt, end) },
  });
}

/** Range name of a window a changed function opened for its caller (in the simulated path of the caller). */
const HANDED_RANGE = '<range handed to the callee>';

/** A changed function that returns with a window open over the range its caller handed in. */
interface Opener {
  /** How its result tells the caller that it did not leave the window open (from its own returns). */
  sem?: Pick<FailureSemantics, 'returns'>;
  /** Every complete path of it returns with the window open. */
  always: boolean;
}

/** Changed functions of the patch that open a window for their caller, or close the caller's window. */
interface HandOff {
  openers: Map<string, Opener>;
  closers: Set<string>;
}

function handOffs(ctx: TypedRuleContext<MessageId>): HandOff {
  const out: HandOff = { openers: new Map(), closers: new Set() };
  for (const sib of ctx.siblings) {
    if (sib.name === ctx.fn.name && sib.path === ctx.fn.path) continue;
    const img = ctx.side === 'pre' ? sib.pre : sib.post;
    if (!img) continue;
    const starts = img.events.filter((e) => e.kind === 'notifier-start' && rangeFromCaller(img, e));
    const ends = img.events.filter((e) => e.kind === 'notifier-end' && rangeFromCaller(img, e));
    const returns = starts.length > 0 ? returnsOpen(img) : [];
    if (returns.some((r) => r.done)) out.openers.set(sib.name, { always: returns.every((r) => r.done), ...withSem(returnSemantics(returns)) });
    if (ends.length > 0 && starts.length === 0) out.closers.add(sib.name);
  }
  return out;
}

function withSem(sem: Pick<FailureSemantics, 'returns'> | undefined): { sem?: Pick<FailureSemantics, 'returns'> } {
  return sem ? { sem } : {};
}

/** Per complete path of the image: the value it returns, and whether a window it opened is still open (`done`). */
function returnsOpen(img: FunctionImage): Array<{ value: string | undefined; done: boolean }> {
  const out: Array<{ value: string | undefined; done: boolean }> = [];
  for (const p of img.paths) {
    if (truncated(p)) continue;
    const failed = failedCalls(p);
    let open = 0;
    let value: string | undefined;
    p.steps.forEach((s, i) => {
      if (s.step === 'control' && s.kind === 'return') value = s.value;
      if (s.step !== 'event' || failed.has(i)) return;
      if (s.kind === 'notifier-start') open++;
      if (s.kind === 'notifier-end') open = Math.max(0, open - 1);
    });
    out.push({ value, done: open > 0 });
  }
  return out;
}

/** The entry state of an image's invalidation window, as far as the visible code shows it. */
interface EntryWindow {
  /** A start visible in either image (the bracket is in the visible code, so nothing was opened above it). */
  visibleStart: boolean;
  /** The window is open on entry (a synthetic start standing for the unseen one), when the visible code shows it. */
  open?: Event;
}

/**
 * A window is open on entry when the image ends one it never starts and no image shows a start: in a hunk fragment
 * the start is above the hunk; in a whole function the range is handed in by the caller that started it.
 */
function entryWindow(image: FunctionImage, other: FunctionImage | undefined): EntryWindow {
  const visibleStart = has(image, 'notifier-start') || has(other, 'notifier-start');
  const end = image.events.find((e) => e.kind === 'notifier-end');
  if (visibleStart || !end) return { visibleStart };
  if (image.complete && !rangeFromCaller(image, end)) return { visibleStart };
  const loc = { line: 0, column: 0 };
  const open: Event = { ...end, id: -1, kind: 'notifier-start', callee: image.complete ? '<caller>' : '<above the hunk>', loc, text: end.text };
  return { visibleStart, open };
}

/**
 * Is a window open where the patch's changed callers call this function? `inside` when every call site is inside
 * one, `outside` when a whole caller calls it outside any, `unknown` when no caller is in the patch (or only
 * fragments that do not show it).
 */
function callerWindow(ctx: TypedRuleContext<MessageId>): 'inside' | 'outside' | 'unknown' {
  const sites = callersOf([...ctx.siblings, ...(ctx.context ?? [])], ctx.fn, ctx.side);
  const inside = (s: (typeof sites)[number]): boolean => {
    const failed = failedCalls(s.path);
    let open = 0;
    s.path.steps.slice(0, s.index).forEach((st, k) => {
      if (st.step !== 'event' || failed.has(k)) return;
      if (st.kind === 'notifier-start') open++;
      if (st.kind === 'notifier-end') open = Math.max(0, open - 1);
    });
    return open > 0;
  };
  // A call reached inside a window on one path and outside on another (a window opened lazily behind a flag) is
  // not a call outside any window.
  const verdict = callSitesVerdict(sites, inside);
  return verdict === 'holds' ? 'inside' : verdict === 'violated' ? 'outside' : 'unknown';
}


function lineOf(ev: Event): number {
  return ev.loc.fileLine ?? ev.loc.line;
}

/** A fragment path that returns, before the visible end, from a window opened above the hunk. */
function reportAboveLeak(ctx: TypedRuleContext<MessageId>, path: EventPath, endLines: readonly number[]): void {
  if (endLines.length === 0) return;
  const last = Math.max(...endLines);
  const ret = path.steps.findIndex((s) => s.step === 'control' && s.kind === 'return' && s.loc.line < last);
  if (ret < 0) return;
  if (path.steps.slice(0, ret).some((s) => s.step === 'event' && s.kind === 'notifier-end')) return;
  const end = ctx.image.events.filter((e) => e.kind === 'notifier-end').find((e) => e.loc.line > (path.steps[ret] as PathStep).loc.line);
  if (!end) return;
  const retLoc = (path.steps[ret] as PathStep).loc;
  // Unseen lines between the return and the end may be where the window is opened (after this return): the claim
  // that it is open here would rest on nothing the fragment shows.
  if (retLoc.fileLine !== undefined && firstGapBetween(gapsOf(ctx.image), retLoc.fileLine, lineOf(end)) !== undefined) return;
  const start = synthEvent('notifier-start', 'mmu_notifier_invalidate_range_start', pick(end.args, ['range', 'mm', 'start', 'end']), { line: 0, column: 0 }, { blockable: true });
  ctx.report({
    messageId: 'missingEndAbove',
    data: { end: end.callee, line: String(retLoc.fileLine ?? retLoc.line) },
    anchor: end,
    related: [],
    unseen: `depends on code above the hunk: is the invalidation window ended at line ${lineOf(end)} open on the path that returns at line ${retLoc.fileLine ?? retLoc.line}?`,
    path: insertAt(path, 0, start),
    hazard: hazard('unpaired-notifier', ['notifier-balance', 'secondary-mmu-coherent']),
  });
}

/**
 * A window the path opened is still open where the path leaves the fragment by a goto the patch adds (or removes) to a
 * label the hunk does not show. Simulated as the completion in which the label ends nothing (the path returns there);
 * the claim names the label it depends on and is never confirmed.
 */
function reportGotoOut(ctx: TypedRuleContext<MessageId>, path: EventPath, out: GotoOut, o: { index: number; event: Event; unseen?: string }): void {
  const simPath = leaveAtGoto(path, out);
  const end = synthEvent('notifier-end', 'mmu_notifier_invalidate_range_end', pick(o.event.args, ['range', 'mm', 'start', 'end']), locAt(simPath, out.index));
  const question = `depends on code the hunk does not show: does the code from label \`${out.label}\` (the goto at line ${out.fileLine}) end the invalidation window opened at line ${lineOf(o.event)} before the function returns?`;
  ctx.report({
    messageId: 'missingEnd',
    data: { start: o.event.callee },
    anchor: imageEvent(ctx.image, o.event),
    related: [],
    unseen: o.unseen ? `${question}; ${o.unseen}` : question,
    path: simPath,
    hazard: hazard('unpaired-notifier', ['notifier-balance', 'secondary-mmu-coherent']),
    suggestion: { text: `end the invalidation window before the goto to ${out.label} (or at that label)`, path: insertAt(simPath, out.index, end) },
  });
}

/** Index of the step where the path leaves early (early return or goto over the end), else its final step. */
function exitIndex(path: EventPath, from: number, lines: readonly number[]): number {
  const last = lines.length ? Math.max(...lines) : Infinity;
  for (let i = from + 1; i < path.steps.length; i++) {
    const s = path.steps[i];
    if (s?.step !== 'control') continue;
    if (s.kind === 'return' && s.loc.line < last) return i;
    if (s.kind === 'goto' && jumpsOver(path, i, lines)) return i;
    if (s.kind === 'return') return i;
  }
  return path.steps.length;
}

/** Does another changed function end an invalidation with the same (non-local) range? */
function closedBySibling(siblings: readonly FunctionView[], self: FunctionView, side: 'pre' | 'post', key: string): boolean {
  return siblings.some((s) => {
    if (s.name === self.name && s.path === self.path) return false;
    const img = side === 'pre' ? s.pre : s.post;
    if (!img) return false;
    const inits = rangeInits(img);
    return img.events.some((e) => e.kind === 'notifier-end' && rangeKey(e, inits) === key);
  });
}

function pick(args: Record<string, string>, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (args[k] !== undefined) out[k] = args[k] as string;
  return out;
}

/** The path with a start inserted before the PTL acquisition guarding the change and an end after its release. */
function bracket(path: EventPath, i: number, ev: Event, state: LockState): EventPath {
  const addr = ev.args.addr ?? 'addr';
  const args = { mm: ev.args.mm ?? 'mm', start: addr, end: `${addr} + PAGE_SIZE` };
  let startAt = i;
  for (let j = i - 1; j >= 0; j--) {
    const s = path.steps[j];
    if (s?.step === 'event' && isPtlAcquire(stripStep(s)) && state.held.has(norm(s.args.lock ?? ''))) {
      startAt = j;
      break;
    }
  }
  let endAt = path.steps.length;
  for (let j = i + 1; j < path.steps.length; j++) {
    const s = path.steps[j];
    if (s?.step === 'event' && (s.kind === 'pte-unmap-unlock' || (s.kind === 'unlock' && state.held.has(norm(s.args.lock ?? ''))))) {
      endAt = j + 1;
      break;
    }
    if (s?.step === 'control' && s.kind === 'return') {
      endAt = j;
      break;
    }
  }
  const withEnd = insertAt(path, endAt, synthEvent('notifier-end', 'mmu_notifier_invalidate_range_end', args, locAt(path, endAt)));
  return insertAt(withEnd, startAt, synthEvent('notifier-start', 'mmu_notifier_invalidate_range_start', args, locAt(path, startAt), { blockable: true }));
}

export default createRule<MessageId>({
  meta: {
    id: 'notifier-symmetry',
    severity: 'error',
    docs: { description: 'Pair every mmu_notifier invalidate_range_start with an _end over the same range, and bracket PTE changes that secondary MMUs mirror' },
    messages: {
      missingEnd: '{{start}}() opens an invalidation window that is not closed on this path: secondary MMUs stay blocked (or never re-sync) after it returns.',
      missingEndAbove: 'A path returns at line {{line}} before {{end}}() ends the invalidation window opened above the hunk: secondary MMUs stay blocked (or never re-sync) after it returns.',
      strayEnd: '{{end}}() is reached on a path that did not start the invalidation: the notifier count goes unbalanced.',
      rangeMismatch: '{{end}}() ends the invalidation with range {{endRange}}, but {{start}}() started it with {{startRange}}.',
      windowTooSmall: '{{op}}() changes an entry that maps a whole {{region}} region, but the mmu_notifier invalidation window covers only {{start}}..{{end}}: secondary MMUs keep mappings of the rest of the region.',
      unbracketed: '{{op}}() changes a PTE that secondary MMUs mirror outside any mmu_notifier_invalidate_range_start()/_end() window: a KVM vCPU can keep or re-fault a stale mapping.',
      unbracketedCall: '{{callee}}() ran inside the mmu_notifier invalidation window the patch removes and now runs outside any: if it changes a PTE that secondary MMUs mirror, a KVM vCPU or device can keep a stale mapping.',
      blockableUnderLock: '{{start}}() may sleep in notifier callbacks, but {{lock}} (a spinlock) is held here.',
      windowLeftToCaller: '{{start}}() opens an invalidation window over the range its caller handed in and returns with it open, but its caller {{caller}}() returns (line {{line}}) without ending it: secondary MMUs stay blocked.',
    },
    hazard:
      'Secondary MMUs (KVM, IOMMU/SVA, GPU drivers) mirror the CPU page tables and rely on mmu_notifier invalidate_range_start/_end to bracket every change: between start and end they must not establish new mappings for the range, and after end they may re-fault. An unpaired call leaves the invalidation count unbalanced; a PTE change outside the window lets a secondary-MMU fault install a mapping to the old page; a blockable start under a spinlock may sleep in atomic context.',
  },
  check(ctx) {
    const owner = [ctx.fn.pre, ctx.fn.post].some((img) => has(img, 'notifier-start') || has(img, 'notifier-end'));
    const inits = rangeInits(ctx.image);
    const other = ctx.side === 'post' ? ctx.fn.pre : ctx.fn.post;
    const moved = lockedInsideWindow(other);
    const entry = entryWindow(ctx.image, other);
    const handOff = handOffs(ctx);
    const callsHandOff = ctx.image.events.some((e) => e.kind === 'call' && (handOff.openers.has(e.callee) || handOff.closers.has(e.callee)));
    const uncovered = uncoveredCallees(ctx, other);
    for (const path of ctx.image.paths) {
      checkPath(ctx, path, owner || callsHandOff, inits, moved, entry, handOff, uncovered);
      // A `_nonblock` start whose result the path never tests (thrown away, or an `if` on it with no event in its
      // arms) may have failed there too: the code after it runs either way.
      for (const failed of untestedFailureVariants(ctx.image, path, NONBLOCK_STARTS)) checkPath(ctx, failed, owner || callsHandOff, inits, moved, entry, handOff, uncovered);
    }
  },
});

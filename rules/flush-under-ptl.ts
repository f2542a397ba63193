/**
 * Rule flush-under-ptl: a page-table entry of any level (PTE, PMD, PUD) downgraded (cleared, write-protected,
 * cleaned, moved) under its page-table lock must be flushed before the lock is released, or its flush deferred where
 * every other holder of the lock can see it: announced (inc_tlb_flush_pending(), set_tlb_ubc_flush_pending()) or
 * given to an open mmu_gather; an announcement must be retracted on every path, and a flushed range must cover the
 * entries changed.
 */
import { mayFlushBetween, withVisibleFlushes } from './utils/hidden-flush.ts';
import type { Event, EventPath, FunctionImage, FunctionView, PathStep, SourceLoc } from '../src/core/events.ts';
import type { PteEffect } from '../src/core/ops.ts';
import type { AdversaryName, InvariantName } from '../src/core/sim-contract.ts';
import type { Hazard, Side } from '../src/core/rule.ts';
import { callerGatherNames } from './utils/caller-gather.ts';
import { guardingFlushFlag } from './utils/flush-flag.ts';
import { dirtyGatheredBeforeFlush } from './utils/dirty-gathered.ts';
import { coversRegion, regionBoundsUnseen, widenedRanges } from './utils/extent.ts';
import { CLEAR_FLUSH_DEFINITIONS, HW_ACCESS_TESTS, NESTED_FLUSH_FINISHERS, NO_NESTED_TEST_CALLEES } from '../src/kernel-api/catalogue.ts';
import { LAZYFREE_MARKERS } from '../src/kernel-api/lazyfree.ts';
import { createRule } from './create-rule.ts';
import type { TypedRuleContext } from './create-rule.ts';
import { callersOf } from './utils/contracts.ts';
import {
  LockState,
  callArgs,
  downgradeEffects,
  eventsOf,
  fragmentEntryLocks,
  PTL_BEFORE_HUNK,
  firstGapBetween,
  gapsOf,
  imageEvent,
  insertAt,
  isPtlAcquire,
  locAt,
  loopStacks,
  moveBefore,
  norm,
  pickAnchor,
  returnIndex,
  truncated,
  stripStep,
  synthEvent,
} from './utils/paths.ts';
import { wholeVmaRange } from './utils/vma-bounds.ts';
import { maybeMovedFrom, movedFrom } from './utils/moved-entry.ts';
import { hoistedMoveFlush } from './utils/hoisted-flush.ts';
import { fileBackedClearQuestion } from './utils/file-backed.ts';
import { freshMmOnPath } from './utils/fresh-mm.ts';
import { tableOrLeafQuestion } from './utils/table-or-leaf.ts';
import { ARCH_FLUSH_MESSAGES, archFlushCandidate, archFlushViolations, type ArchFlushMessageId } from './utils/arch-flush.ts';
import { COPY_MESSAGES, copyBeforeFlushCandidates, type CopyMessageId } from './utils/clear-then-copy.ts';
import { NON_PRESENT_VALUE, modelNonPresentStores } from './utils/non-present-store.ts';
import { ranGapBetween } from './utils/ran-gap.ts';
import { DIRTY_BIT_MESSAGES, lostDirtyBitCandidates, type DirtyBitMessageId } from './utils/dirty-bit.ts';

export type MessageId =
  | ArchFlushMessageId
  | CopyMessageId
  | DirtyBitMessageId
  | 'flushAfterUnlock'
  | 'callbackNoFlush'
  | 'unlockBeforeFlush'
  | 'notGathered'
  | 'deferNotAnnounced'
  | 'announceLeak'
  | 'rangeMisses'
  | 'rangeTooSmall'
  | 'finishIgnoresNested'
  | 'skipsPendingFlush'
  | 'dirtyBeforeFlush'
  | 'movedGathered'
  | 'flushHoistedToCaller';

/** Verb for each downgrade effect, for messages. */
const EFFECT_VERB: Record<string, string> = {
  clear: 'clears',
  wrprotect: 'write-protects',
  clean: 'cleans',
  'new-page': 'remaps',
  prot: 'changes the protection of',
  'soft-dirty-clear': 'clears soft-dirty on',
  'uffd-wp': 'uffd-write-protects',
};

/**
 * The hazard of an entry whose flush never happens before the path (or the concurrent path that trusted the entry)
 * returns: besides a freed page, an access after the unmapping or protecting call returned breaks its promise.
 */
function neverFlushed(h: Hazard): Hazard {
  return h.invariants.includes('write-protect-holds') ? h : { ...h, invariants: [...h.invariants, 'write-protect-holds'] };
}

/** The hazard with one more question about unseen facts added to what it already depends on. */
function withUnknown(h: Hazard, question: string | undefined): Hazard {
  if (!question) return h;
  return { ...h, unknown: h.unknown ? `${h.unknown}; ${question}` : question };
}

/** Invariants and adversaries that can show the stale TLB entry for a set of effects. */
export function hazardFor(effects: readonly PteEffect[], context: string[]): Hazard {
  const inv = new Set<InvariantName>();
  const adv = new Set<AdversaryName>();
  for (const e of effects) {
    if (e === 'clean') {
      inv.add('no-lost-write');
      adv.add('user-writer');
      // A page the path marks lazyfree is anonymous (MADV_FREE): reclaim discards it when clean, writeback never
      // sees it (src/kernel-api/lazyfree.ts).
      adv.add(context.includes('lazyfree') ? 'lazyfree-reclaim' : 'writeback');
    } else if (e === 'clear' || e === 'new-page') {
      inv.add('no-stale-access');
      // A concurrent zap (munmap, MADV_DONTNEED: zap_pte_range() skips a none entry and flushes nothing for it)
      // finds the entry already cleared and returns while the stale TLB entry still reaches the page.
      if (e === 'clear') inv.add('write-protect-holds');
      adv.add('user-reader');
      adv.add('zap');
    } else {
      // A write-protected PTE invites a COW write fault on another CPU: it copies the page while the stale
      // writable TLB entry still writes to the old one.
      inv.add('no-lost-write');
      inv.add('write-protect-holds');
      adv.add('user-writer');
      adv.add('cow');
    }
  }
  const invOrder: InvariantName[] = ['no-lost-write', 'write-protect-holds', 'no-stale-access'];
  const advOrder: AdversaryName[] = ['user-writer', 'writeback', 'lazyfree-reclaim', 'cow', 'user-reader', 'zap'];
  return {
    kind: 'flush-after-unlock',
    invariants: invOrder.filter((i) => inv.has(i)),
    adversaries: advOrder.filter((a) => adv.has(a)),
    arch: ['x86', 'arm64'],
    context,
  };
}

/**
 * The hazard of a moved entry (cleared, its value installed at another entry): its page stays mapped at the new
 * entry, and a zap reaching it there (truncate, reclaim through the rmap) frees it while a CPU still loads through
 * the old entry's stale TLB entry. The move is not an unmapping promise of its own (mremap's caller flushes and
 * returns), so only the freed-page access is checked.
 */
export function movedHazard(context: string[]): Hazard {
  return { kind: 'flush-after-unlock', invariants: ['no-stale-access'], adversaries: ['user-reader', 'zap', 'migration'], arch: ['x86', 'arm64'], context };
}

/** The hazard of a pending change: a move's, or the one of its effects. */
function hazardOf(p: { effects: readonly PteEffect[]; moved?: Event }, context: string[]): Hazard {
  return p.moved ? movedHazard(context) : hazardFor(p.effects, context);
}

/** A PTE callback: updates PTEs through a `pte_t *` parameter and never takes a page-table lock itself. */
export function isPtlHeldOnEntry(image: FunctionImage): boolean {
  if (image.events.some(isPtlAcquire)) return false;
  const ptrParams = image.params.filter((p) => /\bpte_t\s*\*/.test(p));
  if (ptrParams.length === 0) return false;
  return image.events.some((e) => downgradeEffects(e).length > 0);
}

/**
 * Does the patch show where a PTE callback's flush happens, outside any page-table lock: another changed function,
 * seen whole, that flushes the TLB and takes no PTL (a page walk's post_vma, the walker's caller)? Without it, a
 * callback that leaves the flush to its caller depends on code the patch does not show.
 */
function flushShownOutsidePtl(side: Side, siblings: readonly FunctionView[], self: FunctionView): boolean {
  // Only a function of the callback's own file can be the walk that calls it (through its ops) and then flushes: a
  // function of another file is another caller's business (another arch's variant of the same helper flushes itself).
  return otherImages(side, siblings.filter((s) => s.path === self.path), self).some(
    (img) => img.complete && img.events.some((e) => e.kind === 'tlb-flush') && !img.events.some(isPtlAcquire),
  );
}

/** The `side` images of the patch's other changed functions. */
function otherImages(side: Side, siblings: readonly FunctionView[], self: FunctionView): FunctionImage[] {
  return siblings
    .filter((s) => s !== self && !(s.name === self.name && s.path === self.path))
    .map((s) => (side === 'pre' ? s.pre : s.post))
    .filter((img): img is FunctionImage => img !== undefined);
}

/**
 * Does the callback record the range it changed for a later flush (`x->start = min(x->start, addr)` and
 * `x->end = max(...)` into a structure its caller owns, as mmu_gather's range tracking does)? Then the visible code
 * itself shows that the flush comes after the callback returns, when the walk has dropped the lock.
 */
function recordsFlushRange(image: FunctionImage): boolean {
  let known = RECORDS_RANGE.get(image);
  if (known === undefined) RECORDS_RANGE.set(image, (known = recordsRangeIn(image)));
  return known;
}

/** recordsFlushRange() by image (asked for every pending change of every path). */
const RECORDS_RANGE = new WeakMap<FunctionImage, boolean>();

function recordsRangeIn(image: FunctionImage): boolean {
  const acc = (fn: 'min' | 'max'): RegExp => new RegExp(`([\\w.>-]+)\\s*=\\s*${fn}(?:_t)?\\s*\\((?:[^,()]*,\\s*)?\\1\\s*,`);
  const same = (fn: 'min' | 'max'): RegExp => new RegExp(`([\\w.>-]+)\\s*=\\s*${fn}(?:_t)?\\s*\\((?:[^,()]*,\\s*)?[^,()]+,\\s*\\1\\s*\\)`);
  const member = (fn: 'min' | 'max'): boolean => [acc(fn), same(fn)].some((re) => (re.exec(image.text)?.[1] ?? '').match(/->|\./) !== null);
  return member('min') && member('max');
}

/** Does another changed function of the patch announce the deferred flush (inc_tlb_flush_pending / a gather)? */
function deferredBySibling(side: Side, siblings: readonly FunctionView[], self: FunctionView): boolean {
  return otherImages(side, siblings, self).some((img) => img.events.some((e) => e.kind === 'flush-pending-inc' || e.kind === 'gather-init'));
}

interface Pending {
  index: number;
  event: Event;
  effects: PteEffect[];
  /** A flush batch that recorded this entry's flush (arch_tlbbatch_add_pending()) without announcing it. */
  batched?: Event;
  /** The address variable the entry was changed at has since been advanced by its loop (`addr += PAGE_SIZE`). */
  advanced?: boolean;
  /** The PTL was dropped while locks that exclude every other user of the entry were held (hugetlb). */
  excluded?: boolean;
  /** The install that put this cleared entry's value at another entry (a move, rules/utils/moved-entry.ts). */
  moved?: Event;
  /** The hand-over that gave this entry (or a range covering it) to an mmu_gather. */
  gathered?: Event;
  /** The move rests on code the hunk does not show (where the installed value came from): the question. */
  moveUnseen?: string;
}

/** Is the flush range [start, end) shown to cover a whole region of `level` around the entries? */
function coversExtent(image: FunctionImage, flush: Event, level: 'pmd' | 'pud', widened: ReadonlySet<string>): boolean {
  if ((flush.attrs.scope ?? 'range') !== 'range') return true;
  return coversRegion(image, flush.args.start, flush.args.end, level, widened);
}

/**
 * Variables a loop head advances forward on each iteration: the update clause of a `for`, the condition of a
 * `do … while` (`addr += PAGE_SIZE`, `addr++`, `++addr`).
 */
export function forwardUpdates(head: string): Set<string> {
  const out = new Set<string>();
  const m = /^for\s*\(([^;]*);([^;]*);(.*)\)\s*$/s.exec(head.trim());
  const clause = m ? (m[3] ?? '') : /^do\b.*\bwhile\s*\((.*)\)\s*$/s.exec(head.trim())?.[1] ?? '';
  for (const x of clause.matchAll(/([A-Za-z_]\w*)\s*(?:\+=|\+\+)/g)) out.add(x[1] as string);
  for (const x of clause.matchAll(/\+\+\s*([A-Za-z_]\w*)/g)) out.add(x[1] as string);
  return out;
}

/** Is `name` assigned anywhere in the image text between two lines (exclusive)? */
function assignedBetween(image: FunctionImage, name: string, from: number, to: number): boolean {
  const lines = image.text.split('\n').slice(from, Math.max(from, to - 1));
  const re = new RegExp(`\\b${name}\\s*(?:[-+*/|&]?=(?!=)|\\+\\+|--)|(?:\\+\\+|--)\\s*${name}\\b`);
  // The loop's own head (its update clause) is what advanced the variable, not a reassignment.
  return lines.some((l) => re.test(l) && !/^\s*(?:\}\s*)?(?:while|for)\s*\(/.test(l));
}

/** Suggested path: the first flush after the release moved before it, or a range flush inserted before it. */
function suggestPath(path: EventPath, releaseIndex: number, down: Event, downIndex: number): { text: string; path: EventPath } {
  // A dirty bit handed to the page (set_page_dirty()) before the flush is handed over too early: a CPU can still
  // write through the old entry after it, and writeback can consume the page's dirty flag in between. The flush
  // must come before that hand-over, not just before the unlock.
  const handover = path.steps.findIndex((s, j) => j > downIndex && j < releaseIndex && s.step === 'event' && s.kind === 'page-dirty');
  if (handover >= 0) {
    const vma = down.args.vma ?? down.args.mm ?? 'vma';
    const addr = down.args.addr ?? 'addr';
    const flush = synthEvent('tlb-flush', 'flush_tlb_page', { vma, addr }, locAt(path, handover), { scope: 'page' });
    return {
      text: 'flush the TLB entry (flush_tlb_page()) right after the PTE is changed, before its dirty bit is handed to the page and before the page-table lock is released',
      path: insertAt(path, handover, flush),
    };
  }
  for (let j = releaseIndex + 1; j < path.steps.length; j++) {
    const s = path.steps[j];
    if (s?.step === 'event' && (s.kind === 'tlb-flush' || s.kind === 'gather-flush' || s.kind === 'gather-finish')) {
      return { text: `flush the TLB (${s.callee}()) before the page-table lock is released`, path: moveBefore(path, j, releaseIndex) };
    }
  }
  const vma = down.args.vma ?? down.args.mm ?? 'vma';
  const addr = down.args.addr ?? 'addr';
  const flush = synthEvent('tlb-flush', 'flush_tlb_range', { vma, start: addr, end: `${addr} + PAGE_SIZE` }, locAt(path, releaseIndex), {
    scope: 'range',
  });
  return { text: 'flush the TLB for the modified range before the page-table lock is released', path: insertAt(path, releaseIndex, flush) };
}

/**
 * Conditions that guard a TLB flush (`if (unmapped) flush_tlb_range(...)`) or a hand-over to the gather
 * (`if (pte_needs_flush(oldpte, ptent)) tlb_flush_pte_range(...)`): on a path that skips it, the condition is taken
 * to say nothing was modified that needs a flush (the kernel idiom), so no flush is owed.
 */
export function flushGuards(image: FunctionImage): Set<string> {
  const guards = new Set<string>();
  for (const path of image.paths) {
    let lastTaken: string | undefined;
    for (const s of path.steps) {
      if (s.step === 'control') {
        if (s.kind === 'branch') lastTaken = s.taken ? norm(s.cond) : undefined;
        continue;
      }
      // Also a guarded hand-over to the gather (`if (pte_needs_flush(old, new)) tlb_flush_pte_range(...)`).
      if (lastTaken !== undefined && (s.kind === 'tlb-flush' || s.kind === 'gather-flush' || s.kind === 'gather-remove')) guards.add(lastTaken);
      lastTaken = undefined;
    }
  }
  return guards;
}

/**
 * The path as the model must run it when the hugetlb VMA lock and i_mmap_rwsem (write) exclude every other user of
 * the entries: the page-table lock is taken where both are held and released where the first of them is, and the
 * page-table locks taken and dropped in between (by then only this thread's) are left out.
 */
export function exclusiveAsPtl(path: EventPath): EventPath {
  let vma = false;
  let mapping = false;
  let from = -1;
  let to = -1;
  path.steps.forEach((s, i) => {
    if (s.step !== 'event' || to >= 0) return;
    const excl = s.attrs.excludes === 'hugetlb-users';
    const imap = s.attrs.lockClass === 'i_mmap' && s.attrs.mode === 'write';
    if (s.kind === 'lock' && (excl || imap)) {
      if (excl) vma = true;
      if (imap) mapping = true;
      if (vma && mapping && from < 0) from = i;
    } else if (s.kind === 'unlock' && from >= 0 && (s.callee === 'hugetlb_vma_unlock_write' || s.attrs.lockClass === 'i_mmap')) to = i;
  });
  if (from < 0) return path;
  const end = to >= 0 ? to : returnIndex(path);
  const first = path.steps[from] as PathStep;
  const ptl = (kind: 'lock' | 'unlock', at: PathStep): PathStep => ({
    step: 'event',
    id: -1,
    kind,
    callee: kind === 'lock' ? '(entries locked)' : '(entries unlocked)',
    args: { lock: 'ptl' },
    attrs: { lockClass: 'ptl' },
    loc: { line: at.loc.line, column: at.loc.column },
    text:
      kind === 'lock'
        ? 'hugetlb VMA lock and i_mmap_rwsem held for write: no other user of the entries from here'
        : 'other users of the entries can run again from here',
  });
  const steps: PathStep[] = [];
  path.steps.forEach((s, i) => {
    if (i === end) steps.push(ptl('unlock', s));
    const inside = i > from && i < end;
    if (inside && s.step === 'event' && (s.attrs.lockClass === 'ptl' || s.attrs.lockClass === 'pmd-ptl' || s.kind === 'pte-map-lock' || s.kind === 'pte-unmap-unlock')) {
      if (s.kind === 'pte-map-lock') steps.push({ ...s, kind: 'pte-map' });
      else if (s.kind === 'pte-unmap-unlock') steps.push({ ...s, kind: 'pte-unmap' });
      return;
    }
    steps.push(s);
    if (i === from) steps.push(ptl('lock', first));
  });
  if (end >= path.steps.length) steps.push(ptl('unlock', first));
  return { steps, complete: path.complete };
}

/** Are the locks held that exclude every other user of hugetlb entries (hugetlb VMA lock and i_mmap_rwsem, write)? */
function hugetlbExclusive(state: LockState): boolean {
  const held = [...state.held.values()];
  return held.some((h) => h.by.attrs.excludes === 'hugetlb-users') && held.some((h) => h.cls === 'i_mmap' && h.by.attrs.mode === 'write');
}

/** Does the path, after step `from`, skip a guarded flush before reaching any flush? */
function skipsGuardedFlush(path: EventPath, from: number, guards: ReadonlySet<string>): boolean {
  for (let j = from + 1; j < path.steps.length; j++) {
    const s = path.steps[j] as PathStep;
    if (s.step === 'event' && (s.kind === 'tlb-flush' || s.kind === 'gather-flush' || s.kind === 'gather-finish')) return false;
    if (s.step === 'control' && s.kind === 'branch' && !s.taken && guards.has(norm(s.cond))) return true;
  }
  return false;
}

/** Does a PTE value expression use a variable that an event on the path produced? */
function valueSeen(value: string, produced: ReadonlySet<string>): boolean {
  const ids = norm(value).match(/[A-Za-z_]\w*/g) ?? [];
  return ids.some((id) => produced.has(id));
}

/** Does a branch outcome say that `ev` (or the variable holding its result) returned zero? */
function returnedZero(cond: string, taken: boolean, ev: Event): boolean {
  const call = norm(ev.text);
  const forms = [call, ...(ev.result ? [norm(ev.result)] : [])];
  for (const f of forms) {
    if (cond === f) return !taken;
    if (cond === `!${f}` || cond === `!(${f})`) return taken;
  }
  return false;
}

/**
 * What a branch outcome says about a value read from an entry: 'absent' when the entry maps nothing a TLB could
 * cache (`!pte_present(v)`, `pte_none(v)`, `is_swap_pte(v)` taken), 'present' for the opposite, else undefined.
 */
export function presenceOf(cond: string, taken: boolean): { value: string; present: boolean } | undefined {
  const m = /^(!?)\(?(pte_present|pmd_present|pud_present|pte_none|pmd_none|pud_none|huge_pte_none|is_swap_pte|is_swap_pmd)\(([\w>.-]+)\)\)?$/.exec(cond);
  if (!m) return undefined;
  const [, bang, test, value] = m as unknown as [string, string, string, string];
  const holds = taken !== (bang === '!');
  const present = /_present$/.test(test) ? holds : !holds;
  // `pte_none(v)` false / `is_swap_pte(v)` false do not make the entry present.
  if (present && !/_present$/.test(test)) return undefined;
  return { value, present };
}

/** How messages name the entry an event changed: a PTE, a PMD entry, a PUD entry. */
function entryName(ev: Event): string {
  if (ev.attrs.level === 'pmd') return 'PMD entry';
  if (ev.attrs.level === 'pud') return 'PUD entry';
  return 'PTE';
}

/**
 * Does the function work on an mmu_gather its caller started (a `struct mmu_gather *` parameter, or a gather read
 * from a structure the caller handed in, `struct mmu_gather *tlb = walk->private;`)?
 */
function gatherOnEntry(image: FunctionImage): boolean {
  return callerGatherNames(image).length > 0;
}

/** Is this gather-remove the form that records a range without naming an entry (tlb_flush_pmd_range())? */
function rangeRemove(ev: Event): boolean {
  return ev.args.pte === undefined && ev.args.page === undefined;
}

/** Index of the last announcement of a kind (a retraction retires the most recent one). */
function lastIndex(list: readonly Event[], kind: Event['kind']): number {
  for (let k = list.length - 1; k >= 0; k--) if (list[k]?.kind === kind) return k;
  return -1;
}

/**
 * Announcement kinds this function pairs itself: it retracts them on some path of either image (a
 * dec_tlb_flush_pending() for inc_tlb_flush_pending(), a tlb_finish_mmu() for tlb_gather_mmu()). A function that
 * only announces (tlb_gather_mmu() itself, a helper whose caller retracts) owns nothing.
 */
function ownedAnnouncements(fn: FunctionView): Set<string> {
  const owned = new Set<string>();
  for (const img of [fn.pre, fn.post]) {
    for (const e of img?.events ?? []) {
      if (e.kind === 'flush-pending-dec') owned.add('flush-pending-inc');
      if (e.kind === 'gather-finish') owned.add('gather-init');
    }
  }
  return owned;
}

/**
 * The gather expression a call passes on, if any: an argument naming an mmu_gather of the function (a gather it
 * starts, or a `struct mmu_gather *` parameter). A callee handed the gather may give its entries to it.
 */
function gatherHandedTo(ev: Event, image: FunctionImage): string | undefined {
  const names = new Set<string>();
  for (const e of image.events) if (e.kind === 'gather-init' && e.args.tlb) names.add(norm(e.args.tlb).replace(/^&/, ''));
  for (const n of callerGatherNames(image)) names.add(n);
  return callArgs(ev.text).map((a) => norm(a)).find((a) => names.has(a.replace(/^&/, '')));
}

/**
 * A hugetlb entry changed in a fragment whose visible code neither takes nor releases the locks that exclude its
 * other users (the hugetlb VMA lock and i_mmap_rwsem for write, hugetlbExclusive()): they may be held from above the
 * hunk, and then the flush is owed only before they are released (hugetlb_change_protection(), hugetlb_unshare_pmds()
 * flush after the PTL is dropped, under them). The question for the unseen code, else undefined.
 */
function exclusionAbove(ctx: TypedRuleContext<MessageId>, ev: Event, excluded = false): string | undefined {
  if (ctx.image.complete || excluded) return undefined;
  if (!/^(?:set_)?huge_|hugetlb/.test(ev.callee) && !/hugetlb/.test(ctx.fn.name)) return undefined;
  const shown = [ctx.fn.pre, ctx.fn.post].some((img) => img?.events.some((e) => e.attrs.excludes === 'hugetlb-users' || (e.attrs.lockClass === 'i_mmap' && e.attrs.mode === 'write') || /^(?:hugetlb_vma_|i_mmap_)(?:un)?lock_write$/.test(e.callee)));
  if (shown) return undefined;
  return `depends on code above the hunk: are the hugetlb VMA lock and i_mmap_rwsem held for write around line ${ev.loc.fileLine ?? ev.loc.line} (then no other user of the entry runs until they are released, and the flush is owed only before that)?`;
}

/** Event kinds by which a function flushes, or hands an entry or a range to a flush, itself. */
const OWN_FLUSH_KINDS: ReadonlySet<string> = new Set(['tlb-flush', 'gather-init', 'gather-remove', 'gather-flush', 'gather-finish', 'flush-defer', 'flush-pending-inc']);

/**
 * Does the function leave every TLB flush to its caller: no flush, gather or deferral in either image, and no
 * caller of it in the patch (changed, or with a tree unchanged callers) to show what the caller does? Then the
 * question for the caller, else undefined.
 */
function leavesFlushToCaller(ctx: TypedRuleContext<MessageId>): string | undefined {
  const own = [ctx.fn.pre, ctx.fn.post].some((img) => img?.events.some((e) => OWN_FLUSH_KINDS.has(e.kind) || e.attrs.flushes === true));
  if (own) return undefined;
  if (callersOf([...ctx.siblings, ...(ctx.context ?? [])], ctx.fn, ctx.side).length > 0) return undefined;
  return `the callers of ${ctx.fn.name}() (none is in this patch): it flushes and gathers nowhere, so the flush is its caller's — does the caller flush the range before another thread can use the stale entry (as mremap does, with mmap_lock held for write)?`;
}

/** Check one path; report each pending downgrade that loses its lock before a flush. */
function checkPath(
  ctx: TypedRuleContext<MessageId>,
  path: EventPath,
  onEntry: boolean,
  guards: ReadonlySet<string>,
  owned: ReadonlySet<string>,
  forkSrc: ReadonlySet<string>,
  callerGather: boolean,
): void {
  const state = new LockState([
    ...(onEntry ? [{ key: '<caller-ptl>', cls: 'ptl' as const, by: { id: -1, kind: 'lock' as const, callee: '<caller>', args: {}, attrs: {}, loc: { line: 1, column: 0 }, text: '' } }] : []),
    ...fragmentEntryLocks(ctx.image, path),
  ]);
  const loops = loopStacks(path);
  let pending: Pending[] = [];
  /**
   * Downgrades whose lock was dropped while an mmu_gather was open: the gather defers their flush only once they
   * are given to it (tlb_remove_tlb_entry() of the same entry, or a range the gather records). `named` is false
   * once the path left the loop iteration (or advanced the cursor) the entry was changed in: a later remove of
   * the same spelling is another entry.
   */
  let deferred: Array<Pending & { named: boolean; releaseIndex: number; release: Event }> = [];
  /**
   * Cleared entries given to the gather while the lock is still held: safe to leave to the gather's flush, unless
   * their value is then installed at another entry (a move: the page stays mapped there, the gather holds nothing).
   */
  let handed: Pending[] = [];
  /** Value variable → the entry it was read from; entries a branch showed not present. */
  const readFrom = new Map<string, string>();
  const absent = new Set<string>();
  /** PTEs cleared and flushed on this path: installing a new value there leaves no stale TLB entry behind. */
  const emptied = new Set<string>();
  const produced = new Set<string>();
  let announce = 0;
  let gatherActive = callerGather;
  let gatherOwned = false;
  /** Announcements made on this path and not retracted (inc_tlb_flush_pending, tlb_gather_mmu). */
  const announced: Event[] = [];
  /** Forward-advanced variables of each loop entered on the path. */
  const heads = new Map<number, Set<string>>();
  /** Entries a range flush missed (its start lay past them), with the flush. */
  let missed: Array<Pending & { flush: Event; flushIndex: number; extent: boolean }> = [];
  /** Range variables a catalogued widener (adjust_range_if_pmd_sharing_possible()) widened anywhere in the image. */
  const widened = widenedRanges(ctx.image);
  /** Path index of each announcement (for the loop it was made in). */
  const announcedAt = new Map<Event, number>();
  let sawDowngrade = false;
  const related = (anchor: Event, items: Array<[Event | undefined, string]>): Array<{ event: Event; message: string }> =>
    items.filter((x): x is [Event, string] => x[0] !== undefined && x[0].id >= 0 && x[0].id !== anchor.id).map(([e, m]) => ({ event: imageEvent(ctx.image, e), message: m }));
  /** The path marks a page lazyfree (MADV_FREE's walker): a cleaned entry's page is discarded by reclaim when clean. */
  const marksLazyfree = eventsOf(path).some((x) => LAZYFREE_MARKERS.has(x.event.callee));
  const contextOf = (p: Pending): string[] => {
    const context: string[] = [];
    if (onEntry) context.push('ptl-held-on-entry', 'flush-after-return');
    context.push('mm-live');
    if ((loops[p.index]?.length ?? 0) > 0) context.push('pte-loop');
    if (marksLazyfree) context.push('lazyfree');
    return context;
  };
  const report = (releaseIndex: number, release: Event | undefined): void => {
    for (const p of pending) {
      // An mm the path just created and has not loaded or published: no TLB holds its entries (fresh-mm.ts).
      if (freshMmOnPath(ctx.image, path, p.event.args.mm, p.index)) continue;
      const after = eventsOf(path).filter((x) => x.index > releaseIndex && x.event.kind === 'tlb-flush');
      const flush = after[0]?.event;
      const context = contextOf(p);
      const shown = [p.event, ...(release ? [release] : []), ...(flush ? [flush] : [])].map((e) => imageEvent(ctx.image, e)).filter((e) => e.id >= 0);
      const anchor = pickAnchor(ctx.side, shown);
      const entry = entryName(p.event);
      const rel = related(anchor, [
        [p.event, `${entry} ${EFFECT_VERB[p.effects[0] ?? 'clear'] ?? 'changed'} here`],
        [release, 'page-table lock released here'],
        [flush, 'TLB flushed here, after the lock was dropped'],
      ]);
      const sugg = suggestPath(path, releaseIndex, p.event, p.index);
      const verb = EFFECT_VERB[p.effects[0] ?? 'clear'] ?? 'changes';
      // A call in between that may be the flush (a wrapper not visible, or flushing on some paths only): unseen.
      // Unseen lines of a hunk gap the path ran between the change and the release may hold the flush (or an
      // mmu_gather record) itself: a claim that needs them empty is a question (rules/utils/ran-gap.ts).
      const gap = release !== undefined ? ranGapBetween(ctx.image, path, p.index, releaseIndex) : undefined;
      const hidden =
        mayFlushBetween(path, p.index, releaseIndex, [...ctx.siblings, ...(ctx.context ?? [])], ctx.side) ??
        (gap !== undefined ? `the lines the diff does not show after line ${gap}: do they flush the TLB (or give the ${entryName(p.event)} to an mmu_gather) before ${release!.callee}()?` : undefined);
      // What the cleared entry mapped: a file page the page cache keeps (file-backed.ts), or maybe a table (table-or-leaf.ts).
      const entryQuestion = p.moved ? undefined : [fileBackedClearQuestion(path, p.index, p.effects), tableOrLeafQuestion(path, p.event, p.index)].filter((q): q is string => q !== undefined).join('; ') || undefined;
      if (onEntry && !release) {
        ctx.report({
          messageId: 'callbackNoFlush',
          data: { op: p.event.callee, verb, fn: ctx.fn.name, entry },
          anchor,
          related: rel,
          path,
          // Whether a helper that leaves the flush to its caller is wrong depends on that caller: it may flush before
          // it drops the lock, announce the deferral, or exclude faults (mmap_lock held for write, as fork does).
          hazard: flushShownOutsidePtl(ctx.side, ctx.siblings, ctx.fn) || recordsFlushRange(ctx.image)
            ? withUnknown(hazardFor(p.effects, context), entryQuestion)
            : {
                ...hazardFor(p.effects, context),
                unknown: `the callers of ${ctx.fn.name}(): do they flush the TLB before dropping the page-table lock, or exclude concurrent faults (mmap_lock held for write, a deferred flush announced)? The patch shows no flush outside the lock, and the function records no range for one`,
              },
          suggestion: { text: `flush the TLB for this ${entry} before returning, while the caller still holds the page-table lock`, path: sugg.path },
          ...(hidden ? { unseen: hidden } : {}),
        });
      } else {
        const model = p.excluded === true ? exclusiveAsPtl : (x: EventPath): EventPath => x;
        // A helper that flushes and gathers nowhere (in either image) leaves every flush to its caller (mremap's
        // move_ptes() family: the caller flushes the old range with mmap_lock held for write): with no caller in
        // the patch, whether that caller flushes in time is unseen.
        const callerFlush = (!flush && release !== undefined ? leavesFlushToCaller(ctx) : undefined) ?? exclusionAbove(ctx, p.event, p.excluded === true);
        ctx.report({
          messageId: 'flushAfterUnlock',
          data: { op: p.event.callee, verb, entry, unlock: release?.callee ?? 'the caller', flush: flush ? `${flush.callee}()` : 'any TLB flush' },
          anchor,
          related: rel,
          path: model(path),
          hazard: withUnknown(callerFlush ? { ...hazardOf(p, context), unknown: callerFlush } : hazardOf(p, context), entryQuestion),
          suggestion: { text: sugg.text, path: model(sugg.path) },
          ...(hidden ? { unseen: hidden } : {}),
        });
      }
    }
    pending = [];
  };
  /** Deferred downgrades the gather was never given: its finish (or the caller's) does not flush them. */
  const reportUngathered = (end: Event | undefined): void => {
    for (const d of deferred) {
      const shown = [d.event, d.release, ...(end ? [end] : [])].map((e) => imageEvent(ctx.image, e)).filter((e) => e.id >= 0);
      const anchor = pickAnchor(ctx.side, shown);
      const entry = entryName(d.event);
      const handed = gatherHandedTo(d.event, ctx.image);
      const context = contextOf(d);
      const wrapped = callerGather && !gatherOwned;
      if (wrapped) context.push('gather-on-entry');
      const base = wrapped ? withCallerGather(path) : path;
      const at = d.releaseIndex + (wrapped ? 1 : 0);
      // The rest of the path as the model runs it: the gather flushes what it was given, not this entry.
      ctx.report({
        messageId: 'notGathered',
        data: { op: d.event.callee, verb: EFFECT_VERB[d.effects[0] ?? 'clear'] ?? 'changes', entry, unlock: d.release.callee },
        anchor,
        related: related(anchor, [
          [d.event, `${entry} changed here, not given to the mmu_gather`],
          [d.release, 'page-table lock released here'],
          [end, 'the gather flushes only what it was given'],
        ]),
        path: base,
        // The call that changed the entry was handed the gather itself: it may have given the entry to it.
        hazard: handed
          ? { ...neverFlushed(hazardFor(d.effects, context)), unknown: `${d.event.callee}() receives the mmu_gather (${handed}): does it give the ${entry} to the gather?` }
          : neverFlushed(hazardFor(d.effects, context)),
        suggestion: {
          text: `give the ${entry} to the gather (tlb_remove_tlb_entry(), or tlb_flush_pmd_range() for the range it maps) or flush it before the page-table lock is released`,
          path: insertAt(base, at, synthEvent('gather-remove', 'tlb_remove_tlb_entry', { tlb: 'tlb', pte: d.event.args.pte ?? 'pte', addr: d.event.args.addr ?? 'addr' }, locAt(base, at))),
        },
      });
    }
    deferred = [];
  };
  path.steps.forEach((s, i) => {
    if (s.step === 'control') {
      if (s.kind === 'branch' && !s.taken && guards.has(norm(s.cond))) pending = [];
      if (s.kind === 'branch') {
        const p = presenceOf(norm(s.cond), s.taken);
        const entry = p ? readFrom.get(p.value) : undefined;
        if (p && entry !== undefined) {
          if (p.present) absent.delete(entry);
          else absent.add(entry);
        }
        // The old value a clear returned was not present: the clear removed nothing a TLB could cache.
        if (p && !p.present) pending = pending.filter((x) => !(x.event.kind === 'pte-clear' && x.event.result !== undefined && norm(x.event.result) === p.value));
      }
      // A call that changes the entry only when it returns non-zero (huge_pmd_unshare()), on the branch where
      // it returned zero, changed nothing.
      if (s.kind === 'branch') pending = pending.filter((p) => !(p.event.attrs.onlyIfTrue === true && returnedZero(norm(s.cond), s.taken, p.event)));
      if (s.kind === 'loop-enter') heads.set(s.loop, forwardUpdates(s.head));
      if (s.kind === 'loop-next' || s.kind === 'loop-exit') for (const d of deferred) d.named = false;
      if (s.kind === 'loop-next' || (s.kind === 'loop-exit' && s.via === 'cond')) {
        // The loop's update runs: an entry changed in this loop at its address variable is now behind it.
        const updates = heads.get(s.loop);
        for (const p of pending) {
          const v = norm(p.event.args.addr);
          if (updates?.has(v) && (loops[p.index] ?? []).includes(s.loop)) p.advanced = true;
        }
      }
      if (s.kind === 'loop-next' && s.via === 'continue' && !heads.has(s.loop) && nextTruncated(path, i)) {
        // `continue` of a loop the hunk does not show: the iteration ends here. An announcement made on the path
        // (so inside the iteration) that the other image retracts before this same `continue` is left behind.
        const left = announced.filter((a) => owned.has(a.kind) && !gapBetween(ctx.image, a, s.loc) && otherRetracts(ctx, path, i, a));
        if (left.length > 0) {
          reportLeak(ctx, path, i, left, ['mm-live', 'iteration-announcement']);
          for (const a of left) announced.splice(announced.indexOf(a), 1);
        }
      }
      if (s.kind === 'loop-next') {
        // Back to the next iteration: an announcement made inside this iteration and still open is left behind
        // (the next iteration starts its own).
        const left = announced.filter((a) => owned.has(a.kind) && (loops[announcedAt.get(a) ?? -1] ?? []).includes(s.loop));
        if (left.length > 0) {
          reportLeak(ctx, path, i, left);
          for (const a of left) announced.splice(announced.indexOf(a), 1);
        }
      }
      if (s.kind === 'return' && !truncated(path)) {
        reportMissed(ctx, path, missed, contextOf);
        missed = [];
        if (deferred.length > 0 && callerGather && !gatherOwned) reportUngathered(undefined);
        reportLeak(ctx, path, i, announced.filter((a) => owned.has(a.kind)));
      }
      return;
    }
    const ev = stripStep(s);
    const pte = norm(ev.args.pte);
    if (ev.kind === 'pte-clear-flush' || (ev.kind === 'pte-clear' && ev.attrs.flushes === true)) emptied.add(pte);
    if (ev.kind === 'pte-advance') {
      emptied.delete(pte);
      for (const d of deferred) if (norm(d.event.args.pte) === pte) d.named = false;
    }
    if (ev.result) produced.add(norm(ev.result));
    if (ev.result && (ev.kind === 'pte-read' || ev.kind === 'pte-modify-start')) readFrom.set(norm(ev.result), pte);
    const wasAbsent = absent.has(pte);
    if (ev.kind === 'pte-set' || ev.kind === 'pte-advance') absent.delete(pte);
    // In a hunk-only image, a value computed from an entry read in code the hunk does not show may come from a
    // cleared-and-flushed PTE: its effects cannot be judged.
    const unseen = !ctx.image.complete && ev.kind === 'pte-set' && ev.args.value !== undefined && !valueSeen(ev.args.value, produced);
    const fromEmpty = (ev.kind === 'pte-set' && emptied.has(pte)) || unseen;
    if (ev.kind === 'pte-set') emptied.delete(pte);
    switch (ev.kind) {
      case 'tlb-flush': {
        // A range that starts at an address variable the loop advanced past the changed entry does not cover it.
        const misses = (p: Pending): boolean =>
          (ev.attrs.scope ?? 'range') === 'range' &&
          p.advanced === true &&
          norm(ev.args.start) === norm(p.event.args.addr) &&
          !assignedBetween(ctx.image, norm(ev.args.start), p.event.loc.line, ev.loc.line);
        // An entry that maps a whole region (huge_pmd_unshare()'s PUD entry) needs the flush to cover the region. A
        // flush of the vma's own range covers every PUD region whose PMD table that vma shares (vma-bounds.ts).
        const small = (p: Pending): boolean =>
          p.event.attrs.extent !== undefined &&
          !coversExtent(ctx.image, ev, p.event.attrs.extent, widened) &&
          !(p.event.attrs.extent === 'pud' && wholeVmaRange(ctx.image, ev.args.start, ev.args.end, callArgs(p.event.text)));
        const left = pending.map((p) => ({ p, miss: misses(p), tooSmall: small(p) }));
        for (const { p, miss, tooSmall } of left) if (miss || tooSmall) missed.push({ ...p, flush: ev, flushIndex: i, extent: tooSmall });
        pending = left.filter((x) => !x.miss && !x.tooSmall).map((x) => x.p);
        if (!missed.some((m) => m.flush === ev)) missed = [];
        for (const p of pending) if (p.event.kind === 'pte-clear') emptied.add(norm(p.event.args.pte));
        pending = [];
        deferred = [];
        break;
      }
      case 'gather-flush':
      case 'gather-finish':
        // The gather flushes the entries and ranges it was given; one left beside it stays cached.
        if (deferred.length > 0) reportUngathered(ev);
        for (const p of pending) if (p.event.kind === 'pte-clear') emptied.add(norm(p.event.args.pte));
        pending = [];
        if (ev.kind === 'gather-finish') {
          gatherActive = false;
          const k = lastIndex(announced, 'gather-init');
          if (k >= 0) announced.splice(k, 1);
        }
        break;
      case 'gather-init':
        gatherActive = true;
        gatherOwned = true;
        announced.push(ev);
        announcedAt.set(ev, i);
        break;
      case 'gather-remove': {
        const before = pending;
        if (rangeRemove(ev) || ev.args.pte === undefined) {
          pending = [];
          deferred = [];
        } else {
          pending = pending.filter((p) => norm(p.event.args.pte) !== pte);
          deferred = deferred.filter((d) => !(d.named && norm(d.event.args.pte) === pte));
        }
        // A moved entry's page stays mapped at the new entry: the gather holds nothing back for it, its flush is
        // still owed under the lock. Other entries given to it are remembered in case their value is moved later.
        for (const p of before.filter((x) => !pending.includes(x))) {
          p.gathered = ev;
          if (p.moved) pending.push(p);
          else if (p.event.kind === 'pte-clear') handed.push(p);
        }
        break;
      }
      case 'flush-pending-inc':
        announce++;
        announced.push(ev);
        announcedAt.set(ev, i);
        break;
      case 'flush-pending-dec': {
        announce--;
        const k = lastIndex(announced, 'flush-pending-inc');
        if (k >= 0) announced.splice(k, 1);
        break;
      }
      case 'flush-defer':
        // A batch takes the flush over. Announced (mm->tlb_flush_batched), other PTL takers flush it first; a
        // bare batch leaves the changed entries cached once the lock is dropped, until the batch is flushed.
        if (ev.attrs.announces === true) pending = [];
        else for (const p of pending) p.batched = ev;
        break;
      default:
        break;
    }
    // A clear the catalogue gives no effects (pte_clear_not_present_full()) removes an entry no TLB can cache; the
    // source write-protect of a fork copy is flushed by dup_mmap() under the source mm's mmap_lock.
    // The copy's install into the other mm fills a fresh entry: nothing there was cached to go stale.
    const forkCopy = forkSrc.size > 0 && ((ev.kind === 'pte-wrprotect' && forkSrc.has(norm(ev.args.mm))) || (ev.kind === 'pte-set' && !forkSrc.has(norm(ev.args.mm))));
    // A clear of an entry the path found not present (a swap entry, a marker) leaves nothing cached.
    // An entry of the kernel's own page tables (init_mm: set_memory_*(), apply_to_page_range() on kernel addresses)
    // has none of the users the hazard is about (no user access, fault, COW or reclaim of its page): kernel permission
    // changes flush after the walk by design (flush_tlb_kernel_range()).
    const kernelMm = /^&?init_mm$/.test(norm(ev.args.mm));
    const effects = (ev.kind === 'pte-clear' && (ev.attrs.effects?.length === 0 || wasAbsent)) || forkCopy || kernelMm ? [] : downgradeEffects(ev);
    // An install of a cleared entry's value at another entry, under the lock, moves that entry.
    if (ev.kind === 'pte-set' && state.ptlHeld()) {
      const still = movedFrom(ctx.image, ev, pending);
      if (still) still.moved = ev;
      const given = movedFrom(ctx.image, ev, handed);
      if (given) {
        given.moved = ev;
        handed = handed.filter((x) => x !== given);
        pending.push(given);
      }
      // A value whose origin the hunk does not show, installed at another entry after a clear the gather was given:
      // a move only if that value was read from the cleared entry, which the claim names.
      const maybe = !still && !given ? maybeMovedFrom(ctx.image, ev, handed, produced) : undefined;
      if (maybe) {
        maybe.moved = ev;
        maybe.moveUnseen = `code above the hunk: is ${norm(ev.args.value)}, which ${ev.callee}() installs at ${norm(ev.args.pte)} (line ${ev.loc.fileLine ?? ev.loc.line}), the value of the ${entryName(maybe.event)} ${maybe.event.callee}() clears at line ${maybe.event.loc.fileLine ?? maybe.event.loc.line} (a move)? The model assumes it is`;
        handed = handed.filter((x) => x !== maybe);
        pending.push(maybe);
      }
    }
    if (effects.length > 0 && !fromEmpty && ev.kind !== 'pte-clear-flush' && ev.attrs.flushes !== true && state.ptlHeld()) {
      pending.push({ index: i, event: ev, effects });
    }
    const res = state.apply(ev);
    const ptlReleased = res.released.some((r) => r.cls === 'ptl' || r.cls === 'pmd-ptl');
    if (ptlReleased || ev.kind === 'tlb-flush' || ev.kind === 'gather-flush' || ev.kind === 'gather-finish') handed = [];
    if (effects.length > 0) sawDowngrade = true;
    // A path that later skips a guarded flush (`if (force_flush) flush_tlb_range(...)` not taken) is, by the
    // counting idiom, one on which nothing needing a flush was modified.
    if (ptlReleased && pending.length > 0 && skipsGuardedFlush(path, i, guards)) pending = [];
    // hugetlb: with the hugetlb VMA lock and i_mmap_rwsem held for write, no other user of the entries can run
    // until they are released; the flush is owed before that release instead.
    if (ptlReleased && pending.length > 0 && hugetlbExclusive(state)) for (const p of pending) p.excluded = true;
    const exclReleased = res.released.some((r) => r.by.attrs.excludes === 'hugetlb-users' || (r.cls === 'i_mmap' && r.by.attrs.mode === 'write'));
    if (exclReleased && pending.some((p) => p.excluded === true)) report(i, ev);
    if (ptlReleased && pending.length > 0 && pending.every((p) => p.excluded === true)) {
      // still covered by the exclusive locks
    } else if (ptlReleased && pending.length > 0) {
      const batched = pending.filter((p) => p.batched !== undefined);
      if (batched.length > 0) {
        reportUnannounced(ctx, path, i, ev, batched, contextOf);
        pending = pending.filter((p) => p.batched === undefined);
      }
      // A moved entry handed to a gather (open on the path, the caller's, or one the hunk uses but starts above it).
      const moved = announce <= 0 ? pending.filter((p) => p.moved !== undefined && (gatherActive || p.gathered !== undefined)) : [];
      if (moved.length > 0) {
        reportMovedGathered(ctx, path, i, ev, moved, contextOf, callerGather && !gatherOwned);
        pending = pending.filter((p) => !moved.includes(p));
      }
      if (announce > 0) pending = [];
      else if (gatherActive) {
        for (const p of pending) deferred.push({ ...p, named: true, releaseIndex: i, release: ev });
        pending = [];
      } else if (pending.length > 0) report(i, ev);
    } else if (ptlReleased && !sawDowngrade && announce <= 0 && !gatherActive && !ctx.image.complete) {
      // Hunk-only image: the lock was taken before the hunk; a flush after its release flushes changes made under
      // it in code the hunk does not show.
      const entry = res.released.find((r) => r.by.id < 0 && r.by.callee === PTL_BEFORE_HUNK);
      const flush = entry ? eventsOf(path).find((x) => x.index > i && x.event.kind === 'tlb-flush') : undefined;
      if (flush) {
        const shown = [imageEvent(ctx.image, ev), imageEvent(ctx.image, flush.event)];
        const anchor = pickAnchor(ctx.side, shown);
        // The changes the flush is for were made above the hunk: the path shows none, so the model gets one (an
        // entry write-protected under the lock, just before its release). Which entries were changed, how, and
        // whether the deferral was announced there (inc_tlb_flush_pending(), an mmu_gather) is unseen: the claim
        // names it and is never confirmed (without the change the patched thread would do nothing the
        // adversaries could observe, and a violation would be theirs alone).
        // A flush guarded by a catalogued flag (`if (force_flush)`, src/kernel-api/flush-flags.ts) that the visible
        // code never sets establishes the change: the flag is set under the lock only after an entry was changed
        // whose flush the code owes itself. Then the model's change is the one the flag records, and nothing is
        // unseen — unless either image shows an announcement, which could make the deferral another's to see.
        // Nor when the path already flushed under that lock (move_ptes()' `if (force_flush) flush_tlb_range()` before
        // its unlock): the flagged changes may be the ones that flush covered.
        const flushedUnderLock = eventsOf(path).some(
          (x) => x.index < i && (x.event.kind === 'tlb-flush' || x.event.kind === 'gather-flush' || x.event.kind === 'pte-clear-flush' || x.event.attrs.flushes === true),
        );
        const flagged = announcedAnywhere(ctx) || flushedUnderLock ? undefined : guardingFlushFlag(ctx.image, path, i, flush.index, ctx.fn.name);
        const effect = flagged ? flagged.flag.effect : 'wrprotect';
        const above = flagged
          ? { ...synthEvent('pte-clear', 'ptep_get_and_clear', { pte: 'pte' }, { line: 0, column: 0 }, { effects: [effect] }), text: `(above the hunk) an entry changed under the page-table lock (${flagged.name} set)` }
          : { ...synthEvent('pte-wrprotect', 'ptep_set_wrprotect', { pte: 'pte' }, { line: 0, column: 0 }, { effects: ['wrprotect'] }), text: '(above the hunk) an entry changed under the page-table lock' };
        const modelled = insertAt(path, i, above);
        ctx.report({
          messageId: 'unlockBeforeFlush',
          data: { unlock: ev.callee, flush: flush.event.callee },
          anchor,
          related: shown.filter((e) => e.id !== anchor.id).map((e) => ({ event: e, message: e.kind === 'tlb-flush' ? 'TLB flushed here, after the lock was dropped' : 'page-table lock released here' })),
          path: modelled,
          ...(() => {
            const why = exclusionAbove(ctx, flush.event);
            return { hazard: why ? { ...hazardFor([effect], ['mm-live']), unknown: why } : hazardFor([effect], ['mm-live']) };
          })(),
          ...(flagged
            ? {}
            : {
                unseen: `code above the hunk: which entries it changed under the page-table lock released at line ${ev.loc.fileLine ?? ev.loc.line}, and whether it announced the deferred flush there (inc_tlb_flush_pending(), an mmu_gather); the model assumes one entry write-protected and nothing announced`,
              }),
          suggestion: { text: `flush the TLB (${flush.event.callee}()) before the page-table lock is released`, path: moveBefore(modelled, flush.index + 1, i + 1) },
        });
      }
    }
  });
  if (onEntry && state.held.has('<caller-ptl>') && pending.length > 0 && announce <= 0 && !gatherActive && !truncated(path)) {
    report(returnIndex(path), undefined);
  }
}

/** Entries a range flush missed, still unflushed when the path returns. */
function reportMissed(
  ctx: TypedRuleContext<MessageId>,
  path: EventPath,
  missed: ReadonlyArray<Pending & { flush: Event; flushIndex: number; extent: boolean }>,
  contextOf: (p: Pending) => string[],
): void {
  for (const p of missed) {
    const shown = [p.event, p.flush].map((e) => imageEvent(ctx.image, e)).filter((e) => e.id >= 0);
    const anchor = pickAnchor(ctx.side, shown);
    const entry = entryName(p.event);
    const step = path.steps[p.flushIndex];
    const mark = (attrs: Event['attrs']): EventPath => {
      const steps = [...path.steps];
      if (step && step.step === 'event') steps[p.flushIndex] = { ...step, attrs };
      const marked = { steps, complete: path.complete };
      return p.excluded === true ? exclusiveAsPtl(marked) : marked;
    };
    const region = p.event.attrs.extent === 'pmd' ? 'PMD_SIZE' : 'PUD_SIZE';
    const unseen = p.extent ? regionBoundsUnseen(ctx.image, p.flush.args.start, p.flush.args.end, p.event.attrs.extent === 'pmd' ? 'pmd' : 'pud', p.flush.loc.line, 'above the hunk or between the change and the flush') : undefined;
    ctx.report({
      ...(unseen ? { unseen } : {}),
      messageId: p.extent ? 'rangeTooSmall' : 'rangeMisses',
      data: {
        op: p.event.callee,
        verb: EFFECT_VERB[p.effects[0] ?? 'clear'] ?? 'changes',
        entry,
        flush: p.flush.callee,
        start: norm(p.flush.args.start),
        end: norm(p.flush.args.end),
        region,
      },
      anchor,
      related: shown
        .filter((e) => e.id !== anchor.id)
        .map((e) => ({
          event: e,
          message: e.kind !== 'tlb-flush' ? `${entry} changed here` : p.extent ? `the range is not widened to the ${region} region` : `the range starts at the advanced ${norm(p.flush.args.start)}`,
        })),
      path: mark({ ...p.flush.attrs, rangeMisses: true }),
      hazard: neverFlushed(hazardFor(p.effects, contextOf(p))),
      suggestion: {
        text: p.extent
          ? `widen the flushed range to the whole ${region} region the entry mapped (adjust_range_if_pmd_sharing_possible())`
          : `flush from the address the walk started at (keep it in its own variable before the loop advances ${norm(p.flush.args.start)})`,
        path: mark({ ...p.flush.attrs, rangeMisses: false }),
      },
    });
  }
}

/** The path inside the caller's gather: tlb_gather_mmu() before it, tlb_finish_mmu() after it. */
function withCallerGather(path: EventPath): EventPath {
  const first = path.steps[0];
  const loc = first ? first.loc : { line: 1, column: 0 };
  const init = synthEvent('gather-init', 'tlb_gather_mmu', { tlb: 'tlb', mm: 'mm' }, loc, { fullmm: false });
  const withInit = insertAt(path, 0, init);
  const end = returnIndex(withInit);
  return insertAt(withInit, end, synthEvent('gather-finish', 'tlb_finish_mmu', { tlb: 'tlb' }, locAt(withInit, end)));
}

/**
 * Moved entries (an install of the cleared value at another entry) whose flush was left to an open mmu_gather when
 * the page-table lock is released: the gather holds back only pages given to it, and a moved entry's page stays
 * mapped at the new entry, where rmap walkers can unmap and free it before the gather flushes the old address.
 */
function reportMovedGathered(
  ctx: TypedRuleContext<MessageId>,
  path: EventPath,
  releaseIndex: number,
  release: Event,
  moved: readonly Pending[],
  contextOf: (p: Pending) => string[],
  callersGather: boolean,
): void {
  for (const p of moved) {
    const install = p.moved as Event;
    // The caller's gather is finished by the caller, after this function returns: the model runs it there.
    const context = [...contextOf(p), ...(callersGather ? ['gather-on-entry'] : [])];
    const base = callersGather ? withCallerGather(path) : path;
    const at = releaseIndex + (callersGather ? 1 : 0);
    const later = eventsOf(path).find((x) => x.index > releaseIndex && (x.event.kind === 'gather-flush' || x.event.kind === 'gather-finish' || x.event.kind === 'tlb-flush'))?.event;
    const shown = [p.gathered, p.event, install, release, later].filter((e): e is Event => e !== undefined).map((e) => imageEvent(ctx.image, e)).filter((e) => e.id >= 0);
    const anchor = pickAnchor(ctx.side, shown);
    const entry = entryName(p.event);
    // The caller's gather is not this function's to finish: flush it (tlb_flush_mmu()) before the release.
    const sugg = callersGather
      ? { text: 'flush the gather (tlb_flush_mmu()) before the page-table lock is released', path: insertAt(base, at, synthEvent('gather-flush', 'tlb_flush_mmu', { tlb: 'tlb' }, locAt(base, at))) }
      : suggestPath(base, at, p.event, p.index);
    const note = (e: Event): string =>
      e.id === p.event.id
        ? `${entry} cleared here`
        : e.id === install.id
          ? `its value installed at ${norm(install.args.pte)} here: the page stays mapped there`
          : e.id === p.gathered?.id
            ? 'its flush left to the mmu_gather here'
            : e.id === release.id
              ? 'page-table lock released here'
              : 'the gather flushes the old address only here, after the lock was dropped';
    ctx.report({
      messageId: 'movedGathered',
      data: { op: p.event.callee, entry, install: install.callee, dest: norm(install.args.pte), handover: p.gathered?.callee ?? 'the mmu_gather', unlock: release.callee },
      anchor,
      related: shown.filter((e) => e.id !== anchor.id).map((e) => ({ event: e, message: note(e) })),
      path: base,
      hazard: movedHazard(context),
      ...(p.moveUnseen ? { unseen: p.moveUnseen } : {}),
      suggestion: { text: sugg.text, path: sugg.path },
    });
  }
}

/**
 * A helper whose flush the patch moved into its caller, after the call (rules/utils/hoisted-flush.ts): in a hunk
 * fragment that does not show where the installed value came from. The model assumes the entry it was read from
 * was cleared under the lock just above the install (a move) and runs the caller's flush after the helper; the
 * claim names that code and is never confirmed.
 */
function checkHoistedFlush(ctx: TypedRuleContext<MessageId>, path: EventPath): void {
  const h = hoistedMoveFlush(ctx.fn, ctx.side, ctx.image, path, [...ctx.siblings, ...(ctx.context ?? [])]);
  if (!h) return;
  const line = h.install.loc.fileLine ?? h.install.loc.line;
  const value = norm(h.install.args.value);
  const dest = norm(h.install.args.pte);
  const level = h.install.attrs.level;
  const clearCall = level === 'pud' ? 'pud_clear' : level === 'pmd' ? 'pmd_clear' : 'ptep_get_and_clear';
  const clear = {
    ...synthEvent('pte-clear', clearCall, { pte: 'old' }, { line: 0, column: 0 }, { effects: ['clear'], ...(level ? { level } : {}) }),
    text: `(above the hunk) the entry ${value} was read from is cleared under the page-table lock`,
  };
  const withClear = insertAt(path, h.installIndex, clear);
  const flush = { ...h.callerFlush, id: -1, text: `(in ${h.site.caller.name}(), after the call returns) ${h.callerFlush.text}` };
  const modelled = insertAt(withClear, withClear.steps.length, flush);
  const shown = [imageEvent(ctx.image, h.install), imageEvent(ctx.image, h.release)].filter((e) => e.id >= 0);
  const anchor = pickAnchor(ctx.side, shown);
  ctx.report({
    messageId: 'flushHoistedToCaller',
    data: { install: h.install.callee, value, dest, unlock: h.release.callee, caller: h.site.caller.name, flush: h.callerFlush.callee },
    anchor,
    related: shown.filter((e) => e.id !== anchor.id).map((e) => ({ event: e, message: e.id === h.release.id ? 'page-table lock released here, before any TLB flush' : `${value} installed at ${dest} here` })),
    path: modelled,
    hazard: movedHazard(['mm-live']),
    unseen: `code above the hunk: was the entry ${value} was read from cleared under the page-table lock released at line ${h.release.loc.fileLine ?? h.release.loc.line} (a move, whose old address ${h.otherFlush.callee}() flushed under the lock before this patch)? The model assumes it was, right before ${h.install.callee}() at line ${line}`,
    suggestion: {
      text: `flush the old range (${h.otherFlush.callee}()) before the page-table lock is released, as before`,
      path: insertAt(withClear, h.releaseIndex + 1, { ...h.otherFlush, id: -1 }),
    },
  });
}

/** Downgrades handed to a flush batch that nothing announces, with the page-table lock then dropped. */
function reportUnannounced(
  ctx: TypedRuleContext<MessageId>,
  path: EventPath,
  releaseIndex: number,
  release: Event,
  batched: readonly Pending[],
  contextOf: (p: Pending) => string[],
): void {
  for (const p of batched) {
    const batch = p.batched as Event;
    const shown = [p.event, batch, release].map((e) => imageEvent(ctx.image, e)).filter((e) => e.id >= 0);
    const anchor = pickAnchor(ctx.side, shown);
    const entry = entryName(p.event);
    // The model runs the batch's flush when the path is done (try_to_unmap_flush() after the walk).
    const end = returnIndex(path);
    const later = insertAt(path, end, synthEvent('tlb-flush', 'try_to_unmap_flush', {}, locAt(path, end), { scope: 'all' }));
    ctx.report({
      messageId: 'deferNotAnnounced',
      data: { op: p.event.callee, verb: EFFECT_VERB[p.effects[0] ?? 'clear'] ?? 'changes', entry, batch: batch.callee, unlock: release.callee },
      anchor,
      related: [p.event, batch, release]
        .filter((e) => e.id >= 0 && e.id !== anchor.id)
        .map((e) => ({ event: imageEvent(ctx.image, e), message: e === release ? 'page-table lock released here' : e === batch ? 'flush recorded in a batch here, not announced' : `${entry} changed here` })),
      path: later,
      hazard: neverFlushed(hazardFor(p.effects, contextOf(p))),
      suggestion: {
        text: `announce the deferred flush where other page-table-lock holders can see it (set_tlb_ubc_flush_pending(), which sets mm->tlb_flush_batched for flush_tlb_batched_pending()), or flush before the page-table lock is released`,
      },
    });
  }
}

/**
 * An announcement (inc_tlb_flush_pending(), tlb_gather_mmu()) that a path of a function which retracts it
 * elsewhere (dec_tlb_flush_pending(), tlb_finish_mmu()) leaves in place when it returns.
 */
function reportLeak(ctx: TypedRuleContext<MessageId>, path: EventPath, at: number, announced: readonly Event[], context: string[] = ['mm-live']): void {
  for (const a of announced) {
    const anchor = imageEvent(ctx.image, a);
    const retract = a.kind === 'gather-init' ? 'tlb_finish_mmu' : 'dec_tlb_flush_pending';
    const ret = path.steps[at];
    ctx.report({
      messageId: 'announceLeak',
      data: { op: a.callee, retract, where: path.steps[at]?.step === 'control' && (path.steps[at] as { kind: string }).kind === 'loop-next' ? 'goes on to the next iteration' : 'returns' },
      anchor,
      related: [],
      path,
      hazard: { kind: 'flush-pending-leak', invariants: ['flush-pending-balance'], adversaries: [], arch: ['x86'], context },
      suggestion: {
        text: `call ${retract}() on this path too before returning`,
        path: insertAt(path, at, synthEvent(a.kind === 'gather-init' ? 'gather-finish' : 'flush-pending-dec', retract, a.kind === 'gather-init' ? { tlb: a.args.tlb ?? 'tlb' } : { mm: a.args.mm ?? 'mm' }, ret ? ret.loc : locAt(path, at))),
      },
    });
  }
}

/**
 * A dirty shared page handed to the gather with the page-table lock dropped before the TLB flush
 * (rules/utils/dirty-gathered.ts): writeback cleans the page while a stale dirty TLB entry still writes to it.
 */
function checkDirtyGathered(ctx: TypedRuleContext<MessageId>, path: EventPath, guards: ReadonlySet<string>, callerGather: boolean): void {
  const d = dirtyGatheredBeforeFlush(ctx.image, path, callerGather, guards);
  if (!d) return;
  // A call between the dirtying and the release that may be the flush (rules/utils/hidden-flush.ts).
  const hidden = mayFlushBetween(path, d.dirtyIndex, d.releaseIndex, [...ctx.siblings, ...(ctx.context ?? [])], ctx.side);
  const shown = [d.dirty, d.clear, d.release].map((e) => imageEvent(ctx.image, e)).filter((e) => e.id >= 0);
  if (shown.length === 0) return;
  const anchor = pickAnchor(ctx.side, shown);
  // The gather was open (the caller's, or shown open by a hand-over to it): the model starts it for the path.
  const wrapped = !path.steps.some((s) => s.step === 'event' && s.kind === 'gather-init');
  const base = wrapped ? withCallerGather(path) : path;
  const at = d.releaseIndex + (wrapped ? 1 : 0);
  const hazard: Hazard = {
    kind: 'dirty-gathered',
    invariants: ['no-lost-write'],
    adversaries: ['user-writer', 'writeback'],
    arch: ['x86', 'arm64'],
    context: ['mm-live', ...(wrapped ? ['gather-on-entry'] : [])],
  };
  ctx.report({
    messageId: 'dirtyBeforeFlush',
    data: { op: d.clear.callee, dirty: d.dirty.callee, unlock: d.release.callee },
    anchor,
    related: shown
      .filter((e) => e.id !== anchor.id)
      .map((e) => ({ event: e, message: e.kind === 'page-dirty' ? 'page marked dirty here, its TLB entry not yet flushed' : e.kind === 'pte-clear' ? 'PTE cleared and given to the gather here' : 'page-table lock released here, before the flush' })),
    path: base,
    // Only a file-backed page is cleaned by writeback (zap_pte_range() marks only those dirty); the path must show it.
    hazard: ((): Hazard => {
      const unknowns = [
        d.fileBacked ? undefined : `is the page ${d.dirty.callee}() marks dirty file-backed (writeback cleans it through folio_mkclean())? The path does not test PageAnon()/folio_test_anon()`,
        hidden,
      ].filter((u): u is string => u !== undefined);
      return unknowns.length > 0 ? { ...hazard, unknown: unknowns.join('; ') } : hazard;
    })(),
    suggestion: {
      text: `flush the TLB of the gathered entries before the page-table lock is released when a dirty page was given to the gather (force_flush; tlb_flush_mmu_tlbonly() under the lock, and the rmap removal delayed until after it, tlb_flush_rmaps())`,
      path: insertAt(base, at, synthEvent('gather-flush', 'tlb_flush_mmu_tlbonly', { tlb: 'tlb' }, locAt(base, at))),
    },
  });
}

/** Does either image of the function announce a deferred flush (inc/dec_tlb_flush_pending(), an mmu_gather)? */
function announcedAnywhere(ctx: TypedRuleContext<MessageId>): boolean {
  const kinds = new Set(['flush-pending-inc', 'flush-pending-dec', 'gather-init', 'gather-finish', 'flush-defer']);
  return [ctx.fn.pre, ctx.fn.post].some((img) => img?.events.some((e) => kinds.has(e.kind)) === true);
}

/** Is the step after `i` the cut of a path that left the hunk into a loop the hunk does not show? */
function nextTruncated(path: EventPath, i: number): boolean {
  const next = path.steps[i + 1];
  return next?.step === 'control' && next.kind === 'truncated';
}

/** Do unseen file lines lie between an event and a later source location (a gap between two hunks)? */
function gapBetween(image: FunctionImage, ev: Event, to: SourceLoc): boolean {
  const from = ev.loc.fileLine;
  const end = to.fileLine;
  if (from === undefined || end === undefined) return true;
  return firstGapBetween(gapsOf(image), from, end) !== undefined;
}

/** The steps of a path up to `end` that both images share: events other than retractions, and branch outcomes. */
function shape(path: EventPath, end: number, retracts: Event['kind']): string[] {
  const out: string[] = [];
  for (const s of path.steps.slice(0, end + 1)) {
    if (s.step === 'control') {
      if (s.kind === 'branch') out.push(`?${norm(s.cond)}:${String(s.taken)}`);
      else if (s.kind === 'loop-next' || s.kind === 'loop-exit') out.push(`${s.kind}:${s.via}`);
      continue;
    }
    if (s.kind !== retracts) out.push(`${s.kind}:${norm(s.text)}`);
  }
  return out;
}

/**
 * The function's other image has a path with the same events and branch outcomes up to the same `continue` of a
 * loop the hunk does not show, except that it retracts the announcement `a` before it: the patch adds (or removes)
 * exactly that retraction. The unseen rest after the `continue` is the same code for both images, so the image
 * without the retraction leaves the iteration's announcement counted.
 */
function otherRetracts(ctx: TypedRuleContext<MessageId>, path: EventPath, at: number, a: Event): boolean {
  const other = ctx.side === 'pre' ? ctx.fn.post : ctx.fn.pre;
  if (!other) return false;
  const retract: Event['kind'] = a.kind === 'gather-init' ? 'gather-finish' : 'flush-pending-dec';
  const mine = shape(path, at, retract).join('\n');
  const key = `${a.kind}:${norm(a.text)}`;
  return other.paths.some((p) => {
    const k = p.steps.findIndex((s, j) => s.step === 'control' && s.kind === 'loop-next' && s.via === 'continue' && nextTruncated(p, j));
    if (k < 0 || shape(p, k, retract).join('\n') !== mine) return false;
    const evs = p.steps.slice(0, k).filter((s): s is PathStep & { step: 'event' } => s.step === 'event');
    const ann = evs.findIndex((e) => `${e.kind}:${norm(e.text)}` === key);
    return ann >= 0 && evs.slice(ann + 1).some((e) => e.kind === retract);
  });
}

/**
 * The definition of a clear-and-flush helper (catalogue CLEAR_FLUSH_DEFINITIONS: ptep_clear_flush()) on a path that
 * skips the flush because a hardware-only test (HW_ACCESS_TESTS: the one-argument pte_accessible())
 * found the old value unusable: an entry another thread made inaccessible (PROT_NONE, NUMA hinting) or cleared may
 * still be cached while that thread's flush is deferred and announced, and the helper returns with it cached.
 */
function checkClearFlushDefinition(ctx: TypedRuleContext<MessageId>): void {
  const image = ctx.image;
  if (!CLEAR_FLUSH_DEFINITIONS.has(ctx.fn.name)) return;
  for (const path of image.paths) {
    const clearAt = path.steps.findIndex((s) => s.step === 'event' && s.kind === 'pte-clear' && s.result !== undefined);
    const clear = path.steps[clearAt];
    if (!clear || clear.step !== 'event' || clear.result === undefined) continue;
    const value = norm(clear.result);
    const rest = path.steps.slice(clearAt + 1);
    if (rest.some((s) => s.step === 'event' && (s.kind === 'tlb-flush' || s.kind === 'pte-clear-flush'))) continue;
    const skip = rest.find((s): s is PathStep & { step: 'control'; kind: 'branch' } => s.step === 'control' && s.kind === 'branch' && hwUnusable(norm(s.cond), s.taken, value));
    if (!skip) continue;
    const test = image.events.find((e) => e.kind === 'call' && HW_ACCESS_TESTS[e.callee] !== undefined && e.loc.line === skip.loc.line);
    const anchor = imageEvent(image, test ?? stripStep(clear));
    ctx.report({
      messageId: 'skipsPendingFlush',
      data: { fn: ctx.fn.name, test: skip.cond },
      anchor,
      related: [],
      path,
      hazard: {
        kind: 'pending-flush-skipped',
        invariants: ['write-protect-holds'],
        adversaries: ['change-prot-numa', 'user-reader'],
        arch: ['x86'],
        context: ['ptl-held-on-entry', 'mm-live', 'unmap-call', 'entry-cleared-concurrently'],
      },
      suggestion: {
        text: 'flush also when a deferred flush is pending (pte_accessible(mm, pte), which tests mm_tlb_flush_pending())',
        // In the interleaving shown a deferred flush is pending, so the fixed test flushes here.
        path: insertAt(path, clearAt + 1, synthEvent('tlb-flush', 'flush_tlb_page', { vma: 'vma', addr: 'address' }, clear.loc, { scope: 'page' })),
      },
      ...(!image.complete
        ? { unseen: `code the hunk does not show: does ${ctx.fn.name}() flush on this path?` }
        : ctx.fn.pre === undefined && image.lineInfo.some((l) => l.diff === 'add')
          ? { unseen: `the definition of ${ctx.fn.name}() this one replaces (the patch adds it): did that one skip the flush too?` }
          : {}),
    });
    return;
  }
}

/** Does a branch outcome say, by a hardware-only test of `value`, that the hardware cannot use it? */
function hwUnusable(cond: string, taken: boolean, value: string): boolean {
  const m = /^(!?)\(?([A-Za-z_]\w*)\(([^()]*)\)\)?$/.exec(cond);
  if (!m) return false;
  const [, bang, fn, argText] = m as unknown as [string, string, string, string];
  const args = argText.split(',').map((a) => a.trim());
  if (!(HW_ACCESS_TESTS[fn]?.includes(args.length) ?? false) || norm(args[args.length - 1]) !== value) return false;
  const holds = taken !== (bang === '!');
  return !holds;
}

/** Is `e` an uncatalogued call given the gather `tlb` (or something reached from it), not known to skip the test? */
function handsGather(e: Event, tlb: string): boolean {
  const args = callArgs(e.text);
  if (!args.some((a) => new RegExp(`(?:^|[^\\w.>])&?${tlb}\\b`).test(a))) return false;
  return !(NO_NESTED_TEST_CALLEES[e.callee]?.includes(args.length) ?? false);
}

/**
 * The definition of a gather finish that owes a forced flush when deferrals are nested (catalogue
 * NESTED_FLUSH_FINISHERS: tlb_finish_mmu()) and never asks whether one is (no mm_tlb_flush_nested() /
 * mm_tlb_flush_pending() read): a zapper that found its entries already cleared by a concurrent zapper gathered
 * nothing, and this finish returns while the other's flush is still pending. The candidate path is that caller:
 * tlb_gather_mmu(), the entry found none under the PTL, then this function as the gather's finish.
 */
function checkNestedFinish(ctx: TypedRuleContext<MessageId>): void {
  const image = ctx.image;
  if (!NESTED_FLUSH_FINISHERS.has(ctx.fn.name)) return;
  if (image.events.some((e) => e.kind === 'flush-pending-read')) return;
  const anchor = image.events[image.events.length - 1];
  if (!anchor) return;
  // An uncatalogued callee given the gather may make the test itself.
  const gather = image.params.map((p) => /\bstruct\s+mmu_gather\s*\*\s*(\w+)\s*$/.exec(p)?.[1]).find((x) => x !== undefined);
  const opaque = gather === undefined ? [] : image.events.filter((e) => e.kind === 'call' && handsGather(e, gather));
  const at = anchor.loc;
  const step = (ev: Event): PathStep => ({ step: 'event', ...ev });
  const caller = (ev: Event): PathStep => step({ ...ev, text: `(caller: zap of a range another zapper already cleared) ${ev.text}` });
  const finish = step({ ...synthEvent('gather-finish', ctx.fn.name, { tlb: 'tlb' }, at), text: `${ctx.fn.name}(tlb): this definition` });
  const path: EventPath = {
    complete: true,
    steps: [
      caller(synthEvent('gather-init', 'tlb_gather_mmu', { tlb: 'tlb', mm: 'mm' }, at, { fullmm: false })),
      caller({ ...synthEvent('pte-map-lock', 'pte_offset_map_lock', { mm: 'mm', pmd: 'pmd', addr: 'addr', lock: 'ptl' }, at, { lockClass: 'ptl' }), result: 'pte' }),
      caller({ ...synthEvent('pte-read', 'ptep_get', { pte: 'pte' }, at), result: 'ptent' }),
      { step: 'control', kind: 'branch', cond: 'pte_none(ptent)', taken: true, loc: at },
      caller(synthEvent('pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }, at, { lockClass: 'ptl' })),
      finish,
      { step: 'control', kind: 'return', loc: at },
    ],
  };
  // The fix: the branch taken when mm_tlb_flush_nested() is true flushes the gather's whole range.
  const forced = synthEvent('tlb-flush', 'flush_tlb_range', { vma: 'vma', start: 'tlb->start', end: 'tlb->end' }, at, { scope: 'range' });
  const fixed = insertAt(path, path.steps.indexOf(finish), { ...forced, text: 'mm_tlb_flush_nested(tlb->mm): flush the whole range' });
  ctx.report({
    messageId: 'finishIgnoresNested',
    data: { fn: ctx.fn.name },
    anchor,
    related: [],
    path,
    hazard: {
      kind: 'nested-flush-missed',
      invariants: ['write-protect-holds'],
      adversaries: ['madvise-dontneed', 'user-reader'],
      arch: ['x86', 'arm64'],
      context: ['mm-live', 'unmap-call', 'entry-cleared-concurrently'],
    },
    suggestion: { text: `when mm_tlb_flush_nested(tlb->mm), flush the gather's whole range before finishing (as tlb_finish_mmu() does since 4.13)`, path: fixed },
    // A definition the patch adds replaces one the kernel always had (moved from another file, or an arch's own):
    // whether this patch introduced the missing test depends on that definition, which the function does not show.
    ...(!image.complete
      ? { unseen: `code the hunk does not show: does ${ctx.fn.name}() test mm_tlb_flush_nested() there?` }
      : ctx.fn.pre === undefined && image.lineInfo.some((l) => l.diff === 'add')
        ? { unseen: `the definition of ${ctx.fn.name}() this one replaces (the patch adds it): did that one test mm_tlb_flush_nested()?` }
      : opaque.length > 0
        ? { unseen: `${opaque.map((e) => `${e.callee}()`).join(', ')} ${opaque.length > 1 ? 'are' : 'is'} given the gather: does it test mm_tlb_flush_nested()?` }
        : {}),
  });
}

/**
 * Source-mm write-protects of a page-table copy (fork: copy_present_pte(), copy_huge_pmd()): the path write-protects
 * entries of one mm and installs entries in another. The only copy between mms is dup_mmap(), which holds the
 * source mm's mmap_lock for write (no fault can use the stale writable entry) and flushes the source mm before
 * releasing it; writeback never cleans the anonymous COW pages such a copy write-protects. Returns the mm
 * expressions written to as a copy's source. Another branch of the copy may rewrite a source
 * entry that is not present (a migration entry downgraded to read-only, a swap entry's flags), which installs no
 * translation and does not make the source an install target (read per path: the value's constructor is on it).
 */
function forkSources(image: FunctionImage): Set<string> {
  const protectedMms = new Set<string>();
  const installedMms = new Set<string>();
  for (const path of image.paths) {
    const nonPresent = new Set<string>();
    for (const s of path.steps) {
      if (s.step !== 'event') continue;
      if (s.result !== undefined && NON_PRESENT_VALUE.test(s.callee)) nonPresent.add(norm(s.result));
      const mm = norm(s.args.mm);
      if (mm === '') continue;
      if (s.kind === 'pte-wrprotect') protectedMms.add(mm);
      else if (s.kind === 'pte-set' && !(s.args.value !== undefined && nonPresent.has(norm(s.args.value)))) installedMms.add(mm);
    }
  }
  const out = new Set<string>();
  if ([...installedMms].some((d) => !protectedMms.has(d))) for (const m of protectedMms) if (!installedMms.has(m)) out.add(m);
  return out;
}


export default createRule<MessageId>({
  meta: {
    id: 'flush-under-ptl',
    severity: 'error',
    docs: { description: 'Flush the TLB before releasing the page-table lock after clearing, write-protecting or cleaning a page-table entry of any level, or defer the flush where other lock holders can see it' },
    messages: {
      ...ARCH_FLUSH_MESSAGES,
      ...COPY_MESSAGES,
      ...DIRTY_BIT_MESSAGES,
      flushAfterUnlock:
        '{{op}}() {{verb}} a {{entry}} under the page-table lock, but {{unlock}}() releases the lock before {{flush}}: another CPU can keep using the stale TLB entry in between.',
      notGathered:
        '{{op}}() {{verb}} a {{entry}} while an mmu_gather is open, but the entry is never given to the gather and {{unlock}}() releases the lock: the gather flushes only what it was given, so another CPU keeps the stale TLB entry.',
      deferNotAnnounced:
        '{{op}}() {{verb}} a {{entry}} and {{batch}}() defers its flush to a batch that nothing announces; {{unlock}}() then releases the page-table lock, and another path taking it cannot tell that a stale TLB entry is still cached.',
      rangeMisses:
        '{{op}}() {{verb}} a {{entry}} at an address its loop then advances, and {{flush}}() flushes from {{start}}, which is already past it: the changed entry is outside the flushed range and stays cached.',
      rangeTooSmall:
        '{{op}}() {{verb}} a {{entry}} that maps a whole {{region}} region, but {{flush}}() flushes only [{{start}}, {{end}}), which need not cover it: TLB entries for the rest of the region stay cached.',
      announceLeak:
        '{{op}}() announces a deferred TLB flush, but this path {{where}} without {{retract}}(), which the function calls on its other paths: the announcement is never retracted.',
      finishIgnoresNested:
        '{{fn}}() finishes a gather without asking whether another thread has a deferred flush pending (mm_tlb_flush_nested()): a zapper that found its entries already cleared by a concurrent zapper gathered nothing and returns while the other\'s flush is still pending, so stale TLB entries outlive the unmapping call.',
      skipsPendingFlush:
        '{{fn}}() clears an entry and skips the TLB flush when {{test}} says the hardware cannot use the old value, but an entry another thread made inaccessible may still be cached while that thread\'s flush is deferred (mm_tlb_flush_pending()): the helper returns with the stale translation still usable.',
      dirtyBeforeFlush:
        '{{op}}() clears a PTE given to the mmu_gather and {{dirty}}() marks its page dirty, but {{unlock}}() releases the page-table lock before the TLB is flushed: writeback can clean the page (it finds no mapping to write-protect) while another CPU still writes through its stale dirty TLB entry, and that store is lost.',
      unlockBeforeFlush:
        '{{unlock}}() releases the page-table lock before {{flush}}(): PTEs changed under the lock (before this hunk) stay cached in other CPUs\' TLBs in between.',
      movedGathered:
        '{{op}}() clears a {{entry}} whose value {{install}}() installs at {{dest}} (a move), and {{handover}}() leaves the old address\'s flush to the mmu_gather, but {{unlock}}() releases the page-table lock before the gather flushes: the page stays mapped at the new entry, where reclaim, migration or truncate can unmap it (flushing only the new address) and free it while another CPU still reaches it through the stale TLB entry for the old one.',
      flushHoistedToCaller:
        '{{install}}() installs {{value}} at {{dest}} under the page-table lock and {{unlock}}() releases the lock before any TLB flush: the flush of the old address is now {{flush}}() in {{caller}}(), after this function returns. If {{value}} was moved out of an entry cleared under this lock, its page stays reachable at the new entry (reclaim, migration, truncate) while another CPU still holds the old translation.',
      callbackNoFlush:
        '{{op}}() {{verb}} a {{entry}} in {{fn}}(), which runs under its caller\'s page-table lock and does not flush the TLB; the caller drops the lock before flushing, so another CPU can keep using the stale TLB entry.',
    },
    hazard:
      'Between the PTE update and the TLB flush, other CPUs may still hold the old translation. Once the page-table lock is dropped, a concurrent thread (writeback, zap, a fault) sees the new PTE and acts on it while a user CPU still writes or reads through the stale entry: lost writes after page_mkclean, writes through a write-protected mapping, or accesses to a freed page.',
  },
  check(outer) {
    // Every candidate's simulated path stores a non-present value (a migration or swap entry) as an empty entry
    // (rules/utils/non-present-store.ts).
    const ctx: TypedRuleContext<MessageId> = Object.assign(Object.create(outer) as TypedRuleContext<MessageId>, {
      report: (c: Parameters<TypedRuleContext<MessageId>['report']>[0]): void =>
        outer.report({
          ...c,
          path: modelNonPresentStores(c.path, outer.image),
          ...(c.suggestion ? { suggestion: { ...c.suggestion, ...(c.suggestion.path ? { path: modelNonPresentStores(c.suggestion.path, outer.image) } : {}) } } : {}),
        }),
    });
    checkClearFlushDefinition(ctx);
    const onEntry = isPtlHeldOnEntry(ctx.image);
    if (onEntry && deferredBySibling(ctx.side, ctx.siblings, ctx.fn)) return;
    const guards = flushGuards(ctx.image);
    const owned = ownedAnnouncements(ctx.fn);
    const forkSrc = forkSources(ctx.image);
    const callerGather = gatherOnEntry(ctx.image);
    // A call to a wrapper whose visible definition flushes on every path is that flush (rules/utils/hidden-flush.ts).
    const defs = [...ctx.siblings, ...(ctx.context ?? [])];
    // Paths that test one local value both ways (`pte_present(pte)` twice on one read) were dropped with the other
    // infeasible paths when the image was built (src/c/path-feasibility.ts).
    const paths = ctx.image.paths;
    for (const path of paths) checkPath(ctx, withVisibleFlushes(path, defs, ctx.side), onEntry, guards, owned, forkSrc, callerGather);
    for (const path of paths) checkDirtyGathered(ctx, withVisibleFlushes(path, defs, ctx.side), guards, callerGather);
    for (const path of paths) checkHoistedFlush(ctx, path);
    checkNestedFinish(ctx);
    // An architecture's flush hook that invalidates less than the generic contract (rules/utils/arch-flush.ts).
    for (const v of archFlushViolations(ctx.fn, ctx.side, ctx.image, ctx.siblings)) ctx.report(archFlushCandidate(v, ctx.image));
    // A cleared entry's page copied before the flush: a stale-TLB store after the copy is lost (rules/utils/clear-then-copy.ts).
    for (const c of copyBeforeFlushCandidates(ctx.image, ctx.side)) ctx.report(c);
    // A cleared entry's dirty bit thrown away while its page stays in use (rules/utils/dirty-bit.ts).
    for (const c of lostDirtyBitCandidates(ctx.image, ctx.side, paths)) ctx.report(c);
  },
});

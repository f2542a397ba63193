/**
 * A cleared entry's dirty bit dropped (flush-under-ptl `dirtyBitLost`; kernel semantics in
 * src/kernel-api/dirty-owed.ts). A clear that returns the old entry (ptep_get_and_clear(), ptep_clear_flush(),
 * pmdp_huge_get_and_clear() ...) written as a statement of its own throws the returned value away: no code, seen or
 * unseen, can read the dirty bit the hardware set in the entry up to the clear. Claimed only where the path shows
 * that the page stays in use, so the bit was owed: a non-present entry that keeps the page (a migration,
 * device-private or device-exclusive entry) is built after the clear on the path, or in the source between the clear
 * and the path's store to the same entry, or, when the path is cut by the hunk right after the clear, by the code
 * where it is cut. A file-backed page alone is not taken as proof: a private
 * file mapping's entry (wp_page_copy() replacing it by an anonymous copy) maps the page-cache page read-only, so no
 * store can have dirtied it, and the model's initial entry is writable.
 *
 * A transfer under a dirty test tests another value than the one thrown away (one read before the clear, which
 * misses a store made in between) and excuses nothing. Not claimed when the function shows a dirty transfer that no
 * dirty test guards (folio_mark_dirty(), make_migration_entry_dirty(), pte_mkdirty() ...: the page may be marked
 * dirty whatever the entry held), nor for a clear whose statement may continue unseen lines (a hunk gap between the
 * previous statement and the call). Not understood: a value assigned and then never consulted for its dirty bit.
 */
import type { Event, EventPath, FunctionImage, PathStep } from '../../src/core/events.ts';
import { DIRTY_CARRYING_CLEARS, DIRTY_TRANSFERS, PAGE_KEEPING_ENTRIES } from '../../src/kernel-api/dirty-owed.ts';
import { resultDiscarded } from './discarded-result.ts';
import type { Candidate, Side } from '../../src/core/rule.ts';
import { callArgs, eventsOf, gapsOf, imageEvent, insertAt, pickAnchor, synthEvent } from './paths.ts';

interface LostDirtyBit {
  clear: Event;
  /** Path step index of the clear. */
  clearIndex: number;
  /** The page-keeping entry built after the clear: the page stays in use. */
  entry: Event;
}

const PAGE_DIRTY_CALLEES = ['set_page_dirty', 'set_page_dirty_lock', 'folio_mark_dirty', 'folio_mark_dirty_lock', 'SetPageDirty', 'folio_set_dirty', '__set_page_dirty', '__folio_mark_dirty'];
const TRANSFER = new RegExp(`\\b(?:${[...PAGE_DIRTY_CALLEES, ...DIRTY_TRANSFERS].join('|')})\\s*\\(`);

const DIRTY_TEST = /\bif\s*\([^;]*\b(?:pte|pmd|pud|huge_pte)_dirty\s*\(/;

/**
 * Does the image show a dirty transfer that no dirty test guards (its text, comments aside)? With the clear's value
 * thrown away, a transfer under `if (pte_dirty(x))` tests another value — one read before the clear, which misses a
 * store made in between (mm/migrate_device.c before the fix: `pte = *ptep` ... `if (pte_dirty(pte)) entry =
 * make_migration_entry_dirty(entry)`) — and excuses nothing. One with no such test (the page marked dirty whatever
 * the entry held) may: no claim then.
 */
function showsUnguardedTransfer(image: FunctionImage): boolean {
  const text = image.text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
  const all = new RegExp(TRANSFER.source, 'g');
  for (let m = all.exec(text); m; m = all.exec(text)) {
    // The code since the end of the statement or block before the call (`if (pte_dirty(pte)) {` stays in it).
    const before = text.slice(0, m.index);
    const from = Math.max(before.lastIndexOf(';'), before.lastIndexOf('}'));
    if (!DIRTY_TEST.test(before.slice(from + 1))) return true;
  }
  return false;
}

/** Is the call written as a statement of its own, with no unseen lines between it and the statement before? */
function discardedInSight(image: FunctionImage, ev: Event): boolean {
  const d = resultDiscarded(image, ev);
  if (!d) return false;
  const gaps = new Set(gapsOf(image));
  for (let l = d.prevLine; l < ev.loc.line; l++) {
    const fl = image.lineInfo[l - 1]?.fileLine;
    if (fl !== undefined && gaps.has(fl)) return false;
  }
  return true;
}

/** The page-keeping entry built after step `from` on the path, or where the hunk cuts it right after the clear. */
function keepingEntry(image: FunctionImage, path: EventPath, from: number, clear: Event): Event | undefined {
  for (let i = from + 1; i < path.steps.length; i++) {
    const s = path.steps[i] as PathStep;
    if (s.step === 'event') {
      if (PAGE_KEEPING_ENTRIES.has(s.callee)) return s;
      // The store that replaces the cleared entry: a constructor written between the two in the source builds the
      // value stored (the path slicer may leave out a call whose result only feeds that value).
      if (s.kind === 'pte-set' && s.args.pte !== undefined && s.args.pte === clear.args.pte) {
        const between = image.events.find((e) => PAGE_KEEPING_ENTRIES.has(e.callee) && e.loc.line > clear.loc.line && e.loc.line < s.loc.line);
        if (between) return between;
      }
      continue;
    }
    // Another iteration builds the entry of another page; a return or a jump leaves the clear's page behind.
    if (s.kind === 'return' || s.kind === 'goto' || s.kind === 'loop-next' || s.kind === 'loop-exit') return undefined;
    if (s.kind === 'truncated') {
      // Cut with no event after the clear: the code where the cut falls (a statement the hunk cuts in the middle,
      // `entry = make_..._migration_entry(`), when every event of the image below the clear builds such an entry.
      if (eventsOf(path).some((e) => e.index > from)) return undefined;
      const below = image.events.filter((e) => e.loc.line > clear.loc.line || (e.loc.line === clear.loc.line && e.loc.column > clear.loc.column));
      const next = below[0];
      return next && below.every((e) => PAGE_KEEPING_ENTRIES.has(e.callee)) && next.loc.line >= s.loc.line - 1 ? next : undefined;
    }
  }
  return undefined;
}

/** The clears of `path` whose returned dirty bit is thrown away while the page stays in use. */
function lostDirtyBits(image: FunctionImage, path: EventPath): LostDirtyBit[] {
  if (showsUnguardedTransfer(image)) return [];
  const out: LostDirtyBit[] = [];
  path.steps.forEach((s, i) => {
    if (s.step !== 'event' || (s.kind !== 'pte-clear' && s.kind !== 'pte-clear-flush') || !DIRTY_CARRYING_CLEARS.has(s.callee)) return;
    const clear = image.events.find((e) => e.id === s.id) ?? s;
    if (clear.result !== undefined || !discardedInSight(image, clear)) return;
    const entry = keepingEntry(image, path, i, clear);
    if (entry) out.push({ clear, clearIndex: i, entry });
  });
  return out;
}

export type DirtyBitMessageId = 'dirtyBitLost';

export const DIRTY_BIT_MESSAGES: Record<DirtyBitMessageId, string> = {
  dirtyBitLost:
    '{{clear}}() clears a {{entry}} and throws away the value it returns — the only reliable copy of the dirty bit the hardware set in it (a value read before the clear misses a store made in between) — while {{keeper}}() keeps the page in use: the page is not marked dirty from the cleared value, so reclaim can drop it as clean and the last stores to it are lost.',
};

/** Reference drops that free a page only with the last reference (mm/swap.c put_page(), folio_put()). */
const REFERENCE_DROPS: ReadonlySet<string> = new Set(['put_page', 'folio_put', 'page_cache_release', 'put_user_page', 'unpin_user_page']);

/**
 * The path the simulator runs. A clear that does not flush is modelled as a clear and flush in one step
 * (ptep_clear_flush()): the claim is not about the flush (flushAfterUnlock's class); with no stale TLB entry left,
 * only a store made before the clear — whose dirty bit the clear returned — can be lost, and a violation of the
 * atomic clear-and-flush is one of the clear alone too (it only takes interleavings away). A reference drop of the
 * page after the page-keeping entry was built for it is not a free: the entry needs the page (a migration holds its
 * own reference and the page lock until it is resolved), so the drop is left out.
 */
function modelPath(path: EventPath, v: LostDirtyBit): EventPath {
  const entryAt = path.steps.findIndex((s, i) => i > v.clearIndex && s.step === 'event' && s.id === v.entry.id && s.loc.line === v.entry.loc.line);
  const names = new Set(v.entry.text.match(/[A-Za-z_]\w*/g) ?? []);
  const kept = (s: PathStep, i: number): boolean => {
    if (entryAt < 0 || i <= entryAt || s.step !== 'event' || s.kind !== 'page-free' || !REFERENCE_DROPS.has(s.callee)) return true;
    const base = /^[&*(\s]*([A-Za-z_]\w*)/.exec(callArgs(s.text)[0] ?? '')?.[1];
    return base === undefined || !names.has(base);
  };
  const steps = path.steps
    .map((s, i): PathStep => (i === v.clearIndex && s.step === 'event' && s.kind === 'pte-clear' ? { ...s, kind: 'pte-clear-flush', attrs: { ...s.attrs, flushes: true } } : s))
    .filter(kept);
  return { ...path, steps };
}

/**
 * One candidate per clear, on the path that reaches it soonest (the first loop iteration, not one after iterations
 * that skipped other entries: the model's adversaries act on the first entry), then the shortest.
 */
export function lostDirtyBitCandidates(
  image: FunctionImage,
  side: Side,
  paths: readonly EventPath[],
): Array<Omit<Candidate, 'rule' | 'message' | 'side' | 'messageId'> & { messageId: DirtyBitMessageId }> {
  const best = new Map<number, { v: LostDirtyBit; path: EventPath }>();
  for (const path of paths) {
    for (const v of lostDirtyBits(image, path)) {
      const had = best.get(v.clear.id);
      if (!had || v.clearIndex < had.v.clearIndex || (v.clearIndex === had.v.clearIndex && path.steps.length < had.path.steps.length)) best.set(v.clear.id, { v, path });
    }
  }
  const out: Array<Omit<Candidate, 'rule' | 'message' | 'side' | 'messageId'> & { messageId: DirtyBitMessageId }> = [];
  for (const { v, path } of [...best.values()].sort((a, b) => a.v.clear.id - b.v.clear.id)) {
    const entry = v.clear.attrs.level === 'pmd' ? 'PMD' : v.clear.attrs.level === 'pud' ? 'PUD' : 'PTE';
    const keeper = imageEvent(image, v.entry);
    const shown = [v.clear, keeper].filter((e) => e.id >= 0);
    const anchor = pickAnchor(side, shown);
    const transfer = synthEvent('page-dirty', 'folio_mark_dirty', { page: 'folio' }, v.clear.loc);
    const modelled = modelPath(path, v);
    out.push({
      messageId: 'dirtyBitLost',
      data: { clear: v.clear.callee, entry, keeper: v.entry.callee },
      anchor,
      related: keeper.id >= 0 && keeper.id !== anchor.id ? [{ event: keeper, message: 'the page stays in use: its dirty state still matters' }] : [],
      path: modelled,
      hazard: {
        kind: 'dirty-bit-lost',
        invariants: ['no-lost-write'],
        adversaries: ['user-writer', 'clean-reclaim'],
        arch: ['x86', 'arm64'],
        context: ['mm-live'],
      },
      suggestion: {
        text: `keep the value ${v.clear.callee}() returns and move its dirty bit to the page: \`if (pte_dirty(pteval)) folio_mark_dirty(folio);\` (as try_to_migrate_one() does), or keep it in the replacing entry (make_migration_entry_dirty())`,
        path: insertAt(modelled, v.clearIndex + 1, transfer),
      },
    });
  }
  return out;
}

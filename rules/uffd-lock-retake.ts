/**
 * Rule uffd-lock-retake: a PTE loop drops the page-table lock (to call something that sleeps: wp_page_copy,
 * handle_userfault) and then reaches the next iteration, a PTE access or a second unlock without re-taking it; or
 * unmaps/unlocks a PTE pointer before the one it mapped (`pte - 1` after an early break). It also follows every
 * mapping of a PTE table (pte_offset_map[_lock](), get_locked_pte(): kmap_local / rcu_read_lock() since 6.5) to
 * its pte_unmap[_unlock](): an unmap of a mapping that failed (NULL), of a pointer that was never mapped, of a stale
 * pointer after the map was re-taken into another variable, of the loop cursor one past the walk, twice, or a mapping
 * never unmapped on a path that returns (a bare spin_unlock() of its PTL) or whose map result was thrown away (no
 * pointer left to unmap it, seen or unseen), or a locked mapping released by a bare pte_unmap() that keeps its PTL
 * to the return. And a PTE written after the lock was
 * (re-)taken from a value read before it, with no re-read or pte_same() under the lock. And a page table emptied
 * under its PTL and detached (pmdp_collapse_flush()) after the PTL was dropped, with no look at its entries under
 * the re-taken locks (rules/utils/emptied-table.ts).
 */
import type { Event, EventPath, FunctionImage, PathStep } from '../src/core/events.ts';
import type { Hazard } from '../src/core/rule.ts';
import { PMD_PTL_EXPR, PTE_MAP_SEMANTICS, PTL_EXPR } from '../src/kernel-api/catalogue.ts';
import { assertedPtl } from './utils/lock-assertions.ts';
import { createRule } from './create-rule.ts';
import { resultDiscarded } from './utils/discarded-result.ts';
import type { TypedRuleContext } from './create-rule.ts';
import { faultSnapshotAt, installAsWrite, installTarget, mayRevalidate, sameCallNaming, textRevalidates } from './utils/fault-snapshot.ts';
import type { FaultSnapshot } from './utils/fault-snapshot.ts';
import { inventedLoopExitUnknown } from './utils/invented-loop.ts';
import { PTL_BEFORE_LOOP, lockAcrossLoop } from './utils/loop-lock.ts';
import type { LoopLockVerdict } from './utils/loop-lock.ts';
import { LockState, callArgs, fragmentEntryLocks, imageEvent, insertAt, isPtlAcquire, lockOf, loopStacks, norm, pickAnchor, removeAt, replaceAt, stripStep, truncated } from './utils/paths.ts';
import { escapeRegExp } from '../src/core/regexp.ts';
import { callMayCompare, exclusiveHolds } from './utils/stale-entry.ts';
import { unmappedWalkField } from './utils/walk-pte-origin.ts';
import { contractHelper, withContract } from './utils/pte-map-contracts.ts';
import { mapEra, returnDecidedByEntry } from './utils/pte-map-balance.ts';
import { treeAtLeast } from './utils/tree-era.ts';
import { checkEmptiedTable } from './utils/emptied-table-check.ts';
import { checkUnlockedDetach } from './utils/pmd-detach-lock-check.ts';
import { checkStalePmd } from './utils/stale-pmd-check.ts';

export type MessageId = 'nextIteration' | 'accessUnlocked' | 'doubleUnlock' | 'unlockUnderflow' | 'unmapNull' | 'unmapUnmapped' | 'doubleUnmap' | 'unmapPastEnd' | 'unmapStale' | 'mapLeak' | 'mapDiscarded' | 'unmapKeepsLock' | 'staleValue' | 'tableRefilled' | 'detachUnlocked' | 'pmdUnchecked';

/** Event kinds that read or write a PTE through its pointer (need the PTL). */
export const PTE_ACCESS_KINDS: ReadonlySet<Event['kind']> = new Set([
  'pte-read',
  'pte-set',
  'pte-clear',
  'pte-clear-flush',
  'pte-same',
  'pte-modify-start',
  'pte-modify-commit',
  'pte-wrprotect',
  'pte-mkold',
  'pte-set-access-flags',
]);

const HAZARD: Hazard = {
  kind: 'ptl-not-retaken',
  invariants: ['pte-under-ptl', 'lock-balance', 'no-lost-write'],
  adversaries: ['fault', 'cow'],
  arch: ['x86'],
  context: ['pte-loop'],
};

interface Dropped {
  key: string;
  index: number;
  release: Event;
  acquire: Event;
  loops: number[];
}

/** `X - k` → { base: X, k }. */
function minusForm(expr: string | undefined): { base: string; k: number } | undefined {
  const m = /^([A-Za-z_][\w>.-]*)-(\d+)$/.exec(norm(expr));
  return m ? { base: m[1] as string, k: Number(m[2]) } : undefined;
}

/** How far a pte-advance event moves its cursor (`pte++` → 1, `pte += 4` → 4). */
function advanceBy(ev: Event): number {
  const m = /\+=\s*(\d+)/.exec(ev.text);
  return m ? Number(m[1]) : 1;
}

/**
 * Locks held when the path starts: in a fragment, a page-table lock it releases before taking it; in a whole
 * function, the page-table lock it asserts held (`lockdep_assert_held(ptl)`, rules/utils/lock-assertions.ts) before
 * any operation on it — the engine gives the same lock on entry (unseen.ts lockOnEntry).
 */
function entryLocks(image: FunctionImage, path: EventPath): ReturnType<typeof fragmentEntryLocks> {
  if (!image.complete) return fragmentEntryLocks(image, path);
  const asserted = assertedPtl(image);
  if (!asserted?.beforeAll) return [];
  const cls = PMD_PTL_EXPR.test(asserted.lock) && !PTL_EXPR.test(asserted.lock) ? 'pmd-ptl' : 'ptl';
  const by: Event = { id: -1, kind: 'pte-map-lock', callee: '<asserted held>', args: { lock: asserted.lock }, attrs: { lockClass: cls }, loc: { line: 0, column: 0 }, text: `lockdep_assert_held(${asserted.lock})` };
  return [{ key: asserted.lock, cls, by }];
}

function checkPath(ctx: TypedRuleContext<MessageId>, path: EventPath, structure: string | undefined): void {
  const state = new LockState(entryLocks(ctx.image, path));
  const loops = loopStacks(path);
  const real = (e: Event): Event => imageEvent(ctx.image, e);
  const cursors = new Map<string, { offset: number; map: Event }>();
  let earlyExit = false;
  let dropped: Dropped | undefined;
  const withStructure = (h: Hazard): Hazard => (structure ? { ...h, unknown: h.unknown ? `${h.unknown}; ${structure}` : structure } : h);
  const report = (messageId: MessageId, at: Event | undefined, suggestion: { text: string; path: EventPath }, across?: LoopLockVerdict): void => {
    if (!dropped) return;
    const shown = [dropped.release, ...(at ? [at] : [])].map(real).filter((e) => e.id >= 0);
    const anchor = pickAnchor(ctx.side, shown);
    const related = shown.filter((e) => e.id !== anchor.id).map((e) => ({ event: e, message: e.id === dropped?.release.id ? 'page-table lock dropped here' : 'reached here without the lock' }));
    ctx.report({
      messageId,
      data: { unlock: dropped.release.callee, lock: dropped.key, op: at?.callee ?? 'the loop' },
      anchor,
      related,
      path,
      // A lock taken above the hunk: whether it was taken once before the loop is for the unseen code to say.
      hazard: withStructure(across?.kind === 'unknown' ? { ...HAZARD, unknown: across.question } : across?.kind === 'before-loop' ? { ...HAZARD, context: [...HAZARD.context, PTL_BEFORE_LOOP] } : HAZARD),
      suggestion,
    });
    dropped = undefined;
  };
  const retake = (d: Dropped): Event => ({ ...d.acquire, id: -1 });
  path.steps.forEach((s, i) => {
    if (s.step === 'control') {
      if (s.kind === 'loop-exit' && (s.via === 'break' || s.via === 'goto')) earlyExit = true;
      if (s.kind === 'loop-next' && dropped && dropped.loops.includes(s.loop)) {
        const across = dropped.acquire.id < 0 ? lockAcrossLoop(ctx.image, path, dropped.index, s.loop, dropped.key) : undefined;
        if (across?.kind === 'per-iteration') dropped = undefined;
        else report('nextIteration', undefined, { text: `re-take the page-table lock (${dropped.acquire.callee.startsWith("<") ? "pte_offset_map_lock" : dropped.acquire.callee}()) before continuing the loop`, path: insertAt(path, i, retake(dropped)) }, across);
      }
      if (s.kind === 'return') dropped = undefined;
      return;
    }
    const ev = stripStep(s);
    if (ev.kind === 'pte-map-lock' && ev.result) cursors.set(norm(ev.result), { offset: 0, map: ev });
    if (ev.kind === 'pte-advance') {
      const c = cursors.get(norm(ev.args.pte));
      if (c) c.offset += advanceBy(ev);
      else if (!ctx.image.complete) cursors.set(norm(ev.args.pte), { offset: advanceBy(ev), map: ev });
    }
    if (ev.kind === 'pte-unmap-unlock' && earlyExit && state.held.has(lockOf(ev))) {
      const mf = minusForm(callArgs(ev.text)[0] ?? ev.args.pte);
      // In a hunk-only image the mapping may precede the hunk: count the advances the path shows.
      const c = mf ? (cursors.get(mf.base) ?? (ctx.image.complete ? undefined : { offset: 0, map: ev })) : undefined;
      if (mf && c && c.offset < mf.k) {
        const written = callArgs(ev.text)[0] ?? mf.base;
        const fixed: Event = { ...ev, args: { ...ev.args, pte: mf.base }, text: ev.text.replace(written, mf.base) };
        const shown = [real(ev)];
        ctx.report({
          messageId: 'unlockUnderflow',
          data: { unlock: ev.callee, arg: callArgs(ev.text)[0] ?? ev.args.pte ?? '', base: mf.base },
          anchor: pickAnchor(ctx.side, shown),
          related: c.map.id >= 0 && c.map.kind === 'pte-map-lock' ? [{ event: real(c.map), message: `${mf.base} mapped here` }] : [],
          path,
          hazard: withStructure({ ...HAZARD, kind: 'unlock-wrong-pte', invariants: ['lock-balance', 'pte-under-ptl'] }),
          suggestion: { text: `unmap and unlock the pointer returned by ${c.map.kind === 'pte-map-lock' ? c.map.callee : 'pte_offset_map_lock'}() (keep it in its own variable)`, path: replaceAt(path, i, fixed) },
        });
      }
    }
    if (dropped) {
      // A call the catalogue does not know that is handed the dropped lock (`relock(walk, ptl)`, `&ptl`) may take it
      // again: the claim never rests on such a call doing nothing.
      if (isPtlAcquire(ev) || (ev.kind === 'call' && Object.values(ev.args).some((a) => norm(a) === dropped?.key))) dropped = undefined;
      else if (PTE_ACCESS_KINDS.has(ev.kind)) {
        report('accessUnlocked', ev, { text: `re-take the page-table lock before ${ev.callee}()`, path: insertAt(path, i, retake(dropped)) });
      } else if (ev.kind === 'pte-unmap-unlock' || (ev.kind === 'unlock' && norm(ev.args.lock) === dropped.key)) {
        if (!guardedByReset(ctx.image, path, dropped.index, i, ev)) report('doubleUnlock', ev, { text: `do not release the page-table lock a second time`, path: removeAt(path, i) });
        else dropped = undefined;
      }
    }
    const res = state.apply(ev);
    const stack = loops[i] ?? [];
    for (const r of res.released) {
      if ((r.cls === 'ptl' || r.cls === 'pmd-ptl') && stack.length > 0 && r.by.kind === 'pte-map-lock') {
        dropped = { key: r.key, index: i, release: ev, acquire: r.by, loops: stack };
      }
    }
  });
}

/**
 * Is the release at step `at` reached through a test, after the drop at step `from`, of its own pointer or lock
 * (`if (start_pte) pte_unmap_unlock(start_pte, ptl);`) that the function assigns outside a map on a line the path
 * runs through between the drop and the test (`start_pte = NULL;` after the drop)? Then the code records in that
 * variable whether it still holds the lock, the paths do not carry the value, and whether this path is an execution
 * is unknown: no finding. Lines between two consecutive steps going forward count as run (a block skipped by a branch
 * counts too: fewer findings, never more).
 */
function guardedByReset(image: FunctionImage, path: EventPath, from: number, at: number, ev: Event): boolean {
  const names = [baseName(callArgs(ev.text)[0] ?? ev.args.pte), lockOf(ev)].filter((n) => /^[A-Za-z_][\w>.-]*$/.test(n));
  if (names.length === 0) return false;
  const assigning = new Map(names.map((n) => [n, assigningLines(image, n)]));
  const tested = new Map(names.map((n) => [n, new RegExp(`(?:^|[^\\w>.])${escapeRegExp(n)}(?![\\w]|->|\\.)`)]));
  const reset = new Set<string>();
  for (let k = from; k < at; k++) {
    const a = path.steps[k] as PathStep;
    const b = path.steps[k + 1] as PathStep;
    for (let l = a.loc.line; l <= b.loc.line; l++) for (const n of names) if (assigning.get(n)?.has(l)) reset.add(n);
    if (b.step === 'control' && b.kind === 'branch' && [...reset].some((n) => tested.get(n)?.test(b.cond))) return true;
  }
  return false;
}

// ---- PTE-table mappings ---------------------------------------------------------------------------------------

/**
 * One mapping of a PTE table on a path: made by a `pte-map` / `pte-map-lock` event (kmap_local_page() of the table
 * under CONFIG_HIGHPTE, rcu_read_lock() since 6.5 — __pte_offset_map()), released by the pte_unmap[_unlock]() of a
 * pointer into it. Each mapping is its own hold: kunmap_local() must be given the address kmap_local_page()
 * returned, so a pointer into an earlier mapping does not release a later one.
 */
interface MapHold {
  n: number;
  /** Variables that point into this mapping (`orig_pte = pte = pte_offset_map_lock(...)`). */
  names: Set<string>;
  map: Event;
  /** Index of the map step in the modelled path (the hold's synthetic lock follows it). */
  at: number;
  lockKey: string;
  mapped: boolean;
  locked: boolean;
  /** The path took the branch on which the map returned NULL (nothing mapped, nothing locked). */
  isNull: boolean;
  /** What the path's branches said about the result so far (true: NULL, false: not NULL). */
  known?: boolean;
  /** The pointer came from a call that does not map (pte_offset_kernel(), huge_pte_offset()): nothing to unmap. */
  never?: boolean;
  /** Mapped above the hunk (a fragment unmaps it with no map on the path): held when the path starts. */
  implicit?: boolean;
  /** Index in path.steps of the release. */
  releasedAt?: number;
  /** Where the mapping was released (for stale-pointer messages). */
  released?: Event;
  /** Index in the modelled steps (as first built) of that release. */
  releasedStep?: number;
  /** A bare unlock of the PTL that left the mapping in place (spin_unlock(ptl)). */
  bareUnlock?: Event;
  /** The map's result was thrown away (`pte_offset_map_lock(...);`): no pointer into the mapping exists. */
  discarded?: { prevLine: number };
}

/** `orig_pte = pte = pte_offset_map_lock(...)` → ['orig_pte', 'pte'] (from the line the call is on). */
function assignedNames(image: FunctionImage, ev: Event): string[] {
  const names = new Set<string>();
  if (ev.result) names.add(norm(ev.result));
  const lines = image.text.split('\n');
  const line = lines[ev.loc.line - 1] ?? '';
  const at = line.indexOf(ev.callee);
  if (at >= 0) {
    // The statement up to the call, which may start on an earlier line (`start_pte = pte =\n\tpte_offset_map_lock(`).
    const upTo = [...lines.slice(Math.max(0, ev.loc.line - 4), ev.loc.line - 1), line.slice(0, at)].join('\n');
    const cut = Math.max(upTo.lastIndexOf(';'), upTo.lastIndexOf('{'), upTo.lastIndexOf('}'));
    const before = upTo.slice(cut + 1);
    for (const m of before.matchAll(/([A-Za-z_][\w]*(?:(?:->|\.)[A-Za-z_]\w*)*)\s*=(?!=)/g)) names.add(norm(m[1]));
  }
  return [...names].filter((x) => x !== '');
}

/** The lines (1-based) that assign `name` and are not a PTE-table map (a pointer copy or reset the paths do not carry). */
function assigningLines(image: FunctionImage, name: string): Set<number> {
  const mapLines = new Set(image.events.filter((e) => e.kind === 'pte-map' || e.kind === 'pte-map-lock').map((e) => e.loc.line));
  const re = new RegExp(`(?:^|[^\\w>.])${escapeRegExp(name)}\\s*=(?!=)`);
  const found = new Set<number>();
  image.text.split('\n').forEach((l, i) => {
    if (!mapLines.has(i + 1) && re.test(l)) found.add(i + 1);
  });
  return found;
}

/** Is `name` assigned on a line that is not a PTE-table map (a pointer copy or reset the paths do not carry)? */
function assignedOutsideMaps(image: FunctionImage, name: string): boolean {
  return assigningLines(image, name).size > 0;
}

/** The variable a pointer expression points through (`pte - 1` → pte, `(orig_pte)` → orig_pte). */
function baseName(expr: string | undefined): string {
  const e = norm(expr).replace(/^\([^()]*\*\)/, '');
  const m = /^([A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*)*)(?:[-+]\d+)?$/.exec(e);
  return m ? (m[1] as string) : e;
}

/** nullTests() by condition and direction (the same branches recur on every path). */
const NULL_TESTS = new Map<string, ReadonlyArray<{ name: string; isNull: boolean }>>();

/** What a branch condition says about a pointer being NULL: name → NULL when the branch is taken (true) or not. */
function nullTests(cond: string, taken: boolean): ReadonlyArray<{ name: string; isNull: boolean }> {
  const key = `${taken ? 1 : 0}${cond}`;
  let out = NULL_TESTS.get(key);
  if (!out) {
    if (NULL_TESTS.size > 10_000) NULL_TESTS.clear();
    NULL_TESTS.set(key, (out = nullTestsOf(cond, taken)));
  }
  return out;
}

function nullTestsOf(cond: string, taken: boolean): Array<{ name: string; isNull: boolean }> {
  let c = norm(cond);
  const strip = (x: string): string => {
    let y = norm(x);
    for (;;) {
      const m = /^(?:likely|unlikely)\((.*)\)$/.exec(y);
      if (!m) return y;
      y = norm(m[1]);
    }
  };
  c = strip(c);
  // A conjunction taken (or a disjunction not taken) makes each part hold (or fail); anything else says nothing.
  const conj = taken ? '&&' : '||';
  const other = taken ? '||' : '&&';
  if (c.includes(other)) return [];
  const out: Array<{ name: string; isNull: boolean }> = [];
  for (const raw of c.split(conj)) {
    const part = strip(raw);
    const id = /^[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*)*$/;
    let name: string | undefined;
    let nullIfTrue: boolean | undefined;
    const eq = /^(.+?)(==|!=)NULL$/.exec(part) ?? /^NULL(==|!=)(.+)$/.exec(part);
    const errOrNull = /^(!?)IS_ERR_OR_NULL\((.*)\)$/.exec(part);
    if (errOrNull && id.test(strip(errOrNull[2] as string))) {
      // IS_ERR_OR_NULL(x) true: x is NULL or an error; false: x is a valid pointer.
      // Only "x is a valid pointer" is informative: "NULL or an error pointer" does not say NULL.
      const partTrue = taken;
      const valid = errOrNull[1] === '!' ? partTrue : !partTrue;
      if (valid) out.push({ name: strip(errOrNull[2] as string), isNull: false });
      continue;
    }
    if (part.startsWith('!') && id.test(strip(part.slice(1)))) {
      name = strip(part.slice(1));
      nullIfTrue = true;
    } else if (id.test(part)) {
      name = part;
      nullIfTrue = false;
    } else if (eq) {
      const [lhs, op] = eq[2] === '==' || eq[2] === '!=' ? [eq[1], eq[2]] : [eq[2], eq[1]];
      if (lhs && id.test(strip(lhs))) {
        name = strip(lhs);
        nullIfTrue = op === '==';
      }
    }
    if (name !== undefined && nullIfTrue !== undefined) out.push({ name, isNull: taken ? nullIfTrue : !nullIfTrue });
  }
  return out;
}

/** Is the file text between two image lines contiguous (no unseen lines of a hunk gap between them)? */
function contiguous(image: FunctionImage, fromLine: number, toLine: number): boolean {
  if (image.complete) return true;
  let last: number | undefined;
  for (let l = fromLine; l <= toLine; l++) {
    const fl = image.lineInfo[l - 1]?.fileLine;
    if (fl === undefined) continue;
    if (last !== undefined && fl !== last + 1) return false;
    last = fl;
  }
  return true;
}

/** Does the function hand a mapping on (returns it, stores it through an out-parameter or a field, copies it)? */
function handsMapToCaller(image: FunctionImage, hold: MapHold, retValue: string | undefined): boolean {
  if ([...hold.names].some((n) => /->|\./.test(n))) return true;
  if (retValue !== undefined && [...hold.names].some((n) => new RegExp(`\\b${escapeRegExp(n)}\\b`).test(retValue))) return true;
  if (image.params.some((p) => /\b(?:pte_t|spinlock_t)\s*\*\s*\*/.test(p))) return true;
  if (/__acquires\s*\(|__cond_lock\s*\(/.test(image.text)) return true;
  // `*ptep = pte;` / `vmf->pte = pte;` / `start_pte = pte;`: stored through an out-parameter, into a structure, or
  // copied into another variable the paths do not follow (the unmap may go through the copy).
  return [...hold.names].some((n) => new RegExp(`(?:\\*\\s*)?[A-Za-z_][\\w>.-]*\\s*=\\s*${escapeRegExp(n)}\\s*[;,)]`).test(image.text));
}

/**
 * Is the PTL a map took a lock the function keeps to itself: set through `&lock` in the map call (a local, or a
 * by-value copy of a parameter), not returned, not stored anywhere (`*ptlp = ptl;`, `vmf->ptl = ptl;`), no
 * `spinlock_t **` parameter and no `__acquires()` / `__cond_lock()`? Then nothing after the return releases it.
 */
function lockStaysLocal(image: FunctionImage, hold: MapHold, retValue: string | undefined): boolean {
  const name = hold.lockKey;
  if (!/^[A-Za-z_]\w*$/.test(name) || !new RegExp(`&\\s*${escapeRegExp(name)}\\b`).test(hold.map.text)) return false;
  if (retValue !== undefined && new RegExp(`\\b${escapeRegExp(name)}\\b`).test(retValue)) return false;
  if (image.params.some((p) => /\bspinlock_t\s*\*\s*\*/.test(p))) return false;
  if (/__acquires\s*\(|__cond_lock\s*\(/.test(image.text)) return false;
  return !new RegExp(`=\\s*&?\\s*${escapeRegExp(name)}\\s*[;,)}]`).test(image.text);
}

/** Can this file run with CONFIG_HIGHPTE (kmap_local mappings, unmapped by address)? Generic code can. */
function highptePossible(file: string): boolean {
  const m = /(?:^|\/)arch\/([^/]+)\//.exec(file);
  return m === null || PTE_MAP_SEMANTICS.highpteArchDirs.includes(m[1] as string);
}

/** rcuMappingApi() by image: every path's checks ask, and the answer walks every path. */
const RCU_API = new WeakMap<FunctionImage, boolean>();

/** Does the function test a pte_offset_map*() result for NULL (written against the ≥6.5 RCU-mapping API)? */
function rcuMappingApi(image: FunctionImage): boolean {
  let known = RCU_API.get(image);
  if (known === undefined) RCU_API.set(image, (known = testsMapResult(image)));
  return known;
}

function testsMapResult(image: FunctionImage): boolean {
  return image.paths.some((p) => {
    const names = new Set<string>();
    return p.steps.some((st) => {
      if (st.step === 'event' && (st.kind === 'pte-map' || st.kind === 'pte-map-lock') && PTE_MAP_SEMANTICS.rcuMappers.has(st.callee)) {
        for (const n of assignedNames(image, stripStep(st))) names.add(n);
      }
      return st.step === 'control' && st.kind === 'branch' && nullTests(st.cond, st.taken).some((t) => names.has(t.name));
    });
  });
}

const MAP_HAZARD: Hazard = {
  kind: 'pte-map-balance',
  invariants: ['lock-balance'],
  adversaries: [],
  arch: ['x86'],
  context: ['pte-map-hold'],
};

/** A synthetic step that makes a mapping visible to the simulator as a hold of its own (`pte-map:N`). */
function holdStep(kind: 'lock' | 'unlock', hold: MapHold, at: Event, text: string): PathStep {
  return { step: 'event', id: -1, kind, callee: '<pte-map>', args: { lock: `pte-map:${hold.n}` }, attrs: { lockClass: 'other' }, loc: at.loc, text };
}

/** Suggested-fix rewrites of the modelled steps (the index refers to the steps as first built, before NULL maps are collapsed). */
function dropFrom(index: number, count: number): (steps: PathStep[], shift: number) => PathStep[] {
  return (steps, shift) => {
    const out = [...steps];
    const at = locate(steps, index + shift);
    if (at >= 0) out.splice(at, count);
    return out;
  };
}
/** Every unmap through a stale pointer releases the mapping taken last instead (each re-map assigned to it too). */
function retargetStale(steps: PathStep[]): PathStep[] {
  const held: number[] = [];
  return steps.map((st) => {
    if (st.step !== 'event' || st.callee !== '<pte-map>') return st;
    const n = Number((st.args.lock ?? '').replace('pte-map:', ''));
    if (st.kind === 'lock') {
      held.push(n);
      return st;
    }
    const at = held.indexOf(n);
    if (at >= 0) {
      held.splice(at, 1);
      return st;
    }
    const last = held.pop();
    return last === undefined ? st : { ...st, args: { lock: `pte-map:${last}` } };
  });
}
function unmapBeforeReturn(h: MapHold): (steps: PathStep[], shift: number) => PathStep[] {
  return (steps) => {
    const out = [...steps];
    let at = out.findIndex((x) => x.step === 'control' && x.kind === 'return');
    if (at < 0) at = out.length;
    const where = (out[at] ?? out[out.length - 1])?.loc ?? h.map.loc;
    out.splice(at, 0, holdStep('unlock', h, { ...h.map, loc: where }, `pte_unmap(): mapping released [map ${h.n}]`));
    return out;
  };
}
/** The suggested fix releases the PTL right after the bare pte_unmap() at `index` (and its hold step). */
function unlockAfter(index: number, h: MapHold): (steps: PathStep[], shift: number) => PathStep[] {
  return (steps, shift) => {
    const at = locate(steps, index + shift);
    const st = steps[at];
    if (!st || st.step !== 'event') return steps;
    const out = [...steps];
    out.splice(at + 2, 0, { ...st, id: -1, kind: 'unlock', callee: 'spin_unlock', args: { lock: h.lockKey }, attrs: { lockClass: 'ptl' }, text: `spin_unlock(${h.lockKey})` });
    return out;
  };
}
/** The suggested fix releases the mapping itself instead of the page past it. */
function retargetPast(index: number, h: MapHold): (steps: PathStep[], shift: number) => PathStep[] {
  return (steps, shift) => {
    const at = locate(steps, index + shift);
    const st = steps[at];
    if (!st || st.step !== 'event') return steps;
    const out = [...steps];
    out[at] = { ...st, args: { lock: `pte-map:${h.n}` } };
    return out;
  };
}

/**
 * Did the path, before step `index`, leave a loop through its condition with `cursor` advanced as the last event
 * before the exit (`for (; addr != end; pte++, ...)` / `do { } while (pte++, addr += PAGE_SIZE, addr != end)`)?
 */
function exitedPastCursor(path: EventPath, index: number, cursor: string): boolean {
  for (let i = index - 1; i >= 0; i--) {
    const st = path.steps[i] as PathStep;
    if (st.step === 'event') return false;
    if (st.kind !== 'loop-exit') continue;
    if (st.via !== 'cond') return false;
    for (let k = i - 1; k >= 0; k--) {
      const e = path.steps[k] as PathStep;
      if (e.step === 'control') {
        if (e.kind === 'branch') continue;
        return false;
      }
      // The variable actually advanced (`args.cursor`), not the mapping it aliases (`args.pte`).
      return e.kind === 'pte-advance' && norm(e.args.cursor ?? e.args.pte) === cursor && /\+\+|\+=/.test(e.text);
    }
    return false;
  }
  return false;
}

/** Position of a step recorded while building (steps are tagged by identity, so collapsing NULL maps keeps it). */
const built = new WeakMap<PathStep, number>();
function locate(steps: PathStep[], index: number): number {
  return steps.findIndex((x) => built.get(x) === index);
}

/**
 * Follow the PTE-table mappings of one path: report an unmap of a NULL map, of a stale pointer after a re-map, and a
 * mapping still held when the path returns. The simulated path carries each mapping as a hold of its own.
 */
function checkMaps(ctx: TypedRuleContext<MessageId>, path: EventPath, seen: Set<string>, structure: string | undefined): void {
  const holds: MapHold[] = [];
  const steps: PathStep[] = [];
  const findings: Array<{ messageId: MessageId; anchor: Event; related: Array<{ event: Event; message: string }>; data: Record<string, string>; kind: string; fix: string; fixPath?: (steps: PathStep[], shift: number) => PathStep[]; shift?: number; unknown?: string }> = [];
  const real = (e: Event): Event => imageEvent(ctx.image, e);
  const live = (): MapHold[] => holds.filter((h) => h.mapped && !h.isNull);
  let retValue: string | undefined;
  let returned = false;
  const stale = new Set<number>();
  const loops = loopStacks(path);
  // Helpers of the patch (or, with a tree, of the same file) seen whole: what they do to a mapping (pte-map-contracts.ts).
  const views = [...ctx.siblings, ...(ctx.context ?? [])];
  for (const [index, raw] of path.steps.entries()) {
    let s = withContract(raw, views, ctx.side);
    // A helper that only unlocks stands for the bare unlock of a mapping's PTL only when it is handed that lock.
    if (s !== raw && s.step === 'event' && s.kind === 'unlock') {
      const key = norm(s.args.lock);
      if (!holds.some((x) => x.locked && x.mapped && x.lockKey !== '' && x.lockKey === key)) s = raw;
    }
    if (s.step === 'control') {
      steps.push(s);
      if (s.kind === 'branch') {
        for (const t of nullTests(s.cond, s.taken)) {
          const h = [...holds].reverse().find((x) => x.names.has(t.name));
          if (!h) continue;
          // A path that finds the same result NULL and not NULL is not an execution (correlated tests). A pointer
          // into a released mapping keeps its value unless the variable is assigned elsewhere (`pte = NULL;`).
          if (h.released) {
            if (h.known !== undefined && h.known !== t.isNull && !assignedOutsideMaps(ctx.image, t.name)) return;
            continue;
          }
          if (!h.mapped && !h.isNull) continue;
          if (h.known !== undefined && h.known !== t.isNull) return;
          h.known = t.isNull;
          if (t.isNull) h.isNull = true;
        }
      }
      if (s.kind === 'return') {
        returned = true;
        retValue = s.value;
      }
      continue;
    }
    // A helper's step is named after the helper in messages (the model runs the primitive it stands for).
    const helper = contractHelper(s);
    const ev = helper ? { ...stripStep(s), callee: helper } : stripStep(s);
    // A walker that maps and unmaps inside its own iterations (page_vma_mapped_walk() / _done()) is not a mapping
    // this function holds by a pointer.
    if (ev.args.walk !== undefined) {
      steps.push(s);
      continue;
    }
    if (PTE_MAP_SEMANTICS.notMappings.has(ev.callee)) {
      // A pointer into a table that is not mapped: a hold that is never taken. A map call on the same line
      // (`pte = kernel ? pte_offset_kernel() : pte_offset_map_lock()`) makes which one the pointer is unknown.
      const names = assignedNames(ctx.image, ev);
      const shared = ctx.image.events.some((e) => e.id !== ev.id && e.loc.line === ev.loc.line && (e.kind === 'pte-map' || e.kind === 'pte-map-lock') && !PTE_MAP_SEMANTICS.notMappings.has(e.callee));
      for (const h of holds) for (const n of names) h.names.delete(n);
      if (!shared && names.length > 0) holds.push({ n: holds.length + 1, names: new Set(names), map: ev, at: -1, lockKey: '', mapped: false, locked: false, isNull: false, never: true });
      steps.push(s.kind === 'pte-map' ? { ...s, kind: 'call', attrs: { opaque: true } } : s);
      continue;
    }
    if (ev.kind === 'pte-map' || ev.kind === 'pte-map-lock') {
      const names = assignedNames(ctx.image, ev);
      for (const h of holds) for (const n of names) h.names.delete(n);
      const h: MapHold = { n: holds.length + 1, names: new Set(names), map: ev, at: steps.length, lockKey: lockOf(ev), mapped: true, locked: ev.kind === 'pte-map-lock', isNull: false };
      const discarded = names.length === 0 ? resultDiscarded(ctx.image, ev) : undefined;
      if (discarded) h.discarded = discarded;
      holds.push(h);
      steps.push(s, holdStep('lock', h, ev, `${ev.callee}(): PTE table mapped [map ${h.n}]`));
      continue;
    }
    if (ev.kind === 'pte-unmap' || ev.kind === 'pte-unmap-unlock') {
      const arg = helper ? ev.args.pte : (callArgs(ev.text)[0] ?? ev.args.pte);
      const base = baseName(arg);
      // `pte_unmap(&orig_pte)`: the address of a local copy of an entry, never a mapping of the table. Where a
      // mapping is released by address (HIGHPTE: kunmap_local()), that unmaps a stack address.
      if (/^\s*&\s*[A-Za-z_]\w*\s*$/.test(arg ?? '') && highptePossible(ctx.fn.path)) {
        const copy: MapHold = { n: holds.length + 1, names: new Set(), map: ev, at: -1, lockKey: '', mapped: false, locked: false, isNull: false, never: true };
        holds.push(copy);
        findings.push({
          messageId: 'unmapUnmapped',
          anchor: real(ev),
          related: [],
          data: { unmap: ev.callee, arg: (arg ?? '').trim(), from: `the address of the local copy ${base}, not a pointer` },
          kind: 'unmap-never-mapped',
          fix: `unmap the pointer the table was mapped through, not the address of a copy of the entry`,
          fixPath: retargetStale,
        });
        stale.add(-1);
        steps.push(s, holdStep('unlock', copy, ev, `${ev.callee}(${(arg ?? '').trim()}): a stack address "unmapped"`));
        continue;
      }
      let h = [...holds].reverse().find((x) => x.names.has(base));
      if (!h && !ctx.image.complete && /^[A-Za-z_]\w*$/.test(base)) {
        // A hunk-only image: a plain variable unmapped with no map on the path was mapped above the hunk. It is a
        // hold taken before the path starts (so a later re-map into another variable makes it stale).
        h = { n: holds.length + 1, names: new Set([base]), map: { ...ev, id: -1, callee: '(above the hunk) a PTE-table map' }, at: -1, lockKey: lockOf(ev), mapped: true, locked: ev.kind === 'pte-unmap-unlock', isNull: false, implicit: true };
        holds.push(h);
      }
      if (!h) {
        // A field some walks set without mapping it (`pte_unmap(pvmw->pte)` after a hugetlb walk).
        const field = highptePossible(ctx.fn.path) ? unmappedWalkField(ctx.fn.name, ctx.image, path, index, arg, ev.loc.line) : undefined;
        if (field) {
          const never: MapHold = { n: holds.length + 1, names: new Set([base]), map: ev, at: -1, lockKey: '', mapped: false, locked: false, isNull: false, never: true };
          holds.push(never);
          findings.push({
            messageId: 'unmapUnmapped',
            anchor: real(ev),
            related: [],
            data: { unmap: ev.callee, arg: arg ?? base, from: `set by ${field.entry.unmappedBy} on the walks this function also ends` },
            kind: 'unmap-never-mapped',
            fix: `unmap ${arg ?? base} only on the walks that mapped it (exclude the hugetlb walk)`,
            fixPath: dropFrom(steps.length + 1, 1),
            ...(field.unknown ? { unknown: field.unknown } : {}),
          });
          steps.push(s, holdStep('unlock', never, ev, `${ev.callee}(${arg ?? base}): mapping released [map ${never.n}] (never mapped on a hugetlb walk)`));
          continue;
        }
        steps.push(s);
        continue;
      }
      const seenWhole = (h.map.id >= 0 || h.implicit === true) && contiguous(ctx.image, h.map.loc.line, ev.loc.line);
      // The loop left through its condition right after advancing this very cursor: it points one past the last
      // entry walked — for a walk that ends on the table's last entry (a whole-PMD range), into the next page.
      if (h.mapped && !h.isNull && !h.never && norm(arg) === base && exitedPastCursor(path, index, base) && seenWhole && highptePossible(ctx.fn.path) && !assignedOutsideMaps(ctx.image, base)) {
        findings.push({
          messageId: 'unmapPastEnd',
          anchor: real(ev),
          related: h.map.id >= 0 ? [{ event: real(h.map), message: `${base} mapped here and advanced by the loop` }] : [],
          data: { unmap: ev.callee, arg: arg ?? base },
          kind: 'unmap-past-end',
          fix: `unmap the pointer the map returned (keep it in its own variable, or ${ev.callee}(${base} - 1, ...) after a loop that always advances)`,
          fixPath: retargetPast(steps.length + 1, h),
        });
        steps.push(s, { step: 'event', id: -1, kind: 'unlock', callee: '<pte-map>', args: { lock: 'pte-map:past-end' }, attrs: { lockClass: 'other' }, loc: ev.loc, text: `${ev.callee}(${arg ?? base}): ${base} is one past the walked entries, the next page is "unmapped"` });
        continue;
      }
      if (h.never) {
        // pte_unmap() of a pointer that was never mapped does something only where unmapping does: HIGHPTE
        // (kunmap_local of an address never kmapped) or the ≥6.5 RCU API (an unbalanced rcu_read_unlock()).
        if (seenWhole && (highptePossible(ctx.fn.path) || rcuMappingApi(ctx.image))) {
          findings.push({
            messageId: 'unmapUnmapped',
            anchor: real(ev),
            related: [{ event: real(h.map), message: `${base} set here by ${h.map.callee}(), which maps nothing` }],
            data: { unmap: ev.callee, arg: arg ?? base, from: `from ${h.map.callee}(), which returns a pointer into a table without mapping it` },
            kind: 'unmap-never-mapped',
            fix: `do not ${ev.kind === 'pte-unmap-unlock' ? 'unmap' : 'call pte_unmap() on'} a pointer from ${h.map.callee}()${ev.kind === 'pte-unmap-unlock' ? ': release only the lock (spin_unlock())' : ''}`,
            fixPath: dropFrom(steps.length + 1, 1),
          });
        }
        steps.push(s, holdStep('unlock', h, ev, `${ev.callee}(${arg ?? base}): mapping released [map ${h.n}]`));
        continue;
      }
      if (h.isNull && seenWhole) {
        findings.push({
          messageId: 'unmapNull',
          anchor: real(ev),
          related: h.map.id >= 0 ? [{ event: real(h.map), message: `${h.map.callee}() returned NULL on this path` }] : [],
          data: { unmap: ev.callee, arg: arg ?? base, map: h.map.callee, what: ev.kind === 'pte-unmap-unlock' ? 'unmaps a table that was never mapped and releases a lock that was never taken' : 'ends a kmap_local / RCU read-side section that was never begun' },
          kind: 'unmap-null-map',
          fix: `call ${ev.callee}() only when ${h.map.callee}() returned a mapping (inside the \`if (${base})\` branch)`,
          fixPath: dropFrom(steps.length, ev.kind === 'pte-unmap-unlock' ? 1 : 2),
        });
      } else if (!h.mapped) {
        const newer = live().find((x) => x.n > h.n);
        // Only a kmap_local mapping (CONFIG_HIGHPTE) is released by address; an RCU mapping is released by count.
        // A plain assignment to the variable elsewhere (`orig_pte = pte;`, `start_pte = NULL;`) is a copy the
        // paths do not carry: then which mapping it names is unknown.
        if (newer && seenWhole && highptePossible(ctx.fn.path) && !assignedOutsideMaps(ctx.image, base)) {
          stale.add(newer.n);
          const good = [...newer.names].join(' / ') || 'a result the code discards';
          findings.push({
            messageId: 'unmapStale',
            anchor: real(ev),
            related: [
              ...(h.released && h.released.id >= 0 ? [{ event: real(h.released), message: `the mapping ${base} points into was released here` }] : []),
              ...(newer.map.id >= 0 ? [{ event: real(newer.map), message: `re-mapped here into ${[...newer.names].join(' / ') || 'a discarded result'}` }] : []),
            ],
            data: { unmap: ev.callee, arg: arg ?? base, map: newer.map.callee, fresh: good },
            kind: 'unmap-stale-map',
            fix: newer.names.size > 0 ? `assign the re-taken mapping to ${base} as well (\`${base} = ${good} = ${newer.map.callee}(...)\`) and unmap that` : `keep the pointer ${newer.map.callee}() returns and unmap it`,
            fixPath: retargetStale,
          });
        } else if (
          !newer && seenWhole && !h.implicit && h.released && (loops[h.releasedAt ?? 0] ?? []).length === 0 && !assignedOutsideMaps(ctx.image, base) &&
          // a second pte_unmap() alone matters where unmapping does something; a second unlock always does
          (ev.kind === 'pte-unmap-unlock' || highptePossible(ctx.fn.path) || rcuMappingApi(ctx.image))
        ) {
          // Released twice with no re-map in between (outside a loop: a loop's re-take is checkPath's business).
          findings.push({
            messageId: 'doubleUnmap',
            anchor: real(ev),
            related: h.released.id >= 0 ? [{ event: real(h.released), message: `already released here` }] : [],
            data: { unmap: ev.callee, arg: arg ?? base, first: h.released.callee },
            kind: 'unmap-twice',
            fix: `release the mapping once: drop this ${ev.callee}() or the earlier one on this path`,
            fixPath: dropFrom(steps.length, 2),
          });
        }
      }
      if (h.mapped && !h.isNull) {
        h.mapped = false;
        h.released = ev;
        h.releasedAt = index;
        h.releasedStep = steps.length;
      }
      if (ev.kind === 'pte-unmap-unlock') {
        h.locked = false;
        // The lock is released whichever pointer went with it (`pte_unmap(pte); pte_unmap_unlock(other, ptl);`).
        for (const x of holds) if (x.lockKey !== '' && x.lockKey === lockOf(ev)) x.locked = false;
      }
      if (h.isNull && ev.kind === 'pte-unmap-unlock') {
        // The lock pointer was never set by the failed map: the model releases a lock no one took.
        steps.push({ ...s, kind: 'unlock', attrs: { lockClass: 'other' }, args: { lock: `${h.lockKey || "ptl"}[never-taken:${h.map.callee}()=NULL]` } });
      } else {
        steps.push(s, holdStep('unlock', h, ev, `${ev.callee}(${arg ?? base}): mapping released [map ${h.n}]`));
      }
      continue;
    }
    if (ev.kind === 'unlock' && (ev.attrs.lockClass === 'ptl' || ev.attrs.lockClass === 'pmd-ptl' || ev.attrs.lockClass === 'spin' || ev.attrs.lockClass === undefined)) {
      const h = [...holds].reverse().find((x) => x.locked && x.mapped && x.lockKey !== '' && x.lockKey === lockOf(ev));
      if (h) {
        h.locked = false;
        h.bareUnlock = ev;
      } else {
        // The PTL of a mapping already released with a bare pte_unmap() (`pte_unmap(pte); spin_unlock(ptl);`).
        const u = [...holds].reverse().find((x) => x.locked && !x.mapped && x.lockKey !== '' && x.lockKey === lockOf(ev));
        if (u) u.locked = false;
      }
    }
    // A callee that releases the lock itself (do_wp_page() → vmf->ptl).
    for (const r of ev.attrs.releases ?? []) for (const x of holds) if (x.lockKey === norm(r)) x.locked = false;
    steps.push(s);
  }
  // A mapping still held when the path returns: only when the path from the map to the return is seen whole.
  // A mapping left in place matters where pte_unmap() does something: HIGHPTE, or the ≥6.5 RCU mapping API.
  // Elsewhere (an arch without HIGHPTE, code that does not show the ≥6.5 API) pte_unmap() is a no-op before v6.5 and
  // ends an RCU read-side section since: the map's contract (every map is unmapped) holds in every era, its effect
  // only since v6.5. Neither a complaint about the code after the patch nor a fix credit for the code before it may
  // rest on the contract alone: both ask which era (pte-map-balance.ts mapEra()).
  const era = mapEra(ctx.fn.path, highptePossible(ctx.fn.path) || rcuMappingApi(ctx.image) || treeAtLeast([ctx.fn, ...views], [6, 5]) !== undefined);
  // The contract alone is claimed only with the whole function in view (a tree, or a patch showing all of it).
  if (returned && !truncated(path) && (era.known || ctx.image.complete)) {
    const retLine = [...path.steps].reverse().find((s) => s.step === 'control' && s.kind === 'return')?.loc.line ?? Number.MAX_SAFE_INTEGER;
    for (const h of live()) {
      // A mapping whose pointer this analysis could not name (assigned through a conditional, a macro) is unknown.
      if (h.map.id < 0 || h.names.size === 0 || !contiguous(ctx.image, h.map.loc.line, retLine)) continue;
      // A stale unmap already explains why a newer mapping is never released: one root cause, one finding.
      if (stale.size > 0) continue;
      if (handsMapToCaller(ctx.image, h, retValue)) continue;
      // The function unmaps this pointer on other paths: this one may skip it on a condition correlated with how
      // the map was made (`pte = kernel ? pte_offset_kernel() : pte_offset_map_lock()`), which paths cannot tell.
      // Not when every branch from the map to the return decided on the mapped entry itself (pte-map-balance.ts),
      // and only when no name of the mapping is also set otherwise (`ptep = (pte_t *)pmdp`, a kernel PTE, NULL):
      // then what is read through it (a leaf, a huge bit) may be how it was made.
      const mapIndex = path.steps.findLastIndex((x) => x.step === 'event' && x.id === h.map.id);
      const decided = (): boolean => ![...h.names].some((n) => assignedOutsideMaps(ctx.image, n)) && returnDecidedByEntry(ctx.image, path, mapIndex, h.names);
      if (ctx.image.events.some((e) => (e.kind === 'pte-unmap' || e.kind === 'pte-unmap-unlock') && h.names.has(baseName(callArgs(e.text)[0] ?? e.args.pte))) && !decided()) continue;
      // A call the catalogue does not know, given the pointer after the PTL was dropped (or, with no unlock, after the
      // map), may unmap it (`gmap_pte_op_end(ptep, ptl)`).
      const from = path.steps.findIndex((x) => x.step === 'event' && x.id === (h.bareUnlock ?? h.map).id);
      // A function of the same patch, seen whole, that unmaps nothing and calls nothing unknown, does not unmap it.
      const keeps = (callee: string): boolean =>
        ctx.siblings.some((f) => {
          const img = ctx.side === 'pre' ? f.pre : f.post;
          return f.name === callee && img !== undefined && img.complete && !img.events.some((e) => e.kind === 'pte-unmap' || e.kind === 'pte-unmap-unlock' || e.kind === 'call');
        });
      if (from >= 0 && path.steps.slice(from + 1).some((x) => x.step === 'event' && x.kind === 'call' && !keeps(x.callee) && callArgs(x.text).some((a) => h.names.has(baseName(a))))) continue;
      const anchorEv = h.bareUnlock ?? h.map;
      findings.push({
        messageId: 'mapLeak',
        anchor: real(anchorEv),
        related: h.bareUnlock ? [{ event: real(h.map), message: `mapped here by ${h.map.callee}()` }] : [],
        data: {
          map: h.map.callee,
          how: h.bareUnlock ? `${h.bareUnlock.callee}() drops the page-table lock but leaves the table mapped` : 'no pte_unmap() follows on this path',
          effect: era.known ? 'pte_unmap() ends the kmap_local / RCU read-side section the map opened' : era.note.replaceAll('{{map}}', h.map.callee),
        },
        kind: 'map-not-unmapped',
        fix: h.bareUnlock ? `release with pte_unmap_unlock(${[...h.names][0] ?? 'pte'}, ${h.lockKey}) instead of ${h.bareUnlock.callee}()` : `pte_unmap(${[...h.names][0] ?? 'pte'}) before returning`,
        fixPath: unmapBeforeReturn(h),
        // With the era unknown, neither a complaint nor a fix credit: before v6.5 without HIGHPTE the unmap was a
        // no-op, so the code before a patch that adds it had no hazard either.
        ...(!era.known && era.question !== undefined ? { unknown: era.question } : {}),
      });
    }
  }
  // A mapping released with a bare pte_unmap() while the PTL its map took stays held when the path returns: the
  // matching release is pte_unmap_unlock(). Only for a lock the map set through `&ptl` (a local the caller cannot
  // see) and that the function does not hand on (returned, stored, `spinlock_t **`, `__acquires()`).
  if (returned && !truncated(path)) {
    const retLine = [...path.steps].reverse().find((s) => s.step === 'control' && s.kind === 'return')?.loc.line ?? Number.MAX_SAFE_INTEGER;
    for (const h of holds) {
      if (h.map.kind !== 'pte-map-lock' || !h.locked || h.mapped || h.isNull || h.released?.kind !== 'pte-unmap' || h.map.id < 0) continue;
      if (!contiguous(ctx.image, h.map.loc.line, retLine) || !lockStaysLocal(ctx.image, h, retValue)) continue;
      // A call the catalogue does not know that is given the lock may release it (`gmap_pte_op_end(ptep, ptl)`).
      const passed = path.steps.some((x) => x.step === 'event' && x.kind === 'call' && callArgs(x.text).some((a) => norm(a).replace(/^&/, '') === h.lockKey));
      if (passed) continue;
      // `if (ptl) spin_unlock(ptl);`: a path that finds the lock the map set NULL is not an execution.
      const lockTested = path.steps.some((x) => x.step === 'control' && x.kind === 'branch' && new RegExp(`(?:^|[^\\w>.])${escapeRegExp(h.lockKey)}\\b`).test(x.cond));
      if (lockTested) continue;
      findings.push({
        messageId: 'unmapKeepsLock',
        anchor: real(h.released),
        related: [{ event: real(h.map), message: `${h.lockKey} taken here by ${h.map.callee}()` }],
        data: { unmap: h.released.callee, lock: h.lockKey, map: h.map.callee },
        kind: 'unmap-keeps-lock',
        fix: `release the mapping and the lock together: pte_unmap_unlock(${callArgs(h.released.text)[0] ?? 'pte'}, ${h.lockKey})`,
        ...(h.releasedStep !== undefined ? { fixPath: unlockAfter(h.releasedStep, h) } : {}),
      });
    }
  }
  // A mapping whose only pointer was thrown away when the path ends (returns, or leaves what the diff shows): no code,
  // seen or unseen, can name it to unmap it. Where a mapping is released by its address (kmap_local under HIGHPTE)
  // it is never released; an RCU mapping (≥6.5, no HIGHPTE) is released by count, and any pte_unmap() ends it.
  const unreachable = new Set<number>();
  const endStep = [...path.steps].reverse().find((s) => s.step === 'control' && (s.kind === 'return' || s.kind === 'truncated'));
  // A stale unmap already explains why the newer mapping is never released: one root cause, one finding.
  if (endStep && stale.size === 0 && highptePossible(ctx.fn.path)) {
    for (const h of live()) {
      if (!h.discarded || h.map.id < 0 || !contiguous(ctx.image, h.discarded.prevLine, endStep.loc.line)) continue;
      unreachable.add(h.n);
      findings.push({
        messageId: 'mapDiscarded',
        anchor: real(h.map),
        related: [],
        data: { map: h.map.callee, end: endStep.step === 'control' && endStep.kind === 'return' ? 'returns' : 'leaves the code the diff shows' },
        kind: 'map-result-discarded',
        fix: `keep the pointer ${h.map.callee}() returns (\`orig_pte = pte = ${h.map.callee}(...)\`) and unmap that`,
        fixPath: (model) => {
          const out = model.map((x) => (x.step === 'event' && x.callee === '<pte-map>' && x.attrs.unreleasable ? { ...x, attrs: { ...x.attrs, unreleasable: false } } : x));
          return endStep.step === 'control' && endStep.kind === 'return' ? unmapBeforeReturn(h)(out, 0) : out;
        },
      });
    }
  }
  if (findings.length === 0) return;
  // Mappings made above the hunk are held when the path starts.
  const first = path.steps[0]?.loc ?? { line: 1, column: 0 };
  for (const h of [...holds].reverse()) if (h.implicit) steps.unshift(holdStep('lock', h, { ...h.map, loc: first }, `(above the hunk) PTE table mapped [map ${h.n}]`));
  const shift = holds.filter((h) => h.implicit).length;
  for (const h of holds) if (h.at >= 0) h.at += shift;
  for (const f of findings) f.shift = shift;
  // Fresh step objects, each tagged with its position, so suggested-fix rewrites find theirs after the collapse below.
  const model = steps.map((x, i) => {
    let c = { ...x } as PathStep;
    // A hold no pointer survives to: the engine's epilogue for a cut path does not release it.
    if (c.step === 'event' && c.callee === '<pte-map>' && unreachable.has(Number((c.args.lock ?? '').replace('pte-map:', '')))) {
      c = { ...c, attrs: { ...c.attrs, unreleasable: true } };
    }
    built.set(c, i);
    return c;
  });
  // A map that returned NULL on this path mapped nothing and took no lock: the model runs it as a plain call.
  for (const h of [...holds].reverse()) {
    if (!h.isNull) continue;
    const failed: PathStep = { step: 'event', ...h.map, kind: 'call', attrs: { opaque: true }, text: `${h.map.callee}() returned NULL: nothing mapped, no lock taken` };
    model.splice(h.at, 2, failed);
  }
  const modelled: EventPath = { steps: model, complete: path.complete };
  for (const f of findings) {
    // One finding per call site and hazard: the first path that shows it.
    const key = `${f.messageId}:${f.anchor.id}${structure ?? f.unknown ? ':structure-unknown' : ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    ctx.report({
      messageId: f.messageId,
      data: f.data,
      anchor: f.anchor,
      related: f.related,
      path: modelled,
      hazard: { ...MAP_HAZARD, kind: f.kind, ...(structure ?? f.unknown ? { unknown: structure ?? f.unknown } : {}) },
      suggestion: { text: f.fix, ...(f.fixPath ? { path: { steps: f.fixPath(model, f.shift ?? 0), complete: path.complete } } : {}) },
    });
  }
}

// ---- values read before the lock was dropped ------------------------------------------------------------------

/** Reads of the current entry (a clear returns it; a transaction start reads it): each re-validates. */
const FRESH_READS: ReadonlySet<Event['kind']> = new Set(['pte-read', 'pte-same', 'pte-modify-start', 'pte-clear', 'pte-clear-flush']);

/**
 * PTE writes whose value is built from what the writer read (a stale read writes back a stale entry). An in-place
 * update (attrs.inPlace: clear_young_dirty_ptes() rewrites whatever the entry holds at the time, under the lock)
 * writes no value read earlier and is not one.
 */
const VALUE_WRITES: ReadonlySet<Event['kind']> = new Set(['pte-set', 'pte-modify-commit', 'pte-set-access-flags']);

/**
 * A PTE read under the PTL, the PTL dropped and re-taken, and the PTE then written without being read again or
 * compared (pte_same()) under the re-taken lock: whatever another CPU did to the entry in between (a zap freeing
 * the page, a fault setting dirty) is overwritten with the stale value.
 */
function checkStaleValue(ctx: TypedRuleContext<MessageId>, path: EventPath, seen: Set<string>, structure: string | undefined): void {
  const onEntry = entryLocks(ctx.image, path);
  const asserted = ctx.image.complete ? onEntry[0]?.key : undefined;
  const state = new LockState(onEntry);
  const reads = new Map<string, { read: Event; drop?: Event; retake?: Event; stale: boolean; entry?: string; lockless?: boolean; at?: string; snapshot?: FaultSnapshot; dropAt?: number; retakeAt?: number; guards?: Set<string>; compareBy?: Event }>();
  let released = false;
  // The exclusive lock (mmap_lock / i_mmap_rwsem for write, taken or asserted) held at each step, if any.
  const exclusive = exclusiveHolds(ctx.image, path);
  // Which entry each pointer variable was last mapped at (`pmd, addr` of its map): a re-map elsewhere is another entry.
  const mappedAt = new Map<string, string>();
  for (const [si, s] of path.steps.entries()) {
    if (s.step !== 'event') continue;
    const ev = stripStep(s);
    const pte = norm(ev.args.pte);
    const held = state.ptlHeld();
    // A fault handler entered with vmf->ptl held (a whole function that releases it before taking it) got
    // vmf->orig_pte from its caller, read and checked under that lock (mm/memory.c handle_pte_fault() →
    // do_wp_page()): what it writes after a re-take rests on that read.
    const key = lockOf(ev);
    const owner = /^(.+)->ptl$/.exec(key)?.[1];
    if (
      owner && reads.size === 0 && (ev.kind === 'pte-unmap-unlock' || (ev.kind === 'unlock' && ev.attrs.lockClass === 'ptl')) &&
      (!state.held.has(key) || key === asserted) && ctx.image.complete
    ) {
      reads.set(`${owner}->pte`, { read: ev, drop: ev, dropAt: si, stale: false, entry: `${owner}->orig_pte` });
    }
    if ((ev.kind === 'pte-map' || ev.kind === 'pte-map-lock') && ev.result) {
      const name = norm(ev.result);
      const where = `${norm(ev.args.pmd)}@${norm(ev.args.addr)}`;
      const r = reads.get(name);
      if (r && r.at !== undefined && r.at !== where) reads.delete(name);
      mappedAt.set(name, where);
    }
    for (const [k, r] of reads) if (r.snapshot && mayRevalidate(ev, r.snapshot)) reads.delete(k);
    // After the re-take, a call the catalogue does not know that is handed the entry pointer (or its vm_fault) may
    // compare the entry with the old value (`if (!entry_unchanged(pte, entry))`, `vmf_pte_changed(vmf)`).
    for (const [k, r] of reads) if (!r.snapshot && r.stale && r.retake && callMayCompare(ev, k)) r.compareBy = ev;
    if (ev.kind === 'pte-advance') reads.delete(pte);
    else if (FRESH_READS.has(ev.kind) && held && pte !== '') {
      // The page-table locks held at the read: the entry is unprotected only once every one of them was released
      // (a second table's lock dropped and re-taken while the first stays held changes nothing for this entry).
      const guards = new Set([...state.held].filter(([, v]) => v.cls === 'ptl' || v.cls === 'pmd-ptl').map(([k]) => k));
      reads.set(pte, { read: ev, stale: false, at: mappedAt.get(pte), guards });
    } else if (ev.kind === 'pte-read' && !held && pte !== '' && ctx.image.complete && !released && onEntry.length === 0) {
      // A whole function that reads the entry before it ever takes or drops a page-table lock read it without the
      // lock (taking it later would otherwise be a self-deadlock): what it writes under the lock rests on that read.
      reads.set(pte, { read: ev, drop: ev, dropAt: si, stale: false, lockless: true, at: mappedAt.get(pte) });
    } else if (((VALUE_WRITES.has(ev.kind) && ev.attrs.inPlace !== true) || installTarget(ev) !== undefined) && held) {
      // A fault-path installer (set_pte_range(vmf, ...)) writes vmf->pte: only the fault snapshot's claim covers it.
      const installs = installTarget(ev);
      const r = installs !== undefined ? (reads.get(installs)?.snapshot ? reads.get(installs) : undefined) : reads.get(pte);
      const wkey = `staleValue:${ev.id}${structure ? ':structure-unknown' : ''}`;
      // A hunk gap between the lock and the write may hold the re-validation: only the fault snapshot's claim is
      // still raised then, inconclusive on that question.
      const gap = r !== undefined && !contiguous(ctx.image, r.read.loc.line, ev.loc.line);
      const retold = r?.snapshot !== undefined && r.retake !== undefined && textRevalidates(ctx.image, r.snapshot, r.retake.loc.line, ev.loc.line);
      // A comparison the events may not show (a `*_same()` of a PMD dereference, a macro) between the re-take and the
      // write, on whatever path: taken as the re-validation.
      const compared = r?.snapshot === undefined && r?.retake !== undefined && sameCallBetween(ctx.image, r.retake.loc.line, ev.loc.line, r.read.result);
      if (r && r.stale && r.drop && r.retake && ev.id >= 0 && !seen.has(wkey) && (!gap || r.snapshot) && !retold && !compared) {
        seen.add(wkey);
        const real = (e: Event): Event => imageEvent(ctx.image, e);
        const anchor = pickAnchor(ctx.side, [real(ev), real(r.retake), real(r.drop), real(r.read)].filter((e) => e.id >= 0));
        const snap = r.snapshot;
        const fileLine = (e: Event): number => ctx.image.lineInfo[e.loc.line - 1]?.fileLine ?? e.loc.line;
        const gapUnknown = snap && gap
          ? `whether the lines between ${fileLine(real(r.retake))} and ${fileLine(real(ev))} that the diff does not show re-read ${snap.target} under the lock (compare it with ${snap.entry})`
          : undefined;
        // An exclusive lock held from before the drop to the re-take keeps out the writers that need it, not all.
        const excl = !snap && r.dropAt !== undefined && r.retakeAt !== undefined ? exclusive[r.dropAt] : undefined;
        const held = excl && exclusive[r.retakeAt ?? -1]?.lock === excl.lock ? excl : undefined;
        const exclUnknown = held
          ? `${held.lock} is held for write (${held.how} at line ${ctx.image.lineInfo[held.line - 1]?.fileLine ?? held.line}) across the drop: whether a writer that does not take it (an rmap walker — reclaim, migration, truncation —, or a fault under the per-VMA lock) can change the entry while the page-table lock is dropped`
          : undefined;
        const callUnknown = r.compareBy ? `whether ${r.compareBy.callee}() (line ${ctx.image.lineInfo[r.compareBy.loc.line - 1]?.fileLine ?? r.compareBy.loc.line}), handed the entry after the re-take, compares it with the value read before the drop` : undefined;
        const unknown = [structure, gapUnknown, exclUnknown, callUnknown].filter((x): x is string => x !== undefined).join('; ');
        const related = snap ? [
          { event: real(r.retake), message: `lock taken here: ${snap.entry} was read by the fault's caller without it, and the entry may have changed since` },
          { event: real(ev), message: `written here without comparing ${snap.target} with ${snap.entry} under the lock` },
        ].filter((x) => x.event.id >= 0 && x.event.id !== anchor.id) : [
          { event: real(r.read), message: r.entry ? `${r.entry} was read by the caller under the lock released here` : r.lockless ? 'PTE read here, without the lock' : 'PTE read here, under the lock' },
          ...(r.lockless ? [] : [{ event: real(r.drop), message: 'page-table lock dropped here' }]),
          { event: real(r.retake), message: r.lockless ? 'lock taken here: the entry may have changed since the read' : 'and re-taken here: the entry may have changed meanwhile' },
          { event: real(ev), message: 'written here from the old value' },
        ].filter((x) => x.event.id >= 0 && x.event.id !== anchor.id);
        // The caller's read under the lock it holds on entry is part of the simulated path.
        const lockless = snap?.target.endsWith('->pmd') ? 'pmdp_get_lockless' : 'ptep_get_lockless';
        const callerRead: PathStep[] = snap
          ? [{ step: 'event', id: -1, kind: 'pte-read', callee: lockless, args: { pte: snap.target }, attrs: lockless === 'pmdp_get_lockless' ? { level: 'pmd' } : {}, loc: r.read.loc, text: `(caller, without the lock) ${snap.entry} = ${lockless}(${snap.target})` }]
          : r.entry
          ? [{ step: 'event', id: -1, kind: 'pte-read', callee: 'ptep_get', args: { pte: pte }, attrs: {}, loc: r.read.loc, text: `(caller, under the lock) ${r.entry} = ptep_get(${pte})` }]
          : [];
        ctx.report({
          messageId: 'staleValue',
          data: {
            write: ev.callee,
            read: r.entry ? `the caller (${r.entry})` : `${r.read.callee}()`,
            retake: r.retake.callee,
            how: r.lockless || snap ? 'took' : 're-took',
            when: snap ? 'without the lock (the fault\'s lockless snapshot)' : r.lockless ? 'without the lock, before taking it' : 'before the lock was dropped',
          },
          anchor,
          related,
          path: callerRead.length > 0 ? { steps: [...callerRead, ...(installs ? installAsWrite(path.steps, ev, installs) : path.steps)], complete: path.complete } : path,
          hazard: {
            ...(unknown ? { unknown } : {}),
            kind: 'stale-pte-after-retake',
            invariants: ['no-stale-access', 'no-lost-write'],
            adversaries: ['zap', 'user-reader'],
            arch: ['x86'],
            context: snap ? ['pte-retake', 'fault-snapshot'] : r.entry ? ['pte-retake', 'ptl-held-on-entry'] : ['pte-retake'],
          },
          suggestion: { text: `after ${r.retake.callee}() re-read the entry and give up unless pte_same(ptep_get(pte), old)` },
        });
      }
    }
    const wasHeld = state.held.has(lockOf(ev) || norm(ev.result));
    const res = state.apply(ev);
    if (res.released.length > 0 || res.unheld.length > 0) released = true;
    for (const rel of res.released) {
      if (rel.cls !== 'ptl' && rel.cls !== 'pmd-ptl') continue;
      for (const r of reads.values()) {
        if (r.stale) continue;
        r.guards?.delete(rel.key);
        if (r.guards && r.guards.size > 0) continue;
        r.drop = ev;
        r.dropAt = si;
      }
    }
    if (isPtlAcquire(ev)) {
      for (const r of reads.values()) {
        if (r.drop && !r.retake) {
          r.retake = ev;
          r.retakeAt = si;
          r.stale = true;
        }
      }
      // A fault handler taking vmf->ptl itself: vmf->orig_pte (orig_pmd) is the caller's lockless snapshot.
      const snapshot = wasHeld ? undefined : faultSnapshotAt(ctx.image, ev);
      if (snapshot && !reads.has(snapshot.target)) {
        reads.set(snapshot.target, { read: ev, drop: ev, retake: ev, stale: true, entry: snapshot.entry, snapshot, at: mappedAt.get(snapshot.target) });
      }
    }
  }
}

/** Does the source between image lines `from` and `to` (exclusive) call a `*_same()` comparison of `value`? */
function sameCallBetween(image: FunctionImage, from: number, to: number, value: string | undefined): boolean {
  const text = image.text.split('\n').slice(from, Math.max(from, to - 1)).join('\n').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  return value !== undefined && sameCallNaming(text, [value]);
}

export default createRule<MessageId>({
  meta: {
    id: 'uffd-lock-retake',
    severity: 'error',
    docs: { description: 'Re-take the page-table lock after dropping it inside a PTE loop before touching PTEs again' },
    messages: {
      nextIteration: '{{unlock}}() drops {{lock}} inside the PTE loop, and this path goes on to the next iteration without re-taking it.',
      accessUnlocked: '{{unlock}}() drops {{lock}} inside the PTE loop, and {{op}}() then touches a PTE without re-taking it.',
      doubleUnlock: '{{unlock}}() drops {{lock}} inside the PTE loop, and {{op}}() releases it again on this path.',
      unlockUnderflow: '{{unlock}}({{arg}}) is reached through an early exit before {{base}} advanced: it unmaps and unlocks the entry before the one that was mapped.',
      unmapNull: '{{unmap}}({{arg}}) is reached on the path where {{map}}() returned NULL: it {{what}}.',
      unmapPastEnd: '{{unmap}}({{arg}}) is reached after the loop advanced {{arg}} past the last entry it walked: when the walk ends on the last entry of the page table, it unmaps the next page instead of the mapped one (kunmap_local() of an address that was never mapped).',
      doubleUnmap: '{{unmap}}({{arg}}) releases a mapping (and its lock) that {{first}}() already released on this path.',
      unmapUnmapped: '{{unmap}}({{arg}}) ends a mapping that was never made: {{arg}} is {{from}} (no kmap_local() / rcu_read_lock() was taken for it).',
      unmapStale: '{{unmap}}({{arg}}) releases a mapping that was already released: the table was mapped again by {{map}}() into {{fresh}}, and that mapping is never unmapped.',
      staleValue: '{{write}}() writes the PTE after {{retake}}() {{how}} the page-table lock, on the strength of what {{read}} read {{when}}; the entry was neither read again nor compared with pte_same(), so a change made meanwhile (a zap, a fault) is overwritten.',
      mapLeak: 'The PTE table mapped by {{map}}() is still mapped when this path returns: {{how}} ({{effect}}).',
      unmapKeepsLock: '{{unmap}}() releases the mapping {{map}}() made but not the page-table lock it took: {{lock}} is still held when this path returns (pte_unmap_unlock() releases both).',
      tableRefilled: '{{detach}}() takes the page table out of the PMD after {{unlock}}() dropped the page-table lock the table was emptied under ({{clear}}()), and nothing looks at its entries again under the re-taken locks: an entry installed in between (a userfaultfd fill needs only mmap_lock for read and the PTL) is dropped with the table, and its page with it.',
      detachUnlocked: '{{detach}}() takes the page table out of the PMD without mmap_lock held for write, which the function held before: {{reader}} reads the PMD before taking its lock and trusts mmap_lock for write to keep the table there, so it can find the entry gone under its lock and install what it read as a page table.',
      pmdUnchecked: '{{populate}}() installs the page table of the PMD that {{clear}}() cleared under the lock without looking at the entry there: it was judged a table before the lock was taken, and a path that takes tables out of their PMDs with only the PMD lock (khugepaged\'s retract) may have emptied it meanwhile, leaving a page that is not a table at the destination.',
      mapDiscarded: 'The result of {{map}}() is thrown away: the PTE table it maps (and kmap_local()s under HIGHPTE) can only be unmapped through that pointer, so it is still mapped when this path {{end}}; a pte_unmap() of an older pointer releases an older mapping, not this one.',
    },
    hazard:
      'Loops over consecutive PTEs hold the page-table lock for the whole batch. When an iteration drops it to call something that sleeps (wp_page_copy, do_wp_page, handle_userfault, split_folio, cond_resched) it must re-map and re-lock before the next PTE is read or written, and re-validate (pte_same()) what it read before: otherwise PTEs are updated without their lock or from a stale value (racing a fault, a COW or a zap on another CPU), and the final unlock releases a lock that is not held. Every mapping of a PTE table (kmap_local under HIGHPTE, an RCU read-side section since 6.5) must be released exactly once, through the pointer the map returned, and only if the map did not fail.',
  },
  check(ctx) {
    const seen = new Set<string>();
    for (const path of ctx.image.paths) {
      // A fragment's break out of a loop whose `}` may end an inner block instead: the rest of the path is a guess.
      const structure = inventedLoopExitUnknown(ctx.image, path);
      checkPath(ctx, path, structure);
      checkMaps(ctx, path, seen, structure);
      checkStaleValue(ctx, path, seen, structure);
      checkEmptiedTable(ctx, path, seen, structure);
      checkUnlockedDetach(ctx, path, seen, structure);
      checkStalePmd(ctx, path, seen, structure);
    }
  },
});

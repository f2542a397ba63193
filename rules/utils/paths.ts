/**
 * Path helpers shared by the rules: expression normalisation, lock bookkeeping along an event path, loop nesting,
 * anchor choice, and path rewriting for suggested fixes. Pure functions over src/core/events.ts data.
 */
import type { Event, EventPath, FunctionImage, PathStep, SourceLoc } from '../../src/core/events.ts';
import type { LockClass, PteEffect } from '../../src/core/ops.ts';
import { DOWNGRADE_EFFECTS } from '../../src/core/ops.ts';
import type { Side } from '../../src/core/rule.ts';
import { balanced } from '../../src/kernel-api/classify.ts';
import { callArgs } from '../../src/c/call-args.ts';

export { callArgs };

/** An event step of a path, with its index in `path.steps`. */
export interface IndexedEvent {
  index: number;
  event: Event;
}

/** Normalise a C expression for comparison: no blanks, no outer parens, no leading `&`, casts of pointers kept. */
export function norm(expr: string | undefined): string {
  if (expr === undefined) return '';
  let s = expr.replace(/\s+/g, '');
  for (;;) {
    const before = s;
    if (s.startsWith('&')) s = s.slice(1);
    if (s.startsWith('(') && s.endsWith(')') && balanced(s.slice(1, -1))) s = s.slice(1, -1);
    if (s === before) return s;
  }
}


/** All event steps of a path, in order. */
export function eventsOf(path: EventPath): IndexedEvent[] {
  const out: IndexedEvent[] = [];
  path.steps.forEach((s, index) => {
    if (s.step === 'event') out.push({ index, event: stripStep(s) });
  });
  return out;
}

/** The Event carried by an event step (without the `step` discriminator). */
export function stripStep(s: PathStep & { step: 'event' }): Event {
  const { step: _step, ...ev } = s;
  return ev;
}

/** The event of an image with a given id (paths carry copies; anchors should be the image's own objects). */
export function imageEvent(image: FunctionImage, ev: Event): Event {
  return image.events.find((e) => e.id === ev.id) ?? ev;
}

/** Lock classes whose holder must not sleep. */
export const ATOMIC_LOCK_CLASSES: readonly LockClass[] = ['ptl', 'pmd-ptl', 'spin', 'mmu', 'rcu'];

/** Is this event a page-table-lock acquisition (pte_offset_map_lock, spin_lock(ptl), pmd_trans_huge_lock)? */
export function isPtlAcquire(ev: Event): boolean {
  if (ev.kind === 'pte-map-lock') return true;
  return (ev.kind === 'lock' || ev.kind === 'trylock') && (ev.attrs.lockClass === 'ptl' || ev.attrs.lockClass === 'pmd-ptl');
}

/** Does the event release a page-table lock (PTE or PMD level)? */
export function isPtlRelease(ev: Event): boolean {
  if (ev.kind === 'pte-unmap-unlock') return true;
  return ev.kind === 'unlock' && (ev.attrs.lockClass === 'ptl' || ev.attrs.lockClass === 'pmd-ptl');
}

/** The lock an event takes or drops, normalised. */
export function lockOf(ev: Event): string {
  return norm(ev.args.lock ?? ev.args.ptl ?? '');
}

/** Lock tracking along a path: which locks are held, of which class, taken by which event. */
export class LockState {
  readonly held = new Map<string, { cls: LockClass; by: Event }>();

  /** Locks held on function entry (caller-held PTL of a callback). */
  constructor(onEntry: Array<{ key: string; cls: LockClass; by: Event }> = []) {
    for (const h of onEntry) this.held.set(h.key, { cls: h.cls, by: h.by });
  }

  /** Is any page-table lock held? */
  ptlHeld(): boolean {
    for (const v of this.held.values()) if (v.cls === 'ptl' || v.cls === 'pmd-ptl') return true;
    return false;
  }

  /** Is any lock held whose holder must not sleep? Returns the first such lock. */
  atomicHeld(): { key: string; by: Event } | undefined {
    for (const [key, v] of [...this.held.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      if (ATOMIC_LOCK_CLASSES.includes(v.cls)) return { key, by: v.by };
    }
    return undefined;
  }

  /**
   * Apply one event. Returns the keys acquired and released by it, and keys it tried to release while not held.
   */
  apply(ev: Event): { acquired: string[]; released: Array<{ key: string; cls: LockClass; by: Event }>; unheld: string[] } {
    const acquired: string[] = [];
    const released: Array<{ key: string; cls: LockClass; by: Event }> = [];
    const unheld: string[] = [];
    const drop = (key: string, fallbackCls?: LockClass): void => {
      const h = this.held.get(key);
      if (h) {
        this.held.delete(key);
        released.push({ key, cls: h.cls, by: h.by });
      } else if (fallbackCls === 'ptl' || fallbackCls === 'pmd-ptl') {
        unheld.push(key);
      }
    };
    if (ev.kind === 'pte-map-lock' || ev.kind === 'lock' || ev.kind === 'trylock') {
      const cls: LockClass = ev.kind === 'pte-map-lock' ? 'ptl' : (ev.attrs.lockClass ?? 'other');
      const key = lockOf(ev);
      if (key !== '') {
        this.held.set(key, { cls, by: ev });
        acquired.push(key);
      }
    } else if (ev.kind === 'pte-unmap-unlock') {
      drop(lockOf(ev), 'ptl');
    } else if (ev.kind === 'unlock') {
      drop(lockOf(ev), ev.attrs.lockClass);
    }
    for (const r of ev.attrs.releases ?? []) {
      const key = norm(r);
      if (this.held.has(key)) drop(key);
    }
    return { acquired, released, unheld };
  }
}

/** The arguments of an event by position (`arg0`, `arg1`, …: the roles the catalogue does not name). */
export function positionalArgs(ev: { args: Record<string, string> }): string[] {
  return Object.entries(ev.args).filter(([k]) => /^arg\d+$/.test(k)).map(([, v]) => v);
}

/** The marker callee of a page-table lock held from above the hunk because the fragment releases it. */
export const PTL_BEFORE_HUNK = '<before hunk>';

/**
 * Locks a fragment path must have held on entry: in a hunk-only image (not the whole function), a page-table lock
 * released on the path without being taken before was taken in the part of the function the hunk does not show.
 * Caution: "on entry" is the earliest the lock can have been taken; when unseen lines lie between two hunks before
 * the release, it may have been taken there instead (FunctionImage.lineInfo shows the gaps). The engine simulates
 * both (src/engine/unseen.ts), so a claim that needs the lock held before such a gap is never confirmed.
 */
export function fragmentEntryLocks(image: FunctionImage, path: EventPath): Array<{ key: string; cls: LockClass; by: Event }> {
  return releasedUntaken(image, path, (ev) => {
    const ptlRelease = ev.kind === 'pte-unmap-unlock' || (ev.kind === 'unlock' && (ev.attrs.lockClass === 'ptl' || ev.attrs.lockClass === 'pmd-ptl'));
    return ptlRelease ? { cls: ev.attrs.lockClass === 'pmd-ptl' ? 'pmd-ptl' : 'ptl', kind: 'pte-map-lock', callee: PTL_BEFORE_HUNK } : undefined;
  });
}

/**
 * The locks a fragment path releases without having taken them first, as `classify` names them (its class and the
 * marker event that stands for the take above the hunk), or none for a whole function. A call handed the lock's
 * address (`follow_thing(..., &ptl)`) may take it and pass it back through the out-parameter: such a lock is not
 * necessarily held above the hunk.
 */
export function releasedUntaken(
  image: FunctionImage,
  path: EventPath,
  classify: (ev: Event) => { cls: LockClass; kind: Event['kind']; callee: string } | undefined,
): Array<{ key: string; cls: LockClass; by: Event }> {
  if (image.complete) return [];
  const taken = new Set<string>();
  const out: Array<{ key: string; cls: LockClass; by: Event }> = [];
  for (const s of path.steps) {
    if (s.step !== 'event') continue;
    const ev = stripStep(s);
    if (ev.kind === 'pte-map-lock' || ev.kind === 'lock' || ev.kind === 'trylock') taken.add(lockOf(ev));
    for (const k of outParamLocks(ev.text)) taken.add(k);
    const key = lockOf(ev);
    const c = classify(ev);
    if (c === undefined || key === '' || taken.has(key) || out.some((o) => o.key === key)) continue;
    out.push({ key, cls: c.cls, by: { ...ev, id: -1, kind: c.kind, callee: c.callee } });
  }
  return out;
}

/**
 * Identifiers passed by address to a call (`f(a, &ptl)` → ptl); none for the lock API itself (`spin_unlock(&l)`,
 * `cond_resched_lock(&l)`: a callee whose name says lock is modelled by its own event).
 */
export function outParamLocks(text: string): string[] {
  const callee = /^\s*([A-Za-z_]\w*)\s*\(/.exec(text)?.[1];
  if (callee === undefined || /lock/.test(callee)) return [];
  const out: string[] = [];
  for (const m of text.matchAll(/[(,]\s*&\s*([A-Za-z_][\w]*(?:(?:->|\.)[A-Za-z_]\w*)*)\s*(?=[,)])/g)) out.push(norm(m[1]));
  return out;
}

/** Loop nesting along a path: the stack of loop ids entered and not yet exited at each step index. */
export function loopStacks(path: EventPath): number[][] {
  const stacks: number[][] = [];
  // A fragment (hunk) may start inside a loop: loops continued or left without being entered on the path enclose it.
  const entered = new Set<number>();
  const enclosing: number[] = [];
  for (const s of path.steps) {
    if (s.step !== 'control') continue;
    if (s.kind === 'loop-enter') entered.add(s.loop);
    else if ((s.kind === 'loop-next' || s.kind === 'loop-exit') && !entered.has(s.loop) && !enclosing.includes(s.loop)) enclosing.push(s.loop);
  }
  let stack: number[] = enclosing.reverse();
  for (const s of path.steps) {
    if (s.step === 'control' && s.kind === 'loop-enter') stack = [...stack, s.loop];
    stacks.push(stack);
    if (s.step === 'control' && s.kind === 'loop-exit') {
      const at = stack.lastIndexOf(s.loop);
      if (at >= 0) stack = stack.slice(0, at);
    }
  }
  return stacks;
}

/** PTE effects of an event that leave a stale TLB entry dangerous until flushed. */
export function downgradeEffects(ev: Event): PteEffect[] {
  const effects = new Set<PteEffect>();
  if (ev.kind === 'pte-clear') effects.add('clear');
  if (ev.kind === 'pte-wrprotect') effects.add('wrprotect');
  if (ev.kind === 'pte-clear' || ev.kind === 'pte-wrprotect' || ev.kind === 'pte-modify-commit' || ev.kind === 'pte-set') {
    for (const e of ev.attrs.effects ?? []) if (DOWNGRADE_EFFECTS.includes(e)) effects.add(e);
  }
  return DOWNGRADE_EFFECTS.filter((e) => effects.has(e));
}

/** Choose the anchor among events that show a finding: an added line on the post-image (deleted on the pre-image) first. */
export function pickAnchor(side: Side, events: readonly Event[]): Event {
  const want = side === 'post' ? 'add' : 'del';
  return events.find((e) => e.loc.diff === want) ?? (events[0] as Event);
}

/** A synthetic event for a suggested-fix path (negative id: never an event of the image). */
export function synthEvent(
  kind: Event['kind'],
  callee: string,
  args: Record<string, string>,
  loc: SourceLoc,
  attrs: Event['attrs'] = {},
): Event {
  const argText = Object.values(args).join(', ');
  return { id: -1, kind, callee, args, attrs, loc: { line: loc.line, column: loc.column }, text: `${callee}(${argText})` };
}

/** The path with `ev` inserted before step `index`. */
export function insertAt(path: EventPath, index: number, ev: Event): EventPath {
  const steps = [...path.steps];
  steps.splice(index, 0, { step: 'event', ...ev });
  return { steps, complete: path.complete };
}

/** The path with step `index` removed. */
export function removeAt(path: EventPath, index: number): EventPath {
  const steps = [...path.steps];
  steps.splice(index, 1);
  return { steps, complete: path.complete };
}

/** The path with step `index` replaced by `ev`. */
export function replaceAt(path: EventPath, index: number, ev: Event): EventPath {
  const steps = [...path.steps];
  steps.splice(index, 1, { step: 'event', ...ev });
  return { steps, complete: path.complete };
}

/** The path with step `from` moved to just before step `to` (to < from). */
export function moveBefore(path: EventPath, from: number, to: number): EventPath {
  const steps = [...path.steps];
  const [s] = steps.splice(from, 1);
  steps.splice(to, 0, s as PathStep);
  return { steps, complete: path.complete };
}

/** Index of the terminal `return` control step of a path, or the path length when it has none. */
export function returnIndex(path: EventPath): number {
  for (let i = path.steps.length - 1; i >= 0; i--) {
    const s = path.steps[i] as PathStep;
    if (s.step === 'control' && s.kind === 'return') return i;
  }
  return path.steps.length;
}

/** Was the path cut by a bound (so "never happens later" cannot be concluded)? */
export function truncated(path: EventPath): boolean {
  return !path.complete || path.steps.some((s) => s.step === 'control' && s.kind === 'truncated');
}

/** Location of the step at `index` (events and control steps both carry one). */
export function locAt(path: EventPath, index: number): SourceLoc {
  const s = path.steps[Math.min(index, path.steps.length - 1)];
  return s ? s.loc : { line: 1, column: 0 };
}

/** File lines of a fragment image after which the file continues with lines the diff does not show. */
export function gapsOf(image: FunctionImage): number[] {
  // Hunks are joined by separator lines that carry no file line: compare consecutive lines that do.
  const lines = image.lineInfo.map((l) => l.fileLine).filter((l): l is number => l !== undefined);
  const out: number[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const a = lines[i] as number;
    const b = lines[i + 1] as number;
    if (b !== a + 1) out.push(a);
  }
  return out;
}

/** The first gap of `gaps` (file lines after which unseen lines lie) between file lines `from` and `to`, if any. */
export function firstGapBetween(gaps: readonly number[], from: number, to: number): number | undefined {
  return gaps.find((g) => g >= from && g < to);
}

/** PTE changes that secondary MMUs mirror (the ones an invalidation window must cover). */
export const MIRRORED_KINDS: ReadonlySet<Event['kind']> = new Set(['pte-set', 'pte-clear', 'pte-clear-flush', 'pte-modify-commit', 'pte-wrprotect']);

/**
 * A path that cannot run as walked: it releases a lock it does not hold, or closes an atomic section it did not open,
 * where the function itself takes that lock (opens that section) on a line above on a branch the path did not take.
 * `if (vma_is_anonymous(vma)) rcu_read_lock(); else i_mmap_lock_read(m); … if (vma_is_anonymous(vma))
 * rcu_read_unlock(); else i_mmap_unlock_read(m);` — path enumeration treats the two tests independently, and the
 * mixed paths open one section and close the other. Path feasibility (src/c/path-feasibility.ts) drops such a path
 * only when it can prove the two tests agree (no calls but pure predicates); otherwise the release is the evidence
 * that the path is not one the code runs, and a claim made on it depends on how the tests correlate.
 *
 * Conservative: it never adds a claim, only says which paths' claims are in doubt. A lock the function is entered
 * with (`entry`: annotated, asserted, a caller's) is held; a release of a lock the function never takes above it (a
 * caller's lock, a lock taken above a hunk) is not evidence; nor is a call that releases a lock it is given.
 */
import type { Event, EventPath, FunctionImage } from '../../src/core/events.ts';
import { SECTION_CALLS } from '../../src/kernel-api/atomic-sections.ts';
import type { SectionKind } from '../../src/kernel-api/atomic-sections.ts';
import { failedCalls } from './failure.ts';
import { lockOf, stripStep } from './paths.ts';

const TAKES = new Set<Event['kind']>(['lock', 'trylock', 'pte-map-lock']);
const RELEASES = new Set<Event['kind']>(['unlock', 'pte-unmap-unlock']);

/** What makes a path unrunnable, for the question a claim on it asks. */
export interface Unrunnable {
  /** The release (or close) the path runs without holding the lock (the section open). */
  release: Event;
  /** The take (or open) above it, on a branch the path did not take. */
  skipped: Event;
  what: string;
}

/** The first release of `path` that shows it cannot run as walked (see the module comment), or undefined. */
export function unrunnableRelease(image: FunctionImage, path: EventPath, entry: readonly string[]): Unrunnable | undefined {
  const held = new Set(entry);
  const open = new Map<SectionKind, number>();
  const ran = new Set<number>();
  const failed = failedCalls(path);
  const skippedAbove = (ev: Event, match: (e: Event) => boolean): Event | undefined =>
    image.events.find((e) => match(e) && e.loc.line < ev.loc.line && !ran.has(e.id));
  for (let i = 0; i < path.steps.length; i++) {
    const s = path.steps[i];
    if (s?.step !== 'event') continue;
    const ev = stripStep(s);
    ran.add(ev.id);
    if (failed.has(i)) continue;
    const key = lockOf(ev);
    if (TAKES.has(ev.kind) && key !== '') held.add(key);
    else if (RELEASES.has(ev.kind) && key !== '') {
      if (!held.has(key)) {
        const take = skippedAbove(ev, (e) => TAKES.has(e.kind) && lockOf(e) === key);
        if (take) return { release: ev, skipped: take, what: `${ev.callee}() at line ${ev.loc.fileLine ?? ev.loc.line} releases ${key}, which this path did not take (${take.callee}() at line ${take.loc.fileLine ?? take.loc.line} is on a branch it skipped)` };
      }
      held.delete(key);
    }
    const sc = SECTION_CALLS[ev.callee];
    if (!sc) continue;
    const n = open.get(sc.kind) ?? 0;
    if (sc.opens) open.set(sc.kind, n + 1);
    else if (n > 0) open.set(sc.kind, n - 1);
    else {
      const opener = skippedAbove(ev, (e) => SECTION_CALLS[e.callee]?.kind === sc.kind && SECTION_CALLS[e.callee]?.opens === true);
      if (opener) return { release: ev, skipped: opener, what: `${ev.callee}() at line ${ev.loc.fileLine ?? ev.loc.line} closes a ${sc.kind} section this path did not open (${opener.callee}() at line ${opener.loc.fileLine ?? opener.loc.line} is on a branch it skipped)` };
    }
  }
  return undefined;
}

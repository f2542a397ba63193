/**
 * A lock the function is entered with (asserted held, annotated `__must_hold`, held by a visible caller) is known to
 * be held only as far as nothing the patch does not show may have released it. A call of a function the tool does
 * not know (no catalogue entry, no visible body that keeps its caller's locks) that is given the lock or the object
 * that owns it (`wp_drop_pte_lock(vmf)` and `vmf->ptl`; mm/memory.c wp_page_shared() hands vmf to helpers that
 * pte_unmap_unlock(vmf->pte, vmf->ptl)) may drop it: a sleep after such a call depends on that callee.
 *
 * Conservative: only ever turns a claim into a question. A lock the visible code takes itself is not judged here
 * (the take is on the path; a helper then gets it from that code, as any helper called under a lock).
 */
import type { Event, EventPath, FunctionImage, FunctionView } from '../../src/core/events.ts';
import { baseName } from './contracts.ts';
import { handsLocks } from './sleep-callees.ts';
import { norm } from './paths.ts';

/** The names under which the function sees a lock's owner: the lock expression's base (`vmf` of `vmf->ptl`). */
export function ownersOf(lock: string): string[] {
  const b = baseName(lock);
  return b === '' ? [] : [b];
}

/**
 * The names under which a function sees the owner of a lock its caller holds at `call`: the parameters the call
 * passes the lock or an expression on the lock's base (`f(mm, b)` under `mm->page_table_lock` → the first
 * parameter's name).
 */
export function calleeOwnersOf(lock: string, call: Event, image: FunctionImage): string[] {
  const base = baseName(lock);
  const params = image.params.map((p) => /(\w+)\s*(?:\[\s*\])?\s*$/.exec(p)?.[1]);
  const out: string[] = [];
  params.forEach((p, k) => {
    const a = call.args[`arg${k}`];
    if (p && a !== undefined && base !== '' && baseName(a) === base) out.push(p);
  });
  return out;
}

/**
 * The first call on `path` before step `to`, on a line below `afterLine`, of a function not known to keep its caller's locks that is given
 * `lock` or one of `owners` (an argument that is the lock, or whose base is an owner), or undefined.
 */
export function unknownReleaserBefore(path: EventPath, to: number, afterLine: number, lock: string, owners: readonly string[], views: readonly FunctionView[], file: string, side: 'pre' | 'post'): Event | undefined {
  const key = norm(lock);
  for (let i = 0; i < to && i < path.steps.length; i++) {
    const s = path.steps[i];
    if (s?.step !== 'event' || s.kind !== 'call' || s.attrs.opaque !== true || s.loc.line <= afterLine) continue;
    const args = Object.entries(s.args).filter(([k]) => /^arg\d+$/.test(k)).map(([, v]) => v);
    if (!args.some((a) => norm(a) === key || owners.includes(baseName(a)))) continue;
    // A body the patch (or the tree) shows that releases nothing it was not given is known to keep the lock.
    const body = views.find((v) => v.name === s.callee && v.path === file);
    const img: FunctionImage | undefined = body ? (side === 'pre' ? body.pre : body.post) : undefined;
    if (img?.complete && !handsLocks(img)) continue;
    const { step: _s, ...ev } = s;
    return ev;
  }
  return undefined;
}

/**
 * A page-table lock a hunk fragment releases inside a loop without taking it (the taking is in code the diff does
 * not show), and the path goes on to the next iteration: was the lock taken once before the loop (then the next
 * iteration runs without it), or is it re-taken at the top of each iteration by unseen code (then all is well)?
 * Only the visible loop body from its head to the release can settle it.
 */
import type { EventPath, FunctionImage } from '../../src/core/events.ts';
import { lockOf } from './paths.ts';
import { CONTEXT_COND } from '../../src/c/prepass.ts';

/**
 * Hazard context: the rule saw the loop body from its head to the release without gaps and without an acquire, so
 * the lock was taken before the loop (the engine's "released again after the loop" epilogue is established).
 */
export const PTL_BEFORE_LOOP = 'ptl-taken-before-loop';

export type LoopLockVerdict =
  /** The body from the loop head to the release is visible without gaps and does not take the lock. */
  | { kind: 'before-loop' }
  /** The lock variable is declared inside the loop body: each iteration takes its own. */
  | { kind: 'per-iteration' }
  /** The unseen code decides: the question it answers. */
  | { kind: 'unknown'; question: string };

/** Is `key` declared as a lock pointer on one of the image lines [from, to] (1-based image lines)? */
export function declaredBetween(image: FunctionImage, key: string, from: number, to: number): boolean {
  if (!/^[A-Za-z_]\w*$/.test(key)) return false;
  const lines = image.text.split('\n').slice(Math.max(0, from - 1), Math.max(0, to));
  const decl = new RegExp(`^\\s*(?:const\\s+)?spinlock_t\\b[^;=()]*\\*\\s*${key}\\s*[,;=]`);
  const later = new RegExp(`^\\s*(?:const\\s+)?spinlock_t\\b[^;()]*,\\s*\\*\\s*${key}\\s*[,;=]`);
  return lines.some((l) => decl.test(l) || later.test(l));
}

/** Are the image lines [from, to] one run of consecutive file lines (no unseen lines between them)? */
export function seenWithoutGaps(image: FunctionImage, from: number, to: number): boolean {
  if (image.complete) return true;
  const info = image.lineInfo.slice(Math.max(0, from - 1), Math.max(0, to));
  if (info.length === 0) return false;
  let prev: number | undefined;
  for (const l of info) {
    if (l.fileLine === undefined) return false;
    if (prev !== undefined && l.fileLine !== prev + 1) return false;
    prev = l.fileLine;
  }
  return true;
}

/**
 * The lock `key` released at step `release` of `path` inside loop `loop`, taken by code the fragment does not show:
 * taken before the loop, per iteration, or unknown.
 */
export function lockAcrossLoop(image: FunctionImage, path: EventPath, release: number, loop: number, key: string): LoopLockVerdict {
  const rel = path.steps[release];
  const relLine = rel?.loc.line;
  const where = rel?.loc.fileLine !== undefined ? ` released at line ${rel.loc.fileLine}` : '';
  let head: number | undefined;
  for (let k = release - 1; k >= 0; k--) {
    const s = path.steps[k];
    if (s?.step === 'control' && s.kind === 'loop-enter' && s.loop === loop) {
      // A loop the front end invented around a fragment (`__mmr_loop__`) has no visible head.
      if (!/__mmr_/.test(s.head)) head = s.loc.line;
      break;
    }
  }
  // A declaration inside the body (between the head and the release, or anywhere in a fragment that starts inside
  // the loop) makes the lock the iteration's own.
  if (relLine !== undefined && declaredBetween(image, key, head ?? 1, relLine)) return { kind: 'per-iteration' };
  const question = `the unseen loop code: is ${key}${where} taken once before the loop, or re-taken at the top of each iteration?`;
  // The fragment starts inside the loop: another path of it goes on to the next iteration still holding the lock it
  // never took, so the lock is held at the top of every iteration and the unseen head does not take it.
  // Not when the fragment itself takes the lock inside the loop (then the body takes it per iteration), nor on a
  // path that skips a block opener the front end invented (`if (1) {`, `if (__mmr_context__)`) around the unlock.
  if (head === undefined && !takenInLoop(image, loop, key) && image.paths.some((p) => !skipsInventedOpener(p) && reachesNextHolding(p, loop, key))) return { kind: 'before-loop' };
  if (head === undefined || relLine === undefined) return { kind: 'unknown', question };
  return seenWithoutGaps(image, head, relLine) ? { kind: 'before-loop' } : { kind: 'unknown', question };
}

/** Does `path` reach the next iteration of `loop` without releasing or taking `key` before (a fragment's entry lock)? */
export function reachesNextHolding(path: EventPath, loop: number, key: string): boolean {
  for (const s of path.steps) {
    if (s.step === 'control') {
      if (s.kind === 'loop-next' && s.loop === loop) return true;
      if (s.kind === 'return' || s.kind === 'truncated' || (s.kind === 'loop-exit' && s.loop === loop)) return false;
      continue;
    }
    if (lockOf(s) === key && ['lock', 'trylock', 'unlock', 'pte-map-lock', 'pte-unmap-unlock'].includes(s.kind)) return false;
    if ((s.attrs.releases ?? []).some((r) => r.replace(/\s+/g, '').replace(/^&/, '') === key)) return false;
  }
  return false;
}

/**
 * Does some path of the image take `key` inside `loop` before releasing it in that iteration (the body's own
 * per-iteration take; a re-take after a release in the same iteration does not count)?
 */
function takenInLoop(image: FunctionImage, loop: number, key: string): boolean {
  return image.paths.some((p) => {
    let inside = false;
    let released = false;
    for (const s of p.steps) {
      if (s.step === 'control') {
        if ((s.kind === 'loop-enter' || s.kind === 'loop-next') && s.loop === loop) {
          inside = true;
          released = false;
        }
        if (s.kind === 'loop-exit' && s.loop === loop) inside = false;
        continue;
      }
      if (!inside || lockOf(s) !== key) continue;
      if (s.kind === 'unlock' || s.kind === 'pte-unmap-unlock') released = true;
      if (!released && ['lock', 'trylock', 'pte-map-lock'].includes(s.kind)) return true;
    }
    return false;
  });
}

/** Does the path take the impossible side of a block opener the front end invented for a fragment? */
function skipsInventedOpener(path: EventPath): boolean {
  return path.steps.some((s) => {
    if (s.step !== 'control' || s.kind !== 'branch') return false;
    const c = s.cond.replace(/\s+/g, '');
    return (!s.taken && (c === '1' || c === CONTEXT_COND)) || (s.taken && c === '0');
  });
}

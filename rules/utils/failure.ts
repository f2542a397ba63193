/**
 * API failure along a path: did a failable call (a trylock, `pte_offset_map_lock()`, a `_nonblock` notifier start)
 * fail on this path? The catalogue says what its result means on failure (src/kernel-api/catalogue.ts FAILURE);
 * the path says which way it went on the branch that tests the result. A failed call did not do its work: no lock
 * is held, no PTE table mapped, no invalidation window opened. Shared by rules and the engine (path-program).
 */
import type { Event, EventPath } from '../../src/core/events.ts';
import { splitTop } from '../../src/c/split-top.ts';
import { FAILURE } from '../../src/kernel-api/catalogue.ts';
import type { FailureSemantics } from '../../src/kernel-api/catalogue.ts';
import { norm, stripStep } from './paths.ts';
import type { LockState } from './paths.ts';

export type CallOutcome = 'failed' | 'succeeded';

/** Failure semantics of the event's callee, when it can fail. */
export function failureOf(ev: Pick<Event, 'callee'>): FailureSemantics | undefined {
  return Object.prototype.hasOwnProperty.call(FAILURE, ev.callee) ? FAILURE[ev.callee] : undefined;
}

/** Strip `likely()/unlikely()` and redundant outer parentheses. */
function bare(cond: string): string {
  let c = cond.trim();
  for (;;) {
    const w = /^(?:un)?likely\s*\(([\s\S]*)\)$/.exec(c);
    if (w && balancedParens(w[1] as string)) {
      c = (w[1] as string).trim();
      continue;
    }
    if (c.startsWith('(') && c.endsWith(')') && balancedParens(c.slice(1, -1))) {
      c = c.slice(1, -1).trim();
      continue;
    }
    return c;
  }
}

function balancedParens(s: string): boolean {
  let d = 0;
  for (const ch of s) {
    if (ch === '(') d++;
    if (ch === ')' && --d < 0) return false;
  }
  return d === 0;
}

/**
 * Is `subject` truthy when the atom `atom` holds? `S`, `!S`, `S == NULL`, `S != 0`, `S < 0`, `IS_ERR_OR_NULL(S)`…
 * Returns undefined when the atom does not test the subject alone.
 */
function atomSays(atom: string, subjects: readonly string[]): boolean | undefined {
  const a = norm(bare(atom));
  for (const s of subjects) {
    if (a === s) return true;
    if (a === `!${s}` || a === `!(${s})`) return false;
    const m = /^(.+?)(==|!=|<|>)(NULL|0|false|true)$/.exec(a);
    if (m && norm(bare(m[1] as string)) === s) {
      const op = m[2] as string;
      const k = m[3] as string;
      if (k === 'true') return op === '==';
      if (op === '==') return false;
      return true; // != 0, < 0 (error codes are negative), > 0
    }
  }
  return undefined;
}

/** What the path learns about `subjects` (truthy?) from a branch it took or did not take. */
function branchSays(cond: string, taken: boolean, subjects: readonly string[]): boolean | undefined {
  const c = bare(cond);
  const direct = atomSays(c, subjects);
  if (direct !== undefined) return taken ? direct : !direct;
  // `A && B` taken: every conjunct holds; `A || B` not taken: every disjunct is false.
  const parts = splitTop(c, [taken ? '&&' : '||']).map((x) => x.trim());
  if (parts.length < 2) return undefined;
  for (const p of parts) {
    const v = atomSays(p, subjects);
    if (v !== undefined) return taken ? v : !v;
  }
  return undefined;
}

/**
 * Did the failable call at `index` of the path fail or succeed there? Reads the first branch after it that tests its
 * result (the variable it was assigned to, or the call itself written in the condition); undefined when the path
 * never tests it (or the call cannot fail).
 */
export function callOutcome(path: EventPath, index: number, semantics?: Pick<FailureSemantics, 'returns'>): CallOutcome | undefined {
  const s = path.steps[index];
  if (s?.step !== 'event') return undefined;
  const sem = semantics ?? failureOf(s);
  if (!sem) return undefined;
  const subjects = [s.result, ...(s.resultAliases ?? []), s.text].filter((x): x is string => x !== undefined && x !== '').map((x) => norm(x));
  for (let i = index + 1; i < path.steps.length; i++) {
    const t = path.steps[i];
    if (!t) break;
    if (t.step === 'event') {
      // The result is overwritten, or the same call site comes round again: nothing more to learn.
      if (t.id === s.id || (s.result !== undefined && t.result === s.result)) return undefined;
      continue;
    }
    if (t.kind === 'return' || t.kind === 'truncated') return undefined;
    if (t.kind !== 'branch') continue;
    const truthy = branchSays(t.cond, t.taken, subjects);
    if (truthy === undefined) continue;
    if (sem.returns === 'nonzero') return truthy ? 'failed' : 'succeeded';
    return truthy ? 'succeeded' : 'failed';
  }
  return undefined;
}

/**
 * How a function of the patch signals that it did not do its work, read from its own returns: the value returned
 * on the paths where it did (`done`) and on the paths where it did not. NULL/0/false on the "not done" paths only →
 * `null`; `-E…` codes on "not done" paths and 0 on "done" ones → `nonzero`; anything else → undefined.
 */
export function returnSemantics(returns: ReadonlyArray<{ value: string | undefined; done: boolean }>): Pick<FailureSemantics, 'returns'> | undefined {
  const notDone = returns.filter((r) => !r.done).map((r) => (r.value ?? '').replace(/\s+/g, ''));
  const done = returns.filter((r) => r.done).map((r) => (r.value ?? '').replace(/\s+/g, ''));
  if (notDone.length === 0 || done.length === 0) return undefined;
  const falsy = (v: string): boolean => /^(?:NULL|0|false|\(\w+\*?\)NULL)$/.test(v);
  if (notDone.every(falsy) && !done.some(falsy)) return { returns: 'null' };
  if (notDone.every((v) => /^-E[A-Z0-9]+$/.test(v)) && done.every((v) => v === '0')) return { returns: 'nonzero' };
  return undefined;
}

/** Indices of the path's event steps whose failable call failed on the path. */
export function failedCalls(path: EventPath): Set<number> {
  const out = new Set<number>();
  path.steps.forEach((s, i) => {
    if (s.step === 'event' && failureOf(s) && callOutcome(path, i) === 'failed') out.add(i);
  });
  return out;
}

/**
 * `state.apply()` for the event at step `index` of a path, unless the call failed there: a trylock, a
 * `pte_offset_map_lock()` or a `pmd_trans_huge_lock()` whose result the path tests as failed holds nothing. For rules
 * that walk a path with a LockState (drop-in for `state.apply(ev)`); returns undefined for a failed or non-event step.
 */
export function applyOnPath(state: LockState, path: EventPath, index: number): ReturnType<LockState['apply']> | undefined {
  const s = path.steps[index];
  if (s?.step !== 'event') return undefined;
  if (failureOf(s) && callOutcome(path, index) === 'failed') return undefined;
  return state.apply(stripStep(s));
}

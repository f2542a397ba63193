/**
 * A deliberately simple reference explorer: breadth-first, string-keyed states, no fusion of local steps. It lists
 * every invariant some reachable state violates; tests compare it with the optimised explorer.
 */
import type { InvariantName } from '../core/sim-contract.ts';
import type { Model } from './model.ts';

export interface NaiveResult {
  violated: InvariantName[];
  states: number;
  complete: boolean;
}

/** Exhaustive BFS; violating states are not expanded. */
export function exploreNaive(model: Model<Int32Array, number>, opts: { maxStates: number; deadlock?: InvariantName }): NaiveResult {
  const seen = new Set<string>();
  const found = new Set<InvariantName>();
  const props = model.properties();
  let queue: Int32Array[] = model.initStates();
  for (const s of queue) seen.add(Array.from(s).join(','));
  const acts: number[] = [];
  while (queue.length > 0) {
    const nextQ: Int32Array[] = [];
    for (const s of queue) {
      const bad = props.filter((p) => !p.holds(s));
      if (bad.length > 0) {
        for (const p of bad) found.add(p.name);
        continue;
      }
      model.actions(s, acts);
      let any = false;
      for (const a of [...acts]) {
        const n = model.next(s, a);
        if (n === undefined) continue;
        any = true;
        const key = Array.from(n).join(',');
        if (seen.has(key)) continue;
        seen.add(key);
        if (seen.size > opts.maxStates) return { violated: [...found].sort(), states: seen.size, complete: false };
        nextQ.push(n);
      }
      if (!any && !model.terminal(s) && opts.deadlock) found.add(opts.deadlock);
    }
    queue = nextQ;
  }
  return { violated: [...found].sort(), states: seen.size, complete: true };
}

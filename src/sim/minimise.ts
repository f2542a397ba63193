/**
 * Counterexample minimisation: the shortest action sequence reaching a violation of the same invariant, and among
 * those the one with the fewest CPU switches (layered BFS over (state, last thread)).
 */
import type { InvariantName } from '../core/sim-contract.ts';
import type { Model } from './model.ts';
import { StateStore } from './state-store.ts';

interface Node {
  parent: number;
  action: number;
  switches: number;
  last: number;
}

/** Minimise a violating path; returns the original when nothing shorter/better is found within `maxStates`. */
export function minimisePath(model: Model<Int32Array, number>, invariant: InvariantName, path: number[], maxStates: number): number[] {
  const prop = model.properties().find((p) => p.name === invariant);
  if (!prop) return path;
  const init = model.initStates()[0]!;
  const width = init.length + 1;
  const store = new StateStore(width, 4096);
  const key = (s: Int32Array, last: number): Int32Array => {
    const k = new Int32Array(width);
    k.set(s);
    k[width - 1] = last;
    return k;
  };
  const nodes: Node[] = [];
  const states: Int32Array[] = [];
  store.add(key(init, -1));
  nodes.push({ parent: -1, action: -1, switches: 0, last: -1 });
  states.push(init);
  let layer = [0];
  const acts: number[] = [];
  for (let depth = 0; depth < path.length && layer.length > 0; depth++) {
    const next: number[] = [];
    const inNext = new Set<number>();
    let best = -1;
    for (const id of layer) {
      const s = states[id]!;
      const node = nodes[id]!;
      model.actions(s, acts);
      for (const a of [...acts]) {
        const n = model.next(s, a);
        if (n === undefined) continue;
        const t = model.threadOf(a);
        const sw = node.switches + (node.last >= 0 && node.last !== t ? 1 : 0);
        const r = store.add(key(n, t));
        let nid: number;
        if (r < 0) {
          nid = -r - 1;
          if (nid <= id || nodes[nid]!.switches <= sw || !inNext.has(nid)) continue;
          nodes[nid] = { parent: id, action: a, switches: sw, last: t };
        } else {
          nid = r;
          nodes.push({ parent: id, action: a, switches: sw, last: t });
          states.push(n);
          next.push(nid);
          inNext.add(nid);
          if (store.size > maxStates) return path;
        }
        if (!prop.holds(n) && (best < 0 || nodes[nid]!.switches < nodes[best]!.switches)) best = nid;
      }
    }
    if (best >= 0) {
      const out: number[] = [];
      for (let id = best; nodes[id]!.parent >= 0; id = nodes[id]!.parent) out.push(nodes[id]!.action);
      return out.reverse();
    }
    layer = next.filter((id) => model.properties().every((p) => p.holds(states[id]!)) && !model.terminal(states[id]!));
  }
  return path;
}

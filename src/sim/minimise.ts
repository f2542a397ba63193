/**
 * Counterexample minimisation: the shortest action sequence reaching a violation of the same invariant, and among
 * those the one with the fewest CPU switches (layered BFS over (state, last thread)).
 */
import type { InvariantName } from '../core/sim-contract.ts';
import type { Model } from './model.ts';
import { StateStore } from './state-store.ts';

const CHUNK_BITS = 8;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;

interface Node {
  parent: number;
  action: number;
  switches: number;
  last: number;
}

/**
 * Minimise a violating path; returns the original when nothing shorter/better is found within `maxStates`.
 * States are deduplicated by (state, last thread); the state part is the model's compact injective key when it has
 * one (else the whole state), built in one reused buffer; successors are computed into a scratch buffer and copied
 * only when new.
 */
export function minimisePath(model: Model<Int32Array, number>, invariant: InvariantName, path: number[], maxStates: number): number[] {
  const r = minimiseWith(model, invariant, path, maxStates, model.key !== undefined && model.keyWidth !== undefined);
  // A state whose key cannot be packed (a slot out of byte range): redo the search over whole states.
  return r === undefined ? (minimiseWith(model, invariant, path, maxStates, false) ?? path) : r;
}

function minimiseWith(model: Model<Int32Array, number>, invariant: InvariantName, path: number[], maxStates: number, packed: boolean): number[] | undefined {
  const props = model.properties();
  const prop = props.find((p) => p.name === invariant);
  if (!prop) return path;
  const init = model.initStates()[0]!;
  const kw = packed ? model.keyWidth! : init.length;
  const store = new StateStore(kw + 1, 4096);
  const kbuf = new Int32Array(kw + 1);
  const key = (s: Int32Array, last: number): Int32Array | undefined => {
    const k = packed ? model.key!(s) : s;
    if (k === undefined) return undefined;
    kbuf.set(k);
    kbuf[kw] = last;
    return kbuf;
  };
  const scratch = new Int32Array(init.length);
  const next = model.nextInto
    ? (s: Int32Array, a: number): Int32Array | undefined => (model.nextInto!(s, a, scratch) ? scratch : undefined)
    : (s: Int32Array, a: number): Int32Array | undefined => model.next(s, a);
  const nodes: Node[] = [];
  // The states by id, back to back in chunks of CHUNK states (never copied); `load` gives a view of one.
  const w = init.length;
  const chunks: Int32Array[] = [];
  const keep = (id: number, st: Int32Array): void => {
    const c = id >>> CHUNK_BITS;
    if (c === chunks.length) chunks.push(new Int32Array(w << CHUNK_BITS));
    chunks[c]!.set(st, (id & CHUNK_MASK) * w);
  };
  const load = (id: number): Int32Array => {
    const base = (id & CHUNK_MASK) * w;
    return chunks[id >>> CHUNK_BITS]!.subarray(base, base + w);
  };
  const k0 = key(init, -1);
  if (k0 === undefined) return undefined;
  store.add(k0);
  nodes.push({ parent: -1, action: -1, switches: 0, last: -1 });
  keep(0, init);
  let layer = [0];
  const acts: number[] = [];
  for (let depth = 0; depth < path.length && layer.length > 0; depth++) {
    const nextLayer: number[] = [];
    const inNext = new Set<number>();
    let best = -1;
    for (const id of layer) {
      const s = load(id);
      const node = nodes[id]!;
      model.actions(s, acts);
      for (const a of acts) {
        const n = next(s, a);
        if (n === undefined) continue;
        const t = model.threadOf(a);
        const sw = node.switches + (node.last >= 0 && node.last !== t ? 1 : 0);
        const k = key(n, t);
        if (k === undefined) return undefined;
        const r = store.add(k);
        let nid: number;
        if (r < 0) {
          nid = -r - 1;
          if (nid <= id || nodes[nid]!.switches <= sw || !inNext.has(nid)) continue;
          nodes[nid] = { parent: id, action: a, switches: sw, last: t };
        } else {
          nid = r;
          nodes.push({ parent: id, action: a, switches: sw, last: t });
          keep(nid, n);
          nextLayer.push(nid);
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
    layer = nextLayer.filter((id) => {
      const st = load(id);
      return props.every((p) => p.holds(st)) && !model.terminal(st);
    });
  }
  return path;
}

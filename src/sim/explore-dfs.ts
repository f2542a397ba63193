/**
 * The optimised explorer: DFS over deduplicated packed states, with state/time caps, deadlock and livelock detection.
 * Successors live in per-depth buffers allocated once (no allocation per transition).
 */
import type { InvariantName } from '../core/sim-contract.ts';
import type { Model } from './model.ts';
import { StateStore } from './state-store.ts';

export interface ExploreOptions {
  maxStates: number;
  maxMs: number;
  /** Estimated number of states: the visited set is pre-sized for it (default: min(maxStates, 4096)). */
  expectedStates?: number;
  /** Invariant reported for a state where unfinished threads can no longer move (undefined: not checked). */
  deadlock?: InvariantName;
  /** Invariant reported for a retry cycle of one thread that nothing else can break (undefined: not checked). */
  livelock?: InvariantName;
  /** Clock (injected for tests). */
  now?: () => number;
}

export interface ExploreResult {
  verdict: 'violation' | 'ok' | 'inconclusive';
  invariant?: InvariantName;
  states: number;
  transitions: number;
  ms: number;
  bound?: string;
  /** Actions from the initial state to the violation. */
  path?: number[];
  /** For a livelock: index in `path` where the cycle starts. */
  cycleStart?: number;
}

/** One DFS level: the successors of the state at this depth, in reusable storage. */
interface Level {
  buf: Int32Array;
  views: Int32Array[];
  acts: number[];
  n: number;
  i: number;
  /** Threads with at least one enabled action in this state. */
  enabled: number;
  /** Action taken from the previous level into this state. */
  via: number;
  id: number;
}

/** Explore every interleaving reachable in `model` (depth first). */
export function exploreDfs(model: Model<Int32Array, number>, opts: ExploreOptions): ExploreResult {
  const now = opts.now ?? (() => performance.now());
  const t0 = now();
  const init = model.initStates()[0]!;
  const width = init.length;
  const keyOf = model.key ? model.key.bind(model) : (s: Int32Array): Int32Array | undefined => s;
  /** The key's hash when the model computes it while packing (else the store hashes the key). */
  const hashOfKey = model.key && model.keyHash ? model.keyHash.bind(model) : undefined;
  const expected = Math.min(opts.maxStates + 1, opts.expectedStates ?? 4096);
  const store = new StateStore(model.key && model.keyWidth ? model.keyWidth : width, expected);
  const RANGE = { verdict: 'inconclusive' as const, bound: 'value>255 in a packed slot' };
  const props = model.properties();
  const violatedOf = (s: Int32Array): InvariantName | undefined => {
    if (model.violation) return model.violation(s);
    for (const p of props) if (!p.holds(s)) return p.name;
    return undefined;
  };
  const nextInto = model.nextInto
    ? model.nextInto.bind(model)
    : (s: Int32Array, a: number, dst: Int32Array): boolean => {
        const n = model.next(s, a);
        if (n === undefined) return false;
        dst.set(n);
        return true;
      };
  let transitions = 0;
  const acts: number[] = [];
  const ms = (): number => Math.round((now() - t0) * 100) / 100;

  const bad0 = violatedOf(init);
  if (bad0) return { verdict: 'violation', invariant: bad0, states: 1, transitions: 0, ms: ms(), path: [] };

  const levels: Level[] = [];
  let depth = -1;
  const levelAt = (d: number, branch: number): Level => {
    let lv = levels[d];
    if (!lv || lv.views.length < branch) {
      const cap = Math.max(branch, lv ? lv.views.length * 2 : 4);
      const buf = new Int32Array(cap * width);
      const views: Int32Array[] = [];
      for (let k = 0; k < cap; k++) views.push(buf.subarray(k * width, (k + 1) * width));
      lv = { buf, views, acts: new Array<number>(cap), n: 0, i: 0, enabled: 0, via: -1, id: -1 };
      levels[d] = lv;
    }
    return lv;
  };
  /** Push the state `s` (id) reached by `via`, computing its successors into the next level. */
  const push = (s: Int32Array, id: number, via: number): Level => {
    model.actions(s, acts);
    const lv = levelAt(depth + 1, acts.length);
    depth++;
    lv.n = 0;
    lv.i = 0;
    lv.enabled = 0;
    lv.via = via;
    lv.id = id;
    for (const a of acts) {
      if (!nextInto(s, a, lv.views[lv.n]!)) continue;
      lv.acts[lv.n++] = a;
      lv.enabled |= 1 << model.threadOf(a);
    }
    return lv;
  };
  const pathOf = (extra?: number): number[] => {
    const p: number[] = [];
    for (let d = 1; d <= depth; d++) p.push(levels[d]!.via);
    if (extra !== undefined) p.push(extra);
    return p;
  };

  let onStack = new Uint8Array(1 << 12);
  const setOn = (id: number, v: number): void => {
    if (id >= onStack.length) {
      const n = new Uint8Array(Math.max(onStack.length * 2, id + 1));
      n.set(onStack);
      onStack = n;
    }
    onStack[id] = v;
  };

  const k0 = keyOf(init);
  if (!k0) return { ...RANGE, states: 0, transitions: 0, ms: ms() };
  const rootId = store.add(k0);
  const root = push(init, rootId, -1);
  setOn(rootId, 1);
  if (root.n === 0 && !model.terminal(init) && opts.deadlock)
    return { verdict: 'violation', invariant: opts.deadlock, states: 1, transitions: 0, ms: ms(), path: [] };

  let checkClock = 0;
  while (depth >= 0) {
    const f = levels[depth]!;
    if (f.i >= f.n) {
      setOn(f.id, 0);
      depth--;
      continue;
    }
    const k = f.i++;
    const a = f.acts[k]!;
    const s = f.views[k]!;
    transitions++;
    const bad = violatedOf(s);
    if (bad !== undefined) return { verdict: 'violation', invariant: bad, states: store.size, transitions, ms: ms(), path: pathOf(a) };
    const hit = model.bound?.(s);
    if (hit !== undefined) return { verdict: 'inconclusive', states: store.size, transitions, ms: ms(), bound: hit };
    const key = keyOf(s);
    if (!key) return { ...RANGE, states: store.size, transitions, ms: ms() };
    const r = hashOfKey ? store.add(key, hashOfKey()) : store.add(key);
    if (r < 0) {
      const id = -r - 1;
      if (opts.livelock && id < onStack.length && onStack[id] === 1) {
        const t = model.threadOf(a);
        let d = depth;
        let ok = (f.enabled & ~(1 << t)) === 0;
        while (ok && levels[d]!.id !== id) {
          if (model.threadOf(levels[d]!.via) !== t) ok = false;
          d--;
          if (ok && (levels[d]!.enabled & ~(1 << t)) !== 0) ok = false;
        }
        if (ok) return { verdict: 'violation', invariant: opts.livelock, states: store.size, transitions, ms: ms(), path: pathOf(a), cycleStart: d };
      }
      continue;
    }
    if (store.size > opts.maxStates) return { verdict: 'inconclusive', states: store.size, transitions, ms: ms(), bound: `states>${opts.maxStates}` };
    if (++checkClock >= 1024) {
      checkClock = 0;
      if (now() - t0 > opts.maxMs) return { verdict: 'inconclusive', states: store.size, transitions, ms: ms(), bound: `time>${opts.maxMs}ms` };
    }
    const nf = push(s, r, a);
    if (nf.n === 0 && !model.terminal(s) && opts.deadlock)
      return { verdict: 'violation', invariant: opts.deadlock, states: store.size, transitions, ms: ms(), path: pathOf() };
    setOn(r, 1);
  }
  return { verdict: 'ok', states: store.size, transitions, ms: ms() };
}

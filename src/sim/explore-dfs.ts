/**
 * The optimised explorer: DFS over deduplicated packed states, with state/time caps, deadlock and livelock detection.
 */
import type { InvariantName } from '../core/sim-contract.ts';
import type { Model } from './model.ts';
import { StateStore } from './state-store.ts';

export interface ExploreOptions {
  maxStates: number;
  maxMs: number;
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

interface Frame {
  id: number;
  succ: Array<{ a: number; s: Int32Array }>;
  i: number;
  /** Threads with at least one enabled action in this state. */
  enabled: number;
  /** Action taken from the previous frame into this one. */
  via: number;
}

function violated<S>(model: Model<S, number>, s: S): InvariantName | undefined {
  for (const p of model.properties()) if (!p.holds(s)) return p.name;
  return undefined;
}

/** Explore every interleaving reachable in `model` (depth first). */
export function exploreDfs(model: Model<Int32Array, number>, opts: ExploreOptions): ExploreResult {
  const now = opts.now ?? (() => performance.now());
  const t0 = now();
  const init = model.initStates()[0]!;
  const store = new StateStore(init.length, 4096);
  const props = model.properties();
  let transitions = 0;
  const acts: number[] = [];
  const ms = (): number => Math.round((now() - t0) * 100) / 100;

  const bad0 = violated(model, init);
  if (bad0) return { verdict: 'violation', invariant: bad0, states: 1, transitions: 0, ms: ms(), path: [] };

  const expand = (s: Int32Array, via: number): Frame => {
    model.actions(s, acts);
    const succ: Frame['succ'] = [];
    let enabled = 0;
    for (const a of acts) {
      const n = model.next(s, a);
      if (n === undefined) continue;
      succ.push({ a, s: n });
      enabled |= 1 << model.threadOf(a);
    }
    return { id: -1, succ, i: 0, enabled, via };
  };

  const stack: Frame[] = [];
  const onStack = new Uint8Array(1 << 16);
  let onStackArr = onStack;
  const setOn = (id: number, v: number): void => {
    if (id >= onStackArr.length) {
      const n = new Uint8Array(Math.max(onStackArr.length * 2, id + 1));
      n.set(onStackArr);
      onStackArr = n;
    }
    onStackArr[id] = v;
  };
  const pathOf = (extra?: number): number[] => {
    const p = stack.slice(1).map((f) => f.via);
    if (extra !== undefined) p.push(extra);
    return p;
  };

  const rootId = store.add(init);
  const root = expand(init, -1);
  root.id = rootId;
  stack.push(root);
  setOn(rootId, 1);
  if (root.succ.length === 0 && !model.terminal(init) && opts.deadlock)
    return { verdict: 'violation', invariant: opts.deadlock, states: 1, transitions: 0, ms: ms(), path: [] };

  let checkClock = 0;
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.i >= f.succ.length) {
      stack.pop();
      setOn(f.id, 0);
      continue;
    }
    const { a, s } = f.succ[f.i++]!;
    transitions++;
    for (const p of props) {
      if (!p.holds(s)) return { verdict: 'violation', invariant: p.name, states: store.size, transitions, ms: ms(), path: pathOf(a) };
    }
    const r = store.add(s);
    if (r < 0) {
      const id = -r - 1;
      if (opts.livelock && id < onStackArr.length && onStackArr[id] === 1) {
        const t = model.threadOf(a);
        let k = stack.length - 1;
        let ok = (f.enabled & ~(1 << t)) === 0;
        while (ok && stack[k]!.id !== id) {
          const fr = stack[k]!;
          if (model.threadOf(fr.via) !== t) ok = false;
          k--;
          if (ok && (stack[k]!.enabled & ~(1 << t)) !== 0) ok = false;
        }
        if (ok) {
          return { verdict: 'violation', invariant: opts.livelock, states: store.size, transitions, ms: ms(), path: pathOf(a), cycleStart: k };
        }
      }
      continue;
    }
    if (store.size > opts.maxStates)
      return { verdict: 'inconclusive', states: store.size, transitions, ms: ms(), bound: `states>${opts.maxStates}` };
    if (++checkClock >= 1024) {
      checkClock = 0;
      if (now() - t0 > opts.maxMs) return { verdict: 'inconclusive', states: store.size, transitions, ms: ms(), bound: `time>${opts.maxMs}ms` };
    }
    const nf = expand(s, a);
    nf.id = r;
    if (nf.succ.length === 0 && !model.terminal(s) && opts.deadlock) {
      stack.push(nf);
      return { verdict: 'violation', invariant: opts.deadlock, states: store.size, transitions, ms: ms(), path: pathOf() };
    }
    stack.push(nf);
    setOn(r, 1);
  }
  return { verdict: 'ok', states: store.size, transitions, ms: ms() };
}

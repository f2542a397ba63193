/**
 * The explorer-facing model interface (stateright-shaped) and the mm model that implements it over packed states.
 */
import type { InvariantName } from '../core/sim-contract.ts';
import { INVARIANTS } from '../core/sim-contract.ts';
import type { Compiled } from './compile.ts';
import type { ArchModel } from './arch.ts';
import type { Machine } from './machine.ts';
import { atFalseAssume, choices, exited, initialState, successor, successorInto } from './step.ts';
import { BLOCKED, BOUND_RETRIES, BOUND_STORES } from './machine.ts';
import { Packer, constantSlots } from './pack.ts';

/** An `always` property: a state for which `holds` is false is a counterexample. */
export interface Property<S> {
  name: InvariantName;
  holds(s: S): boolean;
}

/**
 * A transition system. Action order must be deterministic (traces are replayed from action lists).
 * `next` returns undefined when the action is not enabled in `s`.
 */
export interface Model<S, A> {
  initStates(): S[];
  actions(s: S, out: A[]): void;
  next(s: S, a: A): S | undefined;
  properties(): Property<S>[];
  /** A state with no successors that is not terminal is a deadlock. */
  terminal(s: S): boolean;
  /** Which thread an action belongs to (for livelock and CPU-switch counting). */
  threadOf(a: A): number;
  /** Optional fast path: the violated property of s, if any (must agree with `properties()`). */
  violation?(s: S): InvariantName | undefined;
  /** Optional allocation-free `next`: write the successor into `dst` (same width); false when not enabled. */
  nextInto?(s: S, a: A, dst: S): boolean;
  /** Optional compact, injective key of a state for the visited set (a reused buffer; undefined: use the state). */
  key?(s: S): Int32Array | undefined;
  /** Width of `key` results. */
  keyWidth?: number;
  /** hashState() of the last key `key` returned (saves the visited set a second pass over it). */
  keyHash?(): number;
  /** A scenario bound the transition into s exceeded (the explorer stops with `inconclusive`). */
  bound?(s: S): string | undefined;
}

/** Action encoding: thread * 64 + branch. */
export const actionOf = (t: number, k: number): number => t * 64 + k;

/** The mm model over packed Int32Array states; the last slot holds the violation code of the transition into it. */
export class MmModel implements Model<Int32Array, number> {
  readonly m: Machine;
  readonly width: number;
  private readonly fuse: boolean;

  private readonly packer: Packer;
  readonly keyWidth: number;

  constructor(c: Compiled, arch: ArchModel, fuse = true) {
    this.m = { c, L: c.L, arch };
    this.width = c.L.size + 1;
    this.fuse = fuse;
    this.packer = new Packer(c.L, this.width, constantSlots(c));
    this.keyWidth = this.packer.words;
  }

  key(s: Int32Array): Int32Array | undefined {
    return this.packer.key(s);
  }

  keyHash(): number {
    return this.packer.hash;
  }

  private wrap(state: Int32Array, code: number): Int32Array {
    const out = new Int32Array(this.width);
    out.set(state);
    out[this.width - 1] = code;
    return out;
  }

  initStates(): Int32Array[] {
    const r = initialState(this.m, this.fuse);
    return [this.wrap(r.state, r.code)];
  }

  actions(s: Int32Array, out: number[]): void {
    out.length = 0;
    if (s[this.width - 1] !== 0) return;
    for (let t = 0; t < this.m.L.nThreads; t++) {
      const n = choices(this.m, s, t);
      for (let k = 0; k < n; k++) out.push(actionOf(t, k));
    }
  }

  next(s: Int32Array, a: number): Int32Array | undefined {
    const r = successor(this.m, s, a >> 6, a & 63, undefined, this.fuse);
    if (r === undefined) return undefined;
    r.state[this.width - 1] = r.code;
    return r.state;
  }

  nextInto(s: Int32Array, a: number, dst: Int32Array): boolean {
    dst.set(s);
    const code = successorInto(this.m, dst, a >> 6, a & 63, undefined, this.fuse);
    if (code === BLOCKED) return false;
    dst[this.width - 1] = code;
    return true;
  }

  /** Violation code carried by a state (0 = none). */
  code(s: Int32Array): number {
    return s[this.width - 1]!;
  }

  properties(): Property<Int32Array>[] {
    const props: Property<Int32Array>[] = [];
    INVARIANTS.forEach((name, i) => {
      if (this.m.c.checked[i] === 1) props.push({ name, holds: (s) => s[this.width - 1] !== i + 1 });
    });
    return props;
  }

  violation(s: Int32Array): InvariantName | undefined {
    const c = s[this.width - 1]!;
    return c <= 0 ? undefined : INVARIANTS[c - 1];
  }

  bound(s: Int32Array): string | undefined {
    const c = s[this.width - 1]!;
    if (c === BOUND_STORES) return `userStores>${this.m.c.maxUserStores}`;
    if (c === BOUND_RETRIES) return `retries>${this.m.c.maxRetries}`;
    return undefined;
  }

  terminal(s: Int32Array): boolean {
    if (s[this.width - 1] !== 0) return true;
    let done = true;
    for (let t = 0; t < this.m.L.nThreads; t++) {
      // A thread stopped at a false assume: this execution is not one of the modelled paths; abandon it.
      if (atFalseAssume(this.m, s, t)) return true;
      if (!exited(this.m, s, t)) done = false;
    }
    return done;
  }

  threadOf(a: number): number {
    return a >> 6;
  }
}

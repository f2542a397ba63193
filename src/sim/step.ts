/**
 * One thread step: run the instruction at pc (op or shared control), then fuse the thread-local instructions that
 * follow; thread-exit and end-of-run checks.
 */
import { HARDWARE_OP_KINDS } from '../core/ops.ts';
import type { CInstr, COp } from './compile.ts';
import { GL, LV, PG, PT, TH, TL, localAt, pageAt, pteAt, thAt, tlbAt } from './layout.ts';
import { BLOCKED, BOUND_RETRIES, BOUND_STORES, note, viol, holds } from './machine.ts';
import type { Machine, Recorder } from './machine.ts';
import { kernelOp, wpPageCopy } from './ops-kernel.ts';
import { hardwareOp } from './ops-hw.ts';

const HW: ReadonlySet<string> = new Set(HARDWARE_OP_KINDS);

/** Is the instruction thread-local (may be fused into the previous step)? */
export function isLocalInstr(m: Machine, s: Int32Array, t: number, ins: CInstr): boolean {
  switch (ins.kind) {
    case 'label':
    case 'goto':
      return true;
    case 'choose':
      return false;
    case 'assume':
      // Fused only when it holds: a false assume must stay visible as the thread's (disabled) next step.
      return isLocalTest(m, s, t, ins) && evalCond(m, s, t, ins);
    case 'if':
      return isLocalTest(m, s, t, ins);
    case 'op':
      return ins.local;
  }
}

/** Does a condition depend only on the thread's own state (its PTE snapshot or last result)? */
function isLocalTest(m: Machine, s: Int32Array, t: number, ins: Extract<CInstr, { kind: 'if' | 'assume' }>): boolean {
  if (ins.test === 'last-ok') return true;
  if (ins.test === 'pte-present' || ins.test === 'pte-write' || ins.test === 'pte-dirty' || ins.test === 'pte-young' || ins.test === 'pte-uffd-wp')
    return s[localAt(m.L, t, ins.pte) + LV.valid] === 1;
  return false;
}

/** Evaluate an `if` / `assume` condition (local value when the thread has read the PTE, else the current PTE). */
export function evalCond(m: Machine, s: Int32Array, t: number, ins: Extract<CInstr, { kind: 'if' | 'assume' }>): boolean {
  const L = m.L;
  const e = ins.pte;
  const lo = localAt(L, t, e);
  const useLocal = s[lo + LV.valid] === 1;
  const po = pteAt(L, e);
  const field = (lf: number, pf: number): number => (useLocal ? s[lo + lf]! : s[po + pf]!);
  let r: boolean;
  switch (ins.test) {
    case 'pte-present': r = field(LV.present, PT.present) === 1; break;
    case 'pte-write': r = field(LV.write, PT.write) === 1; break;
    case 'pte-dirty': r = field(LV.dirty, PT.dirty) === 1; break;
    case 'pte-young': r = field(LV.young, PT.young) === 1; break;
    case 'pte-uffd-wp': r = field(LV.uffdWp, PT.uffdWp) === 1; break;
    case 'pte-same': {
      r = useLocal && s[lo + LV.present] === s[po + PT.present] && s[lo + LV.page] === s[po + PT.page] && s[lo + LV.write] === s[po + PT.write] &&
        s[lo + LV.dirty] === s[po + PT.dirty] && s[lo + LV.young] === s[po + PT.young] && s[lo + LV.uffdWp] === s[po + PT.uffdWp] &&
        s[lo + LV.softDirty] === s[po + PT.softDirty];
      break;
    }
    case 'flush-pending': r = s[GL.flushPending]! > 0; break;
    case 'last-ok': r = s[thAt(L, t) + TH.last] === 1; break;
    case 'thread-exited': r = ins.thread >= 0 && exited(m, s, ins.thread); break;
    case 'tlb-writable': {
      const o = tlbAt(L, t, e);
      r = s[o + TL.valid] === 1 && s[o + TL.write] === 1;
      break;
    }
  }
  return ins.negate ? !r : r;
}

/** Run op `op` of thread t; advances pc except for staged ops that manage it. */
export function runOp(m: Machine, s: Int32Array, t: number, op: COp, rec?: Recorder): number {
  const th = thAt(m.L, t);
  if (op.op === 'wp-page-copy') return wpPageCopy(m, s, t, op, rec);
  if (op.op === 'kvm-fault') return hardwareOp(m, s, t, op, rec);
  const r = HW.has(op.op) ? hardwareOp(m, s, t, op, rec) : kernelOp(m, s, t, op, rec);
  if (r === 0) s[th + TH.pc] = s[th + TH.pc]! + 1;
  return r;
}

/** Checks when thread t returns: locks, notifier windows, flush-pending balance; then its protection promises hold. */
export function threadExit(m: Machine, s: Int32Array, t: number, rec?: Recorder): number {
  const L = m.L;
  const th = thAt(L, t);
  for (let l = 0; l < L.nLocks; l++) {
    if (holds(m, s, t, l)) {
      const v = viol(m, 'lock-balance');
      if (v) {
        note(rec, `returns with ${m.c.locks[l]!.name} held`);
        return v;
      }
    }
  }
  if (s[th + TH.notifOpen] !== 0) {
    const v = viol(m, 'notifier-balance');
    if (v) {
      note(rec, 'returns inside an invalidate_range_start() window');
      return v;
    }
  }
  if (s[th + TH.pendingBalance] !== 0) {
    const v = viol(m, 'flush-pending-balance');
    if (v) {
      note(rec, s[th + TH.gActive] === 1 ? 'returns without tlb_finish_mmu()' : 'inc/dec_tlb_flush_pending() unbalanced');
      return v;
    }
  }
  const pend = s[th + TH.pendingMarks]!;
  const prot = m.c.threads[t]!.protects;
  for (let e = 0; e < L.nPtes; e++) {
    const k = ((pend >> (e * 3)) & 7) | (((prot >> e) & 1) === 1 ? 4 : 0);
    if (k !== 0) {
      const po = pteAt(L, e) + PT.mark;
      s[po] = s[po]! | k;
    }
  }
  s[th + TH.pendingMarks] = 0;
  return 0;
}

/** Fuse the thread-local instructions at t's pc; run exit checks when the program ends. */
export function normalise(m: Machine, s: Int32Array, t: number, rec?: Recorder, fuse = true): number {
  const code = m.c.threads[t]!.code;
  const th = thAt(m.L, t);
  for (let guard = 0; guard < 10_000; guard++) {
    const pc = s[th + TH.pc]!;
    if (pc >= code.length) {
      if (pc === code.length) {
        s[th + TH.pc] = code.length + 1; // exited
        return threadExit(m, s, t, rec);
      }
      return 0;
    }
    if (!fuse) return 0;
    const ins = code[pc]!;
    if (!isLocalInstr(m, s, t, ins)) return 0;
    const r = execInstr(m, s, t, ins, 0, rec);
    if (r !== 0) return r;
  }
  return 0;
}

/** Execute the instruction at pc (any kind). */
export function execInstr(m: Machine, s: Int32Array, t: number, ins: CInstr, choice: number, rec?: Recorder): number {
  const th = thAt(m.L, t);
  switch (ins.kind) {
    case 'label':
      s[th + TH.pc] = s[th + TH.pc]! + 1;
      return 0;
    case 'goto':
      s[th + TH.pc] = ins.target;
      return 0;
    case 'choose':
      s[th + TH.pc] = ins.targets[choice]!;
      return 0;
    case 'if':
      s[th + TH.pc] = evalCond(m, s, t, ins) ? ins.then : ins.else;
      return 0;
    case 'assume':
      if (!evalCond(m, s, t, ins)) return BLOCKED;
      s[th + TH.pc] = s[th + TH.pc]! + 1;
      return 0;
    case 'op':
      return runOp(m, s, t, ins, rec);
  }
}

/** Is thread t stopped at an `assume` whose condition is false (an execution of another path)? */
export function atFalseAssume(m: Machine, s: Int32Array, t: number): boolean {
  const code = m.c.threads[t]!.code;
  const pc = s[thAt(m.L, t) + TH.pc]!;
  const ins = pc < code.length ? code[pc] : undefined;
  return ins?.kind === 'assume' && !evalCond(m, s, t, ins);
}

/** Has thread t exited? */
export function exited(m: Machine, s: Int32Array, t: number): boolean {
  return s[thAt(m.L, t) + TH.pc]! > m.c.threads[t]!.code.length;
}

/** Number of actions thread t offers (0 when exited; one per branch of a `choose`). */
export function choices(m: Machine, s: Int32Array, t: number): number {
  const code = m.c.threads[t]!.code;
  const pc = s[thAt(m.L, t) + TH.pc]!;
  if (pc >= code.length) return 0;
  const ins = code[pc]!;
  return ins.kind === 'choose' ? ins.targets.length : 1;
}

/** End-of-run check once every thread has exited: each address still mapped reads its last store. */
export function finalCheck(m: Machine, s: Int32Array, rec?: Recorder): number {
  const L = m.L;
  for (let e = 0; e < L.nPtes; e++) {
    const po = pteAt(L, e);
    const last = s[po + PT.lastStore]!;
    if (last === 0 || s[po + PT.present] !== 1) continue;
    const pg = s[po + PT.page]!;
    if (s[pageAt(L, pg) + PG.data] !== last) {
      const v = viol(m, 'no-lost-write');
      if (v) {
        note(rec, `${m.c.ptes[e]} maps ${m.c.pages[pg]}, which lacks the last store`);
        return v;
      }
    }
  }
  return 0;
}

/**
 * Successor of s by thread t taking branch `choice`: a new state and a code (BLOCKED → undefined).
 * `fuse` = false runs every instruction as its own step (the naive explorer).
 */
export function successor(m: Machine, s: Int32Array, t: number, choice: number, rec?: Recorder, fuse = true): { state: Int32Array; code: number } | undefined {
  const n = s.slice();
  const code = successorInto(m, n, t, choice, rec, fuse);
  return code === BLOCKED ? undefined : { state: n, code };
}

/** As `successor`, but in place: `n` holds a copy of the source state and receives the successor. */
export function successorInto(m: Machine, n: Int32Array, t: number, choice: number, rec?: Recorder, fuse = true): number {
  const th = thAt(m.L, t);
  const pc0 = n[th + TH.pc]!;
  const stores0 = n[th + TH.stores]!;
  const stage0 = n[th + TH.stage]!;
  const ins = m.c.threads[t]!.code[pc0]!;
  let code = execInstr(m, n, t, ins, choice, rec);
  if (code === BLOCKED) return BLOCKED;
  if (m.c.maxUserStores > 0 && n[th + TH.stores]! > m.c.maxUserStores && n[th + TH.stores]! !== stores0) return BOUND_STORES;
  if (code === 0) code = normalise(m, n, t, rec, fuse);
  if (m.c.maxRetries > 0) {
    // a backward jump (or a staged op starting over) is one retry
    const pc1 = n[th + TH.pc]!;
    if (pc1 < pc0 || (pc1 === pc0 && stage0 === 1 && n[th + TH.stage] === 0)) {
      n[th + TH.retries] = n[th + TH.retries]! + 1;
      if (n[th + TH.retries]! > m.c.maxRetries && code === 0) return BOUND_RETRIES;
    }
  }
  if (code === 0) {
    let all = true;
    for (let u = 0; u < m.L.nThreads; u++) if (!exited(m, n, u)) { all = false; break; }
    if (all) code = finalCheck(m, n, rec);
  }
  return code;
}

/** Initial state with every thread's leading local instructions fused (or a violation code at init). */
export function initialState(m: Machine, fuse = true): { state: Int32Array; code: number } {
  const s = m.c.init.slice();
  let code = 0;
  for (let t = 0; t < m.L.nThreads && code === 0; t++) code = normalise(m, s, t, undefined, fuse);
  return { state: s, code };
}

/**
 * Shared helpers of the op semantics: the machine context, lock/PTE/TLB/mark primitives and violation codes.
 */
import { INVARIANTS } from '../core/sim-contract.ts';
import type { InvariantName } from '../core/sim-contract.ts';
import type { ArchModel } from './arch.ts';
import type { Compiled } from './compile.ts';
import { ALL_LEVELS, EF } from './compile.ts';
import { GL, LK, LV, PG, PT, TH, TL, lockAt, localAt, pageAt, pteAt, spteAt, thAt, tlbAt } from './layout.ts';
import type { Layout } from './layout.ts';

/** An op cannot run now (a lock it needs is taken); the thread is not enabled. */
export const BLOCKED = -1;
/** A scenario bound (user stores / retries per thread) was exceeded: the run becomes inconclusive. */
export const BOUND_STORES = -2;
export const BOUND_RETRIES = -3;

/** Everything an op needs besides the state. */
export interface Machine {
  c: Compiled;
  L: Layout;
  arch: ArchModel;
}

/** Collects human-readable notes about a step while a trace is being rebuilt (never during exploration). */
export interface Recorder {
  notes: string[];
  /** A more specific action text than the instruction's (e.g. `write to page [using stale TLB]`). */
  action?: string;
}

/** A violation code for `name` (index + 1), or 0 when the scenario does not check it. */
export function viol(m: Machine, name: InvariantName): number {
  const i = INVARIANTS.indexOf(name);
  return m.c.checked[i] === 1 ? i + 1 : 0;
}

/** The invariant of a violation code. */
export function invariantOf(code: number): InvariantName {
  return INVARIANTS[code - 1] as InvariantName;
}

export function note(rec: Recorder | undefined, text: string): void {
  if (rec) rec.notes.push(text);
}

// ---- locks ---------------------------------------------------------------------------------------------------

export function holds(m: Machine, s: Int32Array, t: number, l: number): boolean {
  const o = lockAt(m.L, l);
  return s[o + LK.owner] === t + 1 || ((s[o + LK.readers]! >> t) & 1) === 1;
}

/** Does thread t hold any spinning lock (PTL, mmu_lock, spinlock)? */
export function holdsSpin(m: Machine, s: Int32Array, t: number): boolean {
  const locks = m.c.locks;
  for (let l = 0; l < locks.length; l++) if (locks[l]!.spinning && holds(m, s, t, l)) return true;
  return false;
}

/** The name of a spinning lock thread t holds (for notes). */
export function spinName(m: Machine, s: Int32Array, t: number): string {
  const locks = m.c.locks;
  for (let l = 0; l < locks.length; l++) if (locks[l]!.spinning && holds(m, s, t, l)) return locks[l]!.name;
  return '';
}

/** Take lock l (mode for rwsems). Returns BLOCKED, a violation code, or 0. */
export function acquire(m: Machine, s: Int32Array, t: number, l: number, mode: 'read' | 'write', rec?: Recorder): number {
  const o = lockAt(m.L, l);
  const lock = m.c.locks[l]!;
  if (holds(m, s, t, l)) {
    note(rec, `${lock.name} already held: self-deadlock`);
    const v = viol(m, 'lock-balance');
    return v !== 0 ? v : BLOCKED;
  }
  if (!lock.spinning && holdsSpin(m, s, t)) {
    const v = viol(m, 'no-sleep-in-atomic');
    if (v !== 0) {
      note(rec, `sleeping lock ${lock.name} taken under ${spinName(m, s, t)}`);
      return v;
    }
  }
  if (lock.kind === 'rwsem' && mode === 'read') {
    if (s[o + LK.owner] !== 0) return BLOCKED;
    s[o + LK.readers] = s[o + LK.readers]! | (1 << t);
    return 0;
  }
  if (s[o + LK.owner] !== 0 || s[o + LK.readers] !== 0) return BLOCKED;
  s[o + LK.owner] = t + 1;
  return 0;
}

/** Release lock l. Returns a violation code or 0. */
export function release(m: Machine, s: Int32Array, t: number, l: number, rec?: Recorder): number {
  const o = lockAt(m.L, l);
  if (s[o + LK.owner] === t + 1) {
    s[o + LK.owner] = 0;
    return 0;
  }
  if (((s[o + LK.readers]! >> t) & 1) === 1) {
    s[o + LK.readers] = s[o + LK.readers]! & ~(1 << t);
    return 0;
  }
  note(rec, `unlock of ${m.c.locks[l]!.name}, which is not held`);
  return viol(m, 'lock-balance');
}

/** An op that takes and drops lock l internally: BLOCKED if another thread holds it, a violation if t does. */
export function internalLock(m: Machine, s: Int32Array, t: number, l: number, rec?: Recorder): number {
  const o = lockAt(m.L, l);
  const owner = s[o + LK.owner]!;
  if (owner === t + 1) {
    note(rec, `${m.c.locks[l]!.name} already held: self-deadlock`);
    const v = viol(m, 'lock-balance');
    return v !== 0 ? v : BLOCKED;
  }
  if (owner !== 0 || s[o + LK.readers] !== 0) return BLOCKED;
  return 0;
}

/** A sleeping op: violation if t holds a spinning lock. */
export function sleepCheck(m: Machine, s: Int32Array, t: number, what: string, rec?: Recorder): number {
  if (!holdsSpin(m, s, t)) return 0;
  const v = viol(m, 'no-sleep-in-atomic');
  if (v !== 0) note(rec, `${what} may sleep under ${spinName(m, s, t)}`);
  return v;
}

/** A kernel PTE write: violation if t does not hold the PTE's PTL. */
export function ptlCheck(m: Machine, s: Int32Array, t: number, e: number, rec?: Recorder): number {
  if (holds(m, s, t, m.c.pteLock[e]!)) return 0;
  const v = viol(m, 'pte-under-ptl');
  if (v !== 0) note(rec, `${m.c.ptes[e]} modified without ${m.c.locks[m.c.pteLock[e]!]!.name}`);
  return v;
}

// ---- PTE values ------------------------------------------------------------------------------------------------

/** Write a none PTE. */
export function pteNone(m: Machine, s: Int32Array, e: number): void {
  const o = pteAt(m.L, e);
  s[o + PT.present] = 0;
  s[o + PT.page] = -1;
  s[o + PT.write] = 0;
  s[o + PT.dirty] = 0;
  s[o + PT.young] = 0;
  s[o + PT.uffdWp] = 0;
  s[o + PT.softDirty] = 0;
}

/** Copy the current PTE into t's local value for pte e. */
export function snapshot(m: Machine, s: Int32Array, t: number, e: number): void {
  const lo = localAt(m.L, t, e);
  const po = pteAt(m.L, e);
  s[lo + LV.valid] = 1;
  s[lo + LV.present] = s[po + PT.present]!;
  s[lo + LV.page] = s[po + PT.page]!;
  s[lo + LV.write] = s[po + PT.write]!;
  s[lo + LV.dirty] = s[po + PT.dirty]!;
  s[lo + LV.young] = s[po + PT.young]!;
  s[lo + LV.uffdWp] = s[po + PT.uffdWp]!;
  s[lo + LV.softDirty] = s[po + PT.softDirty]!;
}

/** pte_same(): the current PTE equals t's local value for e. */
export function pteSame(m: Machine, s: Int32Array, t: number, e: number): boolean {
  const lo = localAt(m.L, t, e);
  const po = pteAt(m.L, e);
  if (s[lo + LV.valid] !== 1) return false;
  return s[lo + LV.present] === s[po + PT.present] && s[lo + LV.page] === s[po + PT.page] && s[lo + LV.write] === s[po + PT.write] &&
    s[lo + LV.dirty] === s[po + PT.dirty] && s[lo + LV.young] === s[po + PT.young] && s[lo + LV.uffdWp] === s[po + PT.uffdWp] &&
    s[lo + LV.softDirty] === s[po + PT.softDirty];
}

/** A PTE value in flight: [present, page, write, dirty, young, uffdWp, softDirty]. */
export type PteVal = [number, number, number, number, number, number, number];

export function readPte(m: Machine, s: Int32Array, e: number): PteVal {
  const o = pteAt(m.L, e);
  return [s[o + PT.present]!, s[o + PT.page]!, s[o + PT.write]!, s[o + PT.dirty]!, s[o + PT.young]!, s[o + PT.uffdWp]!, s[o + PT.softDirty]!];
}

/** t's local value for e; falls back to the current PTE when t never read it. */
export function readLocal(m: Machine, s: Int32Array, t: number, e: number): PteVal {
  const o = localAt(m.L, t, e);
  if (s[o + LV.valid] !== 1) return readPte(m, s, e);
  return [s[o + LV.present]!, s[o + LV.page]!, s[o + LV.write]!, s[o + LV.dirty]!, s[o + LV.young]!, s[o + LV.uffdWp]!, s[o + LV.softDirty]!];
}

/** Apply effect bits to a value (pte_wrprotect, pte_mkclean, mk_pte(new page) ...). */
export function applyEffects(v: PteVal, effects: number, newPage: number): PteVal {
  const r: PteVal = [...v];
  if (effects & EF.clear) return [0, -1, 0, 0, 0, 0, 0];
  if (effects & EF['new-page']) {
    r[0] = 1;
    r[1] = newPage;
    r[4] = 1;
  }
  if (effects & (EF.wrprotect | EF.prot)) r[2] = 0;
  if (effects & EF.clean) r[3] = 0;
  if (effects & EF.mkold) r[4] = 0;
  if (effects & EF.mkwrite) r[2] = 1;
  if (effects & EF.mkdirty) {
    r[3] = 1;
    r[6] = 1;
  }
  if (effects & EF.mkyoung) r[4] = 1;
  if (effects & EF['uffd-wp']) {
    r[5] = 1;
    r[2] = 0;
  }
  if (effects & EF['uffd-unwp']) r[5] = 0;
  if (effects & EF['soft-dirty-clear']) r[6] = 0;
  if (r[0] === 0) return [0, -1, 0, 0, 0, 0, 0];
  return r;
}

/** Store a value into PTE e, maintaining the protection marks (see MARK_* in layout.ts). */
export function writePte(m: Machine, s: Int32Array, t: number, e: number, before: PteVal, v: PteVal, effects: number): void {
  const o = pteAt(m.L, e);
  s[o + PT.present] = v[0];
  s[o + PT.page] = v[1];
  s[o + PT.write] = v[2];
  s[o + PT.dirty] = v[3];
  s[o + PT.young] = v[4];
  s[o + PT.uffdWp] = v[5];
  s[o + PT.softDirty] = v[6];
  if (before[0] === 1 && v[0] === 0) addPending(m, s, t, e, MARK_GONE_);
  if (before[2] === 1 && v[2] === 0 && v[0] === 1) addPending(m, s, t, e, v[5] === 1 && before[5] === 0 ? MARK_UFFD_ | MARK_WP_ : MARK_WP_);
  if (v[0] === 1) clearMark(m, s, e, MARK_GONE_);
  if (v[0] === 1 && v[2] === 1 && before[2] === 0) clearMark(m, s, e, MARK_WP_);
  if (effects & EF['uffd-wp'] && v[0] === 1) addPending(m, s, t, e, MARK_UFFD_);
  if (effects & EF['uffd-unwp']) clearMark(m, s, e, MARK_UFFD_);
}

const MARK_WP_ = 1;
const MARK_UFFD_ = 2;
const MARK_GONE_ = 4;

/** Record that t downgraded e; the promise holds for userspace once t returns. */
export function addPending(m: Machine, s: Int32Array, t: number, e: number, kind: number): void {
  const o = thAt(m.L, t) + TH.pendingMarks;
  s[o] = s[o]! | (kind << (e * 3));
}

/** A legitimate upgrade of e (a fault, a monitor's unprotect): drop the promise everywhere. */
export function clearMark(m: Machine, s: Int32Array, e: number, kind: number): void {
  const po = pteAt(m.L, e) + PT.mark;
  s[po] = s[po]! & ~kind;
  for (let t = 0; t < m.L.nThreads; t++) {
    const o = thAt(m.L, t) + TH.pendingMarks;
    s[o] = s[o]! & ~(kind << (e * 3));
  }
}

// ---- TLB / secondary MMU ---------------------------------------------------------------------------------------

export function clearEntry(s: Int32Array, o: number): void {
  s[o + TL.valid] = 0;
  s[o + TL.page] = -1;
  s[o + TL.gen] = 0;
  s[o + TL.write] = 0;
  s[o + TL.dirty] = 0;
  s[o + TL.young] = 0;
}

/** Fill thread t's TLB entry for e from the current PTE (no-op if not present). */
export function fillTlb(m: Machine, s: Int32Array, t: number, e: number): void {
  const po = pteAt(m.L, e);
  const o = tlbAt(m.L, t, e);
  if (s[po + PT.present] !== 1) {
    clearEntry(s, o);
    return;
  }
  const pg = s[po + PT.page]!;
  s[o + TL.valid] = 1;
  s[o + TL.page] = pg;
  s[o + TL.gen] = s[pageAt(m.L, pg) + PG.gen]!;
  s[o + TL.write] = s[po + PT.write]!;
  s[o + TL.dirty] = s[po + PT.dirty]!;
  s[o + TL.young] = s[po + PT.young]!;
}

/**
 * Drop every CPU's TLB entries for PTEs in [lo, hi). Returns how many entries were dropped. An arch flush of
 * narrower coverage passes the entry kinds it drops (`levelMask`, LEVEL_BIT of compile.ts) and, when it reaches
 * only its own CPU, that thread (`only`).
 */
export function flushRange(m: Machine, s: Int32Array, lo: number, hi: number, levelMask = ALL_LEVELS, only = -1): number {
  let n = 0;
  for (let t = 0; t < m.L.nThreads; t++) {
    if (only >= 0 && t !== only) continue;
    for (let e = lo; e < hi; e++) {
      if ((m.c.pteLevel[e]! & levelMask) === 0) continue;
      const o = tlbAt(m.L, t, e);
      if (s[o + TL.valid] === 1) n++;
      clearEntry(s, o);
    }
  }
  return n;
}

/** Invalidate secondary-MMU entries for PTEs in [lo, hi). */
export function invalidateSptes(m: Machine, s: Int32Array, lo: number, hi: number): void {
  for (let e = lo; e < hi; e++) clearEntry(s, spteAt(m.L, e));
}

/** Does some CPU hold a TLB entry for e that allows more than the PTE now does? (for notes) */
export function staleNote(m: Machine, s: Int32Array, e: number): string | undefined {
  const po = pteAt(m.L, e);
  for (let t = 0; t < m.L.nThreads; t++) {
    const o = tlbAt(m.L, t, e);
    if (s[o + TL.valid] !== 1) continue;
    if (s[po + PT.present] !== 1) return `PTE cleared, CPU${t} TLB still maps it`;
    if (s[o + TL.page] !== s[po + PT.page]) return `PTE remapped, CPU${t} TLB still maps the old page`;
    if (s[o + TL.write] === 1 && s[po + PT.write] === 0) return `PTE write-protected, CPU${t} TLB still writable`;
    if (s[o + TL.dirty] === 1 && s[po + PT.dirty] === 0) return `PTE clean, CPU${t} TLB still writable+dirty`;
  }
  return undefined;
}

/** A page access through a mapping filled at generation `gen`: violation if the page was freed or reused since. */
export function staleCheck(m: Machine, s: Int32Array, pg: number, gen: number, rec?: Recorder): number {
  const o = pageAt(m.L, pg);
  if (s[o + PG.freed] === 1 || s[o + PG.gen] !== gen) {
    const v = viol(m, 'no-stale-access');
    if (v !== 0) note(rec, `${m.c.pages[pg]} was ${s[o + PG.freed] === 1 ? 'freed' : 'freed and reused'}`);
    return v;
  }
  return 0;
}

/** A user store lands in page pg through pte e. */
export function doStore(m: Machine, s: Int32Array, t: number, e: number, pg: number): void {
  const n = s[GL.storeCounter]! + 1;
  s[GL.storeCounter] = n;
  s[pageAt(m.L, pg) + PG.data] = n;
  s[pteAt(m.L, e) + PT.lastStore] = n;
  s[thAt(m.L, t) + TH.stores] = s[thAt(m.L, t) + TH.stores]! + 1;
}

/** Free a page (generation bump). */
export function freePage(m: Machine, s: Int32Array, pg: number): void {
  const o = pageAt(m.L, pg);
  if (s[o + PG.freed] === 1) return;
  s[o + PG.freed] = 1;
  s[o + PG.gen] = s[o + PG.gen]! + 1;
}

/**
 * Semantics of the hardware/adversary ops: TLB fills, user loads/stores through the TLB (per-arch A/D handling),
 * the KVM fault with its in_progress/sequence retry, guest access through sptes, writeback, reclaim, aging.
 */
import type { COp } from './compile.ts';
import { GL, LV, PG, PT, TH, TL, localAt, pageAt, pteAt, spteAt, thAt, tlbAt } from './layout.ts';
import { MARK_GONE, MARK_UFFD, MARK_WP } from './layout.ts';
import { BLOCKED, clearEntry, doStore, fillTlb, flushRange, freePage, internalLock, invalidateSptes, note, pteNone, snapshot, staleCheck, viol } from './machine.ts';
import type { Machine, Recorder } from './machine.ts';
import { faultCore } from './fault.ts';
import { rmapLock } from './ops-kernel.ts';

function setLast(m: Machine, s: Int32Array, t: number, v: number): void {
  s[thAt(m.L, t) + TH.last] = v;
}

/** The protection promised for e is broken by this access (store: any promise; load: the mapping is gone). */
function promiseCheck(m: Machine, s: Int32Array, e: number, store: boolean, rec?: Recorder): number {
  const mark = s[pteAt(m.L, e) + PT.mark]!;
  const broken = store ? mark & (MARK_WP | MARK_UFFD | MARK_GONE) : mark & MARK_GONE;
  if (!broken) return 0;
  const v = viol(m, 'write-protect-holds');
  if (v) note(rec, broken & MARK_GONE ? 'access after the unmapping call returned' : broken & MARK_UFFD ? 'store after uffd write-protect returned' : 'store after write-protect returned');
  return v;
}

/** The access itself: stale / promise checks then the effect. */
function commit(m: Machine, s: Int32Array, t: number, e: number, pg: number, gen: number, store: boolean, rec?: Recorder): number {
  let v = staleCheck(m, s, pg, gen, rec);
  if (v) return v;
  v = promiseCheck(m, s, e, store, rec);
  if (v) return v;
  if (store) doStore(m, s, t, e, pg);
  setLast(m, s, t, 1);
  return 0;
}

function describeHit(m: Machine, s: Int32Array, t: number, e: number, store: boolean, rec?: Recorder): void {
  if (!rec) return;
  const o = tlbAt(m.L, t, e);
  const po = pteAt(m.L, e);
  const stale = s[po + PT.present] !== 1 || s[po + PT.page] !== s[o + TL.page] || (store && s[po + PT.write] !== 1) || (store && s[po + PT.dirty] !== 1);
  rec.action = `${store ? 'Write to' : 'Read'} page${stale ? ' [using stale TLB entry]' : ''}`;
}

/** A user access (load or store) through thread t's TLB for PTE e. */
function userAccess(m: Machine, s: Int32Array, t: number, op: COp, store: boolean, rec?: Recorder): number {
  const L = m.L;
  const e = op.pte;
  const o = tlbAt(L, t, e);
  const po = pteAt(L, e);
  const hw = m.arch.hwAccessDirty;
  // TLB hit that needs no PTE update
  if (s[o + TL.valid] === 1 && (store ? s[o + TL.write] === 1 && s[o + TL.dirty] === 1 : hw || s[o + TL.young] === 1)) {
    describeHit(m, s, t, e, store, rec);
    return commit(m, s, t, e, s[o + TL.page]!, s[o + TL.gen]!, store, rec);
  }
  // walk the page table
  const present = s[po + PT.present] === 1;
  const writable = s[po + PT.write] === 1;
  if (present && (!store || writable)) {
    if (hw) {
      s[po + PT.young] = 1;
      if (store) {
        s[po + PT.dirty] = 1;
        s[po + PT.softDirty] = 1;
      }
      fillTlb(m, s, t, e);
      if (rec) rec.action = `${store ? 'Write to' : 'Read'} page${store ? ' [h/w sets the dirty bit]' : ''}`;
      return commit(m, s, t, e, s[o + TL.page]!, s[o + TL.gen]!, store, rec);
    }
    if (s[po + PT.young] === 1 && (!store || s[po + PT.dirty] === 1)) {
      fillTlb(m, s, t, e);
      if (rec) rec.action = `${store ? 'Write to' : 'Read'} page`;
      return commit(m, s, t, e, s[o + TL.page]!, s[o + TL.gen]!, store, rec);
    }
  }
  // fault
  clearEntry(s, o);
  if (op.nofault) {
    if (rec) rec.action = `${store ? 'Write to' : 'Read'} page [fault with pagefaults disabled: -EFAULT]`;
    setLast(m, s, t, 0);
    return 0;
  }
  const r = internalLock(m, s, t, m.c.pteLock[e]!, rec);
  if (r !== 0) return r;
  if (rec) rec.action = `${store ? 'Write to' : 'Read'} page [page fault]`;
  if (faultCore(m, s, t, e, store, rec) === 0) {
    setLast(m, s, t, 0);
    return 0;
  }
  return commit(m, s, t, e, s[o + TL.page]!, s[o + TL.gen]!, store, rec);
}

/** KVM fault: stage 0 samples the sequence and reads the PTE; stage 1 installs the spte under mmu_lock unless an invalidation ran. */
function kvmFault(m: Machine, s: Int32Array, t: number, op: COp, rec?: Recorder): number {
  const L = m.L;
  const th = thAt(L, t);
  const e = op.pte;
  if (s[th + TH.stage] === 0) {
    s[th + TH.kvmSeq] = s[GL.seq]!;
    snapshot(m, s, t, e);
    s[th + TH.stage] = 1;
    note(rec, 'mmu_seq sampled, PTE read');
    return 0;
  }
  const r = internalLock(m, s, t, m.c.mmuLock, rec);
  if (r !== 0) return r;
  if (s[GL.inProgress]! > 0 || s[GL.seq] !== s[th + TH.kvmSeq]) {
    s[th + TH.stage] = 0;
    setLast(m, s, t, 0);
    note(rec, 'invalidation in progress or sequence changed: retry');
    return 0;
  }
  const lo = localAt(L, t, e);
  const so = spteAt(L, e);
  if (s[lo + LV.present] === 1 && (!op.write || s[lo + LV.write] === 1)) {
    const pg = s[lo + LV.page]!;
    s[so + TL.valid] = 1;
    s[so + TL.page] = pg;
    s[so + TL.gen] = s[pageAt(L, pg) + PG.gen]!;
    s[so + TL.write] = s[lo + LV.write]!;
    setLast(m, s, t, 1);
    note(rec, `spte installed → ${m.c.pages[pg]}`);
  } else {
    setLast(m, s, t, 0);
    note(rec, 'PTE not usable: no spte');
  }
  s[th + TH.stage] = 0;
  s[th + TH.pc] = s[th + TH.pc]! + 1;
  return 0;
}

function guestAccess(m: Machine, s: Int32Array, t: number, op: COp, rec?: Recorder): number {
  const L = m.L;
  const e = op.pte;
  const so = spteAt(L, e);
  const po = pteAt(L, e);
  if (s[so + TL.valid] !== 1 || (op.write && s[so + TL.write] !== 1)) {
    setLast(m, s, t, 0);
    note(rec, 'no usable spte: exit to KVM');
    return 0;
  }
  const pg = s[so + TL.page]!;
  if (s[GL.inProgress] === 0 && (s[po + PT.present] !== 1 || s[po + PT.page] !== pg || (s[so + TL.write] === 1 && s[po + PT.write] !== 1))) {
    const v = viol(m, 'secondary-mmu-coherent');
    if (v) {
      note(rec, `spte maps ${m.c.pages[pg]}${s[so + TL.write] === 1 ? ' writable' : ''}, primary PTE ${s[po + PT.present] !== 1 ? 'is none' : s[po + PT.page] !== pg ? `maps ${m.c.pages[s[po + PT.page]!]}` : 'is read-only'}`);
      return v;
    }
  }
  const v = staleCheck(m, s, pg, s[so + TL.gen]!, rec);
  if (v) return v;
  if (op.write) doStore(m, s, t, e, pg);
  setLast(m, s, t, 1);
  return 0;
}

function reclaimDrop(m: Machine, s: Int32Array, t: number, pg: number, rec?: Recorder): number {
  const L = m.L;
  const o = pageAt(L, pg);
  if (s[o + PG.freed] === 1) {
    setLast(m, s, t, 0);
    return 0;
  }
  let dirty = s[o + PG.dirty] === 1;
  for (let e = 0; e < L.nPtes; e++) {
    const po = pteAt(L, e);
    if (s[po + PT.present] === 1 && s[po + PT.page] === pg) {
      if (s[po + PT.dirty] === 1) dirty = true;
    }
  }
  const r = rmapLock(m, s, t, pg, rec);
  if (r !== 0) return r;
  if (dirty) {
    setLast(m, s, t, 0);
    note(rec, 'page dirty: kept');
    return 0;
  }
  for (let e = 0; e < L.nPtes; e++) {
    const po = pteAt(L, e);
    if (s[po + PT.present] === 1 && s[po + PT.page] === pg) {
      pteNone(m, s, e);
      flushRange(m, s, e, e + 1);
      invalidateSptes(m, s, e, e + 1);
    }
  }
  if (s[o + PG.data] !== s[o + PG.disk]) {
    const v = viol(m, 'no-lost-write');
    if (v) {
      note(rec, 'data integrity compromised: page data differs from disk');
      return v;
    }
  }
  freePage(m, s, pg);
  setLast(m, s, t, 1);
  return 0;
}

/** Run a hardware/adversary op. Returns BLOCKED, a violation code, or 0. kvm-fault advances pc itself. */
export function hardwareOp(m: Machine, s: Int32Array, t: number, op: COp, rec?: Recorder): number {
  const L = m.L;
  switch (op.op) {
    case 'tlb-fill': {
      const po = pteAt(L, op.pte);
      if (s[po + PT.present] === 1 && m.arch.hwAccessDirty) s[po + PT.young] = 1;
      fillTlb(m, s, t, op.pte);
      return 0;
    }
    case 'user-load':
      return userAccess(m, s, t, op, false, rec);
    case 'user-store':
      return userAccess(m, s, t, op, true, rec);
    case 'kvm-fault':
      return kvmFault(m, s, t, op, rec);
    case 'guest-access':
      return guestAccess(m, s, t, op, rec);
    case 'writeback': {
      const o = pageAt(L, op.page);
      s[o + PG.disk] = s[o + PG.data]!;
      if (op.clearDirty) s[o + PG.dirty] = 0;
      return 0;
    }
    case 'reclaim-drop':
      return reclaimDrop(m, s, t, op.page, rec);
    case 'page-reuse': {
      const o = pageAt(L, op.page);
      if (s[o + PG.freed] === 1) {
        s[o + PG.freed] = 0;
        s[o + PG.gen] = s[o + PG.gen]! + 1;
        note(rec, `${m.c.pages[op.page]} reallocated`);
      }
      return 0;
    }
    case 'age': {
      const r = internalLock(m, s, t, m.c.pteLock[op.pte]!, rec);
      if (r !== 0) return r;
      const po = pteAt(L, op.pte);
      setLast(m, s, t, s[po + PT.young]!);
      s[po + PT.young] = 0;
      return 0;
    }
    default:
      return BLOCKED;
  }
}

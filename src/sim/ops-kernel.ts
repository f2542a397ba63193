/**
 * Semantics of the kernel-side ops (what patched code does): locks, PTE updates, flushes, gathers, notifiers, pages.
 */
import type { COp } from './compile.ts';
import { ALL_LEVELS } from './compile.ts';
import { GL, LV, PG, PT, TH, TL, localAt, pageAt, pteAt, spteAt, thAt, tlbAt } from './layout.ts';
import {
  acquire, applyEffects, flushRange, freePage, internalLock, invalidateSptes, note, ptlCheck, pteNone,
  pteSame, readLocal, readPte, release, holds, sleepCheck, snapshot, staleNote, viol, writePte, addPending,
} from './machine.ts';
import type { Machine, Recorder } from './machine.ts';
import { faultCore } from './fault.ts';

function noteStale(m: Machine, s: Int32Array, e: number, rec?: Recorder): void {
  if (!rec) return;
  const n = staleNote(m, s, e);
  if (n) note(rec, n);
}

function setLast(m: Machine, s: Int32Array, t: number, v: number): void {
  s[thAt(m.L, t) + TH.last] = v;
}

/** Flush [lo, hi) as the gather of thread t would (skipped for a fullmm gather on arches that elide it). */
function gatherFlush(m: Machine, s: Int32Array, t: number, rec?: Recorder): void {
  const th = thAt(m.L, t);
  if (s[th + TH.gFullmm] === 1 && m.arch.fullmmSkipsFlush) {
    note(rec, `fullmm: TLB invalidation skipped on ${m.arch.name}`);
    return;
  }
  const lo = s[th + TH.gLo]!;
  const hi = s[th + TH.gHi]!;
  if (hi > lo) {
    const n = flushRange(m, s, lo, hi);
    note(rec, n > 0 ? 'flush' : 'flush (nothing cached)');
  }
}

function gatherFreeDeferred(m: Machine, s: Int32Array, t: number, rec?: Recorder): void {
  const th = thAt(m.L, t);
  const d = s[th + TH.gDeferred]!;
  for (let pg = 0; pg < m.L.nPages; pg++) {
    if ((d >> pg) & 1) {
      freePage(m, s, pg);
      note(rec, `${m.c.pages[pg]} freed`);
    }
  }
  s[th + TH.gDeferred] = 0;
}

/** Widen thread th's gather range to include [lo, hi). */
function widen(s: Int32Array, th: number, lo: number, hi: number): void {
  if (hi <= lo) return;
  if (s[th + TH.gHi]! <= s[th + TH.gLo]!) {
    s[th + TH.gLo] = lo;
    s[th + TH.gHi] = hi;
  } else {
    s[th + TH.gLo] = Math.min(s[th + TH.gLo]!, lo);
    s[th + TH.gHi] = Math.max(s[th + TH.gHi]!, hi);
  }
}

/** Run a kernel op for thread t. Returns BLOCKED, a violation code, or 0. Does not advance pc (the caller does). */
export function kernelOp(m: Machine, s: Int32Array, t: number, op: COp, rec?: Recorder): number {
  const L = m.L;
  const th = thAt(L, t);
  const e = op.pte;
  let v = 0;
  switch (op.op) {
    case 'lock':
      return acquire(m, s, t, op.lock, op.mode, rec);
    case 'trylock': {
      const r = acquire(m, s, t, op.lock, op.mode, rec);
      if (r > 0) return r;
      setLast(m, s, t, r === 0 ? 1 : 0);
      return 0;
    }
    case 'unlock':
      return release(m, s, t, op.lock, rec);
    case 'mmap-lock':
      return acquire(m, s, t, m.c.mmapLock, op.mode, rec);
    case 'mmap-unlock':
      return release(m, s, t, m.c.mmapLock, rec);
    case 'pte-map-lock':
      return acquire(m, s, t, m.c.pteLock[e]!, 'write', rec);
    case 'pte-unmap-unlock':
      return release(m, s, t, m.c.pteLock[e]!, rec);
    case 'pte-read':
      snapshot(m, s, t, e);
      return 0;
    case 'pte-same':
      setLast(m, s, t, pteSame(m, s, t, e) ? 1 : 0);
      note(rec, pteSame(m, s, t, e) ? 'same' : 'PTE changed');
      return 0;
    case 'uffd-wp-check':
      setLast(m, s, t, s[pteAt(L, e) + PT.uffdWp]!);
      return 0;
    case 'pte-set':
    case 'pte-modify-commit':
    case 'pte-set-access-flags': {
      v = ptlCheck(m, s, t, e, rec);
      if (v) return v;
      const src = op.from >= 0 ? op.from : e;
      const base = readLocal(m, s, t, src);
      const before = op.from >= 0 ? readPte(m, s, e) : base;
      const fx = op.op === 'pte-set-access-flags' ? op.effects | 64 | (op.write ? 32 : 0) : op.effects;
      const val = applyEffects(base, fx, op.page >= 0 ? op.page : base[1]);
      writePte(m, s, t, e, before, val, fx);
      noteStale(m, s, e, rec);
      return 0;
    }
    case 'pte-clear':
    case 'pte-clear-flush':
    case 'pte-modify-start': {
      v = ptlCheck(m, s, t, e, rec);
      if (v) return v;
      snapshot(m, s, t, e);
      const before = readPte(m, s, e);
      pteNone(m, s, e);
      if (op.op === 'pte-modify-start') {
        // a transaction: the promise is made at commit, not here
      } else if (before[0] === 1) addPending(m, s, t, e, 4);
      if (op.op === 'pte-clear-flush') flushRange(m, s, e, e + 1);
      else noteStale(m, s, e, rec);
      return 0;
    }
    case 'pte-wrprotect': {
      v = ptlCheck(m, s, t, e, rec);
      if (v) return v;
      const before = readPte(m, s, e);
      const val = applyEffects(before, op.effects | 1, -1);
      writePte(m, s, t, e, before, val, op.effects | 1);
      noteStale(m, s, e, rec);
      return 0;
    }
    case 'pte-mkold': {
      v = ptlCheck(m, s, t, e, rec);
      if (v) return v;
      const po = pteAt(L, e);
      setLast(m, s, t, s[po + PT.young]!);
      s[po + PT.young] = 0;
      return 0;
    }
    case 'pte-fixup-young-dirty': {
      v = ptlCheck(m, s, t, e, rec);
      if (v) return v;
      const po = pteAt(L, e);
      if (s[po + PT.present] === 1) {
        s[po + PT.young] = 1;
        if (op.write && s[po + PT.write] === 1) {
          s[po + PT.dirty] = 1;
          s[po + PT.softDirty] = 1;
        }
      }
      return 0;
    }
    case 'tlb-flush': {
      const all = op.scope === 'mm' || op.scope === 'all' || op.scope === 'batched-pending';
      const only = op.onlyOwnCpu ? t : -1;
      const n = all ? flushRange(m, s, 0, L.nPtes, op.levelMask, only) : flushRange(m, s, op.lo, op.hi, op.levelMask, only);
      note(rec, n > 0 ? 'TLB entries dropped' : 'nothing cached');
      if (rec && (op.onlyOwnCpu || op.levelMask !== ALL_LEVELS)) {
        const kept = staleKinds(m, s, all ? 0 : op.lo, all ? L.nPtes : op.hi, op.levelMask, only);
        if (kept) note(rec, kept);
      }
      return 0;
    }
    case 'flush-pending-inc':
      s[GL.flushPending] = s[GL.flushPending]! + 1;
      s[th + TH.pendingBalance] = s[th + TH.pendingBalance]! + 1;
      note(rec, 'mm_tlb_flush_pending() set');
      return 0;
    case 'flush-pending-dec':
      if (s[GL.flushPending]! <= 0) {
        note(rec, 'dec_tlb_flush_pending() below zero');
        v = viol(m, 'flush-pending-balance');
        if (v) return v;
        return 0;
      }
      s[GL.flushPending] = s[GL.flushPending]! - 1;
      s[th + TH.pendingBalance] = s[th + TH.pendingBalance]! - 1;
      return 0;
    case 'flush-pending-read':
      setLast(m, s, t, s[GL.flushPending]! > 0 ? 1 : 0);
      return 0;
    case 'gather-init':
      if (op.fullmm && s[GL.mmLive] === 1) {
        v = viol(m, 'fullmm-dead-mm');
        if (v) {
          note(rec, 'fullmm gather on a live mm');
          return v;
        }
      }
      s[th + TH.gActive] = 1;
      s[th + TH.gFullmm] = op.fullmm ? 1 : 0;
      // __tlb_reset_range(): nothing to flush until tlb_remove_tlb_entry() or tlb_finish_mmu(start, end) widens it
      s[th + TH.gLo] = 0;
      s[th + TH.gHi] = op.fullmm ? L.nPtes : 0;
      s[th + TH.gDeferred] = 0;
      s[GL.flushPending] = s[GL.flushPending]! + 1;
      s[th + TH.pendingBalance] = s[th + TH.pendingBalance]! + 1;
      note(rec, 'mm_tlb_flush_pending() set');
      return 0;
    case 'gather-set-fullmm':
      // `tlb->fullmm = 1`: from here on the gather is a fullmm one (its flush covers the whole mm, or nothing on an
      // arch that elides it); on a live mm that is the same misuse as starting it fullmm.
      if (s[GL.mmLive] === 1) {
        v = viol(m, 'fullmm-dead-mm');
        if (v) {
          note(rec, 'tlb->fullmm set on a live mm');
          return v;
        }
      }
      s[th + TH.gFullmm] = 1;
      s[th + TH.gLo] = 0;
      s[th + TH.gHi] = L.nPtes;
      return 0;
    case 'gather-remove': {
      if (e >= 0) widen(s, th, e, e + 1);
      const pg = op.page;
      if (pg >= 0) s[th + TH.gDeferred] = s[th + TH.gDeferred]! | (1 << pg);
      return 0;
    }
    case 'gather-flush':
      gatherFlush(m, s, t, rec);
      gatherFreeDeferred(m, s, t, rec);
      if (s[th + TH.gFullmm] !== 1) {
        s[th + TH.gLo] = 0;
        s[th + TH.gHi] = 0;
      }
      return 0;
    case 'gather-finish':
      if (s[th + TH.gActive] !== 1) {
        note(rec, 'tlb_finish_mmu() without tlb_gather_mmu()');
        return viol(m, 'flush-pending-balance');
      }
      if (op.hasRange) widen(s, th, op.lo, op.hi);
      gatherFlush(m, s, t, rec);
      gatherFreeDeferred(m, s, t, rec);
      s[th + TH.gActive] = 0;
      s[th + TH.gFullmm] = 0;
      s[th + TH.gLo] = 0;
      s[th + TH.gHi] = 0;
      s[GL.flushPending] = s[GL.flushPending]! - 1;
      s[th + TH.pendingBalance] = s[th + TH.pendingBalance]! - 1;
      return 0;
    case 'notifier-range-init':
      s[th + TH.notifLo] = op.lo;
      s[th + TH.notifHi] = op.hi;
      return 0;
    case 'notifier-start': {
      if (op.blockable) {
        v = sleepCheck(m, s, t, 'blockable invalidate_range_start()', rec);
        if (v) return v;
      }
      const lo = op.hasRange ? op.lo : s[th + TH.notifLo]!;
      const hi = op.hasRange ? op.hi : s[th + TH.notifHi]!;
      s[GL.inProgress] = s[GL.inProgress]! + 1;
      invalidateSptes(m, s, lo, hi);
      if (s[th + TH.notifOpen] === 0) {
        s[th + TH.openLo] = lo;
        s[th + TH.openHi] = hi;
      }
      s[th + TH.notifOpen] = s[th + TH.notifOpen]! + 1;
      note(rec, 'secondary MMU invalidated');
      return 0;
    }
    case 'notifier-end': {
      const lo = op.hasRange ? op.lo : s[th + TH.notifLo]!;
      const hi = op.hasRange ? op.hi : s[th + TH.notifHi]!;
      if (s[th + TH.notifOpen] === 0) {
        note(rec, 'invalidate_range_end() without start');
        return viol(m, 'notifier-balance');
      }
      if (s[th + TH.notifOpen] === 1 && (s[th + TH.openLo] !== lo || s[th + TH.openHi] !== hi)) {
        v = viol(m, 'notifier-balance');
        if (v) {
          note(rec, 'end range differs from start range');
          return v;
        }
      }
      s[GL.inProgress] = s[GL.inProgress]! - 1;
      s[GL.seq] = s[GL.seq]! + 1;
      s[th + TH.notifOpen] = s[th + TH.notifOpen]! - 1;
      if (s[th + TH.notifOpen] === 0) {
        s[th + TH.openLo] = 0;
        s[th + TH.openHi] = 0;
      }
      return 0;
    }
    case 'notifier-invalidate': {
      const lo = op.hasRange ? op.lo : s[th + TH.notifLo]!;
      const hi = op.hasRange ? op.hi : s[th + TH.notifHi]!;
      invalidateSptes(m, s, lo, hi);
      return 0;
    }
    case 'notifier-change-pte': {
      if (!m.c.changePteCallback) {
        note(rec, 'change_pte() is a no-op');
        return 0;
      }
      const so = spteAt(L, e);
      if (s[so + TL.valid] !== 1) return 0;
      // With effects, the op carries the value about to be installed (set_pte_at_notify() calls change_pte()
      // before set_pte_at()): the thread's local value transformed by them. Without, the PTE as it is now.
      const val = op.effects !== 0 ? applyEffects(readLocal(m, s, t, e), op.effects, op.page >= 0 ? op.page : readLocal(m, s, t, e)[1]) : readPte(m, s, e);
      if (val[0] !== 1) {
        invalidateSptes(m, s, e, e + 1);
        return 0;
      }
      const pg = val[1];
      s[so + TL.page] = pg;
      s[so + TL.gen] = s[pageAt(L, pg) + PG.gen]!;
      s[so + TL.write] = val[2];
      note(rec, 'spte updated');
      return 0;
    }
    case 'page-free':
      freePage(m, s, op.page);
      note(rec, `${m.c.pages[op.page]} freed`);
      return 0;
    case 'page-dirty':
      s[pageAt(L, op.page) + PG.dirty] = 1;
      return 0;
    case 'page-mkclean': {
      const r = pageMkclean(m, s, t, op.page, rec);
      // folio_clear_dirty_for_io(): the PTEs' dirty bits went to PG_dirty; it is tested and cleared before the I/O.
      if (r === 0 && op.clearDirty) s[pageAt(L, op.page) + PG.dirty] = 0;
      return r;
    }
    case 'handle-userfault': {
      v = sleepCheck(m, s, t, 'handle_userfault()', rec);
      if (v) return v;
      if (holds(m, s, t, m.c.mmapLock)) release(m, s, t, m.c.mmapLock);
      setLast(m, s, t, 0);
      note(rec, 'VM_FAULT_RETRY, mmap_lock dropped');
      return 0;
    }
    case 'fault': {
      v = sleepCheck(m, s, t, 'the fault handler', rec);
      if (v) return v;
      const r = internalLock(m, s, t, m.c.pteLock[e]!, rec);
      if (r !== 0) return r;
      setLast(m, s, t, faultCore(m, s, t, e, op.write, rec));
      return 0;
    }
    case 'gup': {
      v = sleepCheck(m, s, t, 'get_user_pages()', rec);
      if (v) return v;
      const r = internalLock(m, s, t, m.c.pteLock[e]!, rec);
      if (r !== 0) return r;
      const po = pteAt(L, e);
      if (s[po + PT.present] === 1 && (!op.write || s[po + PT.write] === 1)) {
        if (op.fixfault) {
          s[po + PT.young] = 1;
          if (op.write) {
            s[po + PT.dirty] = 1;
            s[po + PT.softDirty] = 1;
          }
          note(rec, 'young/dirty fixed up as a fault would');
        } else note(rec, op.write ? 'PTE writable: success, dirty bit untouched' : 'PTE present: success');
        if (op.write) s[pageAt(L, s[po + PT.page]!) + PG.dirty] = 1;
        setLast(m, s, t, 1);
        return 0;
      }
      setLast(m, s, t, faultCore(m, s, t, e, op.write, rec));
      return 0;
    }
    case 'may-sleep':
      return sleepCheck(m, s, t, op.text, rec);
    case 'call':
    case 'lazy-mmu-enter':
    case 'lazy-mmu-leave':
    case 'pte-map':
    case 'pte-unmap':
    case 'pte-advance':
      return 0;
    case 'page-get':
      if (op.copy >= 0 && op.page >= 0) {
        const np = pageAt(L, op.page);
        if (s[np + PG.freed] === 1) {
          s[np + PG.freed] = 0;
          s[np + PG.gen] = s[np + PG.gen]! + 1;
        }
        s[np + PG.data] = s[pageAt(L, op.copy) + PG.data]!;
        s[np + PG.dirty] = 1;
        note(rec, `${m.c.pages[op.copy]} copied into ${m.c.pages[op.page]}`);
      }
      return 0;
    default:
      return 0;
  }
}

/**
 * The rmap walk (page_vma_mapped_walk) takes the PTL of every address that may map pg: PTEs mapping it now, and
 * non-present PTEs (possibly mid-update by a thread that cleared them under the PTL). BLOCKED if one is taken.
 */
export function rmapLock(m: Machine, s: Int32Array, t: number, pg: number, rec?: Recorder): number {
  for (let e = 0; e < m.L.nPtes; e++) {
    const po = pteAt(m.L, e);
    if (s[po + PT.present] === 0 || s[po + PT.page] === pg) {
      const r = internalLock(m, s, t, m.c.pteLock[e]!, rec);
      if (r !== 0) return r;
    }
  }
  return 0;
}

/** page_mkclean(): for each PTE mapping pg, under its PTL, write-protect + clean + flush when needed. */
function pageMkclean(m: Machine, s: Int32Array, t: number, pg: number, rec?: Recorder): number {
  const L = m.L;
  const r = rmapLock(m, s, t, pg, rec);
  if (r !== 0) return r;
  for (let e = 0; e < L.nPtes; e++) {
    const po = pteAt(L, e);
    if (s[po + PT.present] !== 1 || s[po + PT.page] !== pg) continue;
    const dirty = s[po + PT.dirty] === 1;
    const write = s[po + PT.write] === 1;
    const pending = m.c.mkcleanChecksPending && s[GL.flushPending]! > 0;
    if (dirty || write || pending) {
      if (dirty) s[pageAt(L, pg) + PG.dirty] = 1;
      const before = readPte(m, s, e);
      const val = applyEffects(before, 1 | 2, -1);
      writePte(m, s, t, e, before, val, 3);
      flushRange(m, s, e, e + 1);
      note(rec, `${dirty ? 'pte_dirty' : write ? 'pte_write' : 'mm_tlb_flush_pending'}: wrprotect, clean, flush`);
    } else {
      note(rec, `!pte_dirty && !pte_write${m.c.mkcleanChecksPending ? ' && !mm_tlb_flush_pending' : ''}: no flush`);
    }
  }
  return 0;
}

/** wp_page_copy(): stage 0 drops `releases`, sleeps, allocates and copies; stage 1 maps the copy under the PTL if pte_same. */
export function wpPageCopy(m: Machine, s: Int32Array, t: number, op: COp, rec?: Recorder): number {
  const L = m.L;
  const th = thAt(L, t);
  const e = op.pte;
  let v = 0;
  if (s[th + TH.stage] === 0) {
    for (const l of op.releases) {
      v = release(m, s, t, l, rec);
      if (v) return v;
    }
    v = sleepCheck(m, s, t, 'wp_page_copy()', rec);
    if (v) return v;
    if (s[localAt(L, t, e) + LV.valid] !== 1) snapshot(m, s, t, e);
    const orig = readLocal(m, s, t, e);
    const np = pageAt(L, op.page);
    s[np + PG.freed] = 0;
    s[np + PG.gen] = s[np + PG.gen]! + 1;
    s[np + PG.dirty] = 0;
    s[np + PG.data] = orig[1] >= 0 ? s[pageAt(L, orig[1]) + PG.data]! : 0;
    s[th + TH.stage] = 1;
    note(rec, `copied into ${m.c.pages[op.page]}`);
    return 0;
  }
  const r = internalLock(m, s, t, m.c.pteLock[e]!, rec);
  if (r !== 0) return r;
  if (pteSame(m, s, t, e)) {
    const before = readPte(m, s, e);
    const val: [number, number, number, number, number, number, number] = [1, op.page, 1, 1, 1, 0, 1];
    writePte(m, s, t, e, before, val, 0);
    flushRange(m, s, e, e + 1);
    invalidateSptes(m, s, e, e + 1);
    s[th + TH.last] = 1;
    note(rec, `pte_same: ${m.c.pages[op.page]} mapped writable`);
  } else {
    freePage(m, s, op.page);
    s[th + TH.last] = 0;
    note(rec, 'PTE changed: copy dropped');
  }
  s[th + TH.stage] = 0;
  s[th + TH.pc] = s[th + TH.pc]! + 1;
  return 0;
}

const KIND_TEXT: Record<number, string> = { 1: 'PTE-level TLB entry', 2: 'PMD-level (block) TLB entry', 4: 'walk-cache entry (cached page-table pointer)' };

/** For trace notes: a TLB entry in [lo, hi) that a narrow flush (levels / own CPU only) left in place. */
function staleKinds(m: Machine, s: Int32Array, lo: number, hi: number, levelMask: number, only: number): string | undefined {
  for (let t = 0; t < m.L.nThreads; t++) {
    for (let e = lo; e < hi; e++) {
      if (s[tlbAt(m.L, t, e) + TL.valid] !== 1) continue;
      const kind = m.c.pteLevel[e]!;
      const why = only >= 0 && t !== only ? 'this flush reaches only its own CPU' : (kind & levelMask) === 0 ? 'this flush does not cover that level' : undefined;
      if (why) return `CPU${t} keeps its ${KIND_TEXT[kind] ?? 'TLB entry'} for ${m.c.ptes[e]}: ${why}`;
    }
  }
  return undefined;
}

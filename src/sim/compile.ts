/**
 * Compile a validated scenario into index-resolved thread code and an initial packed state.
 */
import type { OpKind, PteEffect, FlushScope, TlbLevel } from '../core/ops.ts';
import { INVARIANTS } from '../core/sim-contract.ts';
import type { InvariantName } from '../core/sim-contract.ts';
import { isCtl } from './scenario.ts';
import type { CondTest, InstrSource, Scenario } from './scenario.ts';
import { GL, LV, PG, PT, TL, TH, makeLayout, pageAt, pteAt, spteAt, thAt, tlbAt } from './layout.ts';
import type { Layout } from './layout.ts';

export type LockKind = 'ptl' | 'spin' | 'mutex' | 'rwsem' | 'page';

export interface CLock {
  name: string;
  kind: LockKind;
  /** Holding it makes the holder atomic (no sleeping). */
  spinning: boolean;
}

/** TLB entry kind bits (a tlb-flush drops the entries whose bit is in its mask). */
export const LEVEL_BIT: Record<TlbLevel, number> = { pte: 1, pmd: 2, table: 4 };
export const ALL_LEVELS = Object.values(LEVEL_BIT).reduce((a, b) => a | b, 0);

/** Effect bits. */
export const EF: Record<PteEffect, number> = {
  wrprotect: 1, clean: 2, mkold: 4, clear: 8, mkwrite: 16, mkdirty: 32, mkyoung: 64, 'uffd-wp': 128, 'uffd-unwp': 256,
  'soft-dirty-clear': 512, 'new-page': 1024, prot: 2048, unknown: 4096,
};

export interface COp {
  kind: 'op';
  op: OpKind;
  pte: number;
  from: number;
  lock: number;
  page: number;
  mode: 'read' | 'write';
  effects: number;
  scope: FlushScope;
  fullmm: boolean;
  blockable: boolean;
  lo: number;
  hi: number;
  /** tlb-flush: bit mask of the TLB entry kinds dropped (LEVEL_BIT; all kinds by default). */
  levelMask: number;
  /** tlb-flush: reaches only the flushing thread's TLB. */
  onlyOwnCpu: boolean;
  /** A range or a pte was given (otherwise notifier ops use the thread's range, gathers the whole mm). */
  hasRange: boolean;
  write: boolean;
  fixfault: boolean;
  nofault: boolean;
  /** page-mkclean: clear PG_dirty after (default false); writeback: clear PG_dirty (default true). */
  clearDirty: boolean;
  releases: number[];
  /** page-get: page whose data the new page copies (-1: none). */
  copy: number;
  /** Trace text. */
  text: string;
  src?: InstrSource;
  /** Thread-local: fused into the next shared step. */
  local: boolean;
}

export type CInstr =
  | COp
  | { kind: 'label'; name: string }
  | { kind: 'goto'; target: number }
  | { kind: 'choose'; targets: number[]; names: string[] }
  | { kind: 'if'; test: CondTest; pte: number; negate: boolean; then: number; else: number; thread: number }
  | { kind: 'assume'; test: CondTest; pte: number; negate: boolean; thread: number };

export interface CThread {
  name: string;
  role: string;
  code: CInstr[];
  /** Bitmask over PTEs of `protects`. */
  protects: number;
}

export interface Compiled {
  scenario: Scenario;
  L: Layout;
  pages: string[];
  ptes: string[];
  locks: CLock[];
  pteLock: number[];
  /** Per PTE slot: the LEVEL_BIT of the TLB entries cached for it. */
  pteLevel: number[];
  threads: CThread[];
  mmapLock: number;
  mmuLock: number;
  /** checked[i] = 1 when INVARIANTS[i] is checked. */
  checked: Uint8Array;
  init: Int32Array;
  changePteCallback: boolean;
  mkcleanChecksPending: boolean;
  /** bounds.userStores / bounds.retries (0 = unbounded): exceeding one makes the run inconclusive. */
  maxUserStores: number;
  maxRetries: number;
}

const LOCAL_OPS: ReadonlySet<string> = new Set([
  'call', 'lazy-mmu-enter', 'lazy-mmu-leave', 'notifier-range-init', 'pte-map', 'pte-unmap', 'pte-advance', 'page-get', 'may-sleep',
]);

/** Kernel-style text for an op (used when the instruction has no label or source text). */
function opText(op: OpKind, i: { pte?: string; page?: string; lock?: string; mode?: string; effects?: PteEffect[]; scope?: string; fullmm?: boolean; write?: boolean; fixfault?: boolean; clearDirty?: boolean }): string {
  const pte = i.pte ?? '';
  switch (op) {
    case 'lock': return `lock(${i.lock})`;
    case 'trylock': return `trylock(${i.lock})`;
    case 'unlock': return `unlock(${i.lock})`;
    case 'pte-map-lock': return `pte_offset_map_lock(${pte})`;
    case 'pte-unmap-unlock': return `pte_unmap_unlock(${pte})`;
    case 'pte-read': return `ptep_get(${pte})`;
    case 'pte-same': return `pte_same(${pte})`;
    case 'pte-set': return `set_pte_at(${pte}${i.effects?.length ? `, ${i.effects.join('+')}` : ''})`;
    case 'pte-clear': return `ptep_get_and_clear(${pte})`;
    case 'pte-clear-flush': return `ptep_clear_flush(${pte})`;
    case 'pte-modify-start': return `ptep_modify_prot_start(${pte})`;
    case 'pte-modify-commit': return `ptep_modify_prot_commit(${pte}${i.effects?.length ? `, ${i.effects.join('+')}` : ''})`;
    case 'pte-wrprotect': return `ptep_set_wrprotect(${pte})`;
    case 'pte-mkold': return `ptep_test_and_clear_young(${pte})`;
    case 'pte-set-access-flags': return `ptep_set_access_flags(${pte})`;
    case 'tlb-flush': return i.scope === 'page' ? `flush_tlb_page(${pte})` : i.scope === 'mm' || i.scope === 'all' ? 'flush_tlb_mm()' : 'flush_tlb_range()';
    case 'flush-pending-inc': return 'inc_tlb_flush_pending()';
    case 'flush-pending-dec': return 'dec_tlb_flush_pending()';
    case 'flush-pending-read': return 'mm_tlb_flush_pending()';
    case 'gather-init': return i.fullmm ? 'tlb_gather_mmu_fullmm()' : 'tlb_gather_mmu()';
    case 'gather-set-fullmm': return 'tlb->fullmm = 1';
    case 'gather-remove': return `tlb_remove_tlb_entry(${pte || i.page || ''})`;
    case 'gather-flush': return 'tlb_flush_mmu()';
    case 'gather-finish': return 'tlb_finish_mmu()';
    case 'notifier-range-init': return 'mmu_notifier_range_init()';
    case 'notifier-start': return 'mmu_notifier_invalidate_range_start()';
    case 'notifier-end': return 'mmu_notifier_invalidate_range_end()';
    case 'notifier-invalidate': return 'mmu_notifier_invalidate_range()';
    case 'notifier-change-pte': return `mmu_notifier_change_pte(${pte})`;
    case 'page-free': return `put_page(${i.page})`;
    case 'page-dirty': return `set_page_dirty(${i.page})`;
    case 'page-mkclean': return `${i.clearDirty ? 'folio_clear_dirty_for_io' : 'page_mkclean'}(${i.page})`;
    case 'page-get': return `get_page(${i.page})`;
    case 'wp-page-copy': return `wp_page_copy(${pte})`;
    case 'handle-userfault': return 'handle_userfault()';
    case 'uffd-wp-check': return `pte_uffd_wp(${pte})`;
    case 'fault': return `handle_mm_fault(${pte}${i.write ? ', WRITE' : ''})`;
    case 'gup': return `get_user_pages(${pte}${i.write ? ', FOLL_WRITE' : ''}${i.fixfault ? ' | FOLL_FIXFAULT' : ''})`;
    case 'pte-fixup-young-dirty': return `handle_pte_sw_young_dirty(${pte})`;
    case 'mmap-lock': return i.mode === 'write' ? 'mmap_write_lock()' : 'mmap_read_lock()';
    case 'mmap-unlock': return i.mode === 'write' ? 'mmap_write_unlock()' : 'mmap_read_unlock()';
    case 'tlb-fill': return `[TLB fill ${pte}]`;
    case 'user-load': return `read ${pte}`;
    case 'user-store': return `write to ${pte}`;
    case 'kvm-fault': return `kvm page fault (${pte})`;
    case 'guest-access': return `guest ${i.write ? 'write' : 'read'} via spte (${pte})`;
    case 'writeback': return 'write page to disk';
    case 'reclaim-drop': return 'drop clean page';
    case 'page-reuse': return `reuse ${i.page}`;
    case 'age': return `ptep_clear_young(${pte})`;
    default: return op.replace(/-/g, '_') + '()';
  }
}

/** Compile a scenario (already validated by parseScenario). */
export function compile(s: Scenario): Compiled {
  const pages = s.init.pages.map((p) => p.name);
  const ptes = s.init.ptes.map((p) => p.name);
  const locks: CLock[] = [];
  const lockIdx = new Map<string, number>();
  const addLock = (name: string, kind: LockKind): void => {
    if (lockIdx.has(name)) return;
    lockIdx.set(name, locks.length);
    locks.push({ name, kind, spinning: kind === 'ptl' || kind === 'spin' });
  };
  for (const p of s.init.ptes) addLock(p.table ?? 'ptl0', 'ptl');
  addLock('mmap_lock', 'rwsem');
  addLock('mmu_lock', 'spin');
  for (const l of s.init.locks ?? []) addLock(l.name, l.kind);
  for (const p of pages) addLock(p, 'page');
  const pteIdx = (r: string | undefined): number => (r === undefined ? -1 : ptes.indexOf(r));
  const threadIdx = (r: string | undefined): number => (r === undefined ? -1 : s.threads.findIndex((t) => t.name === r));
  const pageIdx = (r: string | undefined): number => (r === undefined ? -1 : pages.indexOf(r));
  const lk = (r: string | undefined): number => (r === undefined ? -1 : (lockIdx.get(r) ?? -1));
  const pteLock = s.init.ptes.map((p) => lk(p.table ?? 'ptl0'));
  const pteLevel = s.init.ptes.map((p) => LEVEL_BIT[p.level ?? 'pte']);
  const nPtes = ptes.length;

  const threads: CThread[] = s.threads.map((t) => {
    const labels = new Map<string, number>();
    t.program.forEach((ins, k) => {
      if (isCtl(ins) && ins.ctl === 'label') labels.set(ins.name, k);
    });
    const L = (n: string): number => labels.get(n) ?? t.program.length;
    const code: CInstr[] = t.program.map((ins, k): CInstr => {
      if (isCtl(ins)) {
        switch (ins.ctl) {
          case 'label': return { kind: 'label', name: ins.name };
          case 'goto': return { kind: 'goto', target: L(ins.to) };
          case 'choose': return { kind: 'choose', targets: ins.to.map(L), names: ins.to };
          case 'if':
            return { kind: 'if', test: ins.cond.test, pte: pteIdx(ins.cond.pte ?? ptes[0]), negate: ins.cond.negate ?? false, then: L(ins.then), else: ins.else ? L(ins.else) : k + 1, thread: threadIdx(ins.cond.thread) };
          case 'assume':
            return { kind: 'assume', test: ins.cond.test, pte: pteIdx(ins.cond.pte ?? ptes[0]), negate: ins.cond.negate ?? false, thread: threadIdx(ins.cond.thread) };
        }
      }
      let effects = 0;
      for (const e of ins.effects ?? []) effects |= EF[e];
      const [lo, hi] = ins.range ?? (ins.pte !== undefined ? [pteIdx(ins.pte), pteIdx(ins.pte) + 1] : [0, nPtes]);
      const lockName = ins.lock ?? (ins.op === 'mmap-lock' || ins.op === 'mmap-unlock' ? 'mmap_lock' : undefined);
      const op: COp = {
        kind: 'op', op: ins.op, pte: pteIdx(ins.pte), from: pteIdx(ins.from), lock: lk(lockName), page: pageIdx(ins.page),
        mode: ins.mode ?? (ins.op === 'mmap-lock' || ins.op === 'mmap-unlock' ? 'read' : 'write'), effects,
        scope: ins.scope ?? (ins.pte !== undefined && ins.range === undefined ? 'page' : 'range'), fullmm: ins.fullmm ?? false,
        blockable: ins.blockable ?? true, hasRange: ins.range !== undefined || ins.pte !== undefined, lo: Math.min(lo, nPtes), hi: Math.min(hi, nPtes), write: ins.write ?? false,
        levelMask: ins.levels ? ins.levels.reduce((a, l) => a | LEVEL_BIT[l], 0) : ALL_LEVELS, onlyOwnCpu: ins.cpus === 'local',
        fixfault: ins.fixfault ?? false, nofault: ins.nofault ?? false, clearDirty: ins.clearDirty ?? ins.op === 'writeback', releases: (ins.releases ?? []).map(lk), copy: pageIdx(ins.copy),
        text: ins.label ?? ins.src?.text?.trim() ?? opText(ins.op, ins), local: LOCAL_OPS.has(ins.op) && ins.copy === undefined,
      };
      if (ins.src !== undefined) op.src = ins.src;
      return op;
    });
    let protects = 0;
    for (const r of t.protects ?? []) protects |= 1 << pteIdx(r);
    return { name: t.name, role: t.role, code, protects };
  });

  const Lay = makeLayout(pages.length, nPtes, locks.length, threads.length);
  const init = new Int32Array(Lay.size);
  init[GL.mmLive] = s.init.mmLive === false ? 0 : 1;
  s.init.pages.forEach((p, i) => {
    const o = pageAt(Lay, i);
    init[o + PG.dirty] = p.dirty ? 1 : 0;
    init[o + PG.freed] = p.free ? 1 : 0;
  });
  s.init.ptes.forEach((p, i) => {
    const o = pteAt(Lay, i);
    init[o + PT.page] = -1;
    if (p.page !== null) {
      init[o + PT.present] = 1;
      init[o + PT.page] = pageIdx(p.page);
      init[o + PT.write] = p.write === false ? 0 : 1;
      init[o + PT.dirty] = p.dirty ? 1 : 0;
      init[o + PT.young] = p.young === false ? 0 : 1;
      init[o + PT.uffdWp] = p.uffdWp ? 1 : 0;
    }
    const so = spteAt(Lay, i);
    init[so + TL.page] = -1;
    for (let t = 0; t < threads.length; t++) {
      init[tlbAt(Lay, t, i) + TL.page] = -1;
      init[thAt(Lay, t) + Lay.localOff + i * LV.SIZE + LV.page] = -1;
    }
  });
  for (const e of s.init.tlb ?? []) {
    const t = threads.findIndex((x) => x.name === e.thread);
    const p = pteIdx(e.pte);
    const po = pteAt(Lay, p);
    if (init[po + PT.present] !== 1) continue;
    const o = tlbAt(Lay, t, p);
    init[o + TL.valid] = 1;
    init[o + TL.page] = init[po + PT.page]!;
    init[o + TL.write] = init[po + PT.write]!;
    init[o + TL.dirty] = init[po + PT.dirty]!;
    init[o + TL.young] = init[po + PT.young]!;
  }
  for (const e of s.init.sptes ?? []) {
    const p = pteIdx(e.pte);
    const po = pteAt(Lay, p);
    if (init[po + PT.present] !== 1) continue;
    const o = spteAt(Lay, p);
    init[o + TL.valid] = 1;
    init[o + TL.page] = init[po + PT.page]!;
    init[o + TL.write] = e.write === false ? 0 : init[po + PT.write]!;
  }
  for (let t = 0; t < threads.length; t++) {
    const o = thAt(Lay, t);
    init[o + TH.notifLo] = 0;
    init[o + TH.notifHi] = nPtes;
  }
  const checked = new Uint8Array(INVARIANTS.length);
  const want: readonly InvariantName[] = s.invariants ?? INVARIANTS;
  for (const n of want) checked[INVARIANTS.indexOf(n)] = 1;
  return {
    scenario: s, L: Lay, pages, ptes, locks, pteLock, pteLevel, threads, mmapLock: lk('mmap_lock'), mmuLock: lk('mmu_lock'), checked, init,
    changePteCallback: (s.params?.changePteEra ?? 'callback') === 'callback',
    mkcleanChecksPending: s.params?.mkcleanChecksPending ?? false,
    maxUserStores: s.bounds?.userStores ?? 0,
    maxRetries: s.bounds?.retries ?? 0,
  };
}

/**
 * Export a scenario to Promela for an independent check with SPIN: the same state variables, each op's semantics as
 * a d_step (straight-line code generated per PTE), each checked invariant as an assertion `assert(viol != K)` with
 * K = invariant index + 1, deadlock as SPIN's invalid end state, livelock as a (weakly fair) non-progress cycle.
 */
import { INVARIANTS } from '../core/sim-contract.ts';
import type { Arch, InvariantName } from '../core/sim-contract.ts';
import { archModel } from './arch.ts';
import type { ArchModel } from './arch.ts';
import { ALL_LEVELS, EF, compile } from './compile.ts';
import type { CInstr, COp, Compiled } from './compile.ts';
import { GL, LK, LV, PG, PT, TH, TL, lockAt, localAt, pageAt, pteAt, spteAt, thAt, tlbAt } from './layout.ts';
import type { Scenario } from './scenario.ts';

interface Gen {
  c: Compiled;
  a: ArchModel;
  E: number;
  T: number;
}

const K = (name: InvariantName): number => INVARIANTS.indexOf(name) + 1;

/** Code that records a violation of `name` (nothing when the scenario does not check it). */
function fail(g: Gen, name: InvariantName): string {
  return g.c.checked[K(name) - 1] === 1 ? `viol = ${K(name)}` : 'skip';
}

const ti = (g: Gen, t: number, e: number): number => t * g.E + e;

function holdsExpr(t: number, l: number): string {
  return `(lk_owner[${l}] == ${t + 1} || ((lk_readers[${l}] >> ${t}) & 1) == 1)`;
}

function holdsSpin(g: Gen, t: number): string {
  const xs = g.c.locks.map((l, i) => (l.spinning ? holdsExpr(t, i) : '')).filter((x) => x);
  return xs.length ? `(${xs.join(' || ')})` : 'false';
}

function flush(g: Gen, lo: number, hi: number, levelMask = ALL_LEVELS, only = -1): string {
  const out: string[] = [];
  // Arch flush coverage is static (entry kinds per slot, own CPU only): the entries it keeps are left out here.
  for (let t = 0; t < g.T; t++) for (let e = lo; e < hi; e++) if ((only < 0 || t === only) && (g.c.pteLevel[e]! & levelMask) !== 0) out.push(`tv[${ti(g, t, e)}] = 0; tp[${ti(g, t, e)}] = -1; tg[${ti(g, t, e)}] = 0; tw[${ti(g, t, e)}] = 0; td[${ti(g, t, e)}] = 0; ty[${ti(g, t, e)}] = 0`);
  return out.join(';\n    ') || 'skip';
}

function invalidate(lo: number, hi: number): string {
  const out: string[] = [];
  for (let e = lo; e < hi; e++) out.push(`s_v[${e}] = 0; s_p[${e}] = -1; s_g[${e}] = 0; s_w[${e}] = 0`);
  return out.join('; ') || 'skip';
}

function snapshot(g: Gen, t: number, e: number): string {
  const i = ti(g, t, e);
  return `lv[${i}] = 1; lpr[${i}] = pt_pr[${e}]; lpg[${i}] = pt_pg[${e}]; lw[${i}] = pt_w[${e}]; ld[${i}] = pt_d[${e}]; ly[${i}] = pt_y[${e}]; lu[${i}] = pt_u[${e}]; ls[${i}] = pt_s[${e}]`;
}

function sameExpr(g: Gen, t: number, e: number): string {
  const i = ti(g, t, e);
  return `(lv[${i}] == 1 && lpr[${i}] == pt_pr[${e}] && lpg[${i}] == pt_pg[${e}] && lw[${i}] == pt_w[${e}] && ld[${i}] == pt_d[${e}] && ly[${i}] == pt_y[${e}] && lu[${i}] == pt_u[${e}] && ls[${i}] == pt_s[${e}])`;
}

function pteNone(e: number): string {
  return `pt_pr[${e}] = 0; pt_pg[${e}] = -1; pt_w[${e}] = 0; pt_d[${e}] = 0; pt_y[${e}] = 0; pt_u[${e}] = 0; pt_s[${e}] = 0`;
}

function clearMark(g: Gen, e: number, k: number): string {
  const out = [`pt_mark[${e}] = pt_mark[${e}] & ${~k & 7}`];
  for (let t = 0; t < g.T; t++) out.push(`pmark[${t}] = pmark[${t}] & ${~(k << (e * 3))}`);
  return out.join('; ');
}

const addPending = (t: number, e: number, k: number): string => `pmark[${t}] = pmark[${t}] | ${k << (e * 3)}`;

/** Load `b_*` temps from the local value of (t, e) (falling back to the PTE). */
function loadLocal(g: Gen, t: number, e: number): string {
  const i = ti(g, t, e);
  return `if :: lv[${i}] == 1 -> b_pr = lpr[${i}]; b_pg = lpg[${i}]; b_w = lw[${i}]; b_d = ld[${i}]; b_y = ly[${i}]; b_u = lu[${i}]; b_s = ls[${i}]
       :: else -> b_pr = pt_pr[${e}]; b_pg = pt_pg[${e}]; b_w = pt_w[${e}]; b_d = pt_d[${e}]; b_y = pt_y[${e}]; b_u = pt_u[${e}]; b_s = pt_s[${e}] fi`;
}
const loadPte = (e: number): string => `b_pr = pt_pr[${e}]; b_pg = pt_pg[${e}]; b_w = pt_w[${e}]; b_d = pt_d[${e}]; b_y = pt_y[${e}]; b_u = pt_u[${e}]; b_s = pt_s[${e}]`;

/** n_* = effects applied to b_*. */
function effects(fx: number, newPage: string): string {
  const out = ['n_pr = b_pr; n_pg = b_pg; n_w = b_w; n_d = b_d; n_y = b_y; n_u = b_u; n_s = b_s'];
  if (fx & EF.clear) return 'n_pr = 0; n_pg = -1; n_w = 0; n_d = 0; n_y = 0; n_u = 0; n_s = 0';
  if (fx & EF['new-page']) out.push(`n_pr = 1; n_pg = ${newPage}; n_y = 1`);
  if (fx & (EF.wrprotect | EF.prot)) out.push('n_w = 0');
  if (fx & EF.clean) out.push('n_d = 0');
  if (fx & EF.mkold) out.push('n_y = 0');
  if (fx & EF.mkwrite) out.push('n_w = 1');
  if (fx & EF.mkdirty) out.push('n_d = 1; n_s = 1');
  if (fx & EF.mkyoung) out.push('n_y = 1');
  if (fx & EF['uffd-wp']) out.push('n_u = 1; n_w = 0');
  if (fx & EF['uffd-unwp']) out.push('n_u = 0');
  if (fx & EF['soft-dirty-clear']) out.push('n_s = 0');
  out.push('if :: n_pr == 0 -> n_pg = -1; n_w = 0; n_d = 0; n_y = 0; n_u = 0; n_s = 0 :: else -> skip fi');
  return out.join('; ');
}

/** Store n_* into PTE e with the mark bookkeeping of machine.ts writePte (before = b_*). */
function writePte(g: Gen, t: number, e: number, fx: number): string {
  const out = [
    `pt_pr[${e}] = n_pr; pt_pg[${e}] = n_pg; pt_w[${e}] = n_w; pt_d[${e}] = n_d; pt_y[${e}] = n_y; pt_u[${e}] = n_u; pt_s[${e}] = n_s`,
    `if :: (b_pr == 1 && n_pr == 0) -> ${addPending(t, e, 4)} :: else -> skip fi`,
    `if :: (b_w == 1 && n_w == 0 && n_pr == 1) -> if :: (n_u == 1 && b_u == 0) -> ${addPending(t, e, 3)} :: else -> ${addPending(t, e, 1)} fi :: else -> skip fi`,
    `if :: n_pr == 1 -> ${clearMark(g, e, 4)} :: else -> skip fi`,
    `if :: (n_pr == 1 && n_w == 1 && b_w == 0) -> ${clearMark(g, e, 1)} :: else -> skip fi`,
  ];
  if (fx & EF['uffd-wp']) out.push(`if :: n_pr == 1 -> ${addPending(t, e, 2)} :: else -> skip fi`);
  if (fx & EF['uffd-unwp']) out.push(clearMark(g, e, 2));
  return out.join(';\n    ');
}

function fillTlb(g: Gen, t: number, e: number): string {
  const i = ti(g, t, e);
  return `if :: pt_pr[${e}] == 1 -> tv[${i}] = 1; tp[${i}] = pt_pg[${e}]; tg[${i}] = pg_gen[pt_pg[${e}]]; tw[${i}] = pt_w[${e}]; td[${i}] = pt_d[${e}]; ty[${i}] = pt_y[${e}]
       :: else -> tv[${i}] = 0; tp[${i}] = -1; tg[${i}] = 0; tw[${i}] = 0; td[${i}] = 0; ty[${i}] = 0 fi`;
}

/** Fault handler into `ok` (fault.ts faultCore). */
function faultCore(g: Gen, t: number, e: number, write: boolean): string {
  const w = write
    ? `if :: pt_w[${e}] != 1 -> if :: pt_u[${e}] == 1 -> ok = 0 :: else -> pt_w[${e}] = 1; ${clearMark(g, e, 1)} fi :: else -> skip fi;
       if :: ok == 1 -> pt_d[${e}] = 1; pt_s[${e}] = 1; pg_dirty[pt_pg[${e}]] = 1 :: else -> skip fi`
    : 'skip';
  return `if :: pt_pr[${e}] != 1 -> ok = 0
       :: else -> ok = 1; pt_y[${e}] = 1; ${w};
          if :: ok == 1 -> ${fillTlb(g, t, e)} :: else -> skip fi fi`;
}

const freePage = (pg: string): string => `if :: pg_freed[${pg}] == 0 -> pg_freed[${pg}] = 1; pg_gen[${pg}] = pg_gen[${pg}] + 1 :: else -> skip fi`;

/** Lock free for an internal take by t (guard part). */
const lockFreeFor = (t: number, l: number): string => `((lk_owner[${l}] == 0 && lk_readers[${l}] == 0) || ${holdsExpr(t, l)})`;
/** Body part: double take by t is a violation. */
const selfDeadlock = (g: Gen, t: number, l: number): string => `if :: ${holdsExpr(t, l)} -> ${fail(g, 'lock-balance')} :: else -> skip fi`;

function sleepCheck(g: Gen, t: number): string {
  return `if :: ${holdsSpin(g, t)} -> ${fail(g, 'no-sleep-in-atomic')} :: else -> skip fi`;
}

function ptlCheck(g: Gen, t: number, e: number): string {
  return `if :: !${holdsExpr(t, g.c.pteLock[e]!)} -> ${fail(g, 'pte-under-ptl')} :: else -> skip fi`;
}

function acquire(g: Gen, t: number, l: number, mode: 'read' | 'write'): { guard: string; body: string } {
  const lock = g.c.locks[l]!;
  const sleep = !lock.spinning ? `if :: ${holdsSpin(g, t)} -> ${fail(g, 'no-sleep-in-atomic')} :: else -> skip fi; ` : '';
  const read = lock.kind === 'rwsem' && mode === 'read';
  const free = read ? `lk_owner[${l}] == 0` : `(lk_owner[${l}] == 0 && lk_readers[${l}] == 0)`;
  const take = read ? `lk_readers[${l}] = lk_readers[${l}] | ${1 << t}` : `lk_owner[${l}] = ${t + 1}`;
  const dbl = g.c.checked[K('lock-balance') - 1] === 1;
  return {
    guard: dbl ? `(${free} || ${holdsExpr(t, l)})` : `(${free} && !${holdsExpr(t, l)})`,
    body: `if :: ${holdsExpr(t, l)} -> ${fail(g, 'lock-balance')} :: else -> ${sleep}if :: viol == 0 -> ${take} :: else -> skip fi fi`,
  };
}

function release(g: Gen, t: number, l: number): string {
  return `if :: lk_owner[${l}] == ${t + 1} -> lk_owner[${l}] = 0
       :: ((lk_readers[${l}] >> ${t}) & 1) == 1 -> lk_readers[${l}] = lk_readers[${l}] & ${~(1 << t)}
       :: else -> ${fail(g, 'lock-balance')} fi`;
}

/** PTL indexes the rmap walk of page `pg` must take (PTEs mapping it or not present): a guard over all of them. */
function rmapGuard(g: Gen, t: number, pg: number): string {
  const parts: string[] = [];
  for (let e = 0; e < g.E; e++) parts.push(`((pt_pr[${e}] == 1 && pt_pg[${e}] != ${pg}) || ${lockFreeFor(t, g.c.pteLock[e]!)})`);
  return parts.join(' && ') || 'true';
}
function rmapSelf(g: Gen, t: number, pg: number): string {
  const parts: string[] = [];
  for (let e = 0; e < g.E; e++) parts.push(`if :: ((pt_pr[${e}] == 0 || pt_pg[${e}] == ${pg}) && ${holdsExpr(t, g.c.pteLock[e]!)}) -> ${fail(g, 'lock-balance')} :: else -> skip fi`);
  return parts.join('; ') || 'skip';
}

function gatherFlush(g: Gen, t: number): string {
  const flushAll: string[] = [];
  for (let e = 0; e < g.E; e++) flushAll.push(`if :: (glo[${t}] <= ${e} && ${e} < ghi[${t}]) -> ${flush(g, e, e + 1)} :: else -> skip fi`);
  const body = flushAll.join(';\n    ') || 'skip';
  return g.a.fullmmSkipsFlush ? `if :: gfull[${t}] == 1 -> skip :: else -> ${body} fi` : body;
}
function gatherFree(g: Gen, t: number): string {
  const out: string[] = [];
  for (let p = 0; p < g.c.pages.length; p++) out.push(`if :: ((gdef[${t}] >> ${p}) & 1) == 1 -> ${freePage(String(p))} :: else -> skip fi`);
  out.push(`gdef[${t}] = 0`);
  return out.join('; ');
}
function widen(t: number, lo: number, hi: number): string {
  if (hi <= lo) return 'skip';
  return `if :: ghi[${t}] <= glo[${t}] -> glo[${t}] = ${lo}; ghi[${t}] = ${hi}
       :: else -> if :: glo[${t}] > ${lo} -> glo[${t}] = ${lo} :: else -> skip fi; if :: ghi[${t}] < ${hi} -> ghi[${t}] = ${hi} :: else -> skip fi fi`;
}

/** User access (ops-hw.ts userAccess): guard (blocked only when the fault path needs a taken PTL) and body. */
function userAccess(g: Gen, t: number, op: COp, store: boolean): { guard: string; body: string } {
  const e = op.pte;
  const i = ti(g, t, e);
  const hw = g.a.hwAccessDirty;
  const hit = store ? `(tv[${i}] == 1 && tw[${i}] == 1 && td[${i}] == 1)` : hw ? `(tv[${i}] == 1)` : `(tv[${i}] == 1 && ty[${i}] == 1)`;
  const walkOk = hw ? `(pt_pr[${e}] == 1 && ${store ? `pt_w[${e}] == 1` : 'true'})` : `(pt_pr[${e}] == 1 && pt_y[${e}] == 1 && ${store ? `pt_w[${e}] == 1 && pt_d[${e}] == 1` : 'true'})`;
  const l = g.c.pteLock[e]!;
  const needsFault = `(!${hit} && !${walkOk})`;
  const guard = op.nofault ? 'true' : `(!${needsFault} || ${lockFreeFor(t, l)})`;
  const commit = (pg: string, gen: string): string => {
    const mk = store ? `(pt_mark[${e}] & 7) != 0` : `(pt_mark[${e}] & 4) != 0`;
    return `if :: (pg_freed[${pg}] == 1 || pg_gen[${pg}] != ${gen}) -> ${fail(g, 'no-stale-access')} :: else -> skip fi;
    if :: (viol == 0 && ${mk}) -> ${fail(g, 'write-protect-holds')} :: else -> skip fi;
    if :: viol == 0 -> ${store ? `store_ctr = store_ctr + 1; pg_data[${pg}] = store_ctr; pt_last[${e}] = store_ctr; ` : ''}last[${t}] = 1 :: else -> skip fi`;
  };
  const walkFill = hw ? `pt_y[${e}] = 1; ${store ? `pt_d[${e}] = 1; pt_s[${e}] = 1; ` : ''}${fillTlb(g, t, e)}` : fillTlb(g, t, e);
  const faultPath = op.nofault
    ? `last[${t}] = 0`
    : `${selfDeadlock(g, t, l)}; if :: viol == 0 -> ${faultCore(g, t, e, store)};
       if :: ok == 1 -> tmp_pg = tp[${i}]; tmp_gen = tg[${i}]; ${commit('tmp_pg', 'tmp_gen')} :: else -> last[${t}] = 0 fi :: else -> skip fi`;
  const body = `if :: ${hit} -> tmp_pg = tp[${i}]; tmp_gen = tg[${i}]; ${commit('tmp_pg', 'tmp_gen')}
    :: else -> if :: ${walkOk} -> ${walkFill}; tmp_pg = tp[${i}]; tmp_gen = tg[${i}]; ${commit('tmp_pg', 'tmp_gen')}
       :: else -> tv[${i}] = 0; tp[${i}] = -1; tg[${i}] = 0; tw[${i}] = 0; td[${i}] = 0; ty[${i}] = 0; ${faultPath} fi fi`;
  return { guard, body };
}

/** One op as a (guard, body) pair; staged ops return two blocks. */
function opCode(g: Gen, t: number, op: COp, pcLabel: string): string {
  const e = op.pte;
  const block = (guard: string, body: string): string => `d_step { ${guard} -> \n    ${body};\n    CHECK;\n    tmp_pg = 0; tmp_gen = 0; ok = 0; b_pr = 0; b_pg = 0; b_w = 0; b_d = 0; b_y = 0; b_u = 0; b_s = 0; n_pr = 0; n_pg = 0; n_w = 0; n_d = 0; n_y = 0; n_u = 0; n_s = 0 }`;
  const simple = (body: string): string => block('true', body);
  const ptl = e >= 0 ? g.c.pteLock[e]! : -1;
  switch (op.op) {
    case 'lock': case 'mmap-lock': case 'pte-map-lock': {
      const l = op.op === 'lock' ? op.lock : op.op === 'mmap-lock' ? g.c.mmapLock : ptl;
      const a = acquire(g, t, l, op.op === 'pte-map-lock' ? 'write' : op.mode);
      return block(a.guard, a.body);
    }
    case 'trylock': {
      const lk = g.c.locks[op.lock]!;
      const read = lk.kind === 'rwsem' && op.mode === 'read';
      const free = read ? `lk_owner[${op.lock}] == 0` : `(lk_owner[${op.lock}] == 0 && lk_readers[${op.lock}] == 0)`;
      const take = read ? `lk_readers[${op.lock}] = lk_readers[${op.lock}] | ${1 << t}` : `lk_owner[${op.lock}] = ${t + 1}`;
      return simple(`if :: ${holdsExpr(t, op.lock)} -> ${fail(g, 'lock-balance')}; last[${t}] = 0 :: ${free} -> ${take}; last[${t}] = 1 :: else -> last[${t}] = 0 fi`);
    }
    case 'unlock': return simple(release(g, t, op.lock));
    case 'mmap-unlock': return simple(release(g, t, g.c.mmapLock));
    case 'pte-unmap-unlock': return simple(release(g, t, ptl));
    case 'pte-read': return simple(snapshot(g, t, e));
    case 'pte-same': return simple(`if :: ${sameExpr(g, t, e)} -> last[${t}] = 1 :: else -> last[${t}] = 0 fi`);
    case 'uffd-wp-check': return simple(`last[${t}] = pt_u[${e}]`);
    case 'pte-set': case 'pte-modify-commit': case 'pte-set-access-flags': {
      const src = op.from >= 0 ? op.from : e;
      const fx = op.op === 'pte-set-access-flags' ? op.effects | EF.mkyoung | (op.write ? EF.mkdirty : 0) : op.effects;
      const compute = `${loadLocal(g, t, src)}; ${effects(fx, op.page >= 0 ? String(op.page) : 'b_pg')}${op.from >= 0 ? `; ${loadPte(e)}` : ''}`;
      return simple(`${ptlCheck(g, t, e)}; if :: viol == 0 -> ${compute};\n    ${writePte(g, t, e, fx)} :: else -> skip fi`);
    }
    case 'pte-clear': case 'pte-clear-flush': case 'pte-modify-start': {
      const pend = op.op === 'pte-modify-start' ? 'skip' : `if :: pt_pr[${e}] == 1 -> ${addPending(t, e, 4)} :: else -> skip fi`;
      const fl = op.op === 'pte-clear-flush' ? flush(g, e, e + 1) : 'skip';
      return simple(`${ptlCheck(g, t, e)}; if :: viol == 0 -> ${snapshot(g, t, e)}; ${pend}; ${pteNone(e)}; ${fl} :: else -> skip fi`);
    }
    case 'pte-wrprotect': {
      const fx = op.effects | EF.wrprotect;
      return simple(`${ptlCheck(g, t, e)}; if :: viol == 0 -> ${loadPte(e)}; ${effects(fx, 'b_pg')};\n    ${writePte(g, t, e, fx)} :: else -> skip fi`);
    }
    case 'pte-mkold': return simple(`${ptlCheck(g, t, e)}; if :: viol == 0 -> last[${t}] = pt_y[${e}]; pt_y[${e}] = 0 :: else -> skip fi`);
    case 'pte-fixup-young-dirty':
      return simple(`${ptlCheck(g, t, e)}; if :: (viol == 0 && pt_pr[${e}] == 1) -> pt_y[${e}] = 1; ${op.write ? `if :: pt_w[${e}] == 1 -> pt_d[${e}] = 1; pt_s[${e}] = 1 :: else -> skip fi` : 'skip'} :: else -> skip fi`);
    case 'tlb-flush': {
      const all = op.scope === 'mm' || op.scope === 'all' || op.scope === 'batched-pending';
      const only = op.onlyOwnCpu ? t : -1;
      return simple(all ? flush(g, 0, g.E, op.levelMask, only) : flush(g, op.lo, op.hi, op.levelMask, only));
    }
    case 'flush-pending-inc': return simple(`fpend = fpend + 1; pbal[${t}] = pbal[${t}] + 1`);
    case 'flush-pending-dec': return simple(`if :: fpend == 0 -> ${fail(g, 'flush-pending-balance')} :: else -> fpend = fpend - 1; pbal[${t}] = pbal[${t}] - 1 fi`);
    case 'flush-pending-read': return simple(`if :: fpend > 0 -> last[${t}] = 1 :: else -> last[${t}] = 0 fi`);
    case 'gather-init': {
      const chk = op.fullmm ? `if :: mm_live == 1 -> ${fail(g, 'fullmm-dead-mm')} :: else -> skip fi; ` : '';
      return simple(`${chk}if :: viol == 0 -> gact[${t}] = 1; gfull[${t}] = ${op.fullmm ? 1 : 0}; glo[${t}] = 0; ghi[${t}] = ${op.fullmm ? g.E : 0}; gdef[${t}] = 0; fpend = fpend + 1; pbal[${t}] = pbal[${t}] + 1 :: else -> skip fi`);
    }
    case 'gather-set-fullmm':
      return simple(`if :: mm_live == 1 -> ${fail(g, 'fullmm-dead-mm')} :: else -> skip fi; if :: viol == 0 -> gfull[${t}] = 1; glo[${t}] = 0; ghi[${t}] = ${g.E} :: else -> skip fi`);
    case 'gather-remove':
      return simple(`${e >= 0 ? widen(t, e, e + 1) : 'skip'}; ${op.page >= 0 ? `gdef[${t}] = gdef[${t}] | ${1 << op.page}` : 'skip'}`);
    case 'gather-flush':
      return simple(`${gatherFlush(g, t)}; ${gatherFree(g, t)}; if :: gfull[${t}] != 1 -> glo[${t}] = 0; ghi[${t}] = 0 :: else -> skip fi`);
    case 'gather-finish':
      return simple(`if :: gact[${t}] != 1 -> ${fail(g, 'flush-pending-balance')} :: else -> ${op.hasRange ? widen(t, op.lo, op.hi) : 'skip'}; ${gatherFlush(g, t)}; ${gatherFree(g, t)}; gact[${t}] = 0; gfull[${t}] = 0; glo[${t}] = 0; ghi[${t}] = 0; fpend = fpend - 1; pbal[${t}] = pbal[${t}] - 1 fi`);
    case 'notifier-range-init': return simple(`nlo[${t}] = ${op.lo}; nhi[${t}] = ${op.hi}`);
    case 'notifier-start': case 'notifier-end': case 'notifier-invalidate': {
      const lo = op.hasRange ? String(op.lo) : `nlo[${t}]`;
      const hi = op.hasRange ? String(op.hi) : `nhi[${t}]`;
      const inv: string[] = [];
      for (let x = 0; x < g.E; x++) inv.push(`if :: (${lo} <= ${x} && ${x} < ${hi}) -> ${invalidate(x, x + 1)} :: else -> skip fi`);
      const invAll = inv.join('; ') || 'skip';
      if (op.op === 'notifier-invalidate') return simple(invAll);
      if (op.op === 'notifier-start')
        return simple(`${op.blockable ? sleepCheck(g, t) : 'skip'}; if :: viol == 0 -> inprog = inprog + 1; ${invAll}; if :: nopen[${t}] == 0 -> olo[${t}] = ${lo}; ohi[${t}] = ${hi} :: else -> skip fi; nopen[${t}] = nopen[${t}] + 1 :: else -> skip fi`);
      return simple(`if :: nopen[${t}] == 0 -> ${fail(g, 'notifier-balance')}
       :: else -> if :: (nopen[${t}] == 1 && (olo[${t}] != ${lo} || ohi[${t}] != ${hi})) -> ${fail(g, 'notifier-balance')} :: else -> skip fi;
          if :: viol == 0 -> inprog = inprog - 1; seq = seq + 1; nopen[${t}] = nopen[${t}] - 1; if :: nopen[${t}] == 0 -> olo[${t}] = 0; ohi[${t}] = 0 :: else -> skip fi :: else -> skip fi fi`);
    }
    case 'notifier-change-pte':
      if (!g.c.changePteCallback) return simple('skip');
      return simple(`if :: s_v[${e}] == 1 -> if :: pt_pr[${e}] != 1 -> ${invalidate(e, e + 1)} :: else -> s_p[${e}] = pt_pg[${e}]; s_g[${e}] = pg_gen[pt_pg[${e}]]; s_w[${e}] = pt_w[${e}] fi :: else -> skip fi`);
    case 'page-free': return simple(freePage(String(op.page)));
    case 'page-dirty': return simple(`pg_dirty[${op.page}] = 1`);
    case 'page-get':
      if (op.copy >= 0 && op.page >= 0) return simple(`if :: pg_freed[${op.page}] == 1 -> pg_freed[${op.page}] = 0; pg_gen[${op.page}] = pg_gen[${op.page}] + 1 :: else -> skip fi; pg_data[${op.page}] = pg_data[${op.copy}]; pg_dirty[${op.page}] = 1`);
      return simple('skip');
    case 'page-mkclean': {
      const pg = op.page;
      const parts: string[] = [];
      for (let x = 0; x < g.E; x++) {
        const pend = g.c.mkcleanChecksPending ? ' || fpend > 0' : '';
        parts.push(`if :: (pt_pr[${x}] == 1 && pt_pg[${x}] == ${pg} && (pt_d[${x}] == 1 || pt_w[${x}] == 1${pend})) ->
        if :: pt_d[${x}] == 1 -> pg_dirty[${pg}] = 1 :: else -> skip fi;
        ${loadPte(x)}; ${effects(EF.wrprotect | EF.clean, 'b_pg')}; ${writePte(g, t, x, 3)}; ${flush(g, x, x + 1)}
       :: else -> skip fi`);
      }
      const forIo = op.clearDirty ? `; pg_dirty[${pg}] = 0` : '';
      return block(rmapGuard(g, t, pg), `${rmapSelf(g, t, pg)}; if :: viol == 0 -> ${parts.join(';\n    ') || 'skip'}${forIo} :: else -> skip fi`);
    }
    case 'handle-userfault':
      return simple(`${sleepCheck(g, t)}; if :: viol == 0 -> if :: ${holdsExpr(t, g.c.mmapLock)} -> ${release(g, t, g.c.mmapLock)} :: else -> skip fi; last[${t}] = 0 :: else -> skip fi`);
    case 'fault':
      return block(lockFreeFor(t, ptl), `${sleepCheck(g, t)}; if :: viol == 0 -> ${selfDeadlock(g, t, ptl)} :: else -> skip fi; if :: viol == 0 -> ${faultCore(g, t, e, op.write)}; last[${t}] = ok :: else -> skip fi`);
    case 'gup': {
      const fix = op.fixfault ? `pt_y[${e}] = 1; ${op.write ? `pt_d[${e}] = 1; pt_s[${e}] = 1; ` : ''}` : '';
      return block(lockFreeFor(t, ptl), `${sleepCheck(g, t)}; if :: viol == 0 -> ${selfDeadlock(g, t, ptl)} :: else -> skip fi;
    if :: viol == 0 -> if :: (pt_pr[${e}] == 1 && ${op.write ? `pt_w[${e}] == 1` : 'true'}) -> ${fix}${op.write ? `pg_dirty[pt_pg[${e}]] = 1; ` : ''}last[${t}] = 1
       :: else -> ${faultCore(g, t, e, op.write)}; last[${t}] = ok fi :: else -> skip fi`);
    }
    case 'may-sleep': return simple(sleepCheck(g, t));
    case 'wp-page-copy': {
      const i = ti(g, t, e);
      const rel = op.releases.map((l) => release(g, t, l)).join('; ');
      const s0 = simple(`${rel || 'skip'}; if :: viol == 0 -> ${sleepCheck(g, t)} :: else -> skip fi;
    if :: viol == 0 -> if :: lv[${i}] != 1 -> ${snapshot(g, t, e)} :: else -> skip fi;
       pg_freed[${op.page}] = 0; pg_gen[${op.page}] = pg_gen[${op.page}] + 1; pg_dirty[${op.page}] = 0;
       if :: (lpg[${i}] >= 0) -> pg_data[${op.page}] = pg_data[lpg[${i}]] :: else -> pg_data[${op.page}] = 0 fi :: else -> skip fi`);
      const s1 = block(lockFreeFor(t, ptl), `${selfDeadlock(g, t, ptl)}; if :: viol == 0 ->
      if :: ${sameExpr(g, t, e)} -> ${loadPte(e)}; n_pr = 1; n_pg = ${op.page}; n_w = 1; n_d = 1; n_y = 1; n_u = 0; n_s = 1; ${writePte(g, t, e, 0)}; ${flush(g, e, e + 1)}; ${invalidate(e, e + 1)}; last[${t}] = 1
         :: else -> ${freePage(String(op.page))}; last[${t}] = 0 fi :: else -> skip fi`);
      return `${s0};\n  ${s1}`;
    }
    case 'kvm-fault': {
      const i = ti(g, t, e);
      const s0 = simple(`kseq[${t}] = seq; ${snapshot(g, t, e)}`);
      const s1 = block(lockFreeFor(t, g.c.mmuLock), `${selfDeadlock(g, t, g.c.mmuLock)}; if :: viol == 0 ->
      if :: (inprog > 0 || seq != kseq[${t}]) -> last[${t}] = 0; retry = 1
         :: else -> retry = 0; if :: (lpr[${i}] == 1 && ${op.write ? `lw[${i}] == 1` : 'true'}) -> s_v[${e}] = 1; s_p[${e}] = lpg[${i}]; s_g[${e}] = pg_gen[lpg[${i}]]; s_w[${e}] = lw[${i}]; last[${t}] = 1 :: else -> last[${t}] = 0 fi fi :: else -> skip fi`);
      return `${pcLabel}_kvm: skip;\n  ${s0};\n  ${s1};\n  if :: retry == 1 -> retry = 0; goto ${pcLabel}_kvm :: else -> skip fi`;
    }
    case 'tlb-fill':
      return simple(`${g.a.hwAccessDirty ? `if :: pt_pr[${e}] == 1 -> pt_y[${e}] = 1 :: else -> skip fi; ` : ''}${fillTlb(g, t, e)}`);
    case 'user-load': case 'user-store': {
      const u = userAccess(g, t, op, op.op === 'user-store');
      return block(u.guard, u.body);
    }
    case 'guest-access': {
      return simple(`if :: (s_v[${e}] != 1 || ${op.write ? `s_w[${e}] != 1` : 'false'}) -> last[${t}] = 0
       :: else -> if :: (inprog == 0 && (pt_pr[${e}] != 1 || pt_pg[${e}] != s_p[${e}] || (s_w[${e}] == 1 && pt_w[${e}] != 1))) -> ${fail(g, 'secondary-mmu-coherent')} :: else -> skip fi;
          if :: (viol == 0 && (pg_freed[s_p[${e}]] == 1 || pg_gen[s_p[${e}]] != s_g[${e}])) -> ${fail(g, 'no-stale-access')} :: else -> skip fi;
          if :: viol == 0 -> ${op.write ? `store_ctr = store_ctr + 1; pg_data[s_p[${e}]] = store_ctr; pt_last[${e}] = store_ctr; ` : ''}last[${t}] = 1 :: else -> skip fi fi`);
    }
    case 'writeback': return simple(`pg_disk[${op.page}] = pg_data[${op.page}]${op.clearDirty ? `; pg_dirty[${op.page}] = 0` : ''}`);
    case 'reclaim-drop': {
      const pg = op.page;
      const dirtyParts: string[] = [`pg_dirty[${pg}] == 1`];
      const unmap: string[] = [];
      for (let x = 0; x < g.E; x++) {
        dirtyParts.push(`(pt_pr[${x}] == 1 && pt_pg[${x}] == ${pg} && pt_d[${x}] == 1)`);
        unmap.push(`if :: (pt_pr[${x}] == 1 && pt_pg[${x}] == ${pg}) -> ${pteNone(x)}; ${flush(g, x, x + 1)}; ${invalidate(x, x + 1)} :: else -> skip fi`);
      }
      const dirty = dirtyParts.join(' || ');
      const guard = `(pg_freed[${pg}] == 1 || (${rmapGuard(g, t, pg)}))`;
      return block(guard, `if :: pg_freed[${pg}] == 1 -> last[${t}] = 0
       :: else -> ${rmapSelf(g, t, pg)}; if :: viol == 0 -> if :: (${dirty}) -> last[${t}] = 0
         :: else -> ${unmap.join('; ') || 'skip'}; if :: pg_data[${pg}] != pg_disk[${pg}] -> ${fail(g, 'no-lost-write')} :: else -> skip fi;
            if :: viol == 0 -> ${freePage(String(pg))}; last[${t}] = 1 :: else -> skip fi fi :: else -> skip fi fi`);
    }
    case 'page-reuse': return simple(`if :: pg_freed[${op.page}] == 1 -> pg_freed[${op.page}] = 0; pg_gen[${op.page}] = pg_gen[${op.page}] + 1 :: else -> skip fi`);
    case 'age': return block(lockFreeFor(t, ptl), `${selfDeadlock(g, t, ptl)}; if :: viol == 0 -> last[${t}] = pt_y[${e}]; pt_y[${e}] = 0 :: else -> skip fi`);
    default:
      return simple('skip');
  }
}

function condExpr(g: Gen, t: number, ins: Extract<CInstr, { kind: 'if' | 'assume' }>): string {
  const e = ins.pte;
  const i = ti(g, t, e);
  const f = (l: string, p: string): string => `((lv[${i}] == 1 && ${l}[${i}] == 1) || (lv[${i}] != 1 && ${p}[${e}] == 1))`;
  let x: string;
  switch (ins.test) {
    case 'pte-present': x = f('lpr', 'pt_pr'); break;
    case 'pte-write': x = f('lw', 'pt_w'); break;
    case 'pte-dirty': x = f('ld', 'pt_d'); break;
    case 'pte-young': x = f('ly', 'pt_y'); break;
    case 'pte-uffd-wp': x = f('lu', 'pt_u'); break;
    case 'pte-same': x = sameExpr(g, t, e); break;
    case 'flush-pending': x = '(fpend > 0)'; break;
    case 'last-ok': x = `(last[${t}] == 1)`; break;
    case 'thread-exited': x = ins.thread >= 0 ? `(texit[${ins.thread}] == 1)` : '(0 == 1)'; break;
    case 'tlb-writable': x = `(tv[${i}] == 1 && tw[${i}] == 1)`; break;
  }
  return ins.negate ? `!${x}` : x;
}

function threadExit(g: Gen, t: number): string {
  const locks = g.c.locks.map((_, l) => `if :: ${holdsExpr(t, l)} -> ${fail(g, 'lock-balance')} :: else -> skip fi`).join('; ');
  const marks: string[] = [];
  const prot = g.c.threads[t]!.protects;
  for (let e = 0; e < g.E; e++) marks.push(`pt_mark[${e}] = pt_mark[${e}] | ((pmark[${t}] >> ${e * 3}) & 7)${((prot >> e) & 1) === 1 ? ' | 4' : ''}`);
  return `d_step { ${locks || 'skip'};
    if :: (viol == 0 && nopen[${t}] != 0) -> ${fail(g, 'notifier-balance')} :: else -> skip fi;
    if :: (viol == 0 && pbal[${t}] != 0) -> ${fail(g, 'flush-pending-balance')} :: else -> skip fi;
    if :: viol == 0 -> ${marks.join('; ') || 'skip'}; pmark[${t}] = 0 :: else -> skip fi;
    done = done + 1; texit[${t}] = 1;
    if :: (viol == 0 && done == ${g.T}) -> ${finalCheck(g)} :: else -> skip fi;
    CHECK }`;
}

function finalCheck(g: Gen): string {
  const parts: string[] = [];
  for (let e = 0; e < g.E; e++) parts.push(`if :: (pt_last[${e}] != 0 && pt_pr[${e}] == 1 && pg_data[pt_pg[${e}]] != pt_last[${e}]) -> ${fail(g, 'no-lost-write')} :: else -> skip fi`);
  return parts.join('; ') || 'skip';
}

function proc(g: Gen, t: number, prologue: string): string {
  const th = g.c.threads[t]!;
  const lab = (k: number): string => `L${t}_${k}`;
  const lines: string[] = [];
  const targets = new Set<number>();
  for (const ins of th.code) {
    if (ins.kind === 'goto') targets.add(ins.target);
    if (ins.kind === 'choose') for (const x of ins.targets) targets.add(x);
    if (ins.kind === 'if') {
      targets.add(ins.then);
      targets.add(ins.else);
    }
  }
  const label = (k: number): string => (targets.has(k) ? `${lab(k)}: skip;\n  ` : '');
  th.code.forEach((ins, k) => {
    let code: string;
    switch (ins.kind) {
      case 'label': code = 'skip'; break;
      case 'goto': code = `goto ${lab(ins.target)}`; break;
      case 'choose': code = `if ${ins.targets.map((x) => `:: goto ${lab(x)}`).join(' ')} fi`; break;
      case 'if': code = `if :: ${condExpr(g, t, ins)} -> goto ${lab(ins.then)} :: else -> goto ${lab(ins.else)} fi`; break;
      // blocks while false; an `end` label makes stopping here a valid end state (an abandoned path, not a deadlock)
      case 'assume': code = `end_assume_${t}_${k}: (${condExpr(g, t, ins)})`; break;
      case 'op': code = opCode(g, t, ins, lab(k)); break;
    }
    lines.push(`${label(k)}${code};`);
  });
  lines.push(`${label(th.code.length)}${threadExit(g, t)};`);
  return `active proctype P${t}() {\n  short tmp_pg; byte tmp_gen; bit ok; bit retry;\n  bit b_pr, b_w, b_d, b_y, b_u, b_s; short b_pg;\n  bit n_pr, n_w, n_d, n_y, n_u, n_s; short n_pg;\n  ${prologue}\n  ${lines.join('\n  ')}\n}`;
}

/** Export `s` for arch `arch` as a Promela model. */
export function toPromela(s: Scenario, arch: Arch): string {
  const c = compile(s);
  const g: Gen = { c, a: archModel(arch), E: c.L.nPtes, T: c.L.nThreads };
  const I = c.init;
  const L = c.L;
  const P = c.pages.length;
  const decls: Array<[string, string, number[]]> = [];
  const per = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));
  decls.push(['short', 'pg_data', per(P, (p) => I[pageAt(L, p) + PG.data]!)]);
  decls.push(['byte', 'pg_gen', per(P, (p) => I[pageAt(L, p) + PG.gen]!)]);
  decls.push(['bit', 'pg_dirty', per(P, (p) => I[pageAt(L, p) + PG.dirty]!)]);
  decls.push(['short', 'pg_disk', per(P, (p) => I[pageAt(L, p) + PG.disk]!)]);
  decls.push(['bit', 'pg_freed', per(P, (p) => I[pageAt(L, p) + PG.freed]!)]);
  const ptf: Array<[string, string, number]> = [['bit', 'pt_pr', PT.present], ['short', 'pt_pg', PT.page], ['bit', 'pt_w', PT.write], ['bit', 'pt_d', PT.dirty], ['bit', 'pt_y', PT.young], ['bit', 'pt_u', PT.uffdWp], ['bit', 'pt_s', PT.softDirty], ['byte', 'pt_mark', PT.mark], ['short', 'pt_last', PT.lastStore]];
  for (const [ty, n, f] of ptf) decls.push([ty, n, per(g.E, (e) => I[pteAt(L, e) + f]!)]);
  const spf: Array<[string, string, number]> = [['bit', 's_v', TL.valid], ['short', 's_p', TL.page], ['byte', 's_g', TL.gen], ['bit', 's_w', TL.write]];
  for (const [ty, n, f] of spf) decls.push([ty, n, per(g.E, (e) => I[spteAt(L, e) + f]!)]);
  decls.push(['byte', 'lk_owner', per(L.nLocks, (l) => I[lockAt(L, l) + LK.owner]!)]);
  decls.push(['byte', 'lk_readers', per(L.nLocks, (l) => I[lockAt(L, l) + LK.readers]!)]);
  const TE = g.T * g.E;
  const tlf: Array<[string, string, number]> = [['bit', 'tv', TL.valid], ['short', 'tp', TL.page], ['byte', 'tg', TL.gen], ['bit', 'tw', TL.write], ['bit', 'td', TL.dirty], ['bit', 'ty', TL.young]];
  for (const [ty, n, f] of tlf) decls.push([ty, n, per(TE, (i) => I[tlbAt(L, Math.floor(i / g.E), i % g.E) + f]!)]);
  const lvf: Array<[string, string, number]> = [['bit', 'lv', LV.valid], ['bit', 'lpr', LV.present], ['short', 'lpg', LV.page], ['bit', 'lw', LV.write], ['bit', 'ld', LV.dirty], ['bit', 'ly', LV.young], ['bit', 'lu', LV.uffdWp], ['bit', 'ls', LV.softDirty]];
  for (const [ty, n, f] of lvf) decls.push([ty, n, per(TE, (i) => I[localAt(L, Math.floor(i / g.E), i % g.E) + f]!)]);
  const thf: Array<[string, string, number]> = [['byte', 'last', TH.last], ['byte', 'nopen', TH.notifOpen], ['byte', 'nlo', TH.notifLo], ['byte', 'nhi', TH.notifHi], ['byte', 'olo', TH.openLo], ['byte', 'ohi', TH.openHi], ['short', 'pbal', TH.pendingBalance], ['int', 'pmark', TH.pendingMarks], ['bit', 'gact', TH.gActive], ['bit', 'gfull', TH.gFullmm], ['byte', 'glo', TH.gLo], ['byte', 'ghi', TH.gHi], ['int', 'gdef', TH.gDeferred], ['byte', 'kseq', TH.kvmSeq]];
  for (const [ty, n, f] of thf) decls.push([ty, n, per(g.T, (t) => I[thAt(L, t) + f]!)]);
  const checks = INVARIANTS.map((_, i) => (c.checked[i] === 1 ? `assert(viol != ${i + 1})` : '')).filter((x) => x).join('; ');
  const head = [
    `/* mmreview scenario ${s.name} on ${arch}; generated by src/sim/promela.ts */`,
    `/* viol codes: ${INVARIANTS.map((n, i) => `${i + 1}=${n}`).join(' ')} */`,
    `#define CHECK ${checks || 'skip'}`,
    `byte viol; byte done; bit texit[${Math.max(1, g.T)}]; bit mm_live = ${I[GL.mmLive]}; byte fpend; byte inprog; byte seq; short store_ctr;`,
    ...decls.map(([ty, n, vals]) => `${ty} ${n}[${Math.max(1, vals.length)}];`),
  ];
  const initVals = decls.flatMap(([, n, vals]) => vals.map((v, i) => (v !== 0 ? `${n}[${i}] = ${v}` : ''))).filter((x) => x);
  // initial values are set by a leading d_step in P0 before anything else can run (all procs wait on `ready`)
  const procs = c.threads.map((_, t) => proc(g, t, `${t === 0 ? `d_step { ${initVals.join('; ') || 'skip'}; ready = 1 };\n  ` : ''}ready == 1;`));
  return `${head.join('\n')}\nbit ready;\n\n${procs.join('\n\n')}\n`;
}

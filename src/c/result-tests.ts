/**
 * Branches that test whether a failable call succeeded: `if (likely(ptep))`, `if (!pte)`, `if (ptl == NULL)` on the
 * result of a PTE-table map or of a call whose NULL result means it did nothing (catalogue `FAILURE`,
 * `returns: 'null'`: get_locked_pte(), pte_offset_map_lock(), pmd_trans_huge_lock() ...). The path slicer keeps
 * them even when their arms differ only in opaque calls: which way the path went says whether the lock is held
 * and the table mapped (`ptep = get_locked_pte(); if (ptep) zap(ptep); pte_unmap_unlock(ptep, ptl);` unlocks a
 * lock never taken on the NULL arm).
 */
import { FAILURE } from '../kernel-api/catalogue.ts';
import { splitTop } from './split-top.ts';
import type { Cfg } from './cfg.ts';

/** Strip `likely()` / `unlikely()` / outer parentheses and whitespace. */
function bare(s: string): string {
  let c = s.replace(/\s+/g, '');
  for (;;) {
    const m = /^(?:un)?likely\((.*)\)$/.exec(c) ?? /^\((.*)\)$/.exec(c);
    if (!m || !balanced(m[1] as string)) return c;
    c = m[1] as string;
  }
}

function balanced(s: string): boolean {
  let d = 0;
  for (const ch of s) {
    if (ch === '(') d++;
    if (ch === ')' && --d < 0) return false;
  }
  return d === 0;
}

/** Does one operand test `name` for NULL (`name`, `!name`, `name == NULL`, `NULL != name`, `IS_ERR_OR_NULL(name)`)? */
function testsNull(operand: string, names: ReadonlySet<string>): boolean {
  let a = bare(operand);
  if (a.startsWith('!')) a = bare(a.slice(1));
  if (names.has(a)) return true;
  const m = /^(.+?)(?:==|!=)(?:NULL|0)$/.exec(a) ?? /^(?:NULL|0)(?:==|!=)(.+)$/.exec(a) ?? /^IS_ERR_OR_NULL\((.+)\)$/.exec(a);
  return m !== null && names.has(bare(m[1] as string));
}

/** The variables a CFG assigns from a PTE-table map or a call whose NULL result means failure. */
function failableResults(cfg: Cfg): Set<string> {
  const names = new Set<string>();
  for (const ev of cfg.events) {
    if (!ev.result) continue;
    const fails = Object.prototype.hasOwnProperty.call(FAILURE, ev.callee) && FAILURE[ev.callee]?.returns === 'null';
    if (fails || ev.kind === 'pte-map' || ev.kind === 'pte-map-lock') names.add(ev.result.replace(/\s+/g, ''));
  }
  return names;
}

/**
 * Does one operand test the result of a failable call written in the condition itself
 * (`!mmu_notifier_invalidate_range_start_nonblock(&range)`, `spin_trylock(ptl)`)? Its arms then run after a call
 * that did its work on one arm and nothing on the other, even when they differ only in opaque calls
 * (`if (!…_start_nonblock(&range)) unmap_page_range(…); else ret = false;`).
 */
function testsCall(operand: string): boolean {
  let a = bare(operand);
  if (a.startsWith('!')) a = bare(a.slice(1));
  const m = /^(\w+)\((.*)\)(?:(?:==|!=)0)?$/.exec(a);
  return m !== null && balanced(m[2] as string) && Object.prototype.hasOwnProperty.call(FAILURE, m[1] as string);
}

/** A predicate on branch conditions: does it test a failable call's result (NULL, or the call's own value)? */
export function resultTestOf(cfg: Cfg): (cond: string | undefined) => boolean {
  const names = failableResults(cfg);
  return (cond) => cond !== undefined && splitTop(bare(cond), ['&&', '||']).some((o) => testsCall(o) || (names.size > 0 && testsNull(o, names)));
}

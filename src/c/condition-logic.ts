/**
 * Conditions as boolean formulas over literals, so that path feasibility can see that `!start_pte` and `start_pte`,
 * `p == NULL` and `p`, `a != b` and `a == b`, `x < n` and `x >= n`, or `A || B` and `!A && !B` test the same thing.
 *
 * A condition is parsed into `||` / `&&` / `!` over atoms, pushed into negation normal form (De Morgan) and each atom
 * is canonicalised: `x == NULL`, `x == 0`, `!x` → ¬x; `x != NULL` → x; `a != b` → ¬(a == b) with the operands of `==`
 * ordered; `a > b` → `b < a`, `a <= b` → `b >= a`, `a < b` → ¬(a >= b). `likely()`/`unlikely()` are dropped.
 *
 * Only conditions whose value depends on nothing but the variables they read are usable: no assignment, no `++`/`--`,
 * and no call except the pure predicates of PURE_PREDICATES (functions of their arguments alone that read no
 * page-table or other hardware state, so two calls with unchanged arguments give the same answer) and page-table
 * entry predicates of a local entry value (`pte_present(pte)`: entryValuePredicate()).
 */
import { hasTopLevel, splitTop } from './split-top.ts';

/**
 * Predicates whose answer depends only on their (unchanged) arguments.
 * - mm_is_kernel(mm): whether mm is a kernel mm (init_mm, efi_mm): fixed for the mm's lifetime.
 * - is_vm_hugetlb_page(vma): VM_HUGETLB in vma->vm_flags (include/linux/hugetlb_inline.h); a VMA never changes it.
 * - IS_ENABLED(CONFIG_X): a compile-time constant.
 * - likely()/unlikely(): branch hints, the value of their argument (stripped before parsing).
 */
export const PURE_PREDICATES: ReadonlySet<string> = new Set(['mm_is_kernel', 'is_vm_hugetlb_page', 'IS_ENABLED']);

/**
 * Calls whose result is never NULL: a lock getter that takes the lock it returns, or returns the lock a caller then
 * spins on. include/linux/mm.h pmd_lock() / pud_lock() (`ptl = pmd_lockptr(mm, pmd); spin_lock(ptl); return ptl;`),
 * include/linux/hugetlb.h huge_pte_lock() (the same over huge_pte_lockptr()), and the getters pte_lockptr(),
 * pmd_lockptr(), pud_lockptr(), huge_pte_lockptr() (a split table's ptdesc lock or `&mm->page_table_lock`). A local
 * assigned one of them tests true until it is written again (`ptl = pmd_lock(mm, pmd); … if (!ptl)` cannot be
 * taken). pmd_trans_huge_lock() and pte_offset_map_lock() may return NULL and are not here.
 */
export const NON_NULL_RESULTS: ReadonlySet<string> = new Set(['pmd_lock', 'pud_lock', 'huge_pte_lock', 'pte_lockptr', 'pmd_lockptr', 'pud_lockptr', 'huge_pte_lockptr']);

export type Formula =
  | { op: 'lit'; atom: string; pos: boolean; reads: string[] }
  | { op: 'and' | 'or'; kids: Formula[] };

const KEYWORDS = new Set(['NULL', 'true', 'false', 'sizeof', 'unlikely', 'likely']);

/** Root variable names an expression reads (member chains by their root; constants and pure predicates excluded). */
function rootsOf(expr: string): string[] {
  const roots = new Set<string>();
  for (const m of expr.matchAll(/(?<![.>\w])([A-Za-z_]\w*)(\s*\()?/g)) {
    const name = m[1]!;
    if (m[2] || KEYWORDS.has(name) || /^[A-Z_][A-Z0-9_]*$/.test(name)) continue;
    roots.add(name);
  }
  return [...roots];
}

/** The operands of `s` at its top-level `sep`; undefined for a top-level conditional expression (`?:`: opaque). */
function splitAt(s: string, sep: '||' | '&&'): string[] | undefined {
  return hasTopLevel(s, '?') ? undefined : splitTop(s, [sep]);
}

/** `s` without parentheses that wrap all of it. */
export function unwrap(s: string): string {
  let t = s.trim();
  for (;;) {
    if (!t.startsWith('(') || !t.endsWith(')')) return t;
    let depth = 0;
    let wraps = true;
    for (let i = 0; i < t.length; i++) {
      if (t[i] === '(') depth++;
      else if (t[i] === ')') depth--;
      if (depth === 0 && i < t.length - 1) {
        wraps = false;
        break;
      }
    }
    if (!wraps) return t;
    t = t.slice(1, -1).trim();
  }
}

/** The top-level comparison of an expression: operator and its two sides. */
function comparison(s: string): { l: string; op: string; r: string } | undefined {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    if (depth !== 0) continue;
    const two = s.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '<=' || two === '>=') return { l: s.slice(0, i), op: two, r: s.slice(i + 2) };
    if ((ch === '<' || ch === '>') && s[i + 1] !== ch && s[i - 1] !== ch && s[i - 1] !== '-' && s[i + 1] !== '=') {
      return { l: s.slice(0, i), op: ch, r: s.slice(i + 1) };
    }
  }
  return undefined;
}

const squash = (s: string): string => unwrap(s).replace(/\s+/g, '');
const isZero = (s: string): boolean => /^(?:NULL|0|0UL|0L|false|\(void\*\)0)$/.test(squash(s));

function lit(atom: string, pos: boolean): Formula {
  return { op: 'lit', atom, pos, reads: rootsOf(atom) };
}

function atomOf(s: string, pos: boolean): Formula {
  const t = unwrap(s);
  const c = comparison(t);
  if (!c) return lit(squash(t), pos);
  let { l, op, r } = c;
  l = squash(l);
  r = squash(r);
  if (op === '==' || op === '!=') {
    const p = op === '==' ? pos : !pos;
    if (isZero(r)) return truth(l, !p);
    if (isZero(l)) return truth(r, !p);
    const [a, b] = [l, r].sort();
    return lit(`${a}==${b}`, p);
  }
  if (op === '>') [l, r, op] = [r, l, '<'];
  if (op === '<=') [l, r, op] = [r, l, '>='];
  return op === '<' ? lit(`${l}>=${r}`, !pos) : lit(`${l}>=${r}`, pos);
}

/** Truth of an expression used as a value (`x`, `!x`, `(x)`). */
function truth(s: string, pos: boolean): Formula {
  const t = unwrap(s);
  if (/^!(?!=)/.test(t)) return truth(t.slice(1), !pos);
  return lit(squash(t), pos);
}

/** Negation normal form of a condition with the polarity `pos`. */
function nnf(s: string, pos: boolean): Formula {
  const t = unwrap(s);
  const ors = splitAt(t, '||');
  if (!ors) return lit(squash(t), pos);
  if (ors.length > 1) return { op: pos ? 'or' : 'and', kids: ors.map((k) => nnf(k, pos)) };
  const ands = splitAt(t, '&&')!;
  if (ands.length > 1) return { op: pos ? 'and' : 'or', kids: ands.map((k) => nnf(k, pos)) };
  if (/^!(?!=)/.test(t)) {
    const rest = t.slice(1).trim();
    // `!a == b` compares (!a) with b: keep it whole.
    if (comparison(unwrap(rest)) && !rest.startsWith('(')) return atomOf(t, pos);
    return nnf(rest, !pos);
  }
  return atomOf(t, pos);
}

/**
 * A page-table entry predicate of an entry value held in a local (`pte_present(pte)`, `pmd_trans_huge(pmdval)`,
 * `pte_none(ptent)`): a function of the value alone (include/linux/pgtable.h and the arch pgtable.h test bits of the
 * value they are given), so it answers the same while the local is unchanged. Not one given a dereference
 * (`pmd_none(*pmd)` reads the table, which another CPU may change) or anything but one plain name, and not the
 * helpers that allocate, lock, map or write (`pte_alloc_one(mm)`, `pte_unmap(pte)`).
 */
const ENTRY_PREDICATE = /^(?:pte|pmd|pud)_[a-z_]+$/;
const NOT_A_PREDICATE = /alloc|lock|map|free|offset|populate|clear|set|get|install|flush|update|mk|pgtable|page|pfn_to/;

function entryValuePredicate(name: string, after: string): boolean {
  return ENTRY_PREDICATE.test(name) && !NOT_A_PREDICATE.test(name) && /^\(\s*[A-Za-z_]\w*\s*\)/.test(after);
}

/** The formula of a condition, or undefined when the condition may answer differently on a second evaluation. */
export function parseCondition(cond: string): Formula | undefined {
  const c = cond.replace(/\b(?:un)?likely\s*\(/g, '(');
  if (/\+\+|--/.test(c)) return undefined;
  if (/(?<![=!<>])=(?!=)/.test(c)) return undefined;
  for (const m of c.matchAll(/([A-Za-z_]\w*)\s*(?=\()/g)) {
    if (PURE_PREDICATES.has(m[1]!) || m[1] === 'sizeof') continue;
    if (!entryValuePredicate(m[1]!, c.slice(m.index + m[0].length))) return undefined;
  }
  return nnf(c, true);
}

export function negate(f: Formula): Formula {
  if (f.op === 'lit') return { ...f, pos: !f.pos };
  return { op: f.op === 'and' ? 'or' : 'and', kids: f.kids.map(negate) };
}

/** Canonical text of a formula (kids sorted), the key under which a compound fact is remembered. */
export function keyOf(f: Formula): string {
  if (f.op === 'lit') return `${f.pos ? '' : '!'}${f.atom}`;
  return `${f.op}(${f.kids.map(keyOf).sort().join(',')})`;
}

export function readsOfFormula(f: Formula): string[] {
  if (f.op === 'lit') return f.reads;
  return [...new Set(f.kids.flatMap(readsOfFormula))];
}

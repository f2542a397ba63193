/**
 * Boolean conditions of arch hook paths as formulas over opaque atoms (`tlb->freed_tables`,
 * `atomic_read(&mm->mm_users)<=1`, `defined(CONFIG_MMU)`), and their evaluation under an assignment. Pure.
 */
import { splitTop } from '../../src/c/split-top.ts';

export type Formula =
  | { k: 'atom'; a: string }
  | { k: 'const'; v: boolean }
  | { k: 'not'; f: Formula }
  | { k: 'and'; fs: Formula[] }
  | { k: 'or'; fs: Formula[] };

/** Does the parenthesis at 0 close at the very end? */
function wrapped(s: string): boolean {
  if (!s.startsWith('(')) return false;
  let d = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') d++;
    else if (s[i] === ')' && --d === 0) return i === s.length - 1;
  }
  return false;
}

/**
 * Parse a C condition. `locals` substitutes a local variable by the expression assigned to it (`last_level` →
 * `!tlb->freed_tables`), once.
 */
export function parseFormula(text: string, locals?: ReadonlyMap<string, string>, depth = 0): Formula {
  let s = text.replace(/\s+/g, '');
  for (;;) {
    if (wrapped(s)) s = s.slice(1, -1);
    else {
      const m = /^(?:likely|unlikely|!!)\((.*)\)$/.exec(s);
      if (m && wrapped(`(${m[1]})`)) s = m[1]!;
      else if (s.startsWith('!!')) s = s.slice(2);
      else break;
    }
  }
  const ors = splitTop(s, ['||']);
  if (ors.length > 1) return { k: 'or', fs: ors.map((x) => parseFormula(x, locals, depth)) };
  const ands = splitTop(s, ['&&']);
  if (ands.length > 1) return { k: 'and', fs: ands.map((x) => parseFormula(x, locals, depth)) };
  if (s.startsWith('!') && !s.startsWith('!=')) return { k: 'not', f: parseFormula(s.slice(1), locals, depth) };
  if (s === 'true' || s === '1') return { k: 'const', v: true };
  if (s === 'false' || s === '0') return { k: 'const', v: false };
  const local = locals?.get(s);
  if (local !== undefined && depth < 2) return parseFormula(local, locals, depth + 1);
  // `x == 0` / `x != 0` of an atom.
  const eq0 = /^(.*)==0$/.exec(s);
  if (eq0 && eq0[1] && !/[<>=!]$/.test(eq0[1])) return { k: 'not', f: parseFormula(eq0[1], locals, depth) };
  const ne0 = /^(.*)!=0$/.exec(s);
  if (ne0 && ne0[1] && !/[<>=!]$/.test(ne0[1])) return parseFormula(ne0[1], locals, depth);
  return { k: 'atom', a: s };
}

export function atomsOf(f: Formula, out = new Set<string>()): Set<string> {
  switch (f.k) {
    case 'atom':
      out.add(f.a);
      break;
    case 'not':
      atomsOf(f.f, out);
      break;
    case 'and':
    case 'or':
      for (const x of f.fs) atomsOf(x, out);
      break;
    case 'const':
      break;
  }
  return out;
}

export type Assignment = ReadonlyMap<string, boolean>;

/** Value under an assignment; an atom it does not assign makes the value undefined. */
export function evalFormula(f: Formula, s: Assignment): boolean | undefined {
  switch (f.k) {
    case 'const':
      return f.v;
    case 'atom':
      return s.get(f.a);
    case 'not': {
      const v = evalFormula(f.f, s);
      return v === undefined ? undefined : !v;
    }
    case 'and':
    case 'or': {
      // Kleene logic: one operand equal to the short-circuit value decides; otherwise an unknown operand leaves it open.
      const decides = f.k === 'or';
      let unknown = false;
      for (const x of f.fs) {
        const v = evalFormula(x, s);
        if (v === decides) return decides;
        if (v === undefined) unknown = true;
      }
      return unknown ? undefined : !decides;
    }
  }
}

/** Every assignment of `atoms` (in a fixed order, all-false first), at most 2^14. */
export function* assignments(atoms: readonly string[]): Generator<Map<string, boolean>> {
  const n = Math.min(atoms.length, 14);
  for (let bits = 0; bits < 1 << n; bits++) {
    const m = new Map<string, boolean>();
    atoms.forEach((a, i) => m.set(a, i < n ? ((bits >> i) & 1) === 1 : false));
    yield m;
  }
}

/**
 * A path that returns without the pte_unmap() other paths of the same function make: is that a missed unmap, or a
 * branch correlated with how the pointer was made (`pte = huge ? (pte_t *)pmd : pte_offset_map(pmd, addr)`, then
 * `if (!huge) pte_unmap(pte);`), which the paths cannot tell apart? It is a missed unmap when every branch the path
 * takes between the map and the return decides on what was read through the mapping (the entry: `ptep_get(pte)`,
 * `*pte`, or a value computed from it, `ptent = ptep_get(pte); if (!pte_present(ptent)) return 0;`) or on whether
 * the map itself failed: the PTE's content says nothing about how the table was mapped, and a pointer the map
 * returned is mapped on every completion. Any other variable, parameter or field in such a condition (read before
 * the map, so possibly correlated with it) leaves the question open.
 * Pure functions over src/core/events.ts data.
 */
import type { EventPath, FunctionImage, PathStep } from '../../src/core/events.ts';
import { blankComments } from '../../src/c/blank-comments.ts';
import { escapeRegExp } from '../../src/core/regexp.ts';

const C_WORDS = new Set(['NULL', 'true', 'false', 'sizeof', 'likely', 'unlikely']);

/** Identifiers a condition reads as values: not a called function, not a member name, not a constant macro. */
function valueNames(cond: string): string[] {
  const out: string[] = [];
  for (const m of cond.matchAll(/([A-Za-z_]\w*)/g)) {
    const name = m[1] as string;
    const at = (m.index ?? 0) + name.length;
    const before = cond.slice(0, m.index).trimEnd();
    if (/^\s*\(/.test(cond.slice(at))) continue; // a call
    if (/(?:->|\.)$/.test(before)) continue; // a member of something already read
    if (C_WORDS.has(name) || /^[A-Z][A-Z0-9_]*$/.test(name)) continue;
    out.push(name);
  }
  return out;
}

/**
 * Variables that hold a value read through the mapping: assigned only on lines after the map, every assignment
 * reading a name of the mapping or such a variable, and never initialised or assigned before the map.
 */
function entryValues(text: string, mapLine: number, names: ReadonlySet<string>): Set<string> {
  const lines = blankComments(text).split('\n');
  const derived = new Set<string>(names);
  const assigns = new Map<string, Array<{ line: number; rhs: string }>>();
  lines.forEach((l, i) => {
    for (const m of l.matchAll(/(?:^|[;{(,]\s*|\s)([A-Za-z_]\w*)\s*=(?!=)([^;]*)/g)) {
      const list = assigns.get(m[1] as string) ?? [];
      list.push({ line: i + 1, rhs: m[2] as string });
      assigns.set(m[1] as string, list);
    }
  });
  for (let changed = true; changed; ) {
    changed = false;
    for (const [v, list] of assigns) {
      if (derived.has(v) || list.some((a) => a.line <= mapLine)) continue;
      if (list.every((a) => [...derived].some((d) => new RegExp(`\\b${escapeRegExp(d)}\\b`).test(a.rhs)))) {
        derived.add(v);
        changed = true;
      }
    }
  }
  return derived;
}

/**
 * Does the path, from the map step (`mapIndex`) to its return, decide only on the mapped entry (or on the map's
 * own result), staying in the iteration that mapped? Then the unmap it skips is missed on every completion.
 */
export function returnDecidedByEntry(image: FunctionImage, path: EventPath, mapIndex: number, names: ReadonlySet<string>): boolean {
  if (mapIndex < 0) return false;
  const map = path.steps[mapIndex] as PathStep;
  const allowed = entryValues(image.text, map.loc.line, names);
  for (let i = mapIndex + 1; i < path.steps.length; i++) {
    const s = path.steps[i] as PathStep;
    if (s.step !== 'control') continue;
    if (s.kind === 'return') return true;
    if (s.kind === 'loop-next' || s.kind === 'loop-enter' || s.kind === 'truncated') return false;
    if (s.kind !== 'branch') continue;
    const vals = valueNames(s.cond);
    if (vals.length === 0 || vals.some((v) => !allowed.has(v))) return false;
  }
  return false;
}

/**
 * What a mapping left in place does in the file's era. `known`: unmapping does something whatever the release
 * (HIGHPTE possible — generic code, x86, arm — or code that shows the ≥6.5 API). Otherwise the map's contract still
 * asks for the unmap (include/linux/pgtable.h: every pte_offset_map*() is balanced by pte_unmap*(); since v6.5
 * __pte_offset_map() takes rcu_read_lock() and pte_unmap() drops it, before that pte_unmap() was a no-op without
 * HIGHPTE): `question` is what a complaint or a fix credit would rest on, `note` what the message says (`{{map}}`
 * stands for the map's callee).
 */
export function mapEra(file: string, known: boolean): { known: boolean; question?: string; note: string } {
  if (known) return { known, note: '' };
  const arch = /(?:^|\/)arch\/([^/]+)\//.exec(file)?.[1] ?? 'this architecture';
  return {
    known,
    question: `whether the tree is v6.5 or later, where pte_offset_map() opens an RCU read-side section that only pte_unmap() ends (on ${arch}, without CONFIG_HIGHPTE, pte_unmap() did nothing before)`,
    note: `the pte_unmap() the map's contract asks for balances {{map}}(); it matters with CONFIG_HIGHPTE or from v6.5, where {{map}}() enters an RCU read-side section; on ${arch}, without CONFIG_HIGHPTE, pte_unmap() does nothing before v6.5`,
  };
}

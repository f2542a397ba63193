/**
 * Event-relative slicing of PTE-state tests (src/c/paths.ts): a branch on PTE state (`if (pte_young(pte)) entry =
 * make_migration_entry_young(entry);`) whose arms hold no kernel event, no control marker and no call but to an
 * entry-value helper (VALUE_HELPER: a call to anything else may be a function of the patch that sleeps or locks)
 * before they join is one edge to the join, like any other branch whose arms are equivalent on events — unless an arm
 * may change a variable that decides an event elsewhere.
 *
 * Why it matters: every PTE-state test a path takes becomes an assumption of its program (src/engine/path-program.ts),
 * and each one doubles the paths. In a migrate_vma_collect_pmd()-sized walk the tests that only pick the bits of a
 * value written later (young, dirty, soft-dirty of a migration entry) multiplied the paths past the bound, and the
 * first path a rule found assumed a PTE state the model does not start in, so its violation was refuted.
 *
 * Soundness: slicing a test adds executions only when both arms do the same events on the same state, so what it may
 * not drop is a test one of whose arms assigns a variable that decides whether an event happens
 * (`if (pte_present(pte)) unmapped++; … if (unmapped) flush_tlb_range(…)`). The variables that decide are those read
 * by the conditions of the branches the walk still takes both ways (kept branches, loop heads, the tests kept by this
 * rule) and by `return` values. A test whose arms' lines assign, increment, take the address of or hand by name to a
 * call such a variable stays. The one exception is a variable read only on lines above the test, each read preceded
 * in its own block by an unconditional assignment of it (`entry = pte_to_swp_entry(pte); if
 * (!is_device_private_entry(entry))`): the value the arm gives cannot reach that read. The check is fixpoint: a test
 * kept makes its own condition's variables decide, and its arms stop the arms of tests around it from being clean.
 */
import type { Cfg, CfgNode } from './cfg.ts';
import { indentOf } from './path-feasibility.ts';
import { closingParen } from './parens.ts';

/** The join of each sliced branch given the set of PTE-state tests treated as not relevant (paths.ts sliceBranches). */
type SliceWith = (candidates: ReadonlySet<number>) => Map<number, number>;

const KEYWORDS = new Set(['NULL', 'true', 'false', 'sizeof', 'unlikely', 'likely', 'if', 'return']);

/** Variables (member chains by their root) an expression reads; names of calls and macros in capitals excluded. */
function readNames(expr: string): string[] {
  const out = new Set<string>();
  for (const m of expr.matchAll(/(?<![.>\w])([A-Za-z_]\w*)(\s*\()?/g)) {
    const name = m[1]!;
    if (m[2] || KEYWORDS.has(name) || /^[A-Z_][A-Z0-9_]*$/.test(name)) continue;
    out.add(name);
  }
  return [...out];
}

const esc = (s: string): string => s.replace(/[$]/g, '\\$&');

/** Does the line assign, increment, take the address of, or hand by name to a call, the variable `name`? */
function mayChange(line: string, name: string): boolean {
  if (!line.includes(name)) return false;
  const n = esc(name);
  return (
    new RegExp(`\\b${n}\\b(?:\\s*(?:->|\\.)\\s*\\w+|\\s*\\[[^\\]]*\\])*\\s*(?:[-+*/%|&^]|<<|>>)?=(?!=)`).test(line) ||
    new RegExp(`(?:\\+\\+|--)\\s*\\b${n}\\b|\\b${n}\\b\\s*(?:\\+\\+|--)`).test(line) ||
    new RegExp(`(?<![\\w)\\]&]\\s*)&(?!&)\\s*\\b${n}\\b`).test(line) ||
    handedByName(line, n)
  );
}

/**
 * Callees that neither assign a variable handed by name nor lock, sleep or touch a page table: the page-table entry
 * value helpers (functions of their by-value arguments: pte_young(), pte_mkdirty(), pte_swp_mksoft_dirty(),
 * make_migration_entry_young(), swp_entry_to_pte(), is_zero_pfn(), ...). An arm calling anything else keeps its test.
 */
const VALUE_HELPER = /^(?:(?:pte|pmd|pud|swp|pte_swp|pmd_swp)_(?:mk|swp_mk|is_|to_|entry|pfn|type|young|dirty|write|present|none|soft_dirty|uffd_wp|exclusive)\w*|make_\w*entry\w*|is_\w+_entry|is_zero_pfn|swp_entry|pte_to_swp_entry|swp_entry_to_pte|swp_offset|swp_type)$/;

/** A call (not a value helper) given the name as an argument: a macro may assign it without a visible `=`. */
function handedByName(line: string, n: string): boolean {
  for (const m of line.matchAll(new RegExp(`(\\w+)\\s*\\((?:[^()]*,)?\\s*${n}\\s*[,)]`, 'g'))) {
    if (!VALUE_HELPER.test(m[1]!)) return true;
  }
  return false;
}

/** The part of a branch's own line after its condition (`if (c) x++;` → ` x++;`), or the line without an `if (`. */
function afterCondition(text: string): string {
  const at = text.search(/\b(?:if|while)\s*\(/);
  if (at < 0) return '';
  const close = closingParen(text, text.indexOf('(', at));
  return close < 0 ? '' : text.slice(close + 1);
}


/**
 * Is the read of `name` on line `at` (1-based) preceded in its own block by an unconditional assignment of it: a line
 * at the same indentation, above it, with only lines at least as deep in between (no label, no block end)?
 */
function assignedAbove(lines: readonly string[], at: number, name: string): boolean {
  const depth = indentOf(lines[at - 1] ?? '');
  const assign = new RegExp(`^\\s*${esc(name)}\\s*=(?!=)`);
  for (let l = at - 1; l >= 1; l--) {
    const text = lines[l - 1]!;
    if (text.trim() === '') continue;
    const d = indentOf(text);
    if (d < depth) return false;
    if (d === depth && assign.test(text)) return true;
  }
  return false;
}

/** The line a node's step would carry. */
function lineOf(n: CfgNode): number | undefined {
  return (n.event?.loc ?? n.control?.loc ?? n.loc)?.line;
}

/**
 * The source lines (1-based, inclusive range) a branch's arms may run before their join: from the branch to the line
 * before the join, and to the furthest node the arms reach on the way. Undefined when an arm goes back above the
 * branch (a back edge): then the arms are not a region of the text.
 */
function armSpan(cfg: Cfg, id: number, join: number): [number, number] | undefined {
  const n = cfg.nodes[id]!;
  const from = lineOf(n);
  if (from === undefined) return undefined;
  let to = from;
  const seen = new Set<number>([join]);
  const queue = [...n.next];
  while (queue.length) {
    const x = queue.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    const m = cfg.nodes[x]!;
    // A call other than a value helper may be a function of the patch that sleeps or locks (rules follow it).
    if (m.type === 'event' && !VALUE_HELPER.test(m.event!.callee)) return undefined;
    const l = lineOf(m);
    if (l !== undefined) {
      if (l < from) return undefined;
      to = Math.max(to, l);
    }
    queue.push(...m.next);
  }
  // The join's own line (or, for a join without a line, the next line a node carries) bounds the region.
  let j: number | undefined = join;
  const visited = new Set<number>();
  while (j !== undefined && lineOf(cfg.nodes[j]!) === undefined && !visited.has(j)) {
    visited.add(j);
    j = cfg.nodes[j]!.next[0];
  }
  const jl = j === undefined ? undefined : lineOf(cfg.nodes[j]!);
  if (jl === undefined || jl <= from) return undefined;
  return [from, Math.max(to, jl - 1)];
}

/**
 * The PTE-state tests (ids of `candidates`, branch nodes) that can be sliced: at the fixpoint, each is sliced by
 * `sliceWith` (its arms clean and joined) and none of its arms' lines changes a deciding variable.
 */
export function sliceableTests(cfg: Cfg, lines: readonly string[], candidates: ReadonlySet<number>, sliceWith: SliceWith): Set<number> {
  const cand = new Set(candidates);
  for (let round = 0; round < 64 && cand.size > 0; round++) {
    const sliced = sliceWith(cand);
    // Variables that decide: read by a branch the walk takes both ways, or by a returned value, and where.
    const reads = new Map<string, number[]>();
    const note = (names: readonly string[], at: number | undefined): void => {
      for (const v of names) reads.set(v, [...(reads.get(v) ?? []), at ?? 0]);
    };
    for (const n of cfg.nodes) {
      if (n.type === 'branch' && !sliced.has(n.id)) note(readNames(n.cond ?? ''), n.loc?.line);
      if (n.type === 'control' && n.control?.kind === 'return' && n.control.value) note(readNames(n.control.value), n.control.loc.line);
    }
    const bad: number[] = [];
    for (const id of cand) {
      const join = sliced.get(id);
      const span = join === undefined ? undefined : armSpan(cfg, id, join);
      if (span === undefined) {
        bad.push(id);
        continue;
      }
      const [from, to] = span;
      const decides = (v: string): boolean =>
        (reads.get(v) ?? []).some((at) => at === 0 || at >= from || !assignedAbove(lines, at, v));
      let changes = false;
      for (let l = from; l <= to && !changes; l++) {
        const text = l === from ? afterCondition(lines[l - 1] ?? '') : (lines[l - 1] ?? '');
        for (const v of reads.keys()) {
          if (mayChange(text, v) && decides(v)) {
            changes = true;
            break;
          }
        }
      }
      if (changes) bad.push(id);
    }
    if (bad.length === 0) return cand;
    for (const id of bad) cand.delete(id);
  }
  return cand;
}

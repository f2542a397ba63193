/**
 * Drops paths that no execution can take: a path that tests correlated side-effect-free conditions and goes ways
 * that contradict each other, with nothing in between that could change what they test. `if (ptl != pml)
 * spin_lock_nested(ptl); … if (ptl != pml) spin_unlock(ptl);`, `if (!start_pte) return 0; … if (start_pte)
 * pte_unmap_unlock(start_pte, ptl);`, `if (kernel || addr >= TASK_SIZE) pte = pte_offset_kernel(); else pte =
 * pte_offset_map(); … if (!kernel && addr < TASK_SIZE) pte_unmap(pte);`. Path enumeration treats branches
 * independently; without this, such a path holds a lock (or unmaps a mapping) the code never leaves that way, and a
 * rule would prove a bug on code that cannot run that way.
 *
 * Each branch's condition is a formula over literals (src/c/condition-logic.ts: negation, `== NULL`, flipped
 * comparisons, De Morgan). What a branch taken one way implies (the whole condition; each conjunct of a true `&&`;
 * each disjunct of a false `||`) becomes a fact; a later branch whose condition the facts decide the other way ends
 * the path as infeasible.
 *
 * Conservative on purpose (a path is only dropped when it is certainly infeasible):
 * - only conditions without calls, or with calls to pure predicates only (condition-logic.ts PURE_PREDICATES), are
 *   used — any other call may answer differently the second time;
 * - a fact holds only while no line the path may have run since (every line from the fact's line to the furthest
 *   line the path has reached) assigns, increments or takes the address of a variable it reads;
 * - at a loop's back edge the facts learned inside that loop are forgotten (the next iteration may differ); facts
 *   from before the loop stay, the lines of the loop body being checked by the rule above; goto and labels forget
 *   everything;
 * - a fact does not survive the unseen lines between two hunks of a fragment (they may change what it reads);
 * - besides branches, a local declared with a constant initialiser (`bool notified = false;`) is a fact from its
 *   declaration, so a flag-guarded `if (!notified) { notified = true; …start… }` opens on the first pass — only for
 *   a local never given to a call nor having its address taken (constantSeeds()).
 */
import type { EventPath } from '../core/events.ts';
import { keyOf, negate, parseCondition, readsOfFormula, type Formula } from './condition-logic.ts';

/** The three tests of modifies() for one variable name, compiled once per name. */
const MODIFIERS = new Map<string, RegExp[]>();

function modifiersOf(name: string): RegExp[] {
  let res = MODIFIERS.get(name);
  if (!res) {
    const n = name.replace(/[$]/g, '\\$&');
    res = [
      new RegExp(`\\b${n}\\b(?:\\s*(?:->|\\.)\\s*\\w+|\\s*\\[[^\\]]*\\])*\\s*(?:[-+*/%|&^]|<<|>>)?=(?!=)`),
      new RegExp(`(?:\\+\\+|--)\\s*\\b${n}\\b|\\b${n}\\b\\s*(?:\\+\\+|--)`),
      // Address taken (unary `&`, not `&&` or a bitwise and after an operand).
      new RegExp(`(?<![\\w)\\]&]\\s*)&(?!&)\\s*\\b${n}\\b`),
    ];
    MODIFIERS.set(name, res);
  }
  return res;
}

function modifies(line: string, name: string): boolean {
  return line.includes(name) && modifiersOf(name).some((re) => re.test(line));
}

interface Fact {
  value: boolean;
  line: number;
  reads: string[];
}

/** Scalar types whose locals may seed a fact from a constant initialiser. */
const SEED_DECL = /^\s+(?:const\s+)?(?:bool|int|unsigned|unsigned\s+int|long|unsigned\s+long)\s+([A-Za-z_]\w*)\s*=\s*(false|true|0|1)\s*;/;
/** Statement keywords that take a parenthesised condition (not calls). */
const NOT_CALLS = new Set(['if', 'while', 'switch', 'for', 'return', 'sizeof']);

/**
 * Locals declared with a constant initialiser (`bool notified = false;`, `int done = 0;`): each is a fact from its
 * declaration line, as if a branch had tested it. Only a local (indented: a line of the function body, not a
 * file-scope global; not `static`, whose value survives the call) that no call is given (`foo(x)`, `foo(a, x)` — a
 * macro such as local_irq_save(flags) may assign it without a visible `=`) and whose address is never taken.
 */
function constantSeeds(lines: readonly string[]): Array<{ name: string; value: boolean; line: number }> {
  const out: Array<{ name: string; value: boolean; line: number }> = [];
  lines.forEach((l, i) => {
    const m = SEED_DECL.exec(l);
    if (!m) return;
    const name = m[1]!;
    const arg = new RegExp(`(\\w+)\\s*\\((?:[^()]*,)?\\s*${name}\\s*[,)]`, 'g');
    const passed = lines.some((x, j) => j !== i && [...x.matchAll(arg)].some((a) => !NOT_CALLS.has(a[1]!)));
    if (passed || lines.some((x) => new RegExp(`&\\s*${name}\\b`).test(x.replace(/&&/g, '  ')))) return;
    out.push({ name, value: m[2] === 'true' || m[2] === '1', line: i + 1 });
  });
  return out;
}

/**
 * The paths of an image that some execution can take (see the file comment). `unseenAfter`: 0-based indices of the
 * lines after which unseen code lies (the gaps between the hunks of a fragment); a fact does not survive a gap, whose
 * lines may change what it tests.
 */
export function feasiblePaths(paths: EventPath[], text: string, unseenAfter: ReadonlySet<number> = new Set()): EventPath[] {
  const lines = text.split('\n');
  const seeds = constantSeeds(lines);
  const parsed = new Map<string, Formula | undefined>();
  // Whether line i (0-based) modifies a name: the same lines are asked about for every path and every fact.
  const modified = new Map<string, boolean>();
  const modifiesAt = (i: number, name: string): boolean => {
    const key = `${i}\u0000${name}`;
    let m = modified.get(key);
    if (m === undefined) modified.set(key, (m = modifies(lines[i]!, name)));
    return m;
  };
  const formula = (cond: string): Formula | undefined => {
    if (!parsed.has(cond)) parsed.set(cond, parseCondition(cond));
    return parsed.get(cond);
  };
  return paths.filter((p) => {
    const facts = new Map<string, Fact>();
    const loopHead = new Map<number, number>();
    let furthest = 0;
    const valid = (f: Fact, at: number): boolean => {
      if (f.line >= at) return false;
      const end = Math.max(at - 1, furthest);
      // A gap after line index g lies between 1-based lines g + 1 and g + 2.
      for (let g = f.line - 1; g <= Math.max(at, furthest) - 2; g++) if (unseenAfter.has(g)) return false;
      for (let i = f.line; i < end && i < lines.length; i++) if (f.reads.some((r) => modifiesAt(i, r))) return false;
      return true;
    };
    const known = (f: Formula, at: number): boolean | undefined => {
      const k = facts.get(keyOf(f));
      if (k && valid(k, at)) return k.value;
      const n = facts.get(keyOf(negate(f)));
      if (n && valid(n, at)) return !n.value;
      if (f.op === 'lit') return undefined;
      const vals = f.kids.map((x) => known(x, at));
      if (f.op === 'and') return vals.some((v) => v === false) ? false : vals.every((v) => v === true) ? true : undefined;
      return vals.some((v) => v === true) ? true : vals.every((v) => v === false) ? false : undefined;
    };
    const learn = (f: Formula, value: boolean, line: number): void => {
      const reads = readsOfFormula(f);
      if (reads.length === 0) return;
      facts.set(keyOf(f), { value, line, reads });
      if (f.op === 'and' && value) for (const k of f.kids) learn(k, true, line);
      if (f.op === 'or' && !value) for (const k of f.kids) learn(k, false, line);
    };
    for (const d of seeds) {
      const f = formula(d.name);
      if (f) learn(f, d.value, d.line);
    }
    for (const s of p.steps) {
      const line = s.loc.line;
      if (s.step === 'control' && (s.kind === 'goto' || s.kind === 'label')) {
        facts.clear();
        furthest = Math.max(furthest, line);
        continue;
      }
      if (s.step === 'control' && s.kind === 'loop-enter') loopHead.set(s.loop, line);
      if (s.step === 'control' && s.kind === 'loop-next') {
        const head = loopHead.get(s.loop);
        if (head === undefined) facts.clear();
        else for (const [k, f] of facts) if (f.line >= head) facts.delete(k);
      }
      if (s.step === 'control' && s.kind === 'branch') {
        const f = formula(s.cond);
        if (f && readsOfFormula(f).length > 0) {
          const v = known(f, line);
          if (v !== undefined && v !== s.taken) return false;
          learn(f, s.taken, line);
        }
      }
      furthest = Math.max(furthest, line);
    }
    return true;
  });
}

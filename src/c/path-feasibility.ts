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
 * - a fact holds only while no line the path may have run since it was learned assigns, increments or takes the
 *   address of a variable it reads: the path's lines are logged in order (every line between two consecutive steps
 *   going forward, except the body of an `if` not taken, lines after a `break` or a loop's exit through its
 *   condition, and lines holding another path's step, which would have been steps), so a later iteration of a loop
 *   that changes it on a line above the fact undoes it; going round a loop whose head the path never entered (an
 *   invented loop) forgets everything; a goto keeps the facts (the lines it jumps over did not run);
 * - a constant assignment on straight-line code right after a call (`start_pte = NULL;` after the unlock), first
 *   in the braced body of an `if` the path took (`if (!locked) { locked = 1; …`), or right after the body of an `if`
 *   it did not take (`if (!pte) return -EAGAIN; locked = 1;`), is a fact;
 * - a local assigned a lock getter that never returns NULL (condition-logic.ts NON_NULL_RESULTS: `ptl =
 *   pmd_lock(mm, pmd);` as a step, or `ptl = pte_lockptr(mm, pmd);` where a constant assignment would be a fact) tests
 *   true from there, so `if (!ptl) folio_lock(folio);` after it cannot be taken;
 * - a fact does not survive the unseen lines between two hunks of a fragment (they may change what it reads) when the
 *   path may have run them (it went on from the line before the gap to the line after it); a goto from above the
 *   gap to a label below it runs none of them;
 * - the plain statements at the top of a whole function's body run first: a constant assignment among them
 *   (`range.start = 0;`, a field path of a struct variable too) is a fact from its line, until a line run since hands
 *   the variable or its struct to a call by name (`WRITE_ONCE(x, 1)`, `get_user(x, p)`: handedToCall()); none when
 *   an unseen gap lies before the path's first step (a hidden `p = &range;`);
 * - besides branches, a local declared with a constant initialiser (`bool notified = false;`) is a fact from its
 *   declaration, so a flag-guarded `if (!notified) { notified = true; …start… }` opens on the first pass — only for
 *   a local never given to a call nor having its address taken (constantSeeds()).
 */
import type { EventPath } from '../core/events.ts';
import { NON_NULL_RESULTS, keyOf, negate, parseCondition, readsOfFormula, type Formula } from './condition-logic.ts';

/** keyOf(), keyOf(negate()) and readsOfFormula() of a formula, computed once (they are asked per path and per step). */
const KEYS = new WeakMap<Formula, string>();
const NEG_KEYS = new WeakMap<Formula, string>();
const READS = new WeakMap<Formula, string[]>();
function keyMemo(f: Formula): string {
  let k = KEYS.get(f);
  if (k === undefined) KEYS.set(f, (k = keyOf(f)));
  return k;
}
function negKeyMemo(f: Formula): string {
  let k = NEG_KEYS.get(f);
  if (k === undefined) NEG_KEYS.set(f, (k = keyOf(negate(f))));
  return k;
}
function readsMemo(f: Formula): string[] {
  let r = READS.get(f);
  if (r === undefined) READS.set(f, (r = readsOfFormula(f)));
  return r;
}

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
  /** How many lines the path had run when the fact was learned (an index into its run log). */
  from: number;
  /** Names whose being handed to a call (handedToCall()) ends the fact: an entry assignment's variable and its base. */
  handed?: string[];
}

/** Scalar types whose locals may seed a fact from a constant initialiser. */
const SEED_DECL = /^\s+(?:const\s+)?(?:bool|int|unsigned|unsigned\s+int|long|unsigned\s+long)\s+([A-Za-z_]\w*)\s*=\s*(false|true|0|1)\s*;/;
/** Statement keywords that take a parenthesised condition (not calls). */
const NOT_CALLS = new Set(['if', 'while', 'switch', 'for', 'return', 'sizeof']);

/**
 * Whether `line` gives the variable (or field path) `name` to a call as an argument by name: `foo(x)`, `foo(a, x)`,
 * `WRITE_ONCE(x, 1)`, `spin_lock_irqsave(pte_lockptr(mm, pmd), flags)`, or a continuation line of a call split over
 * lines (`\t\tflags);`). A macro so given may assign it without a visible `=` (local_irq_save(flags),
 * get_user(x, p)). The innermost parenthesis around the argument decides: one after a name that is not a statement
 * keyword is a call; a bare grouping parenthesis defers to the one around it; none on the line (a continuation) counts
 * as a call, to be safe.
 */
function handedToCall(line: string, name: string): boolean {
  if (!line.includes(name.split('.')[0]!)) return false;
  const n = name.split('.').map((x) => x.replace(/[$]/g, '\\$&')).join('\\s*\\.\\s*');
  const arg = new RegExp(`(?:^|[(,])\\s*${n}\\s*(?=[,)])`, 'g');
  for (const m of line.matchAll(arg)) {
    let depth = 0;
    let call: boolean | undefined;
    for (let i = m.index; i >= 0 && call === undefined; i--) {
      const c = line[i];
      if (c === ')') depth++;
      else if (c === '(') {
        if (depth > 0) depth--;
        else {
          const word = /(\w+)\s*$/.exec(line.slice(0, i))?.[1];
          if (word !== undefined) call = !NOT_CALLS.has(word);
        }
      }
    }
    if (call !== false) return true;
  }
  return false;
}

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
    const passed = lines.some((x, j) => j !== i && handedToCall(x, name));
    const addressTaken = new RegExp(`&\\s*${name}\\b`);
    if (passed || lines.some((x) => addressTaken.test(x.replace(/&&/g, '  ')))) return;
    out.push({ name, value: m[2] === 'true' || m[2] === '1', line: i + 1 });
  });
  return out;
}

/**
 * `x = NULL;`, `x = 0;`, `x = false;` (x is then false) or `x = true;`, `x = 1;` alone on a line; `x` a variable or
 * a field path of a struct variable (`range.start = 0;`, whose facts any line that assigns `range` or takes its
 * address ends: a call given `&range` may set its fields).
 */
const CONST_ASSIGN = /^(\s*)([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*)\s*=\s*(NULL|0|false|true|1)\s*;\s*(?:\/\*.*\*\/\s*)?$/;
/** `x = getter(...);` alone on a line: a plain local assigned a call's result (NON_NULL_RESULTS: then x is true). */
const NON_NULL_ASSIGN = /^\s*([A-Za-z_]\w*)\s*=\s*([A-Za-z_]\w*)\s*\([^;]*\)\s*;\s*(?:\/\*.*\*\/\s*)?$/;
/** A line that could leave the block or skip what follows (or hide such a thing): not straight-line code. */
const NOT_STRAIGHT = /^\s*(?:if|else|for|while|do|switch|case|default|return|break|continue|goto|[A-Za-z_]\w*\s*:(?!:)|#|[{}])/;

/** Column width of a line's leading whitespace (a tab counts 8, as kernel style lays code out). */
export function indentOf(text: string): number {
  let n = 0;
  for (const c of text) {
    if (c === '\t') n += 8;
    else if (c === ' ') n++;
    else break;
  }
  return n;
}

/** The first line after the statement head on line `head` (1-based) that is not indented deeper than it. */
function bodyEnd(lines: readonly string[], head: number): number {
  const base = indentOf(lines[head - 1] ?? '');
  let l = head + 1;
  while (l <= lines.length && (lines[l - 1]!.trim() === '' || indentOf(lines[l - 1]!) > base)) l++;
  return l;
}

/**
 * Constant assignments that certainly run after the call on line `from` when the path's next step is on line `to`:
 * on lines between them, at the call's own indentation (its block), with only plain statements of that block before
 * them (nothing that branches, jumps, opens or closes a block, or a preprocessor line).
 */
function straightAssignments(lines: readonly string[], from: number, to: number): Array<{ name: string; value: boolean; line: number }> {
  const indent = /^\s*/.exec(lines[from - 1] ?? '')![0];
  if (NOT_STRAIGHT.test(lines[from - 1] ?? '') || !(lines[from - 1] ?? '').trimEnd().endsWith(';')) return [];
  return leadingAssignments(lines, from + 1, to, indent);
}

/**
 * The constant assignments among the plain statements at `indent` from line `start` (1-based) up to, not including,
 * line `to`: the run ends at the first line that is not one (another indentation, a branch, a jump, a block).
 */
function leadingAssignments(lines: readonly string[], start: number, to: number, indent: string): Array<{ name: string; value: boolean; line: number }> {
  const out: Array<{ name: string; value: boolean; line: number }> = [];
  for (let l = start; l < to && l <= lines.length; l++) {
    const text = lines[l - 1]!;
    if (text.trim() === '' || /^\s*(?:\/\*.*\*\/|\/\/.*)$/.test(text)) continue;
    if (/^\s*/.exec(text)![0] !== indent || NOT_STRAIGHT.test(text) || !text.trimEnd().endsWith(';')) break;
    const m = CONST_ASSIGN.exec(text);
    if (m) out.push({ name: m[2]!.replace(/\s+/g, ''), value: m[3] === 'true' || m[3] === '1', line: l });
    const g = NON_NULL_ASSIGN.exec(text);
    if (g && NON_NULL_RESULTS.has(g[2]!)) out.push({ name: g[1]!, value: true, line: l });
  }
  return out;
}

/**
 * Constant assignments that certainly run first in the braced body of the `if` on line `head` that the path took,
 * when its next step is on line `to`: the body's plain statements before anything that branches or jumps
 * (`if (!locked) { locked = 1; mmap_read_lock(mm); … }`).
 */
function takenBodyAssignments(lines: readonly string[], head: number, to: number): Array<{ name: string; value: boolean; line: number }> {
  const text = lines[head - 1] ?? '';
  if (!/^\s*(?:\}\s*else\s+)?if\b.*\{\s*$/.test(text)) return [];
  const first = lines[head] ?? '';
  if (indentOf(first) <= indentOf(text)) return [];
  return leadingAssignments(lines, head + 1, to, /^\s*/.exec(first)![0]);
}

/**
 * Constant assignments that certainly run after the `if` on line `head` that the path did not take, when its next
 * step is on line `to`: the plain statements at the `if`'s own indentation right after its body (after the closing
 * brace of a braced body; none when an `else` follows): `if (!pte) return -EAGAIN; locked = 1;`.
 */
function skippedBodyAssignments(lines: readonly string[], head: number, to: number): Array<{ name: string; value: boolean; line: number }> {
  const text = lines[head - 1] ?? '';
  if (!/^\s*if\b/.test(text)) return [];
  const indent = /^\s*/.exec(text)![0];
  let from = bodyEnd(lines, head);
  // A braced body ends on its closing brace, alone on its line at the `if`'s indentation.
  if (/\{\s*(?:\/\*.*\*\/\s*)?$/.test(text) || (lines[head] ?? '').trim() === '{') {
    if (!new RegExp(`^${indent}\\}\\s*$`).test(lines[from - 1] ?? '')) return [];
    from++;
  }
  return leadingAssignments(lines, from, to, indent);
}

/**
 * Constant assignments that certainly run before the first statement with a step on line `to`: the function body's
 * plain statements from its opening brace (declarations, `range.start = 0;`), before anything that branches or jumps.
 * None when the text does not show the body's opening brace (a fragment).
 */
function entryAssignments(lines: readonly string[], to: number): Array<{ name: string; value: boolean; line: number }> {
  const open = lines.findIndex((l, i) => i < to - 1 && /^\{\s*$/.test(l));
  if (open < 0) return [];
  const first = lines.slice(open + 1, to - 1).find((l) => l.trim() !== '');
  if (first === undefined) return [];
  // A pointer to the variable made before the assignment (`p = &range;`) may change it on lines that do not name it.
  return leadingAssignments(lines, open + 2, to, /^\s*/.exec(first)![0]).filter((a) => {
    const base = a.name.split('.')[0]!;
    const addressTaken = new RegExp(`&\\s*${base}\\b`);
    return !lines.slice(0, a.line - 1).some((x) => addressTaken.test(x.replace(/&&/g, '  ')));
  });
}

/**
 * The paths of an image that some execution can take (see the file comment). `unseenAfter`: 0-based indices of the
 * lines after which unseen code lies (the gaps between the hunks of a fragment); a fact does not survive a gap, whose
 * lines may change what it tests.
 */
export function feasiblePaths(paths: EventPath[], text: string, unseenAfter: ReadonlySet<number> = new Set()): EventPath[] {
  // Lines that hold a step (a call the front end models, a branch, a loop's control) on some path: a path whose two
  // consecutive steps lie on either side of such a line did not run it (running it would have been a step).
  const stepLines = new Set<number>();
  for (const p of paths) for (const st of p.steps) stepLines.add(st.loc.line);
  return paths.filter(feasibility(text, unseenAfter, stepLines));
}

/**
 * The test feasiblePaths() applies, for one path at a time (path enumeration drops infeasible paths before they count
 * against its bound, src/c/paths.ts). `stepLines`: the lines that hold a step on some path (there, every line of a
 * node that can be a step); a line missing from it is taken as run, which only ends facts sooner. Sets the path's
 * `unseenBranch` as feasiblePaths() does.
 */
export function feasibility(text: string, unseenAfter: ReadonlySet<number>, stepLines: ReadonlySet<number>): (p: EventPath) => boolean {
  const lines = text.split('\n');
  const seeds = constantSeeds(lines);
  const parsed = new Map<string, Formula | undefined>();
  // Whether line i (0-based) modifies a name: the same lines are asked about for every path and every fact.
  const modified: Array<Map<string, boolean> | undefined> = [];
  const handed: Array<Map<string, boolean> | undefined> = [];
  const handedAt = (i: number, name: string): boolean => {
    const at = (handed[i] ??= new Map());
    let h = at.get(name);
    if (h === undefined) at.set(name, (h = handedToCall(lines[i]!, name)));
    return h;
  };
  const modifiesAt = (i: number, name: string): boolean => {
    const at = (modified[i] ??= new Map());
    let m = at.get(name);
    if (m === undefined) at.set(name, (m = modifies(lines[i]!, name)));
    return m;
  };
  const formula = (cond: string): Formula | undefined => {
    if (!parsed.has(cond)) parsed.set(cond, parseCondition(cond));
    return parsed.get(cond);
  };
  return (p) => {
    const facts = new Map<string, Fact>();
    const loopHeads = new Set<number>();
    let furthest = 0;
    // The lines (1-based) the path may have run, in the order it ran them: the lines between two consecutive steps
    // going forward (but not one that holds another path's step, nor the body of an `if` not taken), the two ends of
    // a back edge, nothing between a `break` (or a return, or a loop's exit through its condition) and the step after
    // it. A fact is checked against the lines run since it was learned (Fact.from), wherever they are: a later
    // iteration of a loop may change it on a line above it.
    const ran: number[] = [];
    // Positions in `ran` at which the path may have run the unseen lines of a gap: it went on from the line before a gap
    // (after line index g: between 1-based lines g + 1 and g + 2) to the line after it, or went round a loop with a gap
    // in it. A goto from above a gap to a label below it, or a return / break over it, runs none of them.
    const crossed: number[] = [];
    const gapIn = (lo: number, hi: number): boolean => {
      for (const g of unseenAfter) if (g >= lo && g <= hi) return true;
      return false;
    };
    const markRan = (from: number, to: number, skipSteps = false): void => {
      for (let l = Math.max(1, from); l <= Math.min(to, lines.length); l++) if (!skipSteps || !stepLines.has(l)) ran.push(l);
    };
    // While `ignoreGaps` is set, a fact killed only by a gap crossing still counts (for EventPath.unseenBranch).
    let ignoreGaps = false;
    let unseenBranch: string | undefined;
    const valid = (f: Fact, at: number): boolean => {
      if (f.line >= at) return false;
      // The unseen lines of a gap the path may have run since the fact was learned may change what it reads.
      if (!ignoreGaps && crossed.some((c) => c >= f.from)) return false;
      // The fact's own line (the test, the assignment, the declaration) re-establishes it when it runs again.
      for (let i = f.from; i < ran.length; i++) {
        if (ran[i] === f.line) continue;
        if (f.reads.some((r) => modifiesAt(ran[i]! - 1, r))) return false;
        if (f.handed?.some((h) => handedAt(ran[i]! - 1, h))) return false;
      }
      return true;
    };
    const known = (f: Formula, at: number): boolean | undefined => {
      const k = facts.get(keyMemo(f));
      if (k && valid(k, at)) return k.value;
      const n = facts.get(negKeyMemo(f));
      if (n && valid(n, at)) return !n.value;
      if (f.op === 'lit') return undefined;
      const vals = f.kids.map((x) => known(x, at));
      if (f.op === 'and') return vals.some((v) => v === false) ? false : vals.every((v) => v === true) ? true : undefined;
      return vals.some((v) => v === true) ? true : vals.every((v) => v === false) ? false : undefined;
    };
    const learn = (f: Formula, value: boolean, line: number, handed?: string[]): void => {
      const reads = readsMemo(f);
      if (reads.length === 0) return;
      facts.set(keyMemo(f), { value, line, reads, from: ran.length, ...(handed ? { handed } : {}) });
      if (f.op === 'and' && value) for (const k of f.kids) learn(k, true, line, handed);
      if (f.op === 'or' && !value) for (const k of f.kids) learn(k, false, line, handed);
    };
    for (const d of seeds) {
      const f = formula(d.name);
      if (f) learn(f, d.value, d.line);
    }
    let prev: EventPath['steps'][number] | undefined;
    for (const s of p.steps) {
      const line = s.loc.line;
      // A `break` or return leaves the lines up to the next step unrun; so does a loop left through its condition (the
      // exit step stands at the loop's end, the test was made at its head).
      // A goto runs nothing between it and its label.
      const jumped =
        (prev?.step === 'control' && prev.kind === 'goto' && s.step === 'control' && s.kind === 'label' && s.label === prev.label) ||
        (prev?.step === 'control' && prev.kind === 'loop-exit' && (prev.via === 'break' || prev.via === 'return')) ||
        (s.step === 'control' && s.kind === 'loop-exit' && s.via === 'cond');
      // The step's own line is logged once the step is done (below): a test is not undone by its own line.
      if (!prev) {
        let upTo = 1;
        // None below an unseen gap: hidden lines before the first step may have made a pointer to the variable.
        const gapBefore = [...unseenAfter].some((g) => g + 2 <= line);
        for (const a of gapBefore ? [] : entryAssignments(lines, line)) {
          markRan(upTo, a.line, true);
          upTo = a.line + 1;
          const f = formula(a.name);
          // A macro handed the variable by name (WRITE_ONCE(x, 1), local_irq_save(flags)) may assign it: the fact ends.
          if (f) learn(f, a.value, a.line, [...new Set([a.name, a.name.split('.')[0]!])]);
        }
        markRan(upTo, line - 1);
        if (gapIn(0, line - 2)) crossed.push(ran.length);
      }
      else if (line >= prev.loc.line) {
        if (!jumped) {
          // An `if` not taken skips its body: the lines after it indented deeper than the `if` (kernel style).
          const from = prev.step === 'control' && prev.kind === 'branch' && !prev.taken ? bodyEnd(lines, prev.loc.line) : prev.loc.line + 1;
          // A constant assignment on the way is a fact from its line on: the lines up to it ran before it.
          let upTo = from;
          const assigned =
            prev.step === 'event'
              ? straightAssignments(lines, prev.loc.line, line)
              : prev.step === 'control' && prev.kind === 'branch' && prev.taken
                ? takenBodyAssignments(lines, prev.loc.line, line)
                : prev.step === 'control' && prev.kind === 'branch'
                  ? skippedBodyAssignments(lines, prev.loc.line, line)
                  : [];
          for (const a of assigned) {
            markRan(upTo, a.line, true);
            upTo = a.line + 1;
            const f = formula(a.name);
            if (f) learn(f, a.value, a.line);
          }
          markRan(upTo, line - 1, true);
          // The segment's facts are learned before the crossing is logged: one learned above the gap must not outlive it.
          if (gapIn(from - 2, line - 2)) crossed.push(ran.length);
        }
      } else if (gapIn(line - 2, Math.max(prev.loc.line, furthest) - 1)) {
        // A back edge: going round a loop with a gap in it may run the gap again.
        crossed.push(ran.length);
      }
      // A back edge runs the loop's end and its head (condition, increment): both are steps, logged as such; the
      // body's lines that ran were logged on the way down.
      prev = s;
      // A goto and a label keep the path's facts: the lines a goto jumps over did not run (`jumped`), a backward goto
      // re-runs lines that are then logged as any others (a fact learned at or below a test is never used for it),
      // and a label's other entries are other paths.
      if (s.step === 'control' && (s.kind === 'goto' || s.kind === 'label')) {
        furthest = Math.max(furthest, line);
        ran.push(line);
        continue;
      }
      if (s.step === 'control' && s.kind === 'loop-enter') loopHeads.add(s.loop);
      // Round a loop whose head the path never entered (unseen above a fragment): what ran there is unknown.
      if (s.step === 'control' && s.kind === 'loop-next' && !loopHeads.has(s.loop)) facts.clear();
      // A fragment that starts in the tail of a condition (`... == 0)`): the front end invents its `if (`, and the
      // condition it reads is only the visible tail of the real one — not a fact, and not to be judged by facts.
      const partialHead = s.step === 'control' && s.kind === 'branch' && line === 1 && !/\b(?:if|while|for|switch)\s*\(/.test(lines[0] ?? '');
      if (s.step === 'control' && s.kind === 'branch' && !partialHead) {
        const f = formula(s.cond);
        if (f && readsMemo(f).length > 0) {
          const v = known(f, line);
          if (v !== undefined && v !== s.taken) return false;
          if (v === undefined && unseenBranch === undefined && crossed.length > 0 && !/\b__mmr_\w*__\b/.test(s.cond)) {
            ignoreGaps = true;
            const w = known(f, line);
            ignoreGaps = false;
            if (w !== undefined && w !== s.taken) unseenBranch = `whether the lines the diff does not show before line ${s.loc.fileLine ?? line} change what \`${s.cond}\` tests (the code shown makes it ${w ? 'true' : 'false'} there)`;
          }
          learn(f, s.taken, line);
        }
      }
      // A lock getter that never returns NULL (NON_NULL_RESULTS): the local it is stored in is true from here.
      if (s.step === 'event' && s.result !== undefined && NON_NULL_RESULTS.has(s.callee)) {
        for (const r of [s.result, ...(s.resultAliases ?? [])]) {
          const f = /^[A-Za-z_]\w*$/.test(r) ? formula(r) : undefined;
          if (f) learn(f, true, line);
        }
      }
      furthest = Math.max(furthest, line);
      ran.push(line);
    }
    if (unseenBranch !== undefined) p.unseenBranch = unseenBranch;
    return true;
  };
}

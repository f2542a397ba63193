/**
 * Splits a C condition at its depth-0 `&&` / `||` operators (outside parentheses and brackets): the operands of a
 * conjunction or disjunction, untrimmed, in order. One splitter for every reader of branch conditions (path
 * feasibility of failable results, API failure semantics, arch flush conditions).
 */
export function splitTop(cond: string, ops: ReadonlyArray<'&&' | '||'>): string[] {
  const out: string[] = [];
  let d = 0;
  let start = 0;
  for (let i = 0; i < cond.length; i++) {
    const c = cond[i];
    if (c === '(' || c === '[') d++;
    else if (c === ')' || c === ']') d--;
    else if (d === 0 && ops.some((op) => cond.startsWith(op, i))) {
      out.push(cond.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  out.push(cond.slice(start));
  return out;
}

/** Does `ch` occur in `cond` outside parentheses and brackets? */
export function hasTopLevel(cond: string, ch: string): boolean {
  let d = 0;
  for (const c of cond) {
    if (c === '(' || c === '[') d++;
    else if (c === ')' || c === ']') d--;
    else if (d === 0 && c === ch) return true;
  }
  return false;
}

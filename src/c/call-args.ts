/** Split a call's argument list at top-level commas (`f(a, g(b, c), d)` → ['a', 'g(b, c)', 'd']). */
export function callArgs(text: string): string[] {
  const open = text.indexOf('(');
  if (open < 0) return [];
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = open + 1; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    if (ch === ')' || ch === ']' || ch === '}') {
      if (depth === 0) {
        out.push(cur.trim());
        return out.filter((a, k) => a !== '' || k > 0);
      }
      depth--;
    }
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

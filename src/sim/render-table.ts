/**
 * Render a trace as the CPU-column interleaving table kernel developers read (seed 004 style): one column per CPU,
 * consecutive steps of one CPU merged into a block, bracketed state notes, the violation last, sources as footnotes.
 */
import type { Trace } from '../core/finding.ts';

/** Word-wrap `text` to `width` columns (long words are cut). */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    let w = word;
    while (w.length > width) {
      if (line) {
        out.push(line);
        line = '';
      }
      out.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!line) line = w;
    else if (line.length + 1 + w.length <= width) line += ` ${w}`;
    else {
      out.push(line);
      line = w;
    }
  }
  if (line) out.push(line);
  return out.length > 0 ? out : [''];
}

/** A word joiner: keeps a call and its source marker (`ptep_get() [2]`) on one line when wrapping. */
const GLUE = '\u0001';
const unglue = (s: string): string => s.split(GLUE).join(' ');

/** One CPU's consecutive steps: the lines it shows (unwrapped, glued), and the footnotes it adds. */
interface Block {
  thread: number;
  items: string[];
}

/**
 * The table as text; `width` is the total line width (default 100). Columns are sized to what they hold: a column
 * is as wide as its longest item (or CPU role), and only when the table would exceed the width are the widest
 * columns narrowed and their items wrapped. A call and its `[n]` marker are never split.
 */
export function renderTable(trace: Trace, opts: { width?: number } = {}): string {
  const n = Math.max(1, trace.threads.length);
  const indent = 2;
  const gap = 2;
  const total = Math.max(40, opts.width ?? 100);
  const cpu = trace.threads.map((t) => /^(CPU\d+)/.exec(t)?.[1] ?? t);
  const role = trace.threads.map((t) => /\((.*)\)\s*$/.exec(t)?.[1] ?? '');
  const notes: string[] = [];
  const blocks: Block[] = [];
  let i = 0;
  while (i < trace.steps.length) {
    const t = trace.steps[i]!.thread;
    const items: string[] = [];
    while (i < trace.steps.length && trace.steps[i]!.thread === t) {
      const st = trace.steps[i]!;
      let action = st.action;
      if (st.source && (st.source.path || st.source.line !== undefined)) {
        notes.push(`[${notes.length + 1}] ${st.source.path ?? ''}${st.source.line !== undefined ? `:${st.source.line}` : ''}${st.source.text ? `  ${st.source.text.trim()}` : ''}`);
        action += `${GLUE}[${notes.length}]`;
      }
      items.push(action);
      if (st.note) items.push(`[${st.note}]`);
      if (st.violation) items.push(`[VIOLATION: ${st.violation}]`);
      i++;
    }
    blocks.push({ thread: t, items });
  }
  // Natural width of each column: its longest item (no wrapping), its CPU name and role. Minimum width: its longest
  // unbreakable word (a call with its marker, an identifier), so nothing is ever cut mid-word.
  const natural = Array.from({ length: n }, (_, c) =>
    Math.max(cpu[c]?.length ?? 0, role[c]?.length ?? 0, ...blocks.filter((b) => b.thread === c).flatMap((b) => b.items.map((x) => x.length))),
  );
  const longestWord = (s: string): number => Math.max(0, ...s.split(/\s+/).map((w) => w.length));
  const minimum = Array.from({ length: n }, (_, c) =>
    Math.max(Math.min(natural[c]!, 16), cpu[c]?.length ?? 0, longestWord(role[c] ?? ''), ...blocks.filter((b) => b.thread === c).flatMap((b) => b.items.map((x) => longestWord(x) + (x.startsWith('[') ? 1 : 0)))),
  );
  const budget = total - indent - gap * (n - 1);
  const fitted = (level: number): number[] => natural.map((w, c) => Math.max(minimum[c]!, Math.min(w, level)));
  const sum = (ws: number[]): number => ws.reduce((a, b) => a + b, 0);
  // Water-filling: the largest common cap that fits the budget; narrow columns keep their natural width.
  let lo = 0;
  let hi = Math.max(...natural);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (sum(fitted(mid)) <= budget) lo = mid;
    else hi = mid - 1;
  }
  const widths = fitted(lo);
  const starts = widths.map((_, c) => indent + widths.slice(0, c).reduce((a, b) => a + b + gap, 0));
  const row = (cells: Map<number, string>): string => {
    let line = '';
    for (let c = 0; c < n; c++) {
      const cell = cells.get(c);
      if (cell === undefined || cell === '') continue;
      line = line.padEnd(starts[c]!) + cell;
    }
    return line.trimEnd();
  };
  const cellLines = (item: string, c: number): string[] => {
    const w = widths[c]!;
    const isNote = item.startsWith('[');
    // Glue only what fits on a line; a longer glued run would be cut mid-word instead.
    const glued = item.split(/\s+/).some((word) => word.includes(GLUE) && word.length > w) ? unglue(item) : item;
    // A note's continuation lines are indented by one under its opening bracket.
    const one = wrap(glued, w);
    if (one.length === 1) return [unglue(one[0]!)];
    return wrap(glued, isNote ? w - 1 : w).map((l, k) => unglue(isNote && k > 0 ? ` ${l}` : l));
  };
  const lines: string[] = [];
  lines.push(row(new Map(cpu.map((c, k) => [k, c]))));
  lines.push(row(new Map(cpu.map((c, k) => [k, '-'.repeat(c.length)]))));
  const roleLines = role.map((r, c) => (r ? wrap(r, widths[c]!) : []));
  const maxRole = Math.max(0, ...roleLines.map((r) => r.length));
  for (let k = 0; k < maxRole; k++) lines.push(row(new Map(roleLines.map((r, c) => [c, r[k] ?? '']))));
  for (const b of blocks) {
    lines.push('');
    for (const item of b.items) for (const l of cellLines(item, b.thread)) lines.push(row(new Map([[b.thread, l]])));
  }
  const out = [...lines, '', ...wrap(trace.summary, total - indent).map((l) => ' '.repeat(indent) + l)];
  if (notes.length > 0) out.push('', ...notes.map((l) => ' '.repeat(indent) + l));
  return out.join('\n') + '\n';
}

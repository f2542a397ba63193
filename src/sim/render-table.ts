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

/** The table as text; `width` is the total line width (default 100). */
export function renderTable(trace: Trace, opts: { width?: number } = {}): string {
  const n = Math.max(1, trace.threads.length);
  const indent = 2;
  const total = opts.width ?? Math.max(100, n * 28);
  const col = Math.max(14, Math.floor((total - indent) / n));
  const inner = col - 2;
  const pad = (s: string): string => s + ' '.repeat(Math.max(0, col - s.length));
  const row = (cells: Map<number, string>): string => {
    let line = ' '.repeat(indent);
    for (let c = 0; c < n; c++) line += pad(cells.get(c) ?? '');
    return line.trimEnd();
  };
  const lines: string[] = [];
  const cpu = trace.threads.map((t) => /^(CPU\d+)/.exec(t)?.[1] ?? t);
  const role = trace.threads.map((t) => /\((.*)\)\s*$/.exec(t)?.[1] ?? '');
  lines.push(row(new Map(cpu.map((c, i) => [i, c]))));
  lines.push(row(new Map(cpu.map((c, i) => [i, '-'.repeat(c.length)]))));
  const roleLines = role.map((r) => wrap(r, inner));
  const maxRole = Math.max(...roleLines.map((r) => (r[0] === '' ? 0 : r.length)));
  for (let k = 0; k < maxRole; k++) lines.push(row(new Map(roleLines.map((r, i) => [i, r[k] ?? '']))));
  const notes: string[] = [];
  // merge consecutive steps of one CPU into blocks
  let i = 0;
  while (i < trace.steps.length) {
    const t = trace.steps[i]!.thread;
    const block: string[] = [];
    while (i < trace.steps.length && trace.steps[i]!.thread === t) {
      const st = trace.steps[i]!;
      let action = st.action;
      if (st.source && (st.source.path || st.source.line !== undefined)) {
        notes.push(`[${notes.length + 1}] ${st.source.path ?? ''}${st.source.line !== undefined ? `:${st.source.line}` : ''}${st.source.text ? `  ${st.source.text.trim()}` : ''}`);
        action += ` [${notes.length}]`;
      }
      block.push(...wrap(action, inner));
      if (st.note) block.push(...wrap(`[${st.note}]`, inner).map((l, k) => (k === 0 ? l : ` ${l}`)));
      if (st.violation) block.push(...wrap(`[VIOLATION: ${st.violation}]`, inner));
      i++;
    }
    lines.push('');
    for (const l of block) lines.push(row(new Map([[t, l]])));
  }
  const out = [...lines, '', ...wrap(trace.summary, total - indent).map((l) => ' '.repeat(indent) + l)];
  if (notes.length > 0) out.push('', ...notes.map((l) => ' '.repeat(indent) + l));
  return out.join('\n') + '\n';
}

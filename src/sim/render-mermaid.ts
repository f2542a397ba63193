/**
 * Render a trace as a Mermaid sequenceDiagram: one participant per CPU, one note per step, the violation last.
 */
import type { Trace } from '../core/finding.ts';

function clean(s: string): string {
  return s.replace(/[;#]/g, ',').replace(/[<>]/g, (c) => (c === '<' ? '‹' : '›')).replace(/\s+/g, ' ').trim();
}

/** The diagram source. */
export function renderMermaid(trace: Trace): string {
  const out = ['sequenceDiagram'];
  trace.threads.forEach((t, i) => out.push(`  participant C${i} as ${clean(t)}`));
  for (const st of trace.steps) {
    let text = clean(st.action);
    if (st.note) text += `<br/>[${clean(st.note)}]`;
    if (st.violation) text += `<br/>VIOLATION: ${st.violation}`;
    out.push(`  Note over C${st.thread}: ${text}`);
  }
  return out.join('\n') + '\n';
}

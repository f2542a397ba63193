/** Renders a scan report as one static, self-contained HTML page (everything escaped). Pure. */
import type { ScanReport } from '../scan/report-data.ts';
import type { Trace } from '../core/finding.ts';

/** HTML-escapes text for element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The lore link of a Message-ID. */
export function loreUrl(messageId: string): string {
  return `https://lore.kernel.org/r/${encodeURIComponent(messageId.replace(/^<|>$/g, '')).replace(/%40/g, '@')}`;
}

function msgLink(mid: string, text?: string): string {
  return `<a href="${escapeHtml(loreUrl(mid))}">${escapeHtml(text ?? `<${mid}>`)}</a>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2em;max-width:72em}
pre{background:#f6f8fa;padding:.8em;overflow-x:auto}
.reported{color:#b00020}.repeat{color:#8a6d00}.resolved{color:#1b7f2a}.summary{color:#555}
table.run td{padding:0 1em 0 0}section.series{border-top:1px solid #ccc;margin-top:1.5em}`;

/** The report page. `renderTable` renders traces (CPU columns) inside <pre>. */
export function renderHtmlReport(report: ScanReport, opts: { renderTable: (t: Trace) => string; title?: string }): string {
  const h: string[] = [];
  const title = opts.title ?? 'mmreview scan report';
  h.push('<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">', `<title>${escapeHtml(title)}</title>`, `<style>${STYLE}</style></head><body>`);
  h.push(`<h1>${escapeHtml(title)}</h1>`);
  h.push(`<p>mmreview ${escapeHtml(report.version)} — schema ${escapeHtml(report.schema)}</p>`);
  h.push('<table class="run">');
  for (const s of report.run.sources) {
    h.push(`<tr><td>${escapeHtml(s.path)}</td><td>${escapeHtml(s.kind ?? 'unknown')}</td><td>${s.newMessages} new</td><td>${s.seenMessages} seen</td><td>${s.error ? `<strong>${escapeHtml(`${s.error.code}: ${s.error.message}`)}</strong>` : ''}</td></tr>`);
  }
  h.push('</table>');
  const t = report.totals;
  h.push(`<p>Messages in state: ${Object.keys(t).sort().map((k) => `${escapeHtml(k)} ${t[k]}`).join(', ')}</p>`);
  for (const s of report.series) {
    h.push('<section class="series">');
    h.push(`<h2>${escapeHtml(s.subject)}</h2><p>${msgLink(s.root)}</p>`);
    for (const p of s.patches) {
      h.push(`<h3>${msgLink(p.messageId, p.subject)} <small>(v${p.version} ${p.part}/${p.total}, ${escapeHtml(p.state)})</small></h3>`);
      if (p.error) h.push(`<p><strong>${escapeHtml(p.error)}</strong></p>`);
      if (p.findings.length === 0) h.push('<p>No findings.</p>');
      for (const f of p.findings) {
        h.push(`<div class="finding ${escapeHtml(f.disposition)}">`);
        h.push(`<p><strong>${escapeHtml(f.rule)}</strong> ${escapeHtml(f.status)} — ${escapeHtml(`${f.path}:${f.line}`)} <code>${escapeHtml(f.function)}()</code> — <span class="${escapeHtml(f.disposition)}">${escapeHtml(f.disposition)}</span>${f.fixedIn ? ` — fixed in ${msgLink(f.fixedIn)}` : ''}</p>`);
        h.push(`<p>${escapeHtml(f.message)}</p>`);
        if (f.trace) h.push(`<pre>${escapeHtml(opts.renderTable(f.trace))}</pre>`);
        h.push('</div>');
      }
      for (const r of p.replies) h.push(`<p>Reply ${escapeHtml(r.state)}: <code>${escapeHtml(r.file)}</code></p>`);
    }
    h.push('</section>');
  }
  if (report.messageProblems.length > 0) {
    h.push('<h2>Message problems</h2><ul>');
    for (const m of report.messageProblems) h.push(`<li>${escapeHtml(m.code)} #${m.index}${m.messageId ? ` ${msgLink(m.messageId)}` : ''}: ${escapeHtml(m.message)}</li>`);
    h.push('</ul>');
  }
  h.push('</body></html>', '');
  return h.join('\n');
}

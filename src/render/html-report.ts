/**
 * Renders a scan report as one static, self-contained HTML page (everything escaped; no script, no external
 * resource). Layout: a summary with counts, a table of contents (one entry per series, with its findings count),
 * then one section per series. CPU tables are shown at full width in a scrolling <pre>; colour marks only what
 * needs attention (a reported confirmed finding), everything else is plain text. Pure.
 */
import type { ScanReport, ScanReportFinding, ScanReportSeries } from '../scan/report-data.ts';
import type { Trace } from '../core/finding.ts';
import { findingWhere, functionLabel } from './where.ts';
import { escapeHtml } from './escape-html.ts';

/** Where message links point: a public-inbox base URL (`https://lore.kernel.org/linux-mm/`, `/all/`, a mirror). */
export const DEFAULT_ARCHIVE_URL = 'https://lore.kernel.org/r/';


/**
 * The archive link of a Message-ID under `base` (public-inbox serves `<base><msgid>/`; lore's `/r/` redirects).
 * `base` must be an http(s) URL; anything else falls back to the default so no input can build a `javascript:` link.
 */
export function archiveUrl(messageId: string, base: string = DEFAULT_ARCHIVE_URL): string {
  const safe = /^https?:\/\/[^\s"'<>]+$/i.test(base) ? (base.endsWith('/') ? base : `${base}/`) : DEFAULT_ARCHIVE_URL;
  return `${safe}${encodeURIComponent(messageId.replace(/^<|>$/g, '')).replace(/%40/g, '@')}`;
}

/** The lore link of a Message-ID (kept for callers that want lore explicitly). */
export function loreUrl(messageId: string): string {
  return archiveUrl(messageId, DEFAULT_ARCHIVE_URL);
}

export interface HtmlReportOptions {
  /** Renders traces (CPU columns) as text; called with a width suited to a wide page. */
  renderTable: (t: Trace, opts?: { width?: number }) => string;
  title?: string;
  /** Base URL of the archive the messages came from (default lore's `/r/`). */
  archiveUrl?: string;
}

const STYLE = `:root{color-scheme:light;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--code:#f6f8fa;--alert:#b42318;--ok:#1a7f37}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);margin:0 auto;padding:1.5em 2em;max-width:100%}
main{max-width:1400px;margin:0 auto}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin:1.4em 0 .4em}h3{font-size:1.05em;margin:1em 0 .3em}
a{color:#0969da}
.muted,small{color:var(--muted)}
pre{background:var(--code);border:1px solid var(--line);border-radius:6px;padding:.8em 1em;overflow-x:auto;white-space:pre;font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;max-width:100%}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
table{border-collapse:collapse}
table.counts td,table.counts th,table.sources td,table.sources th{padding:.2em 1.2em .2em 0;text-align:left;border-bottom:1px solid var(--line)}
nav ol{padding-left:1.4em}nav li{margin:.15em 0}
section.series{border-top:1px solid var(--line);margin-top:1.5em}
.finding{border-left:3px solid var(--line);padding:.1em 0 .1em 1em;margin:.8em 0}
.finding.attention{border-left-color:var(--alert)}
.tag{font-weight:600}.tag.attention{color:var(--alert)}.tag.fixed{color:var(--ok)}`;

/** Does this finding need a reader's attention (a confirmed finding reported on the list)? */
function needsAttention(f: ScanReportFinding): boolean {
  return f.status === 'confirmed' && f.introduced && !f.fixed && f.disposition !== 'resolved' && f.fixedIn === undefined;
}

function seriesId(i: number): string {
  return `series-${i + 1}`;
}

function countFindings(s: ScanReportSeries): { all: number; attention: number } {
  const fs = s.patches.flatMap((p) => p.findings);
  return { all: fs.length, attention: fs.filter(needsAttention).length };
}

/** The report page. */
export function renderHtmlReport(report: ScanReport, opts: HtmlReportOptions): string {
  const base = opts.archiveUrl ?? DEFAULT_ARCHIVE_URL;
  const link = (mid: string, text?: string): string => `<a href="${escapeHtml(archiveUrl(mid, base))}">${escapeHtml(text ?? `<${mid}>`)}</a>`;
  const h: string[] = [];
  const title = opts.title ?? 'mmreview scan report';
  h.push('<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">');
  h.push(`<title>${escapeHtml(title)}</title>`, `<style>${STYLE}</style></head><body><main>`);
  h.push(`<h1>${escapeHtml(title)}</h1>`, `<p class="muted">mmreview ${escapeHtml(report.version)} — schema ${escapeHtml(report.schema)}</p>`);

  // Summary: what this run read and what the archive holds now.
  const findings = report.series.flatMap((s) => s.patches.flatMap((p) => p.findings));
  const attention = findings.filter(needsAttention).length;
  const fixed = findings.filter((f) => f.fixed || f.fixedIn !== undefined || f.disposition === 'resolved').length;
  const newMessages = report.run.sources.reduce((n, s) => n + s.newMessages, 0);
  const seen = report.run.sources.reduce((n, s) => n + s.seenMessages, 0);
  h.push('<h2 id="summary">Summary</h2>', '<table class="counts"><tbody>');
  const row = (k: string, v: string | number, cls = ''): string => `<tr><th>${escapeHtml(k)}</th><td${cls ? ` class="${cls}"` : ''}>${escapeHtml(String(v))}</td></tr>`;
  h.push(row('series', report.series.length), row('patches', report.series.reduce((n, s) => n + s.patches.length, 0)));
  h.push(row('confirmed findings to answer', attention, attention > 0 ? 'tag attention' : ''), row('fixed or resolved', fixed, fixed > 0 ? 'tag fixed' : ''));
  h.push(row('all findings', findings.length), row('messages new in this run', newMessages), row('messages already seen', seen));
  if (report.messageProblems.length > 0) h.push(row('messages with problems', report.messageProblems.length));
  h.push('</tbody></table>');
  h.push('<table class="sources"><thead><tr><th>source</th><th>kind</th><th>new</th><th>seen</th><th>error</th></tr></thead><tbody>');
  for (const s of report.run.sources) {
    h.push(`<tr><td><code>${escapeHtml(s.path)}</code></td><td>${escapeHtml(s.kind ?? 'unknown')}</td><td>${s.newMessages}</td><td>${s.seenMessages}</td><td>${s.error ? `<strong>${escapeHtml(`${s.error.code}: ${s.error.message}`)}</strong>` : ''}</td></tr>`);
  }
  h.push('</tbody></table>');
  const t = report.totals;
  h.push(`<p class="muted">Messages in state: ${Object.keys(t).sort().map((k) => `${escapeHtml(k)} ${t[k]}`).join(', ')}</p>`);

  // Contents.
  if (report.series.length > 0) {
    h.push('<nav aria-label="Contents"><h2 id="contents">Contents</h2><ol>');
    report.series.forEach((s, i) => {
      const c = countFindings(s);
      const what = c.attention > 0 ? `<span class="tag attention">${c.attention} to answer</span>` : c.all > 0 ? `${c.all} finding${c.all === 1 ? '' : 's'}` : 'no findings';
      h.push(`<li><a href="#${seriesId(i)}">${escapeHtml(s.subject)}</a> <small>(${s.patches.length} patch${s.patches.length === 1 ? '' : 'es'}; </small>${what}<small>)</small></li>`);
    });
    if (report.messageProblems.length > 0) h.push('<li><a href="#problems">Message problems</a></li>');
    h.push('</ol></nav>');
  }

  report.series.forEach((s, i) => {
    h.push(`<section class="series" id="${seriesId(i)}">`);
    h.push(`<h2>${escapeHtml(s.subject)}</h2><p>${link(s.root)}</p>`);
    for (const p of s.patches) {
      h.push(`<h3>${link(p.messageId, p.subject)} <small>(v${p.version} ${p.part}/${p.total}, ${escapeHtml(p.state)})</small></h3>`);
      if (p.error) h.push(`<p><strong>${escapeHtml(p.error)}</strong></p>`);
      if (p.findings.length === 0) h.push('<p class="muted">No findings.</p>');
      for (const f of p.findings) {
        const att = needsAttention(f);
        const isFixed = f.fixed || f.fixedIn !== undefined || f.disposition === 'resolved';
        const tagClass = att ? 'tag attention' : isFixed ? 'tag fixed' : 'tag';
        const verdict = f.fixed ? 'fixes' : f.status;
        h.push(`<div class="finding${att ? ' attention' : ''}">`);
        h.push(
          `<p><span class="${tagClass}">${escapeHtml(verdict)}</span> <strong>${escapeHtml(f.rule)}</strong> — <code>${escapeHtml(findingWhere(f))}</code>${f.function ? ` <code>${escapeHtml(functionLabel(f))}</code>` : ''} <small>(${escapeHtml(f.disposition)}${f.arch ? `, simulated on ${escapeHtml(f.arch)}` : ''})</small>${f.fixedIn ? ` — fixed in ${link(f.fixedIn)}` : ''}</p>`,
        );
        h.push(`<p>${f.fixed ? 'Before this patch: ' : ''}${escapeHtml(f.message)}</p>`);
        if (f.trace && !f.fixed) h.push(`<pre>${escapeHtml(opts.renderTable(f.trace, { width: 140 }))}</pre>`);
        h.push('</div>');
      }
      for (const r of p.replies) h.push(`<p class="muted">Reply ${escapeHtml(r.state)}: <code>${escapeHtml(r.file)}</code></p>`);
    }
    h.push('</section>');
  });
  if (report.messageProblems.length > 0) {
    h.push('<h2 id="problems">Message problems</h2><ul>');
    for (const m of report.messageProblems) h.push(`<li>${escapeHtml(m.code)} #${m.index}${m.messageId ? ` ${link(m.messageId)}` : ''}: ${escapeHtml(m.message)}</li>`);
    h.push('</ul>');
  }
  h.push('</main></body></html>', '');
  return h.join('\n');
}

/** Renders a scan report as terminal text or JSON. Pure. */
import type { ScanReport } from '../scan/report-data.ts';
import type { Trace } from '../core/finding.ts';
import { findingHeading, findingWhere } from './where.ts';

/** Stable JSON (2-space indent, trailing newline). */
export function renderScanReportJson(report: ScanReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const DISPOSITION_TEXT: Record<string, string> = {
  reported: 'reported',
  repeat: 'already reported on an earlier version',
  resolved: 'fixed by this patch',
  summary: 'not posted',
};

/** Terminal text: run summary, then one block per series with its patches and findings. */
export function renderScanReportText(report: ScanReport, opts: { renderTable?: (t: Trace) => string } = {}): string {
  const out: string[] = [];
  const r = report.run;
  for (const s of r.sources) {
    out.push(`source ${s.path} (${s.kind ?? 'unknown'}): ${s.newMessages} new, ${s.seenMessages} already seen, ${(s.bytes / 1048576).toFixed(1)} MB${s.error ? ` — ERROR ${s.error.code}: ${s.error.message}` : ''}`);
  }
  const c = r.counts;
  out.push(`messages this run: ${c.patch} patches, ${c.context} context, ${c.skipped} skipped (no diff), ${c.irrelevant} out of scope, ${c.duplicate} duplicates, ${c.error} errors`);
  const v = r.review;
  out.push(`review: ${v.reviewed} reviewed, ${v.superseded} superseded, ${v.failed} failed, ${v.findings} findings, ${v.drafted} replies drafted, ${v.repeats} repeats suppressed, ${v.fixedNotes} fixed notes`);
  for (const p of r.problems) out.push(`  problem ${p.code} ${p.source}#${p.index}${p.messageId ? ` <${p.messageId}>` : ''}: ${p.message}`);
  for (const p of v.problems) out.push(`  problem ${p.code} <${p.messageId}>: ${p.message}`);
  if (report.series.length === 0) out.push(report.history ? 'no series in the state yet' : 'nothing new reviewed in this run (--history shows every series)');
  for (const s of report.series) {
    out.push('');
    out.push(`series: ${s.subject}`);
    out.push(`  <${s.root}>`);
    for (const p of s.patches) {
      out.push(`  [${p.state}] v${p.version} ${p.part}/${p.total} ${p.subject}`);
      out.push(`      <${p.messageId}>${p.error ? ` (${p.error})` : ''}`);
      for (const c of p.context ?? []) out.push(`      ${c.message}`);
      for (const f of p.findings) {
        const fixed = f.fixedIn ? `; fixed in <${f.fixedIn}>` : '';
        out.push(`      ${f.rule} ${f.status} ${findingHeading(f)}: ${DISPOSITION_TEXT[f.disposition] ?? f.disposition}${fixed}`);
        out.push(`        ${f.message}`);
        if (f.trace && opts.renderTable && f.disposition === 'reported') {
          for (const l of opts.renderTable(f.trace).split('\n')) out.push(`        ${l}`.trimEnd());
        }
      }
      for (const rep of p.replies) out.push(`      reply ${rep.state}: ${rep.file}`);
    }
  }
  return `${out.join('\n')}\n`;
}

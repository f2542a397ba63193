/** Builds the data of a scan report (per series: patches, findings with their status, replies) from the store. */
import type { Finding, Trace } from '../core/finding.ts';
import { VERSION } from '../core/version.ts';
import type { StateStore } from '../store/state-store.ts';
import type { ScanResult } from './scanner.ts';

export interface ScanReportFinding {
  fingerprint: string;
  rule: string;
  severity: string;
  status: string;
  /** reported | repeat | resolved | summary */
  disposition: string;
  /** Message-ID of the patch that fixed it (for reported findings). */
  fixedIn?: string;
  introduced: boolean;
  fixed: boolean;
  path: string;
  line: number;
  /** Where the finding sits when its file is unknown (see Finding.location). */
  location?: Finding['location'];
  function: string;
  message: string;
  arch?: string;
  trace?: Trace;
}

export interface ScanReportPatch {
  messageId: string;
  subject: string;
  version: number;
  part: number;
  total: number;
  state: string;
  error?: string;
  /** What the patch was read against when a tree was given in this run (MMR041 / MMR042 notes), one line each. */
  context?: Array<{ code: string; message: string }>;
  findings: ScanReportFinding[];
  replies: Array<{ replyId: string; file: string; state: string }>;
}

export interface ScanReportSeries {
  root: string;
  subject: string;
  patches: ScanReportPatch[];
}

/** The JSON scan report (`--format json`); versioned by `schema`. */
export interface ScanReport {
  tool: 'mmreview';
  version: string;
  schema: 'mmreview-scan/1';
  run: ScanResult;
  totals: Record<string, number>;
  series: ScanReportSeries[];
  messageProblems: Array<{ index: number; messageId?: string; code: string; message: string }>;
  /** True when `series` holds the whole history; false when only what this run reviewed or marked fixed. */
  history: boolean;
}

/** Collects the report from the store after a run. Deterministic ordering throughout. */
export function buildScanReport(store: StateStore, run: ScanResult, opts: { history?: boolean } = {}): ScanReport {
  const history = opts.history === true;
  const thisRun = new Set(run.review.reviewedKeys ?? []);
  // Without --history and with nothing reviewed in this run (a re-scan with nothing new), no patch is touched: the
  // patches (and their findings) are not read at all.
  const patches = history || thisRun.size > 0 ? store.allPatches() : [];
  const bySeries = new Map<string, ScanReportPatch[]>();
  const pkeyToMid = new Map(patches.map((p) => [p.pkey, p.messageId]));
  for (const p of patches) {
    // A reply's quote that the archive's own patch covers stayed context: not a patch of any series.
    if (p.lineage.startsWith('quoted:') && p.state !== 'reviewed') continue;
    const rows = store.findingsOfPatch(p.pkey);
    // Without --history: the patches this run reviewed, and earlier ones whose finding this run marked fixed.
    const touched = thisRun.has(p.pkey) || rows.some((r) => r.fixedIn !== undefined && thisRun.has(r.fixedIn));
    if (!history && !touched) continue;
    const findings = rows.map((row): ScanReportFinding => {
      const f = JSON.parse(row.findingJson) as Finding;
      const out: ScanReportFinding = {
        fingerprint: row.fingerprint, rule: row.rule, severity: f.severity, status: row.status, disposition: row.disposition,
        introduced: f.introduced, fixed: f.fixed, path: f.path, line: f.line, function: f.function, message: f.message,
      };
      if (row.fixedIn) out.fixedIn = pkeyToMid.get(row.fixedIn) ?? row.fixedIn;
      if (f.location) out.location = f.location;
      if (f.simulation) out.arch = f.simulation.arch;
      if (f.simulation?.trace) out.trace = f.simulation.trace;
      return out;
    });
    const rp: ScanReportPatch = {
      messageId: p.messageId, subject: p.subject, version: p.version, part: p.part, total: p.total, state: p.state, findings,
      replies: store.repliesOfPatch(p.pkey).map((r) => ({ replyId: r.replyId, file: r.file, state: r.state })),
    };
    if (p.error) rp.error = p.error;
    const ctx = (run.review.context ?? []).filter((c) => c.messageId === p.messageId).map((c) => ({ code: c.code, message: c.message }));
    if (ctx.length) rp.context = ctx;
    const list = bySeries.get(p.seriesRoot) ?? [];
    list.push(rp);
    bySeries.set(p.seriesRoot, list);
  }
  const known = new Map(store.allSeries().map((s) => [s.root, s.subject]));
  const series = [...bySeries.entries()].map(([root, ps]) => ({ root, subject: known.get(root) ?? store.messageById(root)?.subject ?? ps[0]!.subject, patches: ps }));
  return {
    tool: 'mmreview',
    version: VERSION,
    schema: 'mmreview-scan/1',
    run,
    totals: store.messageCounts(),
    series,
    messageProblems: store.messageErrors().map((m) => ({ index: m.idx, messageId: m.messageId, code: m.code ?? 'MMR004', message: m.error ?? '' })),
    history,
  };
}

// Pure SARIF 2.1.0 renderer: findings (per commit) → one SARIF log with rules, locations, thread flows, fingerprints.
import type * as Sarif from 'sarif';
import type { Finding, Report, Severity, Trace } from '../core/finding.ts';
import type { RuleMeta } from '../core/rule.ts';
import { VERSION } from '../core/version.ts';
import { severityOf } from '../core/errors.ts';

/** One report to render, with the commit it reviews when it came from `check --git`. */
export interface SarifInput {
  report: Report;
  commit?: { sha: string; subject: string };
}

/** Options for {@link renderSarif}. */
export interface SarifOptions {
  /** Rule id → the rule's documentation page (markdown, docs/rules/<id>.md) read by the caller; used as `help`. */
  help?: Record<string, string>;
  /** Also emit refuted findings (as `kind: "pass"`); by default they are left out. */
  includeRefuted?: boolean;
  /** Renders a trace as text (the CPU-column table); when given, the table is appended to each result's markdown. */
  renderTrace?: (t: Trace) => string;
  /** Tool information URI (must be an absolute URI). */
  informationUri?: string;
}

const SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

function levelOf(s: Severity): 'error' | 'warning' | 'note' {
  return s === 'info' ? 'note' : s;
}

function isAbsoluteUri(u: string | undefined): u is string {
  return typeof u === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(u);
}

/** Kind and level of a result under the default posting policy (confirmed && introduced is the one that fails). */
function classify(f: Finding): { kind: Sarif.Result.kind; level: Sarif.Result.level; baseline: Sarif.Result.baselineState } {
  if (f.fixed && !f.introduced) return { kind: 'pass', level: 'none', baseline: 'absent' };
  if (f.status === 'refuted') return { kind: 'pass', level: 'none', baseline: f.introduced ? 'new' : 'unchanged' };
  if (f.status === 'confirmed') {
    return f.introduced
      ? { kind: 'fail', level: levelOf(f.severity), baseline: 'new' }
      : { kind: 'fail', level: 'note', baseline: 'unchanged' };
  }
  return { kind: 'review', level: 'none', baseline: f.introduced ? 'new' : 'unchanged' };
}

function physical(path: string, line: number | undefined, snippet?: string): Sarif.PhysicalLocation {
  const region: Sarif.Region = { startLine: Math.max(1, line ?? 1) };
  if (snippet) region.snippet = { text: snippet };
  return { artifactLocation: { uri: path.replace(/^\/+/, '') }, region };
}

function stepText(t: Trace, i: number): string {
  const s = t.steps[i];
  if (!s) return '';
  const parts = [s.action];
  if (s.note) parts.push(`[ ${s.note} ]`);
  if (s.violation) parts.push(`violates ${s.violation}`);
  return parts.join(' ');
}

/** One codeFlow: a threadFlow per CPU column, locations in step order with a global `executionOrder`. */
function codeFlow(f: Finding, t: Trace): Sarif.CodeFlow {
  const threadFlows: Sarif.ThreadFlow[] = [];
  t.threads.forEach((label, thread) => {
    const locations: Sarif.ThreadFlowLocation[] = [];
    t.steps.forEach((s, i) => {
      if (s.thread !== thread) return;
      const loc: Sarif.Location = { message: { text: stepText(t, i) } };
      if (s.source?.line !== undefined) loc.physicalLocation = physical(s.source.path ?? f.path, s.source.line, s.source.text);
      const tfl: Sarif.ThreadFlowLocation = { location: loc, executionOrder: i + 1, nestingLevel: 0 };
      if (s.violation) tfl.importance = 'essential';
      else if (!s.source) tfl.importance = 'important';
      if (s.note) tfl.state = { note: { text: s.note } };
      locations.push(tfl);
    });
    if (locations.length > 0) threadFlows.push({ id: `cpu${thread}`, message: { text: label }, locations });
  });
  return { message: { text: t.summary }, threadFlows };
}

function resultOf(f: Finding, commit: SarifInput['commit'], ruleIndex: number, opts: SarifOptions): Sarif.Result | undefined {
  if (f.status === 'refuted' && !opts.includeRefuted) return undefined;
  const c = classify(f);
  const where = f.side === 'LEFT' ? ' (line in the file before this change)' : '';
  const prefix = c.kind === 'pass' && f.fixed ? 'Fixed by this change: ' : f.status === 'confirmed' ? '' : `[${f.status}] `;
  const text = `${prefix}${f.message}${where}`;
  const message: Sarif.Message = { text };
  const trace = f.simulation?.trace;
  if (trace && opts.renderTrace) {
    message.markdown = `${text}\n\n\`\`\`\n${opts.renderTrace(trace)}\n\`\`\``;
  }
  const result: Sarif.Result = {
    ruleId: f.rule,
    ruleIndex,
    kind: c.kind,
    level: c.level,
    message,
    // A fragment whose file is unknown is located in the input (the mail or patch file) at the fragment's line.
    locations: [
      {
        physicalLocation: f.path ? physical(f.path, f.line) : physical(f.location?.input ?? 'input', f.location?.line ?? f.inputLine),
        ...(f.function ? { logicalLocations: [{ name: f.function, kind: 'function' }] } : {}),
      },
    ],
    partialFingerprints: { 'mmreview/v1': f.fingerprint },
    baselineState: c.baseline,
  };
  if (f.related && f.related.length > 0) {
    result.relatedLocations = f.related.map((r, i) => ({ id: i + 1, message: { text: r.message }, physicalLocation: physical(r.path, r.line) }));
  }
  if (trace && trace.steps.length > 0) result.codeFlows = [codeFlow(f, trace)];
  const props: Sarif.PropertyBag = {
    status: f.status,
    introduced: f.introduced,
    fixed: f.fixed,
    side: f.side,
    function: f.function,
  };
  if (f.simulation) {
    props.arch = f.simulation.arch;
    if (f.simulation.invariant) props.invariant = f.simulation.invariant;
    props.states = f.simulation.states;
    if (f.simulation.bound) props.bound = f.simulation.bound;
  }
  if (f.suggestion) props.suggestion = { text: f.suggestion.text, verdict: f.suggestion.verdict ?? 'not-simulated' };
  if (f.dependsOn) props.dependsOn = f.dependsOn;
  if (f.budgets && f.budgets.length > 0) props.budgets = f.budgets;
  if (f.notes && f.notes.length > 0) props.notes = f.notes;
  const sha = commit?.sha ?? f.patch.commit;
  if (sha) props.commit = sha;
  const subject = commit?.subject ?? f.patch.subject;
  if (subject) props.subject = subject;
  if (f.patch.messageId) props.messageId = f.patch.messageId;
  result.properties = props;
  return result;
}

function descriptor(meta: RuleMeta | undefined, id: string, opts: SarifOptions): Sarif.ReportingDescriptor {
  if (!meta) return { id, shortDescription: { text: id } };
  const d: Sarif.ReportingDescriptor = {
    id,
    name: id.replace(/-([a-z0-9])/g, (_, ch: string) => ch.toUpperCase()).replace(/^./, (ch) => ch.toUpperCase()),
    shortDescription: { text: meta.docs.description },
    fullDescription: { text: meta.hazard || meta.docs.description },
    defaultConfiguration: { level: levelOf(meta.severity) },
    properties: { tags: ['linux-kernel', 'mm', 'concurrency'], precision: 'high' },
  };
  const md = opts.help?.[id];
  d.help = md ? { text: md, markdown: md } : { text: meta.hazard || meta.docs.description };
  if (isAbsoluteUri(meta.docs.url)) d.helpUri = meta.docs.url;
  return d;
}

function compareResults(a: { order: number; f: Finding }, b: { order: number; f: Finding }): number {
  return (
    a.order - b.order ||
    a.f.path.localeCompare(b.f.path) ||
    a.f.line - b.f.line ||
    a.f.rule.localeCompare(b.f.rule) ||
    a.f.fingerprint.localeCompare(b.f.fingerprint)
  );
}

/**
 * Renders reports as one SARIF 2.1.0 log (one run). Rules come from `rules` (sorted by id, plus any rule id a finding
 * names that the list lacks); each result carries its location, a threadFlow per CPU of the interleaving,
 * `partialFingerprints["mmreview/v1"]`, and properties (status, introduced, fixed, arch, invariant, commit).
 * Run errors become tool execution notifications. Pure and deterministic.
 */
export function renderSarif(reports: SarifInput[], rules: RuleMeta[], opts: SarifOptions = {}): Sarif.Log {
  const metaById = new Map(rules.map((r) => [r.id, r] as const));
  const ids = new Set(rules.map((r) => r.id));
  for (const { report } of reports) for (const f of report.findings) ids.add(f.rule);
  const ruleIds = [...ids].sort();
  const index = new Map(ruleIds.map((id, i) => [id, i] as const));
  const driverRules = ruleIds.map((id) => descriptor(metaById.get(id), id, opts));

  const ordered: Array<{ order: number; f: Finding; commit: SarifInput['commit'] }> = [];
  reports.forEach(({ report, commit }, order) => {
    for (const f of report.findings) ordered.push({ order, f, commit });
  });
  ordered.sort(compareResults);
  const results = ordered
    .map(({ f, commit }) => resultOf(f, commit, index.get(f.rule) ?? 0, opts))
    .filter((r): r is Sarif.Result => r !== undefined);

  const notifications: Sarif.Notification[] = reports.flatMap(({ report, commit }) =>
    report.errors.map((e) => ({
      level: severityOf(e.code),
      message: { text: `${e.code}: ${e.message}${commit ? ` (commit ${commit.sha.slice(0, 12)})` : ''}` },
      descriptor: { id: e.code },
      properties: { input: e.input, ...(e.line !== undefined ? { line: e.line } : {}) },
    })),
  );

  const driver: Sarif.ToolComponent = {
    name: 'mmreview',
    version: VERSION,
    semanticVersion: VERSION,
    rules: driverRules,
  };
  if (isAbsoluteUri(opts.informationUri)) driver.informationUri = opts.informationUri;
  const commits = reports.flatMap(({ commit }) => (commit ? [{ sha: commit.sha, subject: commit.subject }] : []));
  const run: Sarif.Run = {
    tool: { driver },
    invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
    results,
    columnKind: 'unicodeCodePoints',
  };
  if (commits.length > 0) run.properties = { commits };
  return { $schema: SCHEMA_URI, version: '2.1.0', runs: [run] };
}

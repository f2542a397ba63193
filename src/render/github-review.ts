/** Pure renderer of mmreview's GitHub pull-request review: inline comment bodies, the review body and hidden markers. */
import type { Finding, Trace } from '../core/finding.ts';
import { escapeHtml } from './escape-html.ts';

/** How a trace becomes text: the simulator's CPU-column table and its Mermaid sequence diagram. */
export interface TraceRenderers {
  table(trace: Trace): string;
  mermaid(trace: Trace): string;
}

/** A parsed hidden marker. */
export type Marker =
  | { kind: 'finding'; fingerprint: string; rule: string }
  | { kind: 'resolved'; fingerprint: string; sha: string }
  | { kind: 'review'; sha: string };

/** One inline comment of a review (REST `comments[]` item plus the fingerprint it carries). */
export interface ReviewCommentDraft {
  path: string;
  line: number;
  side: 'RIGHT' | 'LEFT';
  body: string;
  fingerprint: string;
}

/** A review ready to post: event COMMENT, body, inline comments. */
export interface ReviewDraft {
  body: string;
  comments: ReviewCommentDraft[];
}

/** What a review for one head sha says. */
export interface ReviewInput {
  headSha: string;
  /** Findings to post now (new since the last review), in order of importance. */
  findings: Finding[];
  /** Inline comment cap; findings past it go to the body. */
  maxInline: number;
  /** True when the finding's line/side is part of the PR diff (GitHub only accepts comments there). */
  isPlaceable(f: Finding): boolean;
  /** Earlier findings that this head no longer has (their comments get a "Resolved in" reply). */
  resolved?: Array<{ fingerprint: string; rule: string; path: string; function?: string }>;
  /** Findings whose inline placement GitHub refused: forced into the body. */
  forceBody?: ReadonlySet<string>;
}

const MARKER_RE = /<!-- mmreview:v1 ([^>]*?) -->/g;

/** Keep marker fields free of characters that could end the HTML comment or split fields. */
function markerSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9_.:@/+=-]/g, '_');
}

/** `<!-- mmreview:v1 fp=<fingerprint> rule=<id> -->` */
export function findingMarker(f: Pick<Finding, 'fingerprint' | 'rule'>): string {
  return `<!-- mmreview:v1 fp=${markerSafe(f.fingerprint)} rule=${markerSafe(f.rule)} -->`;
}

/** Marker of a "Resolved in <sha>" reply. */
export function resolvedMarker(fingerprint: string, sha: string): string {
  return `<!-- mmreview:v1 resolved fp=${markerSafe(fingerprint)} sha=${markerSafe(sha)} -->`;
}

/** Marker of a review body: which head sha it analysed (used to detect redelivered webhooks). */
export function reviewMarker(sha: string): string {
  return `<!-- mmreview:v1 review sha=${markerSafe(sha)} -->`;
}

/** Every mmreview marker in a comment or review body, in order. */
export function parseMarkers(body: string | null | undefined): Marker[] {
  const out: Marker[] = [];
  if (!body) return out;
  for (const m of body.matchAll(MARKER_RE)) {
    const words = (m[1] ?? '').split(/\s+/);
    const fields: Record<string, string> = {};
    let kind = 'finding';
    for (const w of words) {
      const eq = w.indexOf('=');
      if (eq < 0) kind = w;
      else fields[w.slice(0, eq)] = w.slice(eq + 1);
    }
    if (kind === 'resolved' && fields.fp && fields.sha) out.push({ kind, fingerprint: fields.fp, sha: fields.sha });
    else if (kind === 'review' && fields.sha) out.push({ kind, sha: fields.sha });
    else if (kind === 'finding' && fields.fp && fields.rule) out.push({ kind, fingerprint: fields.fp, rule: fields.rule });
  }
  return out;
}

/** A fenced code block whose fence is longer than any backtick run inside. */
export function fence(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${text.replace(/\n+$/, '')}\n${f}`;
}

const VERDICT_TEXT: Record<string, string> = {
  'removes-violation': 'simulated: removes the violation',
  'still-violates': 'simulated: still violates',
  'not-simulated': 'not simulated',
};

/** Short status line: `confirmed on x86, violates no-lost-write`. */
function statusLine(f: Finding): string {
  const sim = f.simulation;
  if (f.status === 'confirmed' && sim) return `confirmed on ${sim.arch}${sim.invariant ? `, violates ${sim.invariant}` : ''}`;
  if (f.status === 'inconclusive' && sim) return `inconclusive: ${f.dependsOn ?? sim.bound ?? 'bound reached'}`;
  if (f.status === 'unsimulated') return `not simulated${sim?.note ? `: ${sim.note}` : ''}`;
  return f.status;
}

/** The counterexample block: collapsible CPU table and Mermaid diagram. */
function traceBlock(f: Finding, r: TraceRenderers): string {
  const trace = f.simulation?.trace;
  if (!trace) return '';
  const sim = f.simulation;
  const facts = sim ? [sim.arch, sim.invariant, `${sim.states} states`].filter(Boolean).join(', ') : '';
  return [
    `<details><summary>Interleaving${facts ? ` (${facts})` : ''}: ${escapeHtml(trace.summary)}</summary>`,
    '',
    fence(r.table(trace)),
    '',
    fence(r.mermaid(trace), 'mermaid'),
    '',
    '</details>',
  ].join('\n');
}

/** The body of one inline comment (or one body entry): message, suggestion + verdict, interleaving, marker. */
export function renderFindingComment(f: Finding, r: TraceRenderers): string {
  const parts = [`**mmreview · \`${f.rule}\`** (${f.severity}, ${statusLine(f)}) in \`${f.function}()\``, '', f.message];
  if (f.suggestion) {
    const v = f.suggestion.verdict ? ` (${VERDICT_TEXT[f.suggestion.verdict] ?? f.suggestion.verdict})` : '';
    parts.push('', `**Suggested fix:** ${f.suggestion.text}${v}`);
  } else if (f.status === 'confirmed' && (f.notes ?? []).some((n) => n.startsWith('no mechanical fix'))) {
    parts.push('', 'No mechanical fix was found (the simulated rewrite did not remove the violation).');
  }
  if (f.dependsOn) parts.push('', `_${f.dependsOn}_`);
  const block = traceBlock(f, r);
  if (block) parts.push('', block);
  parts.push('', findingMarker(f));
  return parts.join('\n');
}

/** The reply posted under a comment whose finding disappeared. */
export function renderResolvedReply(fingerprint: string, rule: string, sha: string): string {
  return `Resolved in ${sha}: \`${rule}\` no longer reproduces on this head.\n\n${resolvedMarker(fingerprint, sha)}`;
}

/** Split findings into inline comments and body entries, and write the review. Pure and deterministic. */
export function renderReview(input: ReviewInput, r: TraceRenderers): ReviewDraft {
  const comments: ReviewCommentDraft[] = [];
  const inBody: Finding[] = [];
  for (const f of input.findings) {
    const forced = input.forceBody?.has(f.fingerprint) ?? false;
    if (!forced && comments.length < input.maxInline && input.isPlaceable(f)) {
      comments.push({ path: f.path, line: f.line, side: f.side, body: renderFindingComment(f, r), fingerprint: f.fingerprint });
    } else {
      inBody.push(f);
    }
  }
  const lines: string[] = [];
  const n = input.findings.length;
  if (n > 0) {
    lines.push(
      `**mmreview** found ${n} new issue${n === 1 ? '' : 's'} in ${input.headSha.slice(0, 12)}` +
        (comments.length ? ` (${comments.length} inline)` : '') +
        '. Each one was reproduced by the concurrency simulator; the interleaving is attached.',
    );
  } else {
    lines.push(`**mmreview** reviewed ${input.headSha.slice(0, 12)}: no new issue.`);
  }
  if (input.resolved && input.resolved.length > 0) {
    lines.push('', '**Resolved by this push:**');
    for (const x of input.resolved) {
      lines.push(`- \`${x.rule}\` in \`${x.path}\`${x.function ? ` (\`${x.function}()\`)` : ''}`);
    }
  }
  for (const f of inBody) {
    lines.push('', '---', '', `**\`${f.path}\` line ${f.line}** (${f.side === 'RIGHT' ? 'new' : 'old'} file)`, '');
    lines.push(renderFindingComment(f, r));
  }
  lines.push('', reviewMarker(input.headSha));
  return { body: lines.join('\n'), comments };
}

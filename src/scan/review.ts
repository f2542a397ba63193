/** Reviews pending patches series by series: engine, finding dispositions across versions, reply drafts. */
import { writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding, Report } from '../core/finding.ts';
import type { Patch } from '../core/patch.ts';
import type { Disposition, PatchRow, StateStore } from '../store/state-store.ts';
import { renderMailReply } from '../render/mail-reply.ts';
import type { EngineOptions, ScanDeps } from './deps.ts';
import { threadRoot } from './lineage.ts';
import { assembleSeries } from '../series/index.ts';
import { fixesTags, touchesFunction } from './fixes-tag.ts';
import { CodeIndex, patchHoldingQuote } from '../sources/fragment-paths.ts';
import { BASE_NOTE_CODES } from '../core/errors.ts';
import type { BaseStore } from '../diff/source-tree.ts';

export interface ReviewOptions {
  /** Directory for `.eml` drafts. */
  draftsDir: string;
  /** Our From address. */
  from: string;
  engine?: EngineOptions;
  /**
   * Keep a series pending for now (e.g. `watch` waiting for the rest of an M/N series): the group stays `pending`
   * and is planned again on the next run. Called with the newest version's parts and follow-ups.
   */
  hold?: (group: readonly PatchRow[]) => boolean;
  /**
   * The kernel tree (git repository or directory) the series apply to: each patch is reviewed against its own base
   * (index blob ids, the series' earlier patches, base-commit, HEAD) with whole functions; see docs/scan.md.
   */
  tree?: BaseStore;
}

export interface ReviewStats {
  reviewed: number;
  superseded: number;
  failed: number;
  findings: number;
  drafted: number;
  repeats: number;
  fixedNotes: number;
  /** Series kept pending by `hold` (incomplete, still within their grace period). */
  held?: number;
  /** Patches reviewed in this run (pkeys), for reports of what the run did. */
  reviewedKeys?: string[];
  /** Per-patch problems of this review (engine crashes, engine-reported errors). */
  problems: Array<{ messageId: string; code: string; message: string }>;
  /** Per-patch tree-base notes of this review (MMR041 base used, MMR042 no base for a file: hunk-only). */
  context?: Array<{ messageId: string; code: string; message: string }>;
}

/** Writes a file atomically (temp + rename), so a kill never leaves half a draft. */
function writeAtomic(path: string, data: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function seriesRootOf(store: StateStore, messageId: string): string {
  return threadRoot(messageId, (id) => store.messageById(id)?.parent).root;
}

/**
 * Picks what to review: `assembleSeries` over the pending patches groups them into series and keeps the newest
 * version; a pending patch older than a version already reviewed (late arrival) is superseded too. Returns the
 * patches to review grouped per series (parts in order, then follow-ups), groups in arrival order.
 */
export function planReview(store: StateStore, hold?: ReviewOptions['hold']): { groups: PatchRow[][]; superseded: number; held: number } {
  const pending = store.pendingPatches();
  const byKey = new Map(pending.map((r) => [r.pkey, r]));
  const patches: Patch[] = pending.map((r) => ({ ...(JSON.parse(r.patchJson) as Patch), id: r.pkey }));
  const old = new Set<string>();
  const grouped: PatchRow[][] = [];
  const placed = new Set<string>();
  for (const s of assembleSeries(patches)) {
    for (const v of s.superseded) for (const p of v.parts) old.add(p.id);
    const rows = [...s.parts, ...s.followups].map((p) => byKey.get(p.id)).filter((r): r is PatchRow => r !== undefined && !placed.has(r.pkey));
    rows.forEach((r) => placed.add(r.pkey));
    if (rows.length) grouped.push(rows);
  }
  for (const r of pending) if (!placed.has(r.pkey) && !old.has(r.pkey)) grouped.push([r]);
  let superseded = 0;
  const groups: PatchRow[][] = [];
  store.transaction(() => {
    for (const r of pending) {
      if (old.has(r.pkey) && !placed.has(r.pkey)) {
        store.setPatchState(r.pkey, 'superseded');
        superseded++;
      }
    }
    for (const g of grouped) {
      const keep = g.filter((r) => {
        if (r.version >= store.maxReviewedVersion(r.lineage)) return true;
        store.setPatchState(r.pkey, 'superseded');
        superseded++;
        return false;
      });
      if (keep.length) groups.push(keep);
    }
  });
  for (const g of groups) for (const p of g) p.seriesRoot = seriesRootOf(store, p.messageId);
  groups.sort((a, b) => Math.min(...a.map((r) => r.seq)) - Math.min(...b.map((r) => r.seq)));
  if (!hold) return { groups, superseded, held: 0 };
  const ready = groups.filter((g) => !hold(g));
  return { groups: ready, superseded, held: groups.length - ready.length };
}

/** Reviews every pending patch; each series is committed in one transaction together with its drafts' records. */
/**
 * The one policy for replies (docs/inputs.md): a diff quoted in a reply is the reviewer quoting a patch. When the
 * archive holds that patch, the patch is what gets reviewed and the quote stays context; when it does not, the quoted
 * diff is reviewed like `check` reviews a reply it is given, its findings located in the reply, reported but never
 * drafted as replies (the reply's author did not write the code).
 */
function settleQuoted(store: StateStore): void {
  const quoted = store.quotedPatches();
  if (quoted.length === 0) return;
  const own = new CodeIndex(
    store
      .allPatches()
      .filter((r) => r.state !== 'quoted')
      .flatMap((r) => (JSON.parse(r.patchJson) as Patch).files.map((file) => ({ owner: r, file }))),
  );
  store.transaction(() => {
    for (const q of quoted) {
      const from = patchHoldingQuote(own, JSON.parse(q.patchJson) as Patch);
      if (from) store.setPatchState(q.pkey, 'superseded', `quotes <${from.messageId}>, reviewed as itself`);
      else store.setPatchState(q.pkey, 'pending');
    }
  });
}

export async function reviewPending(store: StateStore, deps: ScanDeps, opts: ReviewOptions): Promise<ReviewStats> {
  settleQuoted(store);
  const stats: ReviewStats = { reviewed: 0, superseded: 0, failed: 0, findings: 0, drafted: 0, repeats: 0, fixedNotes: 0, problems: [], context: [] };
  const plan = planReview(store, opts.hold);
  stats.superseded = plan.superseded;
  stats.held = plan.held;
  mkdirSync(opts.draftsDir, { recursive: true });
  // Loaded when there is a tree to review against (it brings the rule set along): a re-scan with nothing new, or a
  // review on workers, never loads it here.
  if (plan.groups.length === 0) return stats;
  const tree = opts.tree;
  const checkAgainstTree = tree ? (await import('../git/tree-check.ts')).checkAgainstTree : undefined;
  const review = (patches: Patch[]): Promise<Report> =>
    tree && checkAgainstTree
      ? checkAgainstTree((ps, o) => deps.checkPatches(ps, o), patches, tree, { ...(opts.engine?.rules ? { rules: opts.engine.rules } : {}), ...(opts.engine?.arch ? { arch: opts.engine.arch } : {}) })
      : deps.checkPatches(patches, opts.engine);
  // With a pool behind checkPatches, up to twice its size of series are under review ahead of the one being
  // committed (a bounded window: even one worker reviews the next series while this thread commits the last);
  // results are still committed one series at a time, in plan order. In process: one at a time.
  const ahead = tree || deps.reviewSlots === undefined ? 1 : 2 * Math.max(1, Math.floor(deps.reviewSlots));
  const started: Array<{ patches: Patch[]; outcome: Promise<Report | Error> } | undefined> = [];
  const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));
  const startReview = (i: number): { patches: Patch[]; outcome: Promise<Report | Error> } => {
    const patches: Patch[] = plan.groups[i]!.map((row) => ({ ...(JSON.parse(row.patchJson) as Patch), id: row.pkey }));
    try {
      return { patches, outcome: review(patches).catch(asError) };
    } catch (e) {
      return { patches, outcome: Promise.resolve(asError(e)) };
    }
  };
  for (let gi = 0; gi < plan.groups.length; gi++) {
    const group = plan.groups[gi]!;
    while (started.length < Math.min(plan.groups.length, gi + ahead)) started.push(startReview(started.length));
    const { patches, outcome: pending } = started[gi]!;
    started[gi] = undefined;
    const outcome = await pending;
    let findings: Finding[];
    let engineErrors: Array<{ code: string; message: string; input: string }> = [];
    if (!(outcome instanceof Error)) {
      findings = outcome.findings;
      engineErrors = outcome.errors;
    } else {
      const msg = `engine failed: ${outcome.message}`;
      store.transaction(() => {
        for (const row of group) store.setPatchState(row.pkey, 'failed', msg);
      });
      for (const row of group) stats.problems.push({ messageId: row.messageId, code: 'MMR020', message: msg });
      stats.failed += group.length;
      continue;
    }
    for (const e of engineErrors) {
      // Attributed to the patch the error names (its key), else to the series' first patch.
      const row = group.find((r) => r.pkey === e.input) ?? group[0]!;
      if (BASE_NOTE_CODES.has(e.code)) stats.context!.push({ messageId: row.messageId, code: e.code, message: e.message });
      else stats.problems.push({ messageId: row.messageId, code: e.code, message: `${e.input}: ${e.message}` });
    }
    const byPatch = new Map<string, Finding[]>();
    for (const f of findings) {
      const row = group.find((r) => r.pkey === f.patch.id) ?? group.find((r) => r.messageId === f.patch.messageId?.replace(/^<|>$/g, ''));
      if (!row) continue;
      const list = byPatch.get(row.pkey) ?? [];
      list.push(f);
      byPatch.set(row.pkey, list);
    }
    store.transaction(() => {
      for (const row of group) {
        store.setPatchSeries(row.pkey, row.seriesRoot);
        store.addSeries(row.seriesRoot, store.messageById(row.seriesRoot)?.subject ?? row.subject, row.seq);
        const fs = (byPatch.get(row.pkey) ?? []).sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
        const toPost: Finding[] = [];
        const current = new Set<string>();
        const self = patches.find((p) => p.id === row.pkey)!;
        const quotedOrigin = self.quoted === true;
        for (const f of fs) {
          let disposition: Disposition;
          if (deps.isReportable(f) && quotedOrigin) {
            disposition = 'summary'; // reported in the scan report, not drafted to the author of the reply
          } else if (deps.isReportable(f)) {
            current.add(f.fingerprint);
            if (store.reportedFinding(f.fingerprint)) {
              disposition = 'repeat';
              stats.repeats++;
            } else {
              disposition = 'reported';
              if (!toPost.some((p) => p.fingerprint === f.fingerprint)) toPost.push(f);
            }
          } else if (f.fixed) {
            disposition = 'resolved';
            if (store.reportedFinding(f.fingerprint)) stats.fixedNotes++;
            store.markFixed(f.fingerprint, row.pkey);
          } else {
            disposition = 'summary';
            if (f.introduced) current.add(f.fingerprint);
          }
          store.addFinding({
            fingerprint: f.fingerprint, pkey: row.pkey, messageId: row.messageId, lineage: row.lineage, version: row.version,
            rule: f.rule, status: f.status, disposition, findingJson: JSON.stringify(f),
          });
          stats.findings++;
        }
        // A finding reported on an earlier version that this version no longer has: fixed by this version.
        for (const old of store.openFindings(row.lineage, row.version)) {
          if (!current.has(old.fingerprint)) {
            store.markFixed(old.fingerprint, row.pkey);
            stats.fixedNotes++;
          }
        }
        // A later patch whose `Fixes:` trailer names an earlier patch and that changes the function a finding of
        // that patch is about: the finding is fixed by it (a fix posted in its own thread).
        for (const tag of fixesTags(self.description)) {
          if (tag.lineage === row.lineage) continue;
          for (const old of store.openFindings(tag.lineage, Number.MAX_SAFE_INTEGER)) {
            const f = JSON.parse(old.findingJson) as Finding;
            if (current.has(old.fingerprint) || !touchesFunction(self, f)) continue;
            store.markFixed(old.fingerprint, row.pkey);
            stats.fixedNotes++;
          }
        }
        if (toPost.length > 0) {
          const patch = self;
          const reply = renderMailReply({ patch, findings: toPost, from: opts.from, renderTable: deps.renderTable });
          const file = join(opts.draftsDir, reply.fileName);
          for (const n of reply.notes) stats.problems.push({ messageId: row.messageId, code: 'MMR008', message: `reply draft: ${n}` });
          if (!store.getReply(reply.messageId)) {
            writeAtomic(file, reply.eml);
            store.addReply({
              replyId: reply.messageId, inReplyTo: reply.inReplyTo, pkey: row.pkey, file,
              fingerprints: toPost.map((f) => f.fingerprint).join(' '), state: 'drafted',
            });
            stats.drafted++;
          }
        }
        store.setPatchState(row.pkey, 'reviewed');
        stats.reviewed++;
        (stats.reviewedKeys ??= []).push(row.pkey);
      }
    });
  }
  return stats;
}

/** Reviews pending patches series by series: engine, finding dispositions across versions, reply drafts. */
import { writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../core/finding.ts';
import type { Patch } from '../core/patch.ts';
import type { Disposition, PatchRow, StateStore } from '../store/state-store.ts';
import { renderMailReply } from '../render/mail-reply.ts';
import type { EngineOptions, ScanDeps } from './deps.ts';
import { threadRoot } from './lineage.ts';

export interface ReviewOptions {
  /** Directory for `.eml` drafts. */
  draftsDir: string;
  /** Our From address. */
  from: string;
  engine?: EngineOptions;
}

export interface ReviewStats {
  reviewed: number;
  superseded: number;
  failed: number;
  findings: number;
  drafted: number;
  repeats: number;
  fixedNotes: number;
  /** Per-patch problems of this review (engine crashes, engine-reported errors). */
  problems: Array<{ messageId: string; code: string; message: string }>;
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
 * Picks what to review: the newest pending version of each lineage, not older than a reviewed one. Marks the rest
 * superseded. Returns the patches to review grouped by series root, groups in arrival order.
 */
export function planReview(store: StateStore): { groups: PatchRow[][]; superseded: number } {
  const pending = store.pendingPatches();
  const newest = new Map<string, number>();
  for (const p of pending) newest.set(p.lineage, Math.max(newest.get(p.lineage) ?? 0, p.version));
  const keep: PatchRow[] = [];
  let superseded = 0;
  store.transaction(() => {
    for (const p of pending) {
      if (p.version < (newest.get(p.lineage) ?? 0) || p.version < store.maxReviewedVersion(p.lineage)) {
        store.setPatchState(p.pkey, 'superseded');
        superseded++;
      } else keep.push(p);
    }
  });
  const groups = new Map<string, PatchRow[]>();
  for (const p of keep) {
    const root = seriesRootOf(store, p.messageId);
    p.seriesRoot = root;
    const g = groups.get(root);
    if (g) g.push(p);
    else groups.set(root, [p]);
  }
  const ordered = [...groups.values()].sort((a, b) => a[0]!.seq - b[0]!.seq);
  for (const g of ordered) g.sort((a, b) => a.part - b.part || a.seq - b.seq);
  return { groups: ordered, superseded };
}

/** Reviews every pending patch; each series is committed in one transaction together with its drafts' records. */
export async function reviewPending(store: StateStore, deps: ScanDeps, opts: ReviewOptions): Promise<ReviewStats> {
  const stats: ReviewStats = { reviewed: 0, superseded: 0, failed: 0, findings: 0, drafted: 0, repeats: 0, fixedNotes: 0, problems: [] };
  const plan = planReview(store);
  stats.superseded = plan.superseded;
  mkdirSync(opts.draftsDir, { recursive: true });
  for (const group of plan.groups) {
    const patches: Patch[] = group.map((row) => ({ ...(JSON.parse(row.patchJson) as Patch), id: row.pkey }));
    let findings: Finding[];
    let engineErrors: Array<{ code: string; message: string; input: string }> = [];
    try {
      const report = await deps.checkPatches(patches, opts.engine);
      findings = report.findings;
      engineErrors = report.errors;
    } catch (e) {
      const msg = `engine failed: ${(e as Error).message}`;
      store.transaction(() => {
        for (const row of group) store.setPatchState(row.pkey, 'failed', msg);
      });
      for (const row of group) stats.problems.push({ messageId: row.messageId, code: 'MMR020', message: msg });
      stats.failed += group.length;
      continue;
    }
    for (const e of engineErrors) stats.problems.push({ messageId: group[0]!.messageId, code: e.code, message: `${e.input}: ${e.message}` });
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
        for (const f of fs) {
          let disposition: Disposition;
          if (deps.isReportable(f)) {
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
        if (toPost.length > 0) {
          const patch = patches.find((p) => p.id === row.pkey)!;
          const reply = renderMailReply({ patch, findings: toPost, from: opts.from, renderTable: deps.renderTable });
          const file = join(opts.draftsDir, reply.fileName);
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
      }
    });
  }
  return stats;
}

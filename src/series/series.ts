// Groups patches into series: by thread and subject tags, cover letters kept as context, newest version picked.

import type { Patch } from '../core/patch.ts';
import { parseSubject, titleKey } from '../sources/subject.ts';

/** One posting of a series (one version), as found in the inputs. */
export interface SeriesVersion {
  version: number;
  rfc: boolean;
  total: number;
  cover?: Patch;
  /** Parts sorted by index (1..total); duplicates (resends) keep the last seen. */
  parts: Patch[];
}

/** A patch series: the newest version's parts in order, plus what it superseded. */
export interface Series {
  /** Stable key: the cover's (or first part's) message-id, else source name, plus the version. */
  id: string;
  /** Title without tags (cover letter's if present). */
  title: string;
  version: number;
  rfc: boolean;
  total: number;
  cover?: Patch;
  parts: Patch[];
  /** Indices 1..total with no part in the inputs. */
  missing: number[];
  /** Older versions of the same series, newest first. */
  superseded: SeriesVersion[];
  /** Replies in the series' threads that carry their own unquoted diff (fixups, counter-proposals). */
  followups: Patch[];
}

class UnionFind {
  private parent = new Map<string, string>();
  find(x: string): string {
    let p = this.parent.get(x) ?? x;
    if (p !== x) {
      p = this.find(p);
      this.parent.set(x, p);
    }
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Thread key of a patch: its thread root message-id, or its source file for mail-less inputs. */
function threadRoot(p: Patch): string {
  const root = p.references?.[0] ?? p.inReplyTo ?? p.messageId;
  return root ? `<${root}>` : `file:${p.source.name}`;
}

/**
 * Assembles series from patches. Quoted diffs are not series parts (they are reviews); replies (`Re:`) with their
 * own unquoted diff become followups. Postings are grouped by thread and version, then versions of the same series
 * are joined by thread, cover/part title, or shared patch-ids; the newest version (highest vN, RFC < non-RFC at
 * equal N, then latest date) is the series, the rest are `superseded`. Output order is deterministic.
 */
export function assembleSeries(patches: Patch[]): Series[] {
  const postings = new Map<string, { key: string; root: string; version: number; rfc: boolean; total: number; cover?: Patch; parts: Map<number, Patch>; order: number }>();
  const followups: Patch[] = [];
  const seen = new Set<string>();
  patches.forEach((p, order) => {
    if (p.quoted) return;
    // The same message read twice (an mbox and a maildir holding it) counts once.
    const dup = p.messageId ? `${p.messageId}|${p.patchId ?? ''}|${p.cover}` : undefined;
    if (dup && seen.has(dup)) return;
    if (dup) seen.add(dup);
    const subj = p.subject ? parseSubject(p.subject) : undefined;
    if (subj?.reply && !p.cover) {
      followups.push(p);
      return;
    }
    const tag = p.series ?? subj?.tag ?? { version: 1, index: 1, total: 1, rfc: false, tags: [] };
    const root = threadRoot(p);
    const singleKey = tag.total <= 1 && !p.messageId ? `${root}|${p.id}` : root;
    const key = `${singleKey}|v${tag.version}|${tag.rfc ? 'rfc' : ''}|${tag.total}`;
    let post = postings.get(key);
    if (!post) {
      post = { key, root, version: tag.version, rfc: tag.rfc, total: tag.total, parts: new Map(), order };
      postings.set(key, post);
    }
    if (p.cover || tag.index === 0) post.cover = p;
    else post.parts.set(tag.index, p);
  });

  // Join postings of the same series: same thread, same title, or shared patch-ids.
  const uf = new UnionFind();
  const byTitle = new Map<string, string>();
  const byRoot = new Map<string, string>();
  const byPid = new Map<string, string>();
  const keys = [...postings.keys()].sort(cmp);
  for (const k of keys) {
    const post = postings.get(k)!;
    uf.find(k);
    const link = (m: Map<string, string>, v: string | undefined): void => {
      if (!v) return;
      const o = m.get(v);
      if (o) uf.union(o, k);
      else m.set(v, k);
    };
    if (post.total > 1 || post.cover) link(byRoot, post.root);
    const lead = post.cover ?? post.parts.get(1) ?? [...post.parts.values()][0];
    const t = lead?.subject ? titleKey(parseSubject(lead.subject).title) : undefined;
    link(byTitle, t ? `${post.total > 1 || post.cover ? 'S' : '1'}:${t}` : undefined);
    for (const p of post.parts.values()) link(byPid, p.patchId);
  }

  const families = new Map<string, string[]>();
  for (const k of keys) {
    const r = uf.find(k);
    const list = families.get(r) ?? [];
    list.push(k);
    families.set(r, list);
  }

  const out: { s: Series; order: number }[] = [];
  for (const members of families.values()) {
    const versions = members.map((k) => postings.get(k)!).map((p) => ({
      v: {
        version: p.version,
        rfc: p.rfc,
        total: p.total,
        ...(p.cover ? { cover: p.cover } : {}),
        parts: [...p.parts.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]),
      } as SeriesVersion,
      order: p.order,
      date: Date.parse((p.cover ?? [...p.parts.values()][0])?.date ?? '') || 0,
    }));
    versions.sort((a, b) => b.v.version - a.v.version || Number(a.v.rfc) - Number(b.v.rfc) || b.date - a.date || b.order - a.order);
    const newest = versions[0]!;
    const lead = newest.v.cover ?? newest.v.parts[0];
    const missing: number[] = [];
    const have = new Set(newest.v.parts.map((p) => p.series?.index ?? 1));
    for (let i = 1; i <= newest.v.total; i++) if (!have.has(i)) missing.push(i);
    const s: Series = {
      id: `${lead?.messageId ?? lead?.id ?? 'series'}|v${newest.v.version}`,
      title: lead?.subject ? parseSubject(lead.subject).title : '',
      version: newest.v.version,
      rfc: newest.v.rfc,
      total: newest.v.total,
      parts: newest.v.parts,
      missing,
      superseded: versions.slice(1).map((x) => x.v),
      followups: [],
    };
    if (newest.v.cover) s.cover = newest.v.cover;
    out.push({ s, order: Math.min(...versions.map((v) => v.order)) });
  }
  out.sort((a, b) => a.order - b.order);
  const series = out.map((o) => o.s);
  // Attach followups to the series whose thread they reply to.
  for (const f of followups) {
    const refs = new Set([f.inReplyTo, ...(f.references ?? [])].filter(Boolean));
    const target = series.find((s) =>
      [s.cover, ...s.parts, ...s.superseded.flatMap((v) => [v.cover, ...v.parts])].some((p) => p?.messageId && refs.has(p.messageId)),
    );
    if (target) target.followups.push(f);
    else {
      series.push({
        id: `${f.messageId ?? f.id}|reply`,
        title: f.subject ? parseSubject(f.subject).title : '',
        version: f.series?.version ?? 1,
        rfc: f.series?.rfc ?? false,
        total: 1,
        parts: [f],
        missing: [],
        superseded: [],
        followups: [],
      });
    }
  }
  return series;
}

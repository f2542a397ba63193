// Source trees: a local directory (`--tree DIR`, files read lazily, paths confined to it), and the bases of a
// series' files found in a directory or a git repository (see resolveBases).

import { createHash } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { FileDiff, InputProblem, Patch, SourceTree } from '../core/patch.ts';
import { applyFileDiff } from './apply.ts';
import { fileInScope } from '../kernel-api/scope.ts';

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel);
}

/**
 * Returns a SourceTree reading files under `dir` on demand. Absolute paths, `..` escapes, NUL bytes and symlinks
 * leading outside the directory are refused (read gives undefined), as are unreadable or missing files.
 */
export function directoryTree(dir: string): SourceTree {
  const root = resolve(dir);
  let realRoot: Promise<string> | undefined;
  return {
    name: dir,
    async read(path: string): Promise<string | undefined> {
      if (path === '' || path.includes('\0') || isAbsolute(path)) return undefined;
      const full = resolve(root, path);
      if (!inside(root, full)) return undefined;
      try {
        realRoot ??= realpath(root);
        const [r, f] = await Promise.all([realRoot, realpath(full)]);
        if (!inside(r, f)) return undefined;
        return await readFile(f, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Bases of a series: which text each patch's files had before the patch, found in a tree (a directory or a git
// repository) and in the post-images of the series' earlier patches.

/** Where a file's pre-image came from. */
export type BaseSource =
  /** The diff creates the file. */
  | 'new-file'
  /** The blob named by the diff's `index <old>..<new>` line, found in the repository. */
  | 'blob'
  /** The post-image of an earlier patch of the same run (a series applied in order). */
  | 'series'
  /** `<base-commit>:<path>` of the patch's (or its cover letter's) `base-commit:` trailer. */
  | 'base-commit'
  /** The tree's current state (a git repository's HEAD, a directory's file), to which the diff applies cleanly. */
  | 'current'
  /** None found: the file is analysed from its hunks only. */
  | 'none';

/** The base found (or not) for one file of a patch. */
export interface FileBase {
  /** Pre-image path (the old path of a rename). */
  path: string;
  source: BaseSource;
  /** Why no base was found, or what was tried before the one used (one short clause each). */
  tried: string[];
  /** The pre-image's object id when known (blob, base-commit and HEAD lookups, computed for series post-images). */
  oid?: string;
  /** True when the post-image's computed blob id matches the diff's `index ..<new>` id: the exact file. */
  exact?: boolean;
  /** False for a file outside mmreview's scope: resolved (later patches may build on it) but not named in the notes. */
  inScope: boolean;
}

/** Files read from a tree, in batches. A git repository answers every kind; a directory only `current`. */
export interface BaseStore {
  /** Describes the tree in messages (`/src/linux (git)`, a directory path). */
  readonly name: string;
  /** Describes the current state (`HEAD 1a2b3c4d5e6f`, `directory`). */
  readonly currentLabel: string;
  /** Git object format, for computing blob ids of post-images. */
  readonly objectFormat?: 'sha1' | 'sha256';
  /** Blob contents by (abbreviated) id; undefined when missing, ambiguous or not a blob. */
  blobs?(ids: readonly string[]): Promise<Array<FileText | undefined>>;
  /** Every blob an abbreviation names, for abbreviations `blobs` found ambiguous (else an empty list). */
  blobCandidates?(ids: readonly string[]): Promise<FileText[][]>;
  /** File contents at a commit; undefined when the commit or the path is absent (shallow clone, new file). */
  atCommit?(commit: string, paths: readonly string[]): Promise<Array<FileText | undefined>>;
  /** File contents of the current state. */
  current(paths: readonly string[]): Promise<Array<FileText | undefined>>;
  /** Releases processes (a git store's cat-file). */
  close?(): void;
}

/** One file's text and, from git, its object id. */
export interface FileText {
  text: string;
  oid?: string;
}

/** What a patch is reviewed against: its files' pre-images, and what was found for each. */
export interface PatchBase {
  /** Reads the pre-image of each file of the patch that has a base (undefined otherwise: hunk-only). */
  tree: SourceTree;
  files: FileBase[];
  /** One MMR041 note (the bases used) and one MMR042 problem per file without a base. */
  notes: InputProblem[];
}

/** Computes git's object id of a blob with this content. */
export function gitBlobId(text: string, format: 'sha1' | 'sha256' = 'sha1'): string {
  const data = Buffer.from(text, 'utf8');
  return createHash(format).update(`blob ${data.length}\0`).update(data).digest('hex');
}

const ZERO = /^0+$/;
/** The path a file's pre-image is read at (the old path of a rename; the only path of a header-less diff). */
const prePath = (fd: FileDiff): string => fd.oldPath ?? fd.newPath ?? '?';
const isC = (p: string | undefined): boolean => p !== undefined && /\.(?:c|h|inc)$/.test(p);

/** The `base-commit:` of each patch: its own, else its cover letter's (same series length and version, given before it). */
function baseCommits(patches: readonly Patch[]): Map<Patch, string> {
  const out = new Map<Patch, string>();
  let cover: Patch | undefined;
  for (const p of patches) {
    if (p.cover) {
      cover = p;
      continue;
    }
    const fromCover =
      cover?.baseCommit && cover.series && p.series && cover.series.total === p.series.total && cover.series.version === p.series.version
        ? cover.baseCommit
        : undefined;
    const b = p.baseCommit ?? fromCover;
    if (b) out.set(p, b);
  }
  return out;
}

/**
 * The patches in the order they apply: the given order, except that the parts of one series (every patch tagged
 * with the same version and length, distinct positions) are taken by position, as an archive may hold them in
 * arrival order.
 */
function seriesOrder(work: Patch[]): Patch[] {
  const tags = work.map((p) => p.series);
  const first = tags[0];
  if (!first || work.length < 2) return work;
  const one = tags.every((t) => t && t.version === first.version && t.total === first.total && t.total > 1);
  if (!one || new Set(tags.map((t) => t!.index)).size !== work.length) return work;
  return [...work].sort((a, b) => a.series!.index - b.series!.index);
}

interface Overlay {
  /** Text after the earlier patch, or undefined when that patch's base was not found (state unknown). */
  text?: string;
  oid?: string;
  deleted?: boolean;
  /** 1-based position of the patch that produced it. */
  by: number;
}

function applies(text: string, fd: FileDiff): { ok: boolean; why?: string } {
  const r = applyFileDiff(text, fd);
  return r.problems.length === 0 ? { ok: true } : { ok: false, why: r.problems[0]!.message };
}

/**
 * Finds the pre-image of every C file of every patch, in order, so that a later patch of a series sees the
 * earlier patches applied. For each file, in this order: the post-image of an earlier patch when the diff's
 * `index` line names its blob id (or, without an index line, when the diff applies to it cleanly); the blob named
 * by the `index` line; `<base-commit>:<path>`; the store's current state (HEAD) when the diff applies cleanly.
 * Lookups are batched: all blob ids of the run first, then per patch its base-commit and current reads. Never
 * throws for a missing object: the file is then hunk-only and the patch's notes say why.
 */
export async function resolveBases(patches: readonly Patch[], store: BaseStore): Promise<Map<Patch, PatchBase>> {
  const format = store.objectFormat ?? 'sha1';
  const out = new Map<Patch, PatchBase>();
  const bases = baseCommits(patches);
  const overlay = new Map<string, Overlay>();
  const work = seriesOrder(patches.filter((p) => !p.cover));
  // One batch for every blob id the run names.
  const ids = [
    ...new Set(work.flatMap((p) => p.files.filter((f) => isC(f.oldPath) && f.blobs && !ZERO.test(f.blobs.old)).map((f) => f.blobs!.old))),
  ];
  const byId = new Map<string, FileText | undefined>();
  if (store.blobs && ids.length) (await store.blobs(ids)).forEach((t, i) => byId.set(ids[i]!, t));
  // An abbreviation several blobs share (short ids in a large repository): its candidates, chosen per diff below.
  const unresolved = ids.filter((id) => !byId.get(id));
  const candidates = new Map<string, FileText[]>();
  if (store.blobCandidates && unresolved.length) {
    (await store.blobCandidates(unresolved)).forEach((c, i) => c.length && candidates.set(unresolved[i]!, c));
  }
  let n = 0;
  for (const patch of work) {
    n++;
    const files = patch.files.filter((f) => !f.binary && isC(f.oldPath ?? f.newPath) && prePath(f) !== '?');
    const base = bases.get(patch);
    const pre = new Map<string, string>();
    const found: FileBase[] = [];
    const of = new Map<FileDiff, FileBase>();
    const pendingCommit: FileDiff[] = [];
    for (const fd of files) {
      const path = prePath(fd);
      const fb: FileBase = { path, source: 'none', tried: [], inScope: fileInScope(fd) };
      found.push(fb);
      of.set(fd, fb);
      if (fd.status === 'added') {
        fb.source = 'new-file';
        pre.set(path, '');
        continue;
      }
      const o = overlay.get(path);
      const id = fd.blobs && !ZERO.test(fd.blobs.old) ? fd.blobs.old : undefined;
      if (o?.text !== undefined && !o.deleted) {
        const byOid = id !== undefined && o.oid !== undefined && o.oid.startsWith(id);
        if (byOid || ((id === undefined || !byId.get(id)) && applies(o.text, fd).ok)) {
          Object.assign(fb, { source: 'series' as const, oid: o.oid });
          pre.set(path, o.text);
          continue;
        }
        fb.tried.push(`patch ${o.by}'s post-image is not its base`);
      }
      const blob = id !== undefined ? (byId.get(id) ?? pickCandidate(candidates.get(id), fd, format)) : undefined;
      if (blob) {
        const a = applies(blob.text, fd);
        if (a.ok) {
          Object.assign(fb, { source: 'blob' as const, ...(blob.oid ? { oid: blob.oid } : {}) });
          pre.set(path, blob.text);
          continue;
        }
        fb.tried.push(`blob ${id} found but ${a.why}`);
      } else if (id !== undefined && candidates.has(id)) {
        fb.tried.push(`blob ${id} is ambiguous (${candidates.get(id)!.length} blobs) and no single one fits`);
      } else if (id !== undefined) {
        fb.tried.push(store.blobs ? `blob ${id} not in the tree` : `blob ${id} (not a git tree)`);
      } else fb.tried.push('no index line');
      if (o && (o.text === undefined || o.deleted)) {
        fb.tried.push(o.deleted ? `deleted by patch ${o.by}` : `patch ${o.by} changed it without a base`);
        continue;
      }
      pendingCommit.push(fd);
    }
    // base-commit, then the current state, each one batch per patch.
    let left = pendingCommit;
    if (left.length && base && store.atCommit) {
      const texts = await store.atCommit(base, left.map(prePath));
      const next: FileDiff[] = [];
      left.forEach((fd, i) => {
        const fb = of.get(fd)!;
        const t = texts[i];
        const a = t ? applies(t.text, fd) : undefined;
        if (t && a?.ok) {
          Object.assign(fb, { source: 'base-commit' as const, ...(t.oid ? { oid: t.oid } : {}) });
          pre.set(fb.path, t.text);
        } else {
          fb.tried.push(t ? `does not apply at base-commit ${base.slice(0, 12)} (${a!.why})` : `not at base-commit ${base.slice(0, 12)}`);
          next.push(fd);
        }
      });
      left = next;
    } else if (left.length) {
      for (const fd of left) of.get(fd)!.tried.push(base ? 'base-commit needs a git tree' : 'no base-commit trailer');
    }
    if (left.length) {
      const texts = await store.current(left.map(prePath));
      left.forEach((fd, i) => {
        const fb = of.get(fd)!;
        const t = texts[i];
        const a = t ? applies(t.text, fd) : undefined;
        if (t && a?.ok) {
          Object.assign(fb, { source: 'current' as const, ...(t.oid ? { oid: t.oid } : {}) });
          pre.set(fb.path, t.text);
        } else fb.tried.push(t ? `does not apply to ${store.currentLabel} (${a!.why})` : `not in ${store.currentLabel}`);
      });
    }
    // Post-images for the patches that follow.
    for (const fd of files) {
      const path = prePath(fd);
      const fb = of.get(fd)!;
      const before = pre.get(path);
      if (before === undefined) {
        if (fd.newPath) overlay.set(fd.newPath, { by: n });
        if (fd.oldPath && fd.oldPath !== fd.newPath) overlay.set(fd.oldPath, { by: n, deleted: true });
        continue;
      }
      const after = applyFileDiff(before, fd).text;
      if (fd.status === 'deleted' || !fd.newPath) {
        overlay.set(path, { by: n, deleted: true });
        continue;
      }
      const oid = gitBlobId(after, format);
      if (fd.blobs && !ZERO.test(fd.blobs.new)) fb.exact = oid.startsWith(fd.blobs.new);
      overlay.set(fd.newPath, { by: n, text: after, oid });
      if (fd.oldPath && fd.oldPath !== fd.newPath) overlay.set(fd.oldPath, { by: n, deleted: true });
    }
    out.set(patch, { tree: mapTree(store.name, pre), files: found, notes: notesOf(patch, found, store, base) });
  }
  return out;
}

/**
 * Of the blobs an ambiguous abbreviation names, the one the diff turns into the blob its `index ..<new>` id names;
 * else the only one it applies to; else none.
 */
function pickCandidate(cands: readonly FileText[] | undefined, fd: FileDiff, format: 'sha1' | 'sha256'): FileText | undefined {
  if (!cands?.length) return undefined;
  const fitting = cands.filter((c) => applies(c.text, fd).ok);
  const want = fd.blobs && !ZERO.test(fd.blobs.new) ? fd.blobs.new : undefined;
  const exact = want ? fitting.filter((c) => gitBlobId(applyFileDiff(c.text, fd).text, format).startsWith(want)) : [];
  if (exact.length === 1) return exact[0];
  return fitting.length === 1 ? fitting[0] : undefined;
}

function mapTree(name: string, pre: ReadonlyMap<string, string>): SourceTree {
  return { name, read: (p: string) => Promise.resolve(pre.get(p.replace(/^\/+/, ''))) };
}

function label(fb: FileBase, store: BaseStore, base: string | undefined): string {
  switch (fb.source) {
    case 'new-file':
      return 'new file';
    case 'blob':
      return 'index blob id';
    case 'series':
      return 'earlier patch of the series';
    case 'base-commit':
      return `base-commit ${base?.slice(0, 12) ?? ''}`;
    case 'current':
      return `${store.currentLabel}, applies cleanly`;
    default:
      return 'none';
  }
}

/** One short MMR041 line for the bases used, one MMR042 per file without a base (in-scope files only). */
function notesOf(patch: Patch, files: readonly FileBase[], store: BaseStore, base: string | undefined): InputProblem[] {
  const notes: InputProblem[] = [];
  files = files.filter((f) => f.inScope);
  const used = files.filter((f) => f.source !== 'none');
  if (used.length) {
    const groups = new Map<string, string[]>();
    for (const f of used) {
      const l = label(f, store, base);
      groups.set(l, [...(groups.get(l) ?? []), f.path]);
    }
    const parts = [...groups].map(([l, ps]) => `${l} (${ps.join(', ')})`);
    notes.push({ code: 'MMR041', message: `whole functions from ${store.name}: ${parts.join('; ')}`, input: patch.id });
  }
  for (const f of files.filter((x) => x.source === 'none')) {
    notes.push({ code: 'MMR042', message: `no base in ${store.name} for ${f.path}: ${f.tried.join('; ')}; reviewed from the hunks only`, input: patch.id });
  }
  return notes;
}

/** A {@link BaseStore} over a plain directory: its files are the current state (no blob ids, no commits). */
export function directoryStore(dir: string): BaseStore {
  const tree = directoryTree(dir);
  return {
    name: dir,
    currentLabel: 'its files',
    current: (paths) => Promise.all(paths.map(async (p) => {
      const text = await tree.read(p);
      return text === undefined ? undefined : { text };
    })),
  };
}

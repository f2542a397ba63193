/** The GitHub pull-request source: PR files (paginated), relevance, base-sha file contents as a SourceTree, a Patch. */
import type { FileDiff, InputProblem, Patch, SourceTree } from '../core/patch.ts';
import type { GitHub, PrRef } from '../publish/github/types.ts';
import type { Relevance } from './relevance.ts';

/** A file of `pulls.listFiles` (the fields used). */
export interface PrFile {
  filename: string;
  status: string;
  patch?: string | undefined;
  previous_filename?: string | undefined;
}

/** Turns GitHub's bare per-file `patch` text into file diffs (`parseUnifiedDiff` from src/sources). */
export type DiffParser = (text: string, opts: { path: string }) => { files: FileDiff[]; problems: InputProblem[] };

/** Every file of the PR (GitHub caps this list at 3000 files). */
export async function listPrFiles(gh: GitHub, pr: PrRef): Promise<PrFile[]> {
  const files = await gh.paginate(gh.rest.pulls.listFiles, {
    owner: pr.owner,
    repo: pr.repo,
    pull_number: pr.number,
    per_page: 100,
  });
  return files.map((f) => ({ filename: f.filename, status: f.status, patch: f.patch, previous_filename: f.previous_filename }));
}

/** The PR's files split into analysed and skipped (with the reason), in GitHub's order. */
export interface Selection {
  analysed: PrFile[];
  skipped: Array<{ path: string; reason: string }>;
}

const SKIP_TEXT: Record<string, string> = {
  ignored: 'matches `ignore`',
  'not-c': 'not a C source or header',
  removed: 'file removed',
  'no-patch': 'GitHub sent no patch (binary or too large)',
  'no-mm-api': 'outside `paths` and uses no page-table / TLB / notifier / uffd API',
};

/** Apply a relevance test to the PR files. */
export function selectFiles(files: readonly PrFile[], relevant: (f: PrFile) => Relevance): Selection {
  const sel: Selection = { analysed: [], skipped: [] };
  for (const f of files) {
    const r = relevant(f);
    if (r.relevant) sel.analysed.push(f);
    else sel.skipped.push({ path: f.filename, reason: SKIP_TEXT[r.reason] ?? r.reason });
  }
  return sel;
}

/** Decode a `repos.getContent` file answer (base64 or raw text). */
function decodeContent(data: unknown): string | undefined {
  if (typeof data === 'string') return data;
  if (!data || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const d = data as { type?: string; content?: string; encoding?: string };
  if (d.type !== 'file' || typeof d.content !== 'string') return undefined;
  if (d.encoding === 'base64') return Buffer.from(d.content, 'base64').toString('utf8');
  return d.encoding === 'none' || d.encoding === undefined ? undefined : d.content;
}

/**
 * A SourceTree over the PR's base commit, read through `repos.getContent` and cached. Only the analysed files can
 * be read (the tree serves rules whole functions; it is not a general file browser). A renamed file is read under
 * its old name. Files larger than the contents API's 1 MB inline limit are read raw.
 */
export function baseTree(gh: GitHub, pr: PrRef, analysed: readonly PrFile[]): SourceTree & { prefetch(): Promise<void> } {
  const basePath = new Map<string, string>();
  for (const f of analysed) {
    if (f.status === 'added') continue;
    const old = f.previous_filename ?? f.filename;
    basePath.set(f.filename, old);
    basePath.set(old, old);
  }
  const cache = new Map<string, Promise<string | undefined>>();
  const fetchOne = async (path: string): Promise<string | undefined> => {
    try {
      const { data } = await gh.rest.repos.getContent({ owner: pr.owner, repo: pr.repo, path, ref: pr.baseSha });
      const text = decodeContent(data);
      if (text !== undefined) return text;
      const raw = await gh.rest.repos.getContent({
        owner: pr.owner,
        repo: pr.repo,
        path,
        ref: pr.baseSha,
        mediaType: { format: 'raw' },
      });
      const d: unknown = raw.data;
      if (typeof d === 'string') return d;
      return d instanceof ArrayBuffer ? new TextDecoder().decode(d) : undefined;
    } catch (e) {
      const status = (e as { status?: number }).status;
      if (status === 404) return undefined;
      throw e;
    }
  };
  const read = (path: string): Promise<string | undefined> => {
    const p = basePath.get(path);
    if (p === undefined) return Promise.resolve(undefined);
    let hit = cache.get(p);
    if (!hit) {
      hit = fetchOne(p);
      cache.set(p, hit);
    }
    return hit;
  };
  return {
    name: `${pr.owner}/${pr.repo}@${pr.baseSha.slice(0, 12)}`,
    read,
    async prefetch() {
      await Promise.all([...new Set(basePath.values())].sort().map((p) => read(p)));
    },
  };
}

/**
 * One Patch for the PR: its title and body as subject / description, the analysed files' diffs (GitHub's status
 * and rename information win over what a bare patch can tell). Diff problems are returned, never thrown.
 */
export function buildPrPatch(pr: PrRef, analysed: readonly PrFile[], parse: DiffParser): { patch: Patch; problems: InputProblem[] } {
  const files: FileDiff[] = [];
  const problems: InputProblem[] = [];
  for (const f of analysed) {
    if (!f.patch) continue;
    const parsed = parse(f.patch, { path: f.filename });
    for (const p of parsed.problems) problems.push({ ...p, input: f.filename });
    for (const d of parsed.files) {
      const fd: FileDiff = { ...d, newPath: f.filename };
      if (f.status === 'renamed' && f.previous_filename) {
        fd.oldPath = f.previous_filename;
        fd.status = 'renamed';
      } else if (f.status === 'added') {
        delete fd.oldPath;
        fd.status = 'added';
      } else {
        fd.oldPath = f.filename;
        fd.status = 'modified';
      }
      files.push(fd);
    }
  }
  const name = `${pr.owner}/${pr.repo}#${pr.number}`;
  const patch: Patch = {
    id: `${name}@${pr.headSha}`,
    source: { kind: 'github', name },
    commit: pr.headSha,
    quoted: false,
    quoteDepth: 0,
    damaged: false,
    damage: [],
    cover: false,
    files,
  };
  if (pr.title) patch.subject = pr.title;
  if (pr.body) patch.description = pr.body;
  return { patch, problems };
}

/** Diff lines a review comment may sit on: `path → side → line numbers` present in the hunks. */
export type DiffLineIndex = Map<string, { RIGHT: Set<number>; LEFT: Set<number> }>;

/** Index which (path, side, line) triples appear in the patch (GitHub rejects comments elsewhere). */
export function indexDiffLines(patch: Patch): DiffLineIndex {
  const idx: DiffLineIndex = new Map();
  for (const f of patch.files) {
    const path = f.newPath ?? f.oldPath;
    if (!path) continue;
    let e = idx.get(path);
    if (!e) {
      e = { RIGHT: new Set(), LEFT: new Set() };
      idx.set(path, e);
    }
    for (const h of f.hunks) {
      for (const l of h.lines) {
        if (l.type !== 'del' && l.newLine !== undefined) e.RIGHT.add(l.newLine);
        if (l.type !== 'add' && l.oldLine !== undefined) e.LEFT.add(l.oldLine);
      }
    }
  }
  return idx;
}

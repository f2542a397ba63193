// A kernel git repository (working tree or bare) as the `--tree` of check, inspect and scan: every read goes through
// one long-lived `git cat-file --batch` process; nothing is written to the repository.
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BaseStore, FileText } from '../diff/source-tree.ts';
import { directoryStore } from '../diff/source-tree.ts';
import { CatFile, type CatFileAnswer } from './cat-file.ts';
import { runGit } from './run-git.ts';

/** Bytes of file contents a git store keeps cached. */
const CACHE_BYTES = 64 * 1024 * 1024;

/** A {@link BaseStore} over a git repository, with its cat-file reader exposed for statistics. */
export interface GitStore extends BaseStore {
  readonly kind: 'git';
  readonly catFile: CatFile;
  /** The commit HEAD names (undefined in an empty repository). */
  readonly head: string | undefined;
  close(): void;
}

function text(a: CatFileAnswer | undefined): FileText | undefined {
  return a?.kind === 'found' && a.type === 'blob' ? { text: a.data.toString('utf8'), oid: a.oid } : undefined;
}

/**
 * Can `dir` be a repository's top level or git directory at all? A top level holds `.git` (a directory, or the file
 * of a linked work tree or submodule); a git directory (bare, or a work tree's `.git`) holds `HEAD`. A plain
 * directory (`--tree` of an unpacked tarball, the test fixtures) has neither: asking git about it would start three
 * processes (~50 ms) to learn that. With GIT_DIR or GIT_WORK_TREE set, git may place the repository anywhere: git is
 * asked. (Not covered: a repository elsewhere whose core.worktree names `dir`; it is read as a plain directory.)
 */
function mayBeRepositoryRoot(dir: string): boolean {
  if (process.env.GIT_DIR !== undefined || process.env.GIT_WORK_TREE !== undefined) return true;
  return existsSync(join(dir, '.git')) || existsSync(join(dir, 'HEAD'));
}

/**
 * Opens the git repository whose top level or git directory (bare, or a work tree's `.git`) is `dir`; undefined when
 * `dir` is not the root of a repository (a plain directory, or a directory inside some other repository, is not a
 * git tree).
 */
export async function openGitStore(dir: string, opts: { cacheBytes?: number } = {}): Promise<GitStore | undefined> {
  if (!mayBeRepositoryRoot(dir)) return undefined;
  const limit = opts.cacheBytes ?? CACHE_BYTES;
  // Three independent questions, asked at once: kind and object format, work-tree root (fails when bare), HEAD.
  const [r, top, head] = await Promise.all([
    runGit(['rev-parse', '--is-bare-repository', '--absolute-git-dir', '--show-object-format'], { cwd: dir }),
    runGit(['rev-parse', '--show-toplevel'], { cwd: dir }),
    runGit(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: dir }),
  ]);
  if (!r.ok) return undefined;
  const [bareLine, gitDir, fmt] = r.stdout.split('\n').map((l) => l.trim());
  let want: string;
  let roots: string[];
  try {
    want = await realpath(resolve(dir));
    // A bare repository, a work tree's top level, or a work tree's own git directory (`~/linux/.git`).
    roots = await Promise.all([gitDir, ...(bareLine !== 'true' && top.ok ? [top.stdout.trim()] : [])].map((p) => realpath(p ?? '')));
  } catch {
    return undefined;
  }
  if (!roots.includes(want)) return undefined;
  const objectFormat = fmt === 'sha256' ? 'sha256' : 'sha1';
  const headSha = head.ok ? head.stdout.trim() : undefined;
  const cat = new CatFile(want);
  // Answers are cached (a series asks for the same blobs again), up to CACHE_BYTES of contents: a long scan keeps
  // only the most recently asked files.
  const cache = new Map<string, Promise<CatFileAnswer>>();
  const sizes = new Map<string, number>();
  let cached = 0;
  const remember = (n: string, a: CatFileAnswer): void => {
    if (!cache.has(n)) return;
    const size = a.kind === 'found' ? a.data.length : 0;
    sizes.set(n, size);
    cached += size;
    for (const k of cache.keys()) {
      if (cached <= limit) break;
      if (k === n || !sizes.has(k)) continue; // the newest answer stays; others may still be being read
      cached -= sizes.get(k)!;
      sizes.delete(k);
      cache.delete(k);
    }
  };
  const ask = (names: readonly string[]): Promise<CatFileAnswer[]> => {
    const fresh = [...new Set(names.filter((n) => !cache.has(n)))];
    const answers = fresh.length ? cat.get(fresh) : Promise.resolve([] as CatFileAnswer[]);
    const mine = new Map(fresh.map((n, i) => [n, answers.then((a) => a[i]!)] as const));
    for (const [n, p] of mine) {
      cache.set(n, p);
      void p.then((a) => remember(n, a));
    }
    return Promise.all(names.map((n) => mine.get(n) ?? cache.get(n)!));
  };
  const clean = (p: string): string => p.replace(/^\/+/, '');
  return {
    kind: 'git',
    catFile: cat,
    head: headSha,
    name: `${dir} (git)`,
    currentLabel: headSha ? `HEAD ${headSha.slice(0, 12)}` : 'HEAD (none)',
    objectFormat,
    blobs: async (ids) => (await ask(ids.map((id) => (/^[0-9a-f]{4,64}$/.test(id) ? id : '')))).map(text),
    // Only for abbreviations cat-file called ambiguous: `git rev-parse --disambiguate` lists the objects, cat-file
    // reads them in one batch.
    blobCandidates: async (ids) => {
      const answers = await ask(ids.map((id) => (/^[0-9a-f]{4,64}$/.test(id) ? id : '')));
      return Promise.all(
        ids.map(async (id, i) => {
          if (answers[i]?.kind !== 'ambiguous') return [];
          const r = await runGit(['rev-parse', `--disambiguate=${id}`], { cwd: want });
          const oids = r.ok ? r.stdout.split('\n').map((l) => l.trim()).filter((l) => /^[0-9a-f]{40,64}$/.test(l)) : [];
          return (await ask(oids.slice(0, 64))).map(text).filter((t): t is FileText => t !== undefined);
        }),
      );
    },
    atCommit: async (commit, paths) => (await ask(paths.map((p) => (/^[0-9a-f]{4,64}$/.test(commit) ? `${commit}:${clean(p)}` : '')))).map(text),
    current: async (paths) => (headSha ? (await ask(paths.map((p) => `${headSha}:${clean(p)}`))).map(text) : paths.map(() => undefined)),
    close: () => cat.close(),
  };
}

/** `--tree PATH`: a git repository when PATH is one's top level or git directory, else a plain directory. */
export async function openTreeStore(path: string): Promise<BaseStore> {
  return (await openGitStore(path)) ?? directoryStore(path);
}

// A SourceTree that reads whole files lazily from one commit of a git repository (works in shallow / partial clones).
import type { SourceTree } from '../core/patch.ts';
import { runGit } from './run-git.ts';
import type { CatFile } from './cat-file.ts';

/**
 * Returns a {@link SourceTree} over `commit` (usually a commit's parent) in the repository at `cwd`. Files are read
 * when first asked for (a partial clone fetches the blob then) and cached: through `cat` (one long-lived
 * `git cat-file --batch` shared by a whole range) when given, else with one `git cat-file blob <commit>:<path>` each.
 * A missing file, or a commit absent from a shallow clone, reads as `undefined`.
 */
export function gitTreeAt(cwd: string, commit: string | undefined, label?: string, cat?: CatFile): SourceTree {
  const cache = new Map<string, Promise<string | undefined>>();
  const name = label ?? (commit ? `git:${commit.slice(0, 12)}` : 'git:(empty tree)');
  return {
    name,
    read(path: string): Promise<string | undefined> {
      if (!commit) return Promise.resolve(undefined);
      const clean = path.replace(/^\/+/, '');
      let hit = cache.get(clean);
      if (!hit) {
        hit = cat
          ? cat.get([`${commit}:${clean}`]).then(([a]) => (a?.kind === 'found' && a.type === 'blob' ? a.data.toString('utf8') : undefined))
          : runGit(['cat-file', 'blob', `${commit}:${clean}`], { cwd }).then((r) => (r.ok ? r.stdout : undefined));
        cache.set(clean, hit);
      }
      return hit;
    },
  };
}

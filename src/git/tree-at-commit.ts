// A SourceTree that reads whole files lazily from one commit of a git repository (works in shallow / partial clones).
import type { SourceTree } from '../core/patch.ts';
import { runGit } from './run-git.ts';

/**
 * Returns a {@link SourceTree} over `commit` (usually a commit's parent) in the repository at `cwd`. Files are read
 * one at a time with `git cat-file blob <commit>:<path>` when first asked for (a partial clone fetches the blob then)
 * and cached. A missing file, or a commit absent from a shallow clone, reads as `undefined`.
 */
export function gitTreeAt(cwd: string, commit: string | undefined, label?: string): SourceTree {
  const cache = new Map<string, Promise<string | undefined>>();
  const name = label ?? (commit ? `git:${commit.slice(0, 12)}` : 'git:(empty tree)');
  return {
    name,
    read(path: string): Promise<string | undefined> {
      if (!commit) return Promise.resolve(undefined);
      const clean = path.replace(/^\/+/, '');
      let hit = cache.get(clean);
      if (!hit) {
        hit = runGit(['cat-file', 'blob', `${commit}:${clean}`], { cwd }).then((r) => (r.ok ? r.stdout : undefined));
        cache.set(clean, hit);
      }
      return hit;
    },
  };
}

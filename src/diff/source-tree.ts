// A SourceTree over a local directory (`--tree DIR`): files read lazily, paths confined to the directory.

import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { SourceTree } from '../core/patch.ts';

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

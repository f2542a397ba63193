/**
 * The root directory of this installation (where package.json, docs/ and bin/ live), whether the code runs from
 * the TypeScript sources (src/…) or from the compiled JavaScript (dist/src/…): the nearest ancestor of this module
 * holding a package.json.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** Absolute path of the installation root. */
export function installRoot(): string {
  if (cached !== undefined) return cached;
  const start = dirname(fileURLToPath(import.meta.url));
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return (cached = dir);
    const up = dirname(dir);
    if (up === dir) return (cached = join(start, '..', '..'));
    dir = up;
  }
}

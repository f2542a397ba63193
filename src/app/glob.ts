/**
 * Path globs for `.github/mmreview.yml` `paths`/`ignore`, matched with picomatch (the matcher behind micromatch,
 * chokidar and fast-glob): `**` across directories, `*`/`?` within one segment, `{a,b}`, `[...]` / `[!...]`.
 * Dotfiles match like any other path (kernel trees have `.gitignore`s but no hidden sources worth skipping).
 */
import picomatch from 'picomatch';

/** A predicate true when `path` matches `glob`. */
export function globMatches(glob: string): (path: string) => boolean {
  // posix: `[!a-g]` is a negated class, as in the shell and in .gitignore (without it picomatch reads `!` literally).
  return picomatch(glob, { dot: true, posix: true });
}

/** A predicate true when `path` matches any of `globs` (compiled once). */
export function globMatcher(globs: readonly string[]): (path: string) => boolean {
  const ms = globs.map(globMatches);
  return (path) => ms.some((m) => m(path));
}

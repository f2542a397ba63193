// Parses unified-diff hunk headers (`@@ -a,b +c,d @@ section`) and file header lines (`diff --git`, `---`, `+++`).

/** A parsed `@@ -a,b +c,d @@ header` line. */
export interface HunkHeader {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Text after the closing `@@` (the enclosing function line), trimmed. */
  header: string;
}

const HUNK_RE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(?: ?(.*))?$/;

/** Parses a hunk header line; undefined when the line is not one. */
export function parseHunkHeader(line: string): HunkHeader | undefined {
  const m = HUNK_RE.exec(line);
  if (!m) return undefined;
  return {
    oldStart: Number(m[1]),
    oldLines: m[2] === undefined ? 1 : Number(m[2]),
    newStart: Number(m[3]),
    newLines: m[4] === undefined ? 1 : Number(m[4]),
    header: (m[5] ?? '').trim(),
  };
}

/** True for a line that starts a hunk. */
export function isHunkHeader(line: string): boolean {
  return line.startsWith('@@ -') && HUNK_RE.test(line);
}

/**
 * Extracts the path from a `---`/`+++` line: strips the marker, a trailing tab + timestamp, a quilt `~patchname`
 * suffix and the `a/`/`b/` prefix. Returns undefined for /dev/null.
 */
export function pathFromMarkerLine(line: string): string | undefined {
  let p = line.slice(4);
  const tab = p.indexOf('\t');
  if (tab >= 0) p = p.slice(0, tab);
  p = p.trim();
  // `diff -u` style: `--- mm/foo.c 2020-01-01 10:00:00.000000000 +0100` without a tab.
  p = p.replace(/\s+\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?: ?[+-]\d{4})?$/, '');
  if (p.startsWith('"') && p.endsWith('"')) p = p.slice(1, -1);
  if (p === '/dev/null' || p === '') return undefined;
  const tilde = p.indexOf('~');
  if (tilde > 0) p = p.slice(0, tilde);
  return stripPrefix(p);
}

/** Removes the `a/` / `b/` (or any single leading `x/` of git's mnemonic prefixes) from a diff path. */
export function stripPrefix(p: string): string {
  return /^[abciwo12]\//.test(p) ? p.slice(2) : p;
}

/** Parses `diff --git a/X b/Y` into old and new paths (handles quoted paths and paths with spaces when a == b). */
export function parseDiffGitLine(line: string): { oldPath: string; newPath: string } | undefined {
  const rest = line.slice('diff --git '.length).trim();
  const quoted = /^"([^"]+)" "([^"]+)"$/.exec(rest);
  if (quoted) return { oldPath: stripPrefix(quoted[1]!), newPath: stripPrefix(quoted[2]!) };
  // Prefer a split where both halves name the same file (the common case), else split at the last ` b/`.
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half)) {
    const a = rest.slice(0, half);
    const b = rest.slice(half + 1);
    if (a.slice(2) === b.slice(2) && rest[half] === ' ') return { oldPath: stripPrefix(a), newPath: stripPrefix(b) };
  }
  const idx = rest.lastIndexOf(' b/');
  if (idx > 0) return { oldPath: stripPrefix(rest.slice(0, idx)), newPath: stripPrefix(rest.slice(idx + 1)) };
  const parts = rest.split(/\s+/);
  if (parts.length === 2) return { oldPath: stripPrefix(parts[0]!), newPath: stripPrefix(parts[1]!) };
  return undefined;
}

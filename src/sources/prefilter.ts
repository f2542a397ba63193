// Cheap byte scan deciding whether a raw message may contain a diff (used by the archive scanner to skip messages).

const ENCODED = [/content-transfer-encoding:\s*(base64|quoted-printable)/i];
const PATCHY = [/\[[^\]\n]*patch[^\]\n]*\]/i, /\.(patch|diff)\b/i, /text\/x-(patch|diff)/i, /application\/(x-)?(patch|diff)/i];

const LF = 0x0a;
const CR = 0x0d;
const GT = 0x3e;
const SP = 0x20;
const PLUS = 0x2b;
/** Diff markers at the start of a line (after any quoting): `@@ -`, `+++ `, `--- a/`, `diff --git`. */
const TOKENS = ['@@ -', '+++ ', '--- a/', 'diff --git'].map((t) => Buffer.from(t, 'latin1'));

function startsWithAt(raw: Buffer, at: number, token: Buffer): boolean {
  if (at + token.length > raw.length) return false;
  for (let k = 0; k < token.length; k++) if (raw[at + k] !== token[k]) return false;
  return true;
}

/** `;`, `{` or `}`: how a line of C code ends. */
function endsStatement(c: number | undefined): boolean {
  return c === 0x3b || c === 0x7b || c === 0x7d;
}

/**
 * True when the message may contain a diff: a diff marker in the bytes (`+++ `, `@@ -`, `diff --git`, `--- a/` at the
 * start of a line, also quoted at any depth with or without spaces: `> > @@ -`, `>>+++ `), a run of `+` lines of C
 * code (header-less fragments: three `+` or `> +` lines ending in `;`, `{` or `}`), or base64/quoted-printable parts
 * together with a patch-like attachment or a `[PATCH` subject (encodings hide the markers). False means: certainly
 * no diff mmreview would find. One pass over the lines (a marker or a line counts only after a line feed); the
 * whole-text patterns are tested only when no line decided it.
 */
export function mayContainDiff(raw: Buffer): boolean {
  let code = 0;
  let nl = raw.indexOf(LF);
  while (nl >= 0) {
    let j = nl + 1;
    const end = raw.indexOf(LF, j);
    if (raw[j] === GT) {
      j++;
      while (raw[j] === SP || raw[j] === GT) j++;
    }
    const c = raw[j];
    if (c === 0x40 || c === PLUS || c === 0x2d || c === 0x64) {
      for (const t of TOKENS) if (c === t[0] && startsWithAt(raw, j, t)) return true;
      // A `+` line of C code: its last byte before the line feed (a CR before it aside) is `;`, `{` or `}`.
      if (c === PLUS && end >= 0) {
        let k = end - 1;
        if (raw[k] === CR) k--;
        if (k > j && endsStatement(raw[k]) && ++code >= 3) return true;
      }
    }
    nl = end;
  }
  const head = raw.toString('latin1');
  return ENCODED.some((r) => r.test(head)) && PATCHY.some((r) => r.test(head));
}

/** A `[PATCH ...]` / `[RFC ...]` subject: cover letters carry no diff but give a series its title and context. */
export function hasPatchSubject(raw: Buffer): boolean {
  const end = raw.indexOf('\n\n');
  const headers = raw.subarray(0, end < 0 ? Math.min(raw.length, 8192) : end).toString('latin1');
  return /^subject:[^\n]*\[[^\]\n]*(?:patch|rfc)[^\]\n]*\]/im.test(headers);
}

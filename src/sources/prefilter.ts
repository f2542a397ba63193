// Cheap byte scan deciding whether a raw message may contain a diff (used by the archive scanner to skip messages).

const MARKERS = ['\n+++ ', '\n@@ -', '\ndiff --git', '\n--- a/', '\n> @@ -', '\n>@@ -', '\n> +++ ', '\n> diff --git', '\n> > @@ -', '\n>> @@ -'].map(
  (m) => Buffer.from(m),
);
const ENCODED = [/content-transfer-encoding:\s*(base64|quoted-printable)/i];
const PATCHY = [/\[[^\]\n]*patch[^\]\n]*\]/i, /\.(patch|diff)\b/i, /text\/x-(patch|diff)/i, /application\/(x-)?(patch|diff)/i];

/**
 * True when the message may contain a diff: a diff marker in the bytes (`+++ `, `@@ -`, `diff --git`, also quoted),
 * a run of `+` lines of C code (header-less fragments), or base64/quoted-printable parts together with a patch-like
 * attachment or a `[PATCH` subject (encodings hide the markers). False means: certainly no diff mmreview would find.
 */
export function mayContainDiff(raw: Buffer): boolean {
  for (const m of MARKERS) if (raw.indexOf(m) >= 0) return true;
  if (raw.indexOf('\r\n+++ ') >= 0 || raw.indexOf('\r\n@@ -') >= 0) return true;
  const head = raw.toString('latin1');
  // Diff markers quoted at any depth, with or without spaces (`> > @@ -`, `>>+++ `, `>  diff --git`).
  if (/\n>[ >]*(?:@@ -|\+\+\+ |--- a\/|diff --git)/.test(head)) return true;
  if (ENCODED.some((r) => r.test(head)) && PATCHY.some((r) => r.test(head))) return true;
  // Header-less fragments: several `+` (or `> +`) lines ending like C statements.
  let code = 0;
  const re = /\n(?:>[ >]*)?\+[^\n]*[;{}]\r?(?=\n)/g;
  while (re.exec(head)) if (++code >= 3) return true;
  return false;
}

/** A `[PATCH ...]` / `[RFC ...]` subject: cover letters carry no diff but give a series its title and context. */
export function hasPatchSubject(raw: Buffer): boolean {
  const end = raw.indexOf('\n\n');
  const headers = raw.subarray(0, end < 0 ? Math.min(raw.length, 8192) : end).toString('latin1');
  return /^subject:[^\n]*\[[^\]\n]*(?:patch|rfc)[^\]\n]*\]/im.test(headers);
}

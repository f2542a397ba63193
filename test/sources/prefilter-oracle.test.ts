// mayContainDiff is one pass over the lines of a message; this test holds it to the pattern-by-pattern definition
// it replaced (marker substrings, quoted markers at any depth, three `+` lines of C, encoded parts with a patch-like
// name), on edge cases and on random messages built from the pieces those patterns look at.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayContainDiff } from '../../src/sources/prefilter.ts';

const MARKERS = ['\n+++ ', '\n@@ -', '\ndiff --git', '\n--- a/', '\n> @@ -', '\n>@@ -', '\n> +++ ', '\n> diff --git', '\n> > @@ -', '\n>> @@ -'].map(
  (m) => Buffer.from(m),
);
const ENCODED = [/content-transfer-encoding:\s*(base64|quoted-printable)/i];
const PATCHY = [/\[[^\]\n]*patch[^\]\n]*\]/i, /\.(patch|diff)\b/i, /text\/x-(patch|diff)/i, /application\/(x-)?(patch|diff)/i];

/** The definition: each pattern tested on its own over the whole message. */
function oracle(raw: Buffer): boolean {
  for (const m of MARKERS) if (raw.indexOf(m) >= 0) return true;
  if (raw.indexOf('\r\n+++ ') >= 0 || raw.indexOf('\r\n@@ -') >= 0) return true;
  const head = raw.toString('latin1');
  if (/\n>[ >]*(?:@@ -|\+\+\+ |--- a\/|diff --git)/.test(head)) return true;
  if (ENCODED.some((r) => r.test(head)) && PATCHY.some((r) => r.test(head))) return true;
  let code = 0;
  const re = /\n(?:>[ >]*)?\+[^\n]*[;{}]\r?(?=\n)/g;
  while (re.exec(head)) if (++code >= 3) return true;
  return false;
}

const PIECES = [
  '\n', '\r\n', '\r', '>', '> ', '>>', ' ', '+', '++', '+++ ', '@@ -', '@@', '--- a/', '--- ', 'diff --git', 'diff', ';', '{', '}',
  'x = 1', 'foo(bar)', 'Content-Transfer-Encoding: base64', 'content-transfer-encoding:quoted-printable', '[PATCH v2]', 'x.patch',
  'text/x-diff', 'a', 'From: a@b', 'Subject: x',
];

describe('mayContainDiff (one pass) equals its pattern definition', () => {
  it.each([
    '', '\n', '+a;\n+b;\n+c;\n', 'x\n+a;\n+b;\n+c;', 'x\n+a;\n+b;\n+c;\n', 'x\n+a;\r\n+b{\r\n+c}\r\n', 'x\n+;\r\r\n+;\n+;\n+;\n',
    'x\n+\r\n+;\n+;\n', 'x\n+;\n+;\n+;\n', 'x\n> +a;\n>>+b;\n> > +c;\n', 'x\n> > >@@ -1', 'x\n >@@ -1', '@@ -1\n', 'x\n--- b/x\n',
    'x\n>\n', 'x\n>', 'x\n+', 'Content-Transfer-Encoding: base64\n\n[patch]', 'x\r\n+++ y',
  ])('%j', (s) => {
    const raw = Buffer.from(s, 'latin1');
    expect(mayContainDiff(raw)).toBe(oracle(raw));
  });

  it('on random messages', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }), (parts) => {
        const raw = Buffer.from(parts.join(''), 'latin1');
        expect(mayContainDiff(raw)).toBe(oracle(raw));
      }),
      { numRuns: 3000, seed: 12 },
    );
  });
});

/**
 * The input fast paths give exactly what the general paths give: mboxrd unescaping on bytes, and a single-part
 * text/plain mail whose body is not streamed through the MIME parser.
 */
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/sources/index.ts';
import { unescapeMboxrd } from '../../src/sources/mbox.ts';

/** The mboxrd rule written as the regex it implements (a line `>+From ` loses one `>`). */
function reference(s: string): string {
  return s.replace(/^>(>*From )/gm, '$1');
}

describe('unescapeMboxrd', () => {
  it('removes one > from escaped From_ lines only, at any depth, keeping every other byte', () => {
    const cases = [
      '',
      '>From x',
      'a\n>From x\n>>From y\nz>From q\n >From r\n>>>From s',
      '>>From a\r\n>From b\r\n',
      'x\n>From ',
      'From\n>Fro\n>From',
      '>>>>From >From \n>From >From ',
      'no escapes at all\n> quoted\n',
    ];
    // and pseudo-random mixes of the relevant tokens
    let seed = 1;
    const next = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const tokens = ['>', 'From ', '\n', 'a', ' ', '\r\n', '>>'];
    for (let i = 0; i < 2000; i++) {
      let s = '';
      for (let k = 0; k < 24; k++) s += tokens[Math.floor(next() * tokens.length)];
      cases.push(s);
    }
    for (const c of cases) expect(unescapeMboxrd(Buffer.from(c, 'latin1')).toString('latin1')).toBe(reference(c));
  });

  it('returns the same buffer when nothing is escaped; unescapes only at line start', () => {
    const b = Buffer.from('Subject: x\n\n> From here\n>From the start of a line\nmid >From line\n', 'latin1');
    const plain = Buffer.from('Subject: x\n\n> quoted\nbody\n', 'latin1');
    expect(unescapeMboxrd(plain)).toBe(plain);
    expect(unescapeMboxrd(b).toString('latin1')).toBe('Subject: x\n\n> From here\nFrom the start of a line\nmid >From line\n');
  });
});

const DIFF = 'diff --git a/mm/x.c b/mm/x.c\n--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1,4 +1,4 @@\n int f(void)\n {\n-\treturn 0;\n+\treturn 1;\n }\n';
const HEAD =
  'From: A Person <a@example.org>\nTo: x@example.org, "Q, R" <q@example.org>\nCc: =?UTF-8?B?SsO2cmc=?= <j@example.org>\n' +
  'Subject: =?UTF-8?Q?[PATCH]_mm:_caf=C3=A9?=\nMessage-ID: <m1@example.org>\nIn-Reply-To: <m0@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n';

/** The same message as a multipart/mixed with one text/plain part: always parsed whole by mailparser. */
function multipart(body: string, partHeaders = ''): string {
  return `${HEAD}MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b1"\n\n--b1\nContent-Type: text/plain; charset=utf-8\n${partHeaders}\n${body}\n--b1--\n`;
}

async function parsed(raw: string) {
  const r = await parseMessage(Buffer.from(raw, 'utf8'), { kind: 'mail', name: 'm.eml' });
  return { headers: r.headers, patches: r.patches.map((p) => ({ ...p, id: '' })), problems: r.problems };
}

describe('single-part text/plain mail', () => {
  it('gives the headers and patches of a full MIME parse (LF, CRLF, no final newline, UTF-8 body)', async () => {
    for (const body of [`Some text caf\u00e9.\n\n${DIFF}`, `Text\n\n${DIFF}`.replace(/\n/g, '\r\n'), `Text\n\n${DIFF.slice(0, -1)}`]) {
      const simple = await parsed(`${HEAD}Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n${body}`);
      const whole = await parsed(multipart(body));
      expect(simple.headers).toEqual(whole.headers);
      expect(simple.patches).toEqual(whole.patches);
      expect(simple.patches.length).toBe(1);
      expect(simple.headers.subject).toBe('[PATCH] mm: caf\u00e9');
    }
  });

  it('still decodes what needs decoding: quoted-printable, another charset, flowed text, an attachment', async () => {
    const qp = await parsed(`${HEAD}Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n${DIFF.replace('return 1;', 'return 1;=20=\n')}`);
    expect(qp.patches.length).toBe(1);
    const latin = await parseMessage(Buffer.concat([Buffer.from(`${HEAD}Content-Type: text/plain; charset=iso-8859-1\n\nCaf`), Buffer.from([0xe9]), Buffer.from(`\n\n${DIFF}`)]), { kind: 'mail', name: 'l.eml' });
    expect(latin.patches.length).toBe(1);
    const att = await parsed(`${HEAD}Content-Type: text/x-patch\nContent-Disposition: attachment; filename=x.patch\n\n${DIFF}`);
    expect(att.patches.length).toBe(1);
  });
});

// A `format=flowed` mail (RFC 3676) is unflowed without gluing diff lines together (src/sources/flowed.ts): an empty
// context line ends in a space, which libmime's decoder took for a soft break, corrupting the hunk.
import { describe, expect, it } from 'vitest';
import { unflow } from '../../src/sources/flowed.ts';
import { parseMessage } from '../../src/sources/message.ts';

const HEAD = (delsp = ''): string =>
  'From: Ada Lovelace <ada@example.org>\nSubject: Re: [PATCH] mm/zone: recheck the watermark\nMessage-ID: <f1@example.org>\n' +
  `Date: Mon, 1 Jan 2024 00:00:00 +0000\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8; format=flowed${delsp}\n` +
  'Content-Transfer-Encoding: 7bit\n\n';

/** A quoted patch as Thunderbird sends it: `>  ` for the empty context line, prose soft-broken after a space. */
const QUOTED =
  'On 1/1/24 Bob wrote:\n' +
  '> The watermark check raced with the refill, so take the zone lock before \n' +
  '> looking.\n' +
  '>\n' +
  '> diff --git a/mm/zone_refill.c b/mm/zone_refill.c\n' +
  '> --- a/mm/zone_refill.c\n' +
  '> +++ b/mm/zone_refill.c\n' +
  '> @@ -10,7 +10,8 @@ static int zone_refill(struct zone_pool *zp)\n' +
  '>  {\n' +
  '>  \tint ret;\n' +
  '>  \n' +
  '> +\tspin_lock(&zp->lock);\n' +
  '>  \tret = zone_low(zp);\n' +
  '>  \n' +
  '>  \tif (ret)\n' +
  '>  \t\treturn ret;\n' +
  '\n' +
  'This looks right to me, but the refill path also needs the same \n' +
  'treatment.\n';

/** The same patch unquoted, space-stuffed as RFC 3676 asks: a context line `" x"` is sent as `"  x"`. */
const UNQUOTED =
  'The watermark check raced with the refill.\n' +
  '\n' +
  'Signed-off-by: Ada Lovelace <ada@example.org>\n' +
  '---\n' +
  'diff --git a/mm/zone_refill.c \n' +
  'b/mm/zone_refill.c\n' +
  '--- a/mm/zone_refill.c\n' +
  '+++ b/mm/zone_refill.c\n' +
  '@@ -10,7 +10,8 @@ static int zone_refill(struct zone_pool *zp)\n' +
  '  {\n' +
  '  \tint ret;\n' +
  '  \n' +
  '+\tspin_lock(&zp->lock);\n' +
  '  \tret = zone_low(zp);\n' +
  '  \n' +
  '  \tif (ret)\n' +
  '  \t\treturn ret;\n';

describe('unflow', () => {
  it('keeps quoted empty context lines apart from the next diff line and joins quoted prose without its quote marks', () => {
    const lines = unflow(QUOTED, false).split('\n');
    expect(lines).toContain('> The watermark check raced with the refill, so take the zone lock before looking.');
    expect(lines.filter((l) => l === '>  ')).toHaveLength(2);
    expect(lines).toContain('> +\tspin_lock(&zp->lock);');
    expect(lines).toContain('>  \tif (ret)');
    expect(lines).toContain('This looks right to me, but the refill path also needs the same treatment.');
  });

  it('keeps unquoted empty context lines, joins a wrapped diff header, removes space-stuffing', () => {
    const lines = unflow(UNQUOTED, false).split('\n');
    expect(lines).toContain('diff --git a/mm/zone_refill.c b/mm/zone_refill.c');
    expect(lines.filter((l) => l === ' ')).toHaveLength(2);
    expect(lines).toContain(' \tret = zone_low(zp);');
    expect(lines).toContain('+\tspin_lock(&zp->lock);');
  });

  it('joins a wrapped code line whose continuation is no hunk line', () => {
    const text = '> @@ -1,2 +1,2 @@\n>  \tzone_refill(zp, ZONE_LOW, \n> ZONE_HIGH);\n> -\tx = 1;\n> +\tx = 2;\n';
    expect(unflow(text, false).split('\n')).toEqual(['> @@ -1,2 +1,2 @@', '>  \tzone_refill(zp, ZONE_LOW, ZONE_HIGH);', '> -\tx = 1;', '> +\tx = 2;']);
  });

  it('with DelSp=yes deletes the space of a soft break, not of a kept break', () => {
    expect(unflow('one two \nthree\n', true)).toBe('one twothree');
    expect(unflow('@@ -1,2 +1,2 @@\n  \n-a\n+b\n', true)).toBe('@@ -1,2 +1,2 @@\n \n-a\n+b');
  });

  it('outside an open hunk joins like libmime, also before a line starting with + or -', () => {
    expect(unflow('@@ -1 +1 @@\n-a\n+b \n-1 is returned then.\n', false)).toBe('@@ -1 +1 @@\n-a\n+b -1 is returned then.');
    expect(unflow('The call returns \n-EINVAL on a bad zone.\n', false)).toBe('The call returns -EINVAL on a bad zone.');
  });

  it('keeps an empty quoted line apart from the quoted prose after it', () => {
    expect(unflow('> first paragraph.\n> \n> second \n> paragraph.\n', false)).toBe('> first paragraph.\n> \n> second paragraph.');
  });

  it('keeps quote depths and the signature separator apart', () => {
    expect(unflow('>> deep \n> shallow\n-- \nAda\n', false)).toBe('>> deep \n> shallow\n-- \nAda');
  });
});

describe('parseMessage of a format=flowed mail', () => {
  for (const [name, body, quoted] of [
    ['quoted', QUOTED, true],
    ['unquoted', UNQUOTED, false],
    ['unquoted, DelSp=yes', UNQUOTED.replace('zone_refill.c \nb/', 'zone_refill.c  \nb/'), false],
  ] as const) {
    it(`reads the ${name} patch whole`, async () => {
      const delsp = name.includes('DelSp') ? '; delsp=yes' : '';
      const r = await parseMessage(Buffer.from(HEAD(delsp) + body), { kind: 'mail', name: 'f.eml' });
      expect(r.problems).toEqual([]);
      expect(r.patches).toHaveLength(1);
      const p = r.patches[0]!;
      expect(p.quoted).toBe(quoted);
      expect(p.damaged).toBe(false);
      expect(p.files.map((f) => f.newPath)).toEqual(['mm/zone_refill.c']);
      const h = p.files[0]!.hunks[0]!;
      expect(h.lines.filter((l) => l.type === 'ctx')).toHaveLength(7);
      expect(h.lines.filter((l) => l.type === 'add').map((l) => l.text)).toEqual(['\tspin_lock(&zp->lock);']);
    });
  }
});

describe('parseMessage of a format=flowed part that mailparser decodes', () => {
  const head =
    'From: Ada Lovelace <ada@example.org>\nSubject: Re: [PATCH] mm/zone: recheck the watermark\nMessage-ID: <f2@example.org>\n' +
    'Date: Mon, 1 Jan 2024 00:00:00 +0000\nMIME-Version: 1.0\n';
  const check = async (mail: string): Promise<void> => {
    const r = await parseMessage(Buffer.from(mail), { kind: 'mail', name: 'g.eml' });
    expect(r.problems).toEqual([]);
    expect(r.patches).toHaveLength(1);
    const h = r.patches[0]!.files[0]!.hunks[0]!;
    expect(r.patches[0]!.damaged).toBe(false);
    expect(h.lines.filter((l) => l.type === 'ctx')).toHaveLength(7);
  };

  it('in a multipart mail (text part, then a signature part)', async () => {
    const b = '------------zoneB0undary';
    await check(
      head +
        `Content-Type: multipart/mixed; boundary="${b}"\n\nThis is a multi-part message in MIME format.\n--${b}\n` +
        'Content-Type: text/plain; charset=UTF-8; format=flowed\nContent-Transfer-Encoding: 8bit\n\n' +
        QUOTED +
        `\n--${b}\nContent-Type: application/pgp-signature; name="sig.asc"\nContent-Disposition: attachment; filename="sig.asc"\n\n` +
        `-----BEGIN PGP SIGNATURE-----\nAAAA\n-----END PGP SIGNATURE-----\n\n--${b}--\n`,
    );
  });

  it('in base64', async () => {
    const body = Buffer.from(UNQUOTED).toString('base64').replace(/.{76}/g, '$&\n');
    await check(head + 'Content-Type: text/plain; charset=utf-8; format=flowed\nContent-Transfer-Encoding: base64\n\n' + body + '\n');
  });
});

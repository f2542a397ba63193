// The header block of a plain patch mail is read without mailparser (src/sources/plain-headers.ts). Wherever that
// fast path answers, its headers must be mailparser's (as message.ts reads them); random header blocks built from
// the pieces that make header parsing hard (quoted names, groups, comments, folding, CRLF, repeats) check it.
import fc from 'fast-check';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { plainHeaders } from '../../src/sources/plain-headers.ts';
import { parseMessage } from '../../src/sources/message.ts';

function addresses(v: AddressObject | AddressObject[] | undefined): string[] {
  if (!v) return [];
  const out: string[] = [];
  for (const o of Array.isArray(v) ? v : [v]) {
    for (const a of o.value) {
      if (a.group) for (const g of a.group) out.push(g.name ? `${g.name} <${g.address ?? ''}>` : g.address ?? '');
      else out.push(a.name ? `${a.name} <${a.address ?? ''}>` : a.address ?? '');
    }
  }
  return out.filter(Boolean);
}
const strip = (s: string): string => s.trim().replace(/^<|>$/g, '');

/** message.ts's reading of mailparser's result. */
function viaMailparser(p: ParsedMail): Record<string, unknown> {
  const h: Record<string, unknown> = { references: [], to: addresses(p.to), cc: addresses(p.cc) };
  if (p.subject !== undefined) h.subject = p.subject;
  if (p.messageId) h.messageId = strip(p.messageId);
  if (p.inReplyTo) h.inReplyTo = strip(p.inReplyTo.split(/\s+/)[0]!);
  const refs = p.references === undefined ? [] : Array.isArray(p.references) ? p.references : p.references.split(/\s+/);
  h.references = refs.filter(Boolean).map(strip);
  const from = addresses(p.from);
  if (from.length) h.from = from[0];
  if (p.date && !Number.isNaN(p.date.getTime())) h.date = p.date.toISOString();
  return h;
}

async function agrees(block: string): Promise<boolean> {
  const raw = Buffer.from(`${block}\n\ndiff --git a/mm/x.c b/mm/x.c\n`, 'latin1');
  const fast = plainHeaders(raw, block.length + 2);
  if (fast === undefined) return false;
  const slow = viaMailparser(await simpleParser(raw.subarray(0, block.length + 2)));
  expect(JSON.stringify(fast)).toBe(JSON.stringify(slow));
  return true;
}

const FIELD = fc.constantFrom(
  'Subject: [PATCH v3 2/7] mm: fix the thing', 'Subject:', 'Subject:   spaced  ', 'Message-ID: <a.b@c.d>', 'Message-Id: a.b@c.d', 'Message-ID: <x@y> (comment)',
  'In-Reply-To: <p@q> <r@s>', 'In-Reply-To:', 'References: <1@a>\n <2@b>\t<3@c>', 'References: 1@a', 'References:  ',
  'From: "Kirill A. Shutemov" <k@x.org>', 'From: Ada <ada@example.org>', 'From: bare@example.org', 'From: Foo (comment) <f@g>', 'From:',
  'To: a@b, "Last, First" <lf@x>, list: m1@y, m2@z;', 'To: undisclosed-recipients:;', 'Cc: <c@d>, , e@f', 'Cc: "q\\"uote" <q@x>',
  'Date: Mon, 1 Jan 2024 00:00:00 +0000', 'Date: Tue, 30 Jul 2024 10:00:00 -0700 (PDT)', 'Date: 2024-01-01',
  'Content-Type: text/plain; charset="utf-8"', 'Content-Type: text/plain; charset=US-ASCII; format=fixed', 'Content-Type: TEXT/PLAIN',
  'Content-Transfer-Encoding: 8bit', 'MIME-Version: 1.0', 'X-Mailer: git-send-email 2.43.0', 'List-Id: <linux-mm.kvack.org>',
  'Subject: folded\n  across\tlines', 'To: a@b,\r\n c@d',
);

describe('plain header block without mailparser', () => {
  it.each([
    'From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\nFrom: Ada <ada@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nSubject: [PATCH] mm: x\nMessage-ID: <1@x>',
    'From: "Kirill A. Shutemov" <k@x.org>\r\nTo: a@b,\r\n "Last, First" <lf@x>\r\nSubject: Re: [PATCH] mm: y\r\nIn-Reply-To: <p@q>\r\nReferences: <o@q> <p@q>',
  ])('agrees with mailparser on %j', async (block) => {
    expect(await agrees(block)).toBe(true);
  });

  it('leaves to mailparser what it does not read exactly', () => {
    const no = (block: string): void => {
      const raw = Buffer.from(`${block}\n\nbody\n`, 'latin1');
      expect(plainHeaders(raw, block.length + 2)).toBeUndefined();
    };
    no('Subject: =?UTF-8?q?caf=C3=A9?=');
    no('Subject: caf\xe9');
    no('Subject: a\nSubject: b');
    no('Date: not a date');
    no('Content-Type: multipart/mixed; boundary="x"');
    no('Content-Type: text/plain; charset=iso-8859-1');
    no('Content-Transfer-Encoding: base64');
    no('Content-Disposition: inline');
    no('To: a@xn--bcher-kva.example');
  });

  it('agrees with mailparser on random header blocks', async () => {
    let fast = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(FIELD, { minLength: 1, maxLength: 8 }), fc.boolean(), async (fields, crlf) => {
        const block = fields.join('\n').replace(/\r?\n/g, crlf ? '\r\n' : '\n');
        if (await agrees(block)) fast++;
      }),
      { numRuns: 400, seed: 7 },
    );
    expect(fast).toBeGreaterThan(50);
  });

  it('parseMessage gives the same patches and headers either way', async () => {
    const mail = 'From: Ada <ada@example.org>\nSubject: [PATCH] mm: x\nMessage-ID: <1@x>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nText.\n\nSigned-off-by: Ada <ada@example.org>\n---\ndiff --git a/mm/x.c b/mm/x.c\n--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1,2 +1,2 @@\n int x;\n-int y;\n+int z;\n';
    const r = await parseMessage(Buffer.from(mail), { kind: 'mail', name: 'x.eml' });
    expect(r.headers).toEqual({ references: [], to: [], cc: [], subject: '[PATCH] mm: x', messageId: '1@x', from: 'Ada <ada@example.org>', date: '2024-01-01T00:00:00.000Z' });
    expect(r.patches).toHaveLength(1);
    expect(r.patches[0]!.subject).toBe('[PATCH] mm: x');
  });
});

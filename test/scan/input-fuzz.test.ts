/**
 * Bounded input fuzz in the suite (issue 13): the project's fixture mails with byte flips, truncations, injected
 * header lines, encoded words decoding to CR LF, invalid UTF-8 and long lines. Parsing never throws (problems are
 * values), and a reply drafted on whatever comes out has only the renderer's header fields, none over 998 octets.
 * Fixed seed, a few hundred cases, a few seconds.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Finding } from '../../src/core/finding.ts';
import { renderMailReply } from '../../src/render/mail-reply.ts';
import { draftHeaders } from '../../src/publish/mail/smtp.ts';
import { parseMessage } from '../../src/sources/message.ts';
import { FAKE_TRACE, fakeRenderTable } from './fake-engine.ts';
import { fixtureMails } from './archive-helpers.ts';

const MAILS = [...fixtureMails('archive'), ...fixtureMails('broken')].map((m) => m.raw);
const ALLOWED = new Set(['from', 'to', 'cc', 'subject', 'date', 'message-id', 'in-reply-to', 'references', 'mime-version', 'content-type', 'content-transfer-encoding', 'x-mailer']);
const b64 = (s: string): string => `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;

type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'header'; field: string; value: string }
  | { kind: 'long-line'; at: number; n: number };

const FIELDS = ['Message-ID', 'References', 'In-Reply-To', 'Subject', 'From', 'To', 'Cc'];
const VALUES = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('<a@b.org>\r\nBcc: victim@attacker.example', '<a b@c.org>', '', '\u0000', '<<>>', '"q"@x.org'),
  fc.string({ maxLength: 20 }).map((s) => b64(`<${s}@x.org>\r\nBcc: victim@attacker.example`)),
  fc.integer({ min: 100, max: 3000 }).map((n) => 'w'.repeat(n)),
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('header' as const), field: fc.constantFrom(...FIELDS), value: VALUES }),
  fc.record({ kind: fc.constant('long-line' as const), at: fc.nat(), n: fc.integer({ min: 1000, max: 200_000 }) }),
);

function apply(raw: Buffer, muts: Mutation[]): Buffer {
  let b = Buffer.from(raw);
  for (const m of muts) {
    if (m.kind === 'flip' && b.length) {
      b[m.at % b.length] = m.byte;
    } else if (m.kind === 'truncate' && b.length) {
      b = b.subarray(0, m.at % b.length);
    } else if (m.kind === 'header') {
      const text = b.toString('latin1');
      const re = new RegExp(`^${m.field}:.*$`, 'im');
      const line = `${m.field}: ${m.value}`;
      b = Buffer.from(re.test(text) ? text.replace(re, () => line) : `${line}\r\n${text}`, 'utf8');
    } else if (m.kind === 'long-line') {
      const at = b.length ? m.at % b.length : 0;
      b = Buffer.concat([b.subarray(0, at), Buffer.alloc(m.n, 0x61), b.subarray(at)]);
    }
  }
  return b;
}

const finding: Finding = {
  fingerprint: 'fp', rule: 'flush-under-ptl', severity: 'error', status: 'confirmed', introduced: true, fixed: false,
  path: 'mm/x.c', line: 1, side: 'RIGHT', function: 'f', message: 'A finding.', patch: { id: 'p' },
  simulation: { arch: 'x86', verdict: 'violation', states: 1, transitions: 1, ms: 1, trace: FAKE_TRACE },
};

describe('mail input fuzz → parse → draft', () => {
  it('never throws and never yields a draft with a foreign or overlong header line', async () => {
    let drafted = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: MAILS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (i, muts) => {
        const raw = apply(MAILS[i]!, muts);
        const r = await parseMessage(raw, { kind: 'mail', name: `fuzz-${i}.eml` });
        for (const p of r.problems) expect(typeof p.code).toBe('string');
        for (const p of r.patches.slice(0, 2)) {
          const reply = renderMailReply({ patch: p, findings: [{ ...finding, path: p.files[0]?.newPath ?? 'mm/x.c' }], from: 'mmreview <bot@example.org>', renderTable: fakeRenderTable });
          drafted++;
          const h = draftHeaders(reply.eml);
          if ('error' in h) throw new Error(h.error);
          for (const [k] of h.fields) expect(ALLOWED.has(k), k).toBe(true);
        }
      }),
      { numRuns: 300, seed: 2026 },
    );
    expect(drafted).toBeGreaterThan(50); // the fuzz reaches the renderer
  }, 60_000);
});

/**
 * Reply drafts under hostile headers (issue 13 item 1): Message-IDs written as RFC 2047 encoded words that decode to
 * CR LF, Message-IDs with spaces, 20,000-character subjects, addresses with control characters. Whatever the patch
 * holds, a draft has only the header fields the renderer writes, each line within RFC 5322's 998 octets, and its
 * SMTP envelope only addresses that appear in its To/Cc.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import type { Patch } from '../../src/core/patch.ts';
import type { Finding } from '../../src/core/finding.ts';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { domainToASCII } from 'node:url';
import { parseAddressList, renderMailReply, validMessageId } from '../../src/render/mail-reply.ts';
import { draftEnvelope, draftHeaders } from '../../src/publish/mail/smtp.ts';
import { parseMessage } from '../../src/sources/message.ts';
import { FAKE_TRACE, fakeDeps, fakeRenderTable } from './fake-engine.ts';
import { fixtureMails, tempDir, toMboxrd } from './archive-helpers.ts';
import { runScan } from '../../src/scan/scanner.ts';
import { StateStore } from '../../src/store/state-store.ts';

/** The only header fields a reply may have. */
const ALLOWED = new Set(['from', 'to', 'cc', 'subject', 'date', 'message-id', 'in-reply-to', 'references', 'mime-version', 'content-type', 'content-transfer-encoding', 'x-mailer']);

const b64 = (s: string): string => `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;

function basePatch(over: Partial<Patch> = {}): Patch {
  return {
    id: 'p1', source: { kind: 'mail', name: 'x.eml' }, subject: '[PATCH] mm: x', messageId: 'ok@example.org', from: 'Ada <ada@example.org>',
    to: ['linux-mm@kvack.org'], cc: [], date: '2025-03-04T09:12:00.000Z', quoted: false, quoteDepth: 0, damaged: false, damage: [], cover: false,
    files: [{ oldPath: 'mm/x.c', newPath: 'mm/x.c', status: 'modified', binary: false, hunks: [{ oldStart: 1, oldLines: 1, newStart: 1, newLines: 1, header: '', lines: [{ type: 'add', text: 'x();', newLine: 1 }] }] }],
    ...over,
  };
}

const finding: Finding = {
  fingerprint: 'fp1', rule: 'flush-under-ptl', severity: 'error', status: 'confirmed', introduced: true, fixed: false,
  path: 'mm/x.c', line: 1, side: 'RIGHT', function: 'f', message: 'A finding.', patch: { id: 'p1' },
  simulation: { arch: 'x86', verdict: 'violation', states: 1, transitions: 1, ms: 1, trace: FAKE_TRACE },
};

function render(patch: Patch) {
  return renderMailReply({ patch, findings: [finding], from: 'mmreview <bot@example.org>', renderTable: fakeRenderTable });
}

/** Every structural property a draft must have, whatever went in. */
function checkDraft(eml: string, patch: Patch): void {
  const parsed = draftHeaders(eml);
  if ('error' in parsed) throw new Error(`unsafe header block: ${parsed.error}`);
  const head = eml.slice(0, eml.indexOf('\r\n\r\n'));
  for (const line of head.split('\r\n')) {
    expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(998);
    expect(line).not.toMatch(/[\0\r\n]/);
  }
  const names = parsed.fields.map(([k]) => k);
  for (const n of names) expect(ALLOWED.has(n), `unexpected header field ${n}`).toBe(true);
  for (const once of ['from', 'to', 'cc', 'subject', 'message-id', 'in-reply-to', 'references']) expect(names.filter((n) => n === once).length).toBeLessThanOrEqual(1);
  // Every msg-id we emit is valid.
  for (const [k, v] of parsed.fields) {
    if (k === 'message-id' || k === 'in-reply-to' || k === 'references') {
      for (const id of v.trim().split(/\s+/)) expect(validMessageId(id), `${k}: ${id}`).toBeDefined();
    }
  }
  // The envelope only holds addresses the patch named (plus nobody else).
  const env = draftEnvelope(eml);
  const ascii = (a: string): string => `${a.slice(0, a.lastIndexOf('@'))}@${domainToASCII(a.slice(a.lastIndexOf('@') + 1))}`.toLowerCase();
  const named = new Set(parseAddressList([patch.from ?? '', ...(patch.to ?? []), ...(patch.cc ?? [])]).map((a) => ascii(a.address)));
  for (const a of env.to) expect(named.has(ascii(a)), `${a} is not an address of the patch`).toBe(true);
  expect(env.from).toBe('bot@example.org');
}

describe('reply headers under hostile input (regressions, issue 13)', () => {
  it('an encoded-word Message-ID that decodes to CR LF adds no Bcc header, through the real mail parser', async () => {
    const evil = b64('<x@example.org>\r\nBcc: victim@attacker.example');
    const raw = Buffer.from(
      [
        'From: Ada <ada@example.org>', 'To: linux-mm@kvack.org', 'Subject: [PATCH] mm: x', `Message-ID: ${evil}`,
        `References: ${evil}`, `In-Reply-To: ${evil}`, 'Date: Tue, 4 Mar 2025 09:12:00 +0000', '',
        'diff --git a/mm/x.c b/mm/x.c', '--- a/mm/x.c', '+++ b/mm/x.c', '@@ -1,1 +1,2 @@', ' a();', '+x();', '',
      ].join('\r\n'),
    );
    const { patches } = await parseMessage(raw, { kind: 'mail', name: 'evil.eml' });
    expect(patches.length).toBeGreaterThan(0);
    const p = patches[0]!;
    const r = render(p);
    checkDraft(r.eml, p);
    expect(r.eml).not.toMatch(/^Bcc:/im);
    expect(r.eml.split('\r\n\r\n')[0]).not.toMatch(/^(To|Cc|From):.*attacker\.example/im);
    expect(r.inReplyTo).toBe('');
    expect(r.notes.join('\n')).toMatch(/not a valid RFC 5322 msg-id/);
    expect(r.body).toMatch(/Note: the patch's Message-ID is not a valid/);
    expect(draftEnvelope(r.eml).to).not.toContain('victim@attacker.example');
  });

  it('a Message-ID with spaces never becomes `<id@x> Bcc: ...>`', () => {
    const p = basePatch({ messageId: 'id@x.org> Bcc: victim@attacker.example', references: ['a@b.org', 'c d@e.org'] });
    const r = render(p);
    checkDraft(r.eml, p);
    expect(r.head).not.toContain('Bcc');
    expect(r.head).toMatch(/^References: <a@b\.org>$/m);
    expect(r.head).not.toMatch(/^In-Reply-To:/m);
    expect(r.notes).toHaveLength(2);
  });

  it('a 20,000-character subject is folded into lines of at most 78 octets and decodes back', async () => {
    for (const subject of ['y'.repeat(20_000), `${'word '.repeat(4000)}end`, 'ü'.repeat(20_000)]) {
      const p = basePatch({ subject });
      const r = render(p);
      checkDraft(r.eml, p);
      const head = r.eml.slice(0, r.eml.indexOf('\r\n\r\n'));
      for (const line of head.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(78);
      const back = await simpleParser(r.eml);
      expect(back.subject).toBe(`Re: ${subject.trim()}`);
    }
  });

  it('addresses with CR LF in names or invalid addr-specs are re-serialised or dropped, never concatenated', () => {
    const p = basePatch({ from: `${b64('Eve\r\nBcc: victim@attacker.example')} <eve@example.org>`, to: ['"A\r\nBcc: x@attacker.example" <a@example.org>', 'bad@-x-', 'no-at-sign', 'n@0'] });
    const r = render(p);
    checkDraft(r.eml, p);
    expect(r.eml).not.toMatch(/^Bcc:/im);
    expect(r.recipients).toEqual(['eve@example.org', 'a@example.org']); // 'address@x' of 'bad@-x-', 'no-at-sign', 'n@0' is not taken
    expect(r.notes.join('\n')).toMatch(/not a valid addr-spec/);
  });
});

/** Strings an attacker would try: CR, LF, NUL, encoded words of those, brackets, long runs. */
const hostile = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: fc.constantFrom('\r', '\n', '\0', ' ', '\t', '<', '>', '@', ':', ',', '"', 'B', 'c', 'c', '=', '?', 'ü', '\u2028'), maxLength: 40 }),
  fc.string({ maxLength: 30 }).map((s) => `${s}\r\nBcc: victim@attacker.example`),
  fc.string({ maxLength: 30 }).map((s) => b64(`<${s}@x.org>\r\nBcc: victim@attacker.example`)),
  fc.integer({ min: 900, max: 3000 }).map((n) => 'z'.repeat(n)),
);

describe('property: no injected header line can appear', () => {
  it('holds for arbitrary hostile Message-ID, References, Subject, From, To and Cc', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, fc.array(hostile, { maxLength: 4 }), hostile, hostile, fc.array(hostile, { maxLength: 3 }), async (mid, refs, subject, name, to) => {
        const p = basePatch({ messageId: mid, references: refs, subject, from: `${name} <ada@example.org>`, to: to.map((t, i) => `${t} <t${i}@example.org>`), cc: to });
        const r = render(p);
        checkDraft(r.eml, p);
        expect(r.eml.slice(0, r.eml.indexOf('\r\n\r\n'))).not.toMatch(/(^|\r\n)Bcc:/i);
        const back = await simpleParser(r.eml);
        expect(back.headers.has('bcc')).toBe(false);
        expect(back.messageId).toBe(`<${r.messageId}>`);
      }),
      { numRuns: 300, seed: 13 },
    );
  });
});

describe('draftHeaders (checked again before --send)', () => {
  it('refuses a header block with a line that is not a field, an overlong line or a bare CR', () => {
    expect('error' in draftHeaders('From: a@b.org\r\nTo: c@d.org\r\n\r\nbody')).toBe(false);
    expect(draftHeaders('From: a@b.org\r\nnot a header\r\n\r\nbody')).toHaveProperty('error');
    expect(draftHeaders(`Subject: ${'x'.repeat(1000)}\r\n\r\nbody`)).toHaveProperty('error');
    expect(draftHeaders('Subject: a\rBcc: e@x.org\r\n\r\nbody')).toHaveProperty('error');
  });
});

describe('through a scan (mbox → draft)', () => {
  it('a patch mail whose Message-ID decodes to CR LF gets a draft without the injected header, and an MMR008 problem', async () => {
    const good = fixtureMails('archive').find((m) => m.name.startsWith('010'))!;
    const evil = b64('<x@example.org>\r\nBcc: victim@attacker.example');
    const raw = Buffer.from(good.raw.toString('latin1').replace(/^Message-ID:.*$/im, `Message-ID: ${evil}`), 'latin1');
    const dir = tempDir('hostile-scan');
    const mbox = join(dir, 'a.mbox');
    writeFileSync(mbox, toMboxrd([raw]));
    const store = StateStore.open(join(dir, 'state.db'));
    try {
      const r = await runScan([mbox], store, fakeDeps(), { draftsDir: join(dir, 'drafts'), from: 'mmreview <bot@example.org>' });
      const drafts = readdirSync(join(dir, 'drafts')).filter((f) => f.endsWith('.eml'));
      expect(drafts).toHaveLength(1);
      const eml = readFileSync(join(dir, 'drafts', drafts[0]!), 'utf8');
      const head = eml.slice(0, eml.indexOf('\r\n\r\n'));
      expect(head).not.toMatch(/^Bcc:/im);
      expect(head).not.toMatch(/^In-Reply-To:/im);
      expect(draftEnvelope(eml).to).not.toContain('victim@attacker.example');
      expect(r.review.problems.some((p) => p.code === 'MMR008')).toBe(true);
    } finally {
      store.close();
    }
  });
});

describe('scan --from', () => {
  it('must be one valid address (exit 2 otherwise): it becomes the From header and the SMTP envelope sender', async () => {
    const { spawnSync } = await import('node:child_process');
    const dir = tempDir('from');
    const p = spawnSync(process.execPath, [join(import.meta.dirname, '../../bin/mmreview.js'), 'scan', '--db', join(dir, 'state.db'), '--from', 'a@b.org, c@d.org', join(dir, 'none.mbox')], { encoding: 'utf8', timeout: 60_000 });
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/--from must be one mail address/);
  });
});

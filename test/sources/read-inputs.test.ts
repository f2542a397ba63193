// Tests for readInputs over every input form written under fixtures/inputs, and for malformed inputs.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Patch } from '../../src/core/patch.ts';
import { readInputs } from '../../src/sources/index.ts';

const FIX = join(import.meta.dirname, '../../fixtures/inputs');
const f = (n: string): string => join(FIX, n);
const shape = (p: Patch) => p.files.map((fd) => [fd.newPath ?? fd.oldPath, fd.hunks.map((h) => h.lines.length)]);
const SUBJECT_A = '[PATCH] mm/mprotect: use ptep_modify_prot_start/commit in change_pte_range';

async function one(name: string): Promise<{ patches: Patch[]; codes: string[] }> {
  const r = await readInputs([f(name)]);
  expect(r.inputs).toBe(1);
  return { patches: r.patches, codes: r.problems.map((p) => p.code) };
}

describe('patch files', () => {
  it('format-patch single', async () => {
    const { patches, codes } = await one('format-patch-single.patch');
    expect(codes).toEqual([]);
    expect(patches).toHaveLength(1);
    const p = patches[0]!;
    expect(p).toMatchObject({ subject: SUBJECT_A, commit: '5d0b3e1f2a4c6e8d0b1a3c5e7f9a1b3c5d7e9f10', quoted: false, damaged: false });
    expect(p.from).toBe('Ada Maintainer <ada@example.org>');
    expect(p.description).toMatch(/^Modify protections/);
    expect(p.description).not.toContain('mm/mprotect.c |');
    expect(shape(p)).toEqual([['mm/mprotect.c', [15]]]);
  });

  it('format-patch with several patches', async () => {
    const { patches, codes } = await one('format-patch-multi.patch');
    expect(codes).toEqual([]);
    expect(patches.map((p) => [p.series?.index, p.series?.total, p.commit?.slice(0, 7)])).toEqual([
      [1, 2, '5d0b3e1'],
      [2, 2, '9a8b7c6'],
    ]);
    expect(new Set(patches.map((p) => p.id)).size).toBe(2);
  });

  it('plain diff -u', async () => {
    const { patches, codes } = await one('plain-diff-u.diff');
    expect(codes).toEqual([]);
    expect(shape(patches[0]!)).toEqual([['mm/mprotect.c', [15]]]);
  });
});

describe('mail', () => {
  it.each(['plain.eml', 'crlf.eml', 'base64-body.eml', 'quoted-printable.eml', 'iso-8859-1.eml', 'multipart-attachment.eml'])(
    '%s yields the mprotect patch',
    async (name) => {
      const { patches, codes } = await one(name);
      expect(codes).toEqual([]);
      expect(patches).toHaveLength(1);
      const p = patches[0]!;
      expect(p.source.kind).toBe('mail');
      expect(p.subject).toMatch(/mm\/mprotect: use ptep_modify_prot_start\/commit in change_pte_range$/);
      expect(p.messageId).toMatch(/@example\.org$/);
      expect(p.date).toBe('2025-03-04T09:12:33.000Z');
      expect(shape(p)).toEqual([['mm/mprotect.c', [15]]]);
      expect(p.damaged).toBe(false);
      const add = p.files[0]!.hunks[0]!.lines.find((l) => l.type === 'add')!;
      expect(add.text).toBe('\t\t\toldpte = ptep_modify_prot_start(vma, addr, pte);');
    },
  );

  it('plain.eml carries threading and addressing headers', async () => {
    const p = (await one('plain.eml')).patches[0]!;
    expect(p).toMatchObject({
      messageId: '20250304091233.1001-2-ada@example.org',
      inReplyTo: '20250304091233.1001-1-ada@example.org',
      references: ['20250304091233.1001-1-ada@example.org'],
      to: ['linux-mm@kvack.org'],
      cc: ['Bob Reviewer <bob@example.org>', 'carol@example.net'],
      series: { version: 1, index: 1, total: 2, rfc: false, tags: [] },
    });
  });

  it('decodes ISO-8859-1 bodies and RFC 2047 names', async () => {
    const p = (await one('iso-8859-1.eml')).patches[0]!;
    expect(p.from).toBe('José Muñoz <jose@example.org>');
    expect(p.description).toContain('José Muñoz');
    expect(p.files[0]!.hunks[0]!.lines.some((l) => l.text.endsWith('/* résumé */'))).toBe(true);
  });

  it('maps diff lines to lines of the decoded body', async () => {
    const raw = readFileSync(f('plain.eml'), 'utf8');
    const body = raw.slice(raw.indexOf('\n\n') + 2).split('\n');
    const p = (await one('plain.eml')).patches[0]!;
    for (const l of p.files[0]!.hunks[0]!.lines) {
      const sign = l.type === 'add' ? '+' : l.type === 'del' ? '-' : ' ';
      expect(body[l.inputLine! - 1]).toBe(sign + l.text);
    }
  });
});

describe('archives and stdin', () => {
  it('mbox with three messages and an mboxrd >From line', async () => {
    const { patches, codes } = await one('three.mbox');
    expect(codes).toEqual([]);
    expect(patches.map((p) => [p.source.kind, p.source.index, p.quoted])).toEqual([
      ['mbox', 0, false],
      ['mbox', 1, true],
      ['mbox', 2, false],
    ]);
    expect(patches[0]!.description).toMatch(/^From the report:/m);
    expect(patches[2]!.files[0]!.hunks[0]!.lines).toHaveLength(7);
  });

  it('maildir, in name order', async () => {
    const { patches, codes } = await one('maildir');
    expect(codes).toEqual([]);
    expect(patches.map((p) => [p.source.kind, p.source.index, p.messageId])).toEqual([
      ['maildir', 0, 'mbox-1@example.org'],
      ['maildir', 1, 'mbox-3@example.org'],
    ]);
  });

  it('stdin (-) as a patch and as an mbox', async () => {
    const r1 = await readInputs(['-'], { stdin: Readable.from([readFileSync(f('plain-diff-u.diff'))]) });
    expect(r1.patches.map((p) => [p.source.kind, shape(p)])).toEqual([['stdin', [['mm/mprotect.c', [15]]]]]);
    const r2 = await readInputs(['-'], { stdin: Readable.from([readFileSync(f('three.mbox'))]) });
    expect(r2.patches).toHaveLength(3);
  });

  it('a directory of patch files, sorted by name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-dir-'));
    writeFileSync(join(dir, 'b.patch'), readFileSync(f('format-patch-multi.patch')));
    writeFileSync(join(dir, 'a.eml'), readFileSync(f('plain.eml')));
    writeFileSync(join(dir, 'notes.md'), 'not read');
    const r = await readInputs([dir]);
    expect(r.inputs).toBe(2);
    expect(r.patches.map((p) => p.source.name.slice(dir.length + 1))).toEqual(['a.eml', 'b.patch', 'b.patch']);
  });
});

describe('quoted and damaged diffs', () => {
  it('finds quoted diffs at depth 1 and 2 with interleaved reply text', async () => {
    const { patches, codes } = await one('quoted-reply.eml');
    expect(codes).toEqual([]);
    const byDepth = Object.fromEntries(patches.map((p) => [p.quoteDepth, p]));
    expect(Object.keys(byDepth).sort()).toEqual(['1', '2']);
    expect(byDepth[2]!.quoted).toBe(true);
    expect(shape(byDepth[2]!)).toEqual([[undefined, [7]]]);
    expect(shape(byDepth[1]!)).toEqual([['mm/mprotect.c', [15]]]);
    expect(byDepth[1]!.damage.join('\n')).toMatch(/interleaved/);
  });

  it('reads ">"-without-space quoting as an undamaged diff', async () => {
    const p = (await one('quoted-nospace.eml')).patches[0]!;
    expect(p).toMatchObject({ quoted: true, quoteDepth: 1, damaged: false });
    expect(shape(p)).toEqual([['mm/mprotect.c', [7]]]);
  });

  it('recovers a mangled web-archive diff and marks it damaged', async () => {
    const p = (await one('mangled-web.txt')).patches[0]!;
    expect(p.damaged).toBe(true);
    expect(p.damage.some((d) => /joined to the wrapped hunk header/.test(d))).toBe(true);
    expect(p.damage.some((d) => /wrapped by the mailer/.test(d))).toBe(true);
    expect(shape(p)).toEqual([['mm/mprotect.c', [15]]]);
    expect(p.subject).toMatch(/^Re: \[PATCH 1\/2\]/);
  });

  it('finds a header-less fragment and ignores the prose list', async () => {
    const { patches } = await one('fragment-reply.txt');
    expect(patches).toHaveLength(1);
    const fd = patches[0]!.files[0]!;
    expect(fd.newPath).toBeUndefined();
    expect(fd.hunks[0]!.lines.every((l) => l.type === 'add')).toBe(true);
    expect(fd.hunks[0]!.lines.some((l) => l.text.includes('static long mprotect_pte_one('))).toBe(true);
    expect(patches[0]!.damage.join('\n')).toMatch(/line numbers unknown/);
  });
});

describe('malformed inputs', () => {
  it('each gives its problem and the other inputs are still read', async () => {
    const r = await readInputs([
      f('truncated.mbox'),
      f('broken-mime.eml'),
      f('wrong-hunk-counts.patch'),
      f('junk.bin.patch'),
      f('does-not-exist.patch'),
      f('plain.eml'),
    ]);
    const codes = (input: string) => r.problems.filter((p) => p.input.includes(input) || p.input.startsWith(input)).map((p) => p.code);
    expect(codes('truncated.mbox')).toContain('MMR005');
    expect(r.problems.some((p) => p.code === 'MMR004' && /boundary/.test(p.message))).toBe(true);
    expect(codes('wrong-hunk-counts.patch')).toEqual(['MMR003']);
    expect(codes('junk.bin.patch')).toEqual(['MMR006']);
    expect(codes('does-not-exist.patch')).toEqual(['MMR001']);
    expect(r.patches.some((p) => p.messageId === '20250304091233.1001-2-ada@example.org')).toBe(true);
    expect(r.patches.some((p) => p.messageId === 'broken-1@example.org' && p.files.length === 1)).toBe(true);
    expect(r.patches.filter((p) => p.source.name.endsWith('truncated.mbox'))).toHaveLength(2);
  });

  it('a text without a diff gives MMR002', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-nodiff-'));
    writeFileSync(join(dir, 'reply.txt'), 'Thanks, applied.\n\n- Ada\n');
    const r = await readInputs([join(dir, 'reply.txt')]);
    expect(r.patches).toEqual([]);
    expect(r.problems.map((p) => p.code)).toEqual(['MMR002']);
  });

  it('is deterministic', async () => {
    const names = ['three.mbox', 'maildir', 'quoted-reply.eml', 'mangled-web.txt'].map(f);
    expect(JSON.stringify(await readInputs(names))).toBe(JSON.stringify(await readInputs(names)));
  });
});

describe('binary-ness is judged on the text that holds the diff', () => {
  const diff = [
    'diff --git a/mm/memory.c b/mm/memory.c',
    'index 1111111..2222222 100644',
    '--- a/mm/memory.c',
    '+++ b/mm/memory.c',
    '@@ -10,3 +10,3 @@ static void zap(pte_t *pte)',
    ' \tspin_lock(ptl);',
    '-\tpte_clear(mm, addr, pte);',
    '+\tptep_get_and_clear(mm, addr, pte);',
    ' \tspin_unlock(ptl);',
    '',
  ].join('\n');
  // A mangled DKIM block (NUL and other control bytes on three lines), as archives sometimes keep it.
  const dkim = 'DKIM-Signature: v\x01 a\x00a-sha256; c\x0erelaxed/relaxed; d\x00example.org; s\x01;\n\tt\x15123; bh\x08abc\th\x00From:To\n\tb\x00xyz\n';
  const mail = (junkInHeader: boolean): Buffer =>
    Buffer.from(
      [
        'From: Ada Maintainer <ada@example.org>',
        'To: linux-mm@kvack.org',
        'Subject: [PATCH] mm: clear the pte with ptep_get_and_clear',
        'Message-ID: <junk-1@example.org>',
        ...(junkInHeader ? [dkim.trimEnd()] : []),
        '',
        'Use ptep_get_and_clear.',
        ...(junkInHeader ? [] : [dkim.trimEnd()]),
        'Signed-off-by: Ada Maintainer <ada@example.org>',
        '---',
        diff,
      ].join('\n'),
      'latin1',
    );

  for (const where of ['header', 'body'] as const) {
    it(`a mail with junk control bytes in its ${where} is read, the junk never reaches the patch`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mmr-junk-'));
      writeFileSync(join(dir, 'junk.eml'), mail(where === 'header'));
      const r = await readInputs([join(dir, 'junk.eml')]);
      expect(r.problems.map((p) => p.code)).not.toContain('MMR006');
      expect(r.patches).toHaveLength(1);
      expect(r.patches[0]!.files.map((fd) => fd.newPath)).toEqual(['mm/memory.c']);
      expect(JSON.stringify(r.patches)).not.toMatch(/\\u000[0-8]|\\u001[0-9a-f]/);
    });
  }

  it('the same junk in an mbox message is read too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-junk-'));
    writeFileSync(join(dir, 'a.mbox'), Buffer.concat([Buffer.from('From ada@example.org Mon Jan  1 00:00:00 2024\n'), mail(true), Buffer.from('\n')]));
    const r = await readInputs([join(dir, 'a.mbox')]);
    expect(r.patches.map((p) => p.files.length)).toEqual([1]);
    expect(JSON.stringify(r.patches)).not.toMatch(/\\u0000/);
  });

  it('bytes spread through the input are binary (MMR006)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-junk-'));
    // A patch-looking start followed by a binary payload: control bytes on every line.
    const payload = Buffer.from(Array.from({ length: 6000 }, (_, i) => (i * 37 + (i >> 3)) & 0xff));
    writeFileSync(join(dir, 'blob.patch'), Buffer.concat([Buffer.from(diff), payload]));
    const r = await readInputs([join(dir, 'blob.patch')]);
    expect(r.problems.map((p) => p.code)).toEqual(['MMR006']);
    expect(r.patches).toEqual([]);
  });
});

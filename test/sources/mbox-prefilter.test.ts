// Tests for the streaming mbox reader (splitting, offsets, mboxrd unescaping, large files) and mayContainDiff.

import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mayContainDiff, readMaildir, readMbox, readMboxChunks } from '../../src/sources/index.ts';

const FIX = join(import.meta.dirname, '../../fixtures/inputs');

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('readMbox', () => {
  it('splits messages, keeps offsets and unescapes >From', async () => {
    const path = join(FIX, 'three.mbox');
    const file = readFileSync(path);
    const msgs = await collect(readMbox(path));
    expect(msgs.map((m) => m.index)).toEqual([0, 1, 2]);
    for (const m of msgs) expect(file.subarray(m.offset, m.offset + 5).toString()).toBe('From ');
    expect(msgs[0]!.raw.toString()).toMatch(/^From the report:/m);
    expect(msgs[0]!.raw.toString()).not.toMatch(/^>From the report:/m);
  });

  it('does not split on body lines that start with "From " but are not separators', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-mbox-'));
    const p = join(dir, 'a.mbox');
    writeFileSync(p, 'From a@b Mon Mar  3 10:00:00 2025\nSubject: x\n\nbody\nFrom here on we differ.\n\nFrom a@b Mon Mar  3 10:00:01 2025\nSubject: y\n\nz\n');
    const msgs = await collect(readMbox(p));
    expect(msgs).toHaveLength(2);
    expect(msgs[0]!.raw.toString()).toContain('From here on we differ.');
  });

  it('streams a large mbox across chunk boundaries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-big-'));
    const p = join(dir, 'big.mbox');
    const one = readFileSync(join(FIX, 'three.mbox'), 'utf8');
    const n = 1500; // ~2.8 MB: several 1 MiB chunks
    writeFileSync(p, one.repeat(n));
    let count = 0;
    let last = -1;
    for await (const m of readMbox(p)) {
      expect(m.index).toBe(last + 1);
      last = m.index;
      count++;
    }
    expect(count).toBe(3 * n);
  });

  it('reads a file exactly as it splits the same bytes given in odd-sized pieces (a 5 MB message, >From, no final newline)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-pieces-'));
    const p = join(dir, 'p.mbox');
    const big = `From a@b Mon Mar  3 10:00:00 2025\nSubject: big\n\n${'x'.repeat(99).concat('\n').repeat(50_000)}>From me\n`;
    const text = readFileSync(join(FIX, 'three.mbox'), 'latin1').repeat(300) + big + 'From a@b Mon Mar  3 10:00:01 2025\nSubject: y\n\nlast';
    writeFileSync(p, text, 'latin1');
    const bytes = Buffer.from(text, 'latin1');
    async function* pieces(): AsyncGenerator<Buffer> {
      for (let at = 0, n = 1; at < bytes.length; at += n, n = (n * 7 + 13) % 300_007) yield bytes.subarray(at, at + n);
    }
    const shape = (m: { index: number; offset: number; raw: Buffer; fromLine: string; truncated?: boolean }) => [m.index, m.offset, m.fromLine, m.truncated, m.raw.toString('latin1')];
    const fromFile = (await collect(readMbox(p))).map(shape);
    expect(fromFile.length).toBeGreaterThan(900);
    expect(fromFile).toEqual((await collect(readMboxChunks(pieces()))).map(shape));
  });

  it('flags a last message cut short', async () => {
    const msgs = await collect(readMbox(join(FIX, 'truncated.mbox')));
    expect(msgs.map((m) => m.truncated ?? false)).toEqual([false, true]);
  });
});

describe('readMaildir', () => {
  it('yields cur/ and new/ messages sorted by name', async () => {
    const msgs = await collect(readMaildir(join(FIX, 'maildir')));
    expect(msgs.map((m) => m.name)).toEqual(readdirSync(join(FIX, 'maildir/cur')).map((n) => `cur/${n}`).concat(readdirSync(join(FIX, 'maildir/new')).map((n) => `new/${n}`)));
  });
});

describe('mayContainDiff', () => {
  it.each(['plain.eml', 'base64-body.eml', 'quoted-printable.eml', 'multipart-attachment.eml', 'quoted-reply.eml', 'quoted-nospace.eml', 'fragment-reply.txt'])(
    'true for %s',
    (n) => expect(mayContainDiff(readFileSync(join(FIX, n)))).toBe(true),
  );
  it('false for a reply without any diff', () => {
    const raw = Buffer.from('From: a@b\nSubject: Re: [PATCH] mm: x\n\nThanks, applied to mm-unstable.\n\n-- \nAndrew\n');
    expect(mayContainDiff(raw)).toBe(false);
  });
  it('false for a base64 mail without patch-like names or subject', () => {
    const raw = Buffer.from(`Subject: lunch\nContent-Transfer-Encoding: base64\n\n${Buffer.from('see you at noon').toString('base64')}\n`);
    expect(mayContainDiff(raw)).toBe(false);
  });
});

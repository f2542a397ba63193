/** readPublicInbox on real public-inbox v2 archives built with the public-inbox tools. */
import { describe, expect, it } from 'vitest';
import { writeFileSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readPublicInbox, PublicInboxError, isPublicInbox } from '../../src/sources/public-inbox.ts';
import { TestInbox, fixtureMails, havePublicInbox, tempDir } from './archive-helpers.ts';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe.skipIf(!havePublicInbox())('readPublicInbox', () => {
  it('reads every imported message in order, with stable commit oids', async () => {
    const ibx = new TestInbox();
    const mails = fixtureMails('archive');
    ibx.import(mails.map((m) => m.raw));
    expect(isPublicInbox(ibx.dir)).toBe(true);
    const got = await collect(readPublicInbox(ibx.dir));
    expect(got).toHaveLength(mails.length);
    expect(got.map((m) => m.index)).toEqual(mails.map((_, i) => i));
    for (const [i, m] of got.entries()) {
      const id = /^Message-ID: (<[^>]+>)/im.exec(mails[i]!.raw.toString())![1]!;
      expect(m.raw.toString()).toContain(id);
      expect(m.oid).toMatch(/^[0-9a-f]{40}$/);
      expect(m.blob).toMatch(/^[0-9a-f]{40}$/);
    }
    // same archive, same answers
    const again = await collect(readPublicInbox(ibx.dir));
    expect(again.map((m) => m.oid)).toEqual(got.map((m) => m.oid));
    // skip: the blobs of known commits are not read
    const known = new Set(got.slice(0, 5).map((m) => m.oid));
    const rest = await collect(readPublicInbox(ibx.dir, { skip: (oid) => known.has(oid) }));
    expect(rest.map((m) => m.index)).toEqual(got.slice(5).map((m) => m.index));
    // messages added later come after, with larger ordinals
    ibx.import(fixtureMails('later').map((m) => m.raw));
    const after = await collect(readPublicInbox(ibx.dir, { skip: (oid) => got.some((g) => g.oid === oid) }));
    expect(after.map((m) => m.index)).toEqual([got.length, got.length + 1]);
  });

  it('handles a large window with many messages through one cat-file process', async () => {
    const ibx = new TestInbox();
    const raws = Array.from({ length: 300 }, (_, i) =>
      Buffer.from(`From: a@example.org\nSubject: msg ${i}\nMessage-ID: <m${i}@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\n${'x'.repeat(i * 37)}\n`),
    );
    ibx.import(raws);
    const got = await collect(readPublicInbox(ibx.dir, { window: 16 }));
    expect(got).toHaveLength(300);
    expect(got[299]!.raw.toString()).toContain('<m299@example.org>');
  });

  it('reads multi-megabyte messages between small ones intact (the blob arrives in many pieces)', async () => {
    const ibx = new TestInbox();
    const body = (i: number): string => `${i}:${'y'.repeat(99)}\n`.repeat(i % 2 ? 30_000 : 1);
    const raws = [0, 1, 2, 3].map((i) =>
      Buffer.from(`From: a@example.org\nSubject: msg ${i}\nMessage-ID: <b${i}@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\n${body(i)}`),
    );
    ibx.import(raws);
    const got = await collect(readPublicInbox(ibx.dir, { window: 2 }));
    expect(got).toHaveLength(4);
    for (const [i, m] of got.entries()) {
      const text = m.raw.toString();
      expect(text).toContain(`<b${i}@example.org>`);
      expect(text.split(`${i}:${'y'.repeat(99)}`).length - 1).toBe(i % 2 ? 30_000 : 1);
    }
  });

  it('names the corrupt epoch', async () => {
    const ibx = new TestInbox();
    ibx.import(fixtureMails('archive').slice(0, 2).map((m) => m.raw));
    const epoch = join(ibx.dir, 'git', '0.git');
    // destroy the object store
    for (const d of readdirSync(join(epoch, 'objects'))) if (d !== 'info') rmSync(join(epoch, 'objects', d), { recursive: true, force: true });
    await expect(collect(readPublicInbox(ibx.dir))).rejects.toThrow(/0\.git/);
    await expect(collect(readPublicInbox(ibx.dir))).rejects.toBeInstanceOf(PublicInboxError);
  });
});

describe('readPublicInbox on things that are not archives', () => {
  it('rejects a directory without git/', async () => {
    const d = tempDir('notpi');
    writeFileSync(join(d, 'x'), 'y');
    expect(isPublicInbox(d)).toBe(false);
    await expect(collect(readPublicInbox(d))).rejects.toThrow(/not a public-inbox v2 archive/);
  });
  it('rejects git/ without epochs', async () => {
    const d = tempDir('notpi2');
    mkdirSync(join(d, 'git'));
    await expect(collect(readPublicInbox(d))).rejects.toThrow(/no epoch/);
  });
});

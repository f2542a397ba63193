/**
 * Re-scan of an mbox from the checkpoint of the last complete scan (src/scan/mbox-checkpoint.ts): the unchanged
 * prefix is not split or hashed per message, yet the counts are those of a full re-read; an appended message is
 * new; a message that was cut short and later completed is read again whole; a rewritten prefix is read in full.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateStore } from '../../src/store/state-store.ts';
import { runScan } from '../../src/scan/scanner.ts';
import type { ScanDeps } from '../../src/scan/deps.ts';
import { appendMbox, fixtureMails, tempDir, toMboxrd } from './archive-helpers.ts';
import { fakeDeps } from './fake-engine.ts';

const mails = fixtureMails('archive').map((m) => m.raw);

/** fakeDeps whose mbox reader records where each read started. */
function spyDeps(starts: Array<number | undefined>): ScanDeps {
  const base = fakeDeps();
  return { ...base, readMbox: (path, start) => (starts.push(start?.offset), base.readMbox(path, start)) };
}

describe('mbox re-scan from a checkpoint', () => {
  it('reads only from the last message on when the prefix is unchanged, with the counts of a full read', async () => {
    const dir = tempDir('ckpt');
    const mbox = join(dir, 'a.mbox');
    appendMbox(mbox, mails.slice(0, 4));
    const store = StateStore.open(join(dir, 'state.db'));
    const opts = { draftsDir: join(dir, 'drafts'), from: 'b <b@x>' };
    const starts: Array<number | undefined> = [];
    try {
      const first = await runScan([mbox], store, spyDeps(starts), opts);
      const again = await runScan([mbox], store, spyDeps(starts), opts);
      expect(starts[0]).toBeUndefined();
      expect(starts[1]).toBeGreaterThan(0);
      expect(again.sources[0]).toMatchObject({ newMessages: 0, seenMessages: 4, bytes: first.sources[0]!.bytes });
      appendMbox(mbox, mails.slice(4, 6));
      const third = await runScan([mbox], store, spyDeps(starts), opts);
      expect(starts[2]).toBe(starts[1]);
      expect(third.sources[0]).toMatchObject({ newMessages: 2, seenMessages: 4 });
    } finally {
      store.close();
    }
  });

  it('reads a message cut short and completed later again, whole', async () => {
    const dir = tempDir('ckpt-cut');
    const mbox = join(dir, 'a.mbox');
    appendMbox(mbox, mails.slice(0, 2));
    const tail = toMboxrd([mails[2]!]);
    appendFileSync(mbox, tail.subarray(0, 40));
    const store = StateStore.open(join(dir, 'state.db'));
    const opts = { draftsDir: join(dir, 'drafts'), from: 'b <b@x>' };
    try {
      const first = await runScan([mbox], store, fakeDeps(), opts);
      expect(first.sources[0]).toMatchObject({ newMessages: 3 });
      appendFileSync(mbox, tail.subarray(40));
      const again = await runScan([mbox], store, fakeDeps(), opts);
      expect(again.sources[0]).toMatchObject({ newMessages: 1, seenMessages: 2 });
    } finally {
      store.close();
    }
  });

  it('reads the whole file when its start changed', async () => {
    const dir = tempDir('ckpt-edit');
    const mbox = join(dir, 'a.mbox');
    appendMbox(mbox, mails.slice(0, 3));
    const store = StateStore.open(join(dir, 'state.db'));
    const opts = { draftsDir: join(dir, 'drafts'), from: 'b <b@x>' };
    const starts: Array<number | undefined> = [];
    try {
      await runScan([mbox], store, spyDeps(starts), opts);
      // the first message's Subject edited in place (same length): its key changes, the others stay seen
      const text = readFileSync(mbox, 'latin1');
      const at = text.indexOf('Subject: ') + 'Subject: '.length;
      writeFileSync(mbox, Buffer.from(`${text.slice(0, at)}X${text.slice(at + 1)}`, 'latin1'));
      const again = await runScan([mbox], store, spyDeps(starts), opts);
      expect(starts[1]).toBeUndefined();
      expect(again.sources[0]).toMatchObject({ newMessages: 1, seenMessages: 2 });
    } finally {
      store.close();
    }
  });
});

/** Sending drafts over SMTP to a local smtp-server; each reply goes out once, even across runs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateStore } from '../../src/store/state-store.ts';
import { runScan } from '../../src/scan/scanner.ts';
import { sendDrafts, draftEnvelope } from '../../src/publish/mail/smtp.ts';
import { fakeDeps } from './fake-engine.ts';
import { fixtureMails, tempDir, toMboxrd } from './archive-helpers.ts';

interface Received {
  from: string;
  to: string[];
  data: string;
}

const received: Received[] = [];
let server: SMTPServer;
let port = 0;

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  port = (server.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((res) => server.close(() => res()));
});

describe('sendDrafts', () => {
  it('sends each drafted reply once to the author and the lists', async () => {
    const dir = tempDir('smtp');
    const store = StateStore.open(join(dir, 'state.db'));
    const mbox = join(dir, 'a.mbox');
    writeFileSync(mbox, toMboxrd(fixtureMails('archive').map((m) => m.raw)));
    await runScan([mbox], store, fakeDeps(), { draftsDir: join(dir, 'drafts'), from: 'mmreview <bot@example.org>' });
    const url = `smtp://127.0.0.1:${port}`;
    const r = await sendDrafts(store, url);
    expect(r.sent).toHaveLength(1);
    expect(received).toHaveLength(1);
    const m = received[0]!;
    expect(m.from).toBe('bot@example.org');
    expect(m.to).toEqual(['ada@example.org', 'linux-mm@kvack.org', 'akpm@linux-foundation.org', 'linux-kernel@vger.kernel.org', 'david@redhat.com']);
    expect(m.data).toContain('In-Reply-To: <20250304091200.1201-1-ada@example.org>');
    expect(m.data).toContain('pte_unmap_unlock');
    expect(store.allReplies()[0]!.state).toBe('sent');
    // a second send finds nothing to send
    const again = await sendDrafts(store, url);
    expect(again.sent).toHaveLength(0);
    expect(received).toHaveLength(1);
    store.close();
  });

  it('a reply left in "sending" by a killed run is not resent; a failed one is retried', async () => {
    const dir = tempDir('smtp2');
    const store = StateStore.open(join(dir, 'state.db'));
    const f = join(dir, 'r.eml');
    writeFileSync(f, 'From: b <b@x.org>\r\nTo: a@y.org\r\nSubject: Re: x\r\nMessage-ID: <r1@x.org>\r\n\r\nhi\r\n');
    store.addReply({ replyId: 'r1@x.org', inReplyTo: 'o@y', pkey: 'o@y#0', file: f, fingerprints: 'fp', state: 'sending' });
    store.addReply({ replyId: 'r2@x.org', inReplyTo: 'o2@y', pkey: 'o2@y#0', file: f, fingerprints: 'fp2', state: 'send-failed' });
    const before = received.length;
    const r = await sendDrafts(store, `smtp://127.0.0.1:${port}`);
    expect(r.uncertain).toEqual(['r1@x.org']);
    expect(r.sent).toEqual(['r2@x.org']);
    expect(received.length).toBe(before + 1);
    const bad = await sendDrafts(store, 'smtp://127.0.0.1:1');
    expect(bad.sent).toHaveLength(0);
    store.close();
  });

  it('reads the envelope from a draft', () => {
    expect(draftEnvelope('From: "A, B" <ab@x.org>\r\nTo: c@y.org,\r\n D <d@z.org>\r\nCc: e@w.org\r\n\r\nbody')).toEqual({ from: 'ab@x.org', to: ['c@y.org', 'd@z.org', 'e@w.org'] });
  });
});

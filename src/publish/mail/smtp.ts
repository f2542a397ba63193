/** Sends drafted replies over SMTP with nodemailer (only when configured); at-most-once per reply via the store. */
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type { StateStore } from '../../store/state-store.ts';
import { parseAddressList } from '../../render/mail-reply.ts';

export interface SendResult {
  sent: string[];
  failed: Array<{ replyId: string; error: string }>;
  /** Replies left in `sending` by a killed run: not resent (they may have gone out). */
  uncertain: string[];
}

/** The unfolded header fields of a message (name lower case, value), or the reason the header block is unsafe. */
export function draftHeaders(eml: string): { fields: Array<[string, string]> } | { error: string } {
  const m = /\r?\n\r?\n/.exec(eml);
  const head = m ? eml.slice(0, m.index) : eml;
  const fields: Array<[string, string]> = [];
  for (const line of head.split(/\r?\n/)) {
    if (Buffer.byteLength(line, 'utf8') > 998) return { error: `header line longer than 998 octets: ${JSON.stringify(line.slice(0, 40))}...` };
    // eslint-disable-next-line no-control-regex
    if (/[\x00\r]/.test(line)) return { error: 'NUL or bare CR in the header block' };
    if (/^[ \t]/.test(line) && fields.length) {
      fields[fields.length - 1]![1] += ` ${line.trim()}`;
      continue;
    }
    const f = /^([\x21-\x39\x3b-\x7e]+):[ \t]?(.*)$/.exec(line);
    if (!f) return { error: `not a header field: ${JSON.stringify(line.slice(0, 40))}` };
    fields.push([f[1]!.toLowerCase(), f[2]!]);
  }
  return { fields };
}

/**
 * The SMTP envelope of a draft: From, and To + Cc (never Bcc), parsed with nodemailer's addressparser; addresses
 * that are not plain addr-specs are left out.
 */
export function draftEnvelope(eml: string): { from?: string; to: string[] } {
  const h = draftHeaders(eml);
  const fields = 'fields' in h ? h.fields : [];
  const addrs = (name: string): string[] => parseAddressList(fields.filter(([k]) => k === name).map(([, v]) => v)).map((a) => a.address);
  const from = addrs('from')[0];
  const to = [...addrs('to'), ...addrs('cc')].filter((a, i, all) => all.indexOf(a) === i);
  return from ? { from, to } : { to };
}

/**
 * Sends every drafted reply through `smtpUrl` (`smtp://host:port`, `smtps://user:pass@host`). Each reply is marked
 * `sending` (committed) before the SMTP transaction and `sent` after it, so a crash never sends a reply twice.
 */
export async function sendDrafts(store: StateStore, smtpUrl: string): Promise<SendResult> {
  const transport = nodemailer.createTransport(smtpUrl);
  const res: SendResult = { sent: [], failed: [], uncertain: [] };
  try {
    for (const r of store.allReplies()) {
      if (r.state === 'sending') res.uncertain.push(r.replyId);
      if (r.state !== 'drafted' && r.state !== 'send-failed') continue;
      let raw: string;
      try {
        raw = readFileSync(r.file, 'utf8');
      } catch (e) {
        store.setReplyState(r.replyId, 'send-failed', `draft unreadable: ${(e as Error).message}`);
        res.failed.push({ replyId: r.replyId, error: (e as Error).message });
        continue;
      }
      const checked = draftHeaders(raw);
      if ('error' in checked) {
        store.setReplyState(r.replyId, 'send-failed', `draft refused: ${checked.error}`);
        res.failed.push({ replyId: r.replyId, error: `draft refused: ${checked.error}` });
        continue;
      }
      const env = draftEnvelope(raw);
      if (!env.from || env.to.length === 0) {
        const error = `draft refused: ${env.from ? 'no valid recipient in To/Cc' : 'no valid From address'}`;
        store.setReplyState(r.replyId, 'send-failed', error);
        res.failed.push({ replyId: r.replyId, error });
        continue;
      }
      store.setReplyState(r.replyId, 'sending');
      try {
        await transport.sendMail({ envelope: { from: env.from, to: env.to }, raw });
        store.setReplyState(r.replyId, 'sent');
        res.sent.push(r.replyId);
      } catch (e) {
        store.setReplyState(r.replyId, 'send-failed', (e as Error).message);
        res.failed.push({ replyId: r.replyId, error: (e as Error).message });
      }
    }
  } finally {
    transport.close();
  }
  return res;
}

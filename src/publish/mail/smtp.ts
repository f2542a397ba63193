/** Sends drafted replies over SMTP with nodemailer (only when configured); at-most-once per reply via the store. */
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type { StateStore } from '../../store/state-store.ts';

export interface SendResult {
  sent: string[];
  failed: Array<{ replyId: string; error: string }>;
  /** Replies left in `sending` by a killed run: not resent (they may have gone out). */
  uncertain: string[];
}

/** Envelope and raw message of a draft file. */
export function draftEnvelope(eml: string): { from?: string; to: string[] } {
  const head = eml.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const field = (name: string): string => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1] ?? '';
  const addrs = (v: string): string[] => [...v.matchAll(/<([^<>\s]+@[^<>\s]+)>|(?:^|[\s,])([^\s<>,"]+@[^\s<>,"]+)/g)].map((m) => (m[1] ?? m[2])!.toLowerCase());
  const from = addrs(field('From'))[0];
  const to = [...addrs(field('To')), ...addrs(field('Cc'))].filter((a, i, all) => all.indexOf(a) === i);
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
      const env = draftEnvelope(raw);
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

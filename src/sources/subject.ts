// Parses mail subjects: reply prefixes and bracket tags (`[RFC PATCH v3 14/28]`, `[PATCH RESEND 2/5]`, `[PATCH net-next v2]`).

import type { SeriesTag } from '../core/patch.ts';

/** A parsed subject. `tag` is set when the subject has patch-like bracket tags. */
export interface ParsedSubject {
  /** Subject without reply prefixes and bracket tags. */
  title: string;
  /** True when the subject starts with `Re:` (or `Aw:`, `Sv:`, `Antw:`). */
  reply: boolean;
  tag?: SeriesTag;
}

const REPLY_RE = /^\s*(re|aw|sv|antw|r)\s*(\[\d+\])?\s*:\s*/i;
const FWD_RE = /^\s*(fwd?|wg)\s*:\s*/i;

/** Parses a subject line (already decoded from RFC 2047). */
export function parseSubject(subject: string): ParsedSubject {
  let s = subject.replace(/\s+/g, ' ').trim();
  let reply = false;
  for (;;) {
    if (REPLY_RE.test(s)) {
      s = s.replace(REPLY_RE, '');
      reply = true;
    } else if (FWD_RE.test(s)) s = s.replace(FWD_RE, '');
    else break;
  }
  let version = 1;
  let index = 1;
  let total = 1;
  let rfc = false;
  let patchLike = false;
  const tags: string[] = [];
  for (;;) {
    const m = /^\[([^\]]*)\]\s*/.exec(s);
    if (!m) break;
    s = s.slice(m[0].length);
    for (const word of m[1]!.split(/[\s,]+/).filter(Boolean)) {
      let w: RegExpExecArray | null;
      if (/^patch(set)?$/i.test(word)) patchLike = true;
      else if (/^rfc$/i.test(word)) {
        rfc = true;
        patchLike = true;
      } else if ((w = /^v(\d+)$/i.exec(word))) {
        version = Number(w[1]);
        patchLike = true;
      } else if ((w = /^(\d+)\/(\d+)$/.exec(word))) {
        index = Number(w[1]);
        total = Number(w[2]);
        patchLike = true;
      } else tags.push(word);
    }
    // A reply prefix may follow the tags: `[PATCH] Re: ...` is rare but seen.
    if (REPLY_RE.test(s)) {
      s = s.replace(REPLY_RE, '');
      reply = true;
    }
  }
  const out: ParsedSubject = { title: s.trim(), reply };
  if (patchLike) out.tag = { version, index, total, rfc, tags };
  return out;
}

/** Normalised title for matching postings of the same series across versions. */
export function titleKey(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, ' ')
    .trim();
}

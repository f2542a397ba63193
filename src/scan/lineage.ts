/** Identity of a patch across versions (lineage) and of a series (thread root), for dedupe across rerolls. */
import type { Patch } from '../core/patch.ts';
import { parseSubject, titleKey } from '../series/index.ts';

/** Subject without `Re:`/`Fwd:` prefixes and bracket tags, lower-cased, whitespace collapsed. */
export function normalizeSubject(subject: string): string {
  let s = subject.trim();
  for (;;) {
    const next = s.replace(/^(?:(?:re|fwd?|aw)\s*:\s*|\[[^\]]*\]\s*)/i, '');
    if (next === s) break;
    s = next;
  }
  return s.replace(/\s+/g, ' ').toLowerCase();
}

/** The lineage key of a patch: the same patch in v2, v3, a RESEND share it (normalised subject, else patch-id). */
export function lineageKey(p: Patch): string {
  const subj = p.subject ? titleKey(parseSubject(p.subject).title) || normalizeSubject(p.subject) : '';
  if (subj) return `subject:${subj}`;
  if (p.patchId) return `patch-id:${p.patchId}`;
  return `message:${p.messageId ?? p.id}`;
}

/**
 * Walks parent links to the root of a thread. `parentOf` returns the parent message-id of a message (undefined at
 * a root or when the parent is unknown). A reference cycle (mail loop) stops the walk; `loop` reports it.
 */
export function threadRoot(start: string, parentOf: (id: string) => string | undefined): { root: string; loop: boolean } {
  const seen = new Set<string>([start]);
  let cur = start;
  for (let i = 0; i < 10_000; i++) {
    const p = parentOf(cur);
    if (p === undefined) return { root: cur, loop: false };
    if (seen.has(p)) return { root: [...seen].sort()[0]!, loop: true };
    seen.add(p);
    cur = p;
  }
  return { root: cur, loop: true };
}

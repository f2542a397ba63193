/**
 * Claims from a damaged quote: a diff quoted in a reply whose quote was repaired (trimmed, interleaved with reply
 * text, lines lost) or names no file is a fragment of a fragment. What the quote dropped (the lock or gather above
 * the hunk, the rest of the function) may decide the verdict, so no claim from it is confirmed: every candidate
 * gets an `unseen` reason and is at most `inconclusive` (docs/engine.md, "Quoted fragments").
 */
import type { Patch } from '../core/patch.ts';
import type { Candidate } from '../core/rule.ts';

/** Why claims from this patch cannot be confirmed (a quoted diff, damaged or without a file), else undefined. */
export function quotedFragmentReason(patch: Patch): string | undefined {
  if (!patch.quoted) return undefined;
  const noFile = patch.files.some((f) => !f.newPath && !f.oldPath);
  if (!patch.damaged && !noFile) return undefined;
  const what = noFile ? 'names no file' : 'was damaged in quoting';
  const first = patch.damage[0];
  return `the diff is quoted in a reply and ${what}${first ? ` (${first})` : ''}: the code the quote leaves out may decide this`;
}

/** The candidates with the quoted-fragment reason added (those without an `unseen` reason of their own). */
export function withQuotedFragment(cands: Candidate[], patch: Patch): Candidate[] {
  const why = quotedFragmentReason(patch);
  return why ? cands.map((c) => (c.unseen ? c : { ...c, unseen: why })) : cands;
}

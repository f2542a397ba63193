/**
 * `Fixes:` trailers: a later patch that names an earlier one (`Fixes: 1234abcd5678 ("mm: subject")`) and changes a
 * function in which that patch's finding was reported marks the finding fixed — even when the fix is posted in a
 * thread of its own and its pre-image does not show the hazard. The kernel's trailer format is
 * `Fixes: <12+ hex> ("<subject>")` (Documentation/process/submitting-patches.rst).
 */
import type { Finding } from '../core/finding.ts';
import type { Patch } from '../core/patch.ts';
import { parseSubject, titleKey } from '../series/index.ts';
import { normalizeSubject } from './lineage.ts';

export interface FixesTag {
  commit: string;
  /** The lineage key the quoted subject maps to (as `lineageKey` computes it for the named patch). */
  lineage: string;
}

/** The `Fixes:` trailers of a patch's description. */
export function fixesTags(description: string | undefined): FixesTag[] {
  if (!description) return [];
  const out: FixesTag[] = [];
  for (const m of description.matchAll(/^Fixes:\s*([0-9a-f]{7,40})\s*\(\s*"(.+?)"\s*\)\s*$/gim)) {
    const subject = m[2]!;
    const title = titleKey(parseSubject(subject).title) || normalizeSubject(subject);
    if (title) out.push({ commit: m[1]!.toLowerCase(), lineage: `subject:${title}` });
  }
  return out;
}

/** Does the patch change the function a finding is about (a hunk of its file whose context or lines name it)? */
export function touchesFunction(patch: Patch, f: Pick<Finding, 'path' | 'function'>): boolean {
  if (!f.function) return false; // a finding located in a message names no function to match
  const name = new RegExp(`\\b${f.function.replace(/[^\w]/g, '')}\\s*\\(`);
  return patch.files.some(
    (file) =>
      (file.newPath === f.path || file.oldPath === f.path) &&
      file.hunks.some((h) => name.test(h.header) || h.lines.some((l) => l.type !== 'ctx' && name.test(l.text))),
  );
}

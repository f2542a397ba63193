/**
 * An unmap of a structure field that some walks set without mapping (src/kernel-api/walk-pte-origin.ts:
 * `pte_unmap(pvmw->pte)` in page_vma_mapped_walk_done(), where a hugetlb walk set pvmw->pte with huge_pte_offset()).
 * Reported only where the answer does not rest on code the hunk does not show: the function is one the kernel enters
 * with the field set by such a walk, its header and every line from it to the unmap are visible, nothing on the way
 * sets the field or hands the structure to a call, and no test on the path tells the walks apart. Only a catalogued
 * test settles the walk kind; any other test that reads the structure (a flag, another field) makes it `unknown`.
 */
import type { EventPath, FunctionImage } from '../../src/core/events.ts';
import { escapeRegExp } from '../../src/core/regexp.ts';
import { CONDITIONAL_MAP_FIELDS } from '../../src/kernel-api/walk-pte-origin.ts';
import type { ConditionalMapField } from '../../src/kernel-api/walk-pte-origin.ts';
import { norm } from './paths.ts';

export interface UnmappedField {
  entry: ConditionalMapField;
  /** The structure variable (`pvmw`). */
  variable: string;
  /** Set when visible code may have decided which walk this is (the finding is at most inconclusive). */
  unknown?: string;
}

/** The file line of an image line (the image line when the front end gave none). */
function fileLine(image: FunctionImage, line: number): number {
  return image.lineInfo[line - 1]?.fileLine ?? line;
}

/** The lines from the function's first line to `line` follow each other in the file (no hunk gap). */
function seenFromStart(image: FunctionImage, line: number): boolean {
  let last: number | undefined;
  for (let l = 1; l <= line; l++) {
    const fl = image.lineInfo[l - 1]?.fileLine;
    if (fl === undefined) continue;
    if (last !== undefined && fl !== last + 1) return false;
    last = fl;
  }
  return true;
}

/**
 * Does a branch, taken (`taken`) or not, exclude the walks that did not map the field? Taken: one conjunct of the
 * condition is a negated test (`pvmw->pte && !PageHuge(pvmw->page)`). Not taken: the whole condition is the test
 * (`if (unlikely(is_vm_hugetlb_page(vma))) return ...;`). Anything else (`||`, a conjunction not taken) tells nothing.
 */
function excludesUnmapped(cond: string, taken: boolean, test: RegExp): boolean {
  if (cond.includes('||')) return false;
  const parts = cond.split('&&').map((c) => c.trim());
  if (taken) return parts.some((c) => c.startsWith('!') && test.test(c));
  return parts.length === 1 && !parts[0]!.startsWith('!') && test.test(parts[0]!);
}

/**
 * Does a condition read the structure `variable` beyond a null test of the field itself and the catalogued walk tests?
 * (`pvmw->pte && (pvmw->flags & PVMW_PTE_MAPPED)` does; `pvmw->pte`, `!pvmw->pte`, `is_vm_hugetlb_page(pvmw->vma)`
 * do not.)
 */
export function readsStructure(cond: string, variable: string, field: string, catalogued: RegExp): boolean {
  let s = cond;
  // Drop the catalogued test calls with their arguments.
  const call = new RegExp(catalogued.source, 'g');
  for (let m = call.exec(s); m; m = call.exec(s)) {
    let depth = 0;
    let end = m.index + m[0].length - 1; // at the '('
    for (; end < s.length; end++) {
      if (s[end] === '(') depth++;
      else if (s[end] === ')' && --depth === 0) break;
    }
    s = `${s.slice(0, m.index)} ${s.slice(end + 1)}`;
    call.lastIndex = m.index;
  }
  // Drop the field read as a whole (not a deeper access through it).
  s = s.replace(new RegExp(`\\b${escapeRegExp(variable)}\\s*->\\s*${escapeRegExp(field)}\\b(?!\\s*(?:->|\\.|\\[))`, 'g'), ' ');
  return new RegExp(`\\b${escapeRegExp(variable)}\\b`).test(s);
}

/**
 * Is the unmap of `arg` at step `index` of `path` an unmap of a field that the walk on some completions did not map,
 * with no visible code deciding which walk this is?
 */
export function unmappedWalkField(fnName: string, image: FunctionImage, path: EventPath, index: number, arg: string | undefined, line: number): UnmappedField | undefined {
  const m = /^([A-Za-z_]\w*)->([A-Za-z_]\w*)$/.exec(norm(arg));
  if (!m) return undefined;
  const variable = m[1] as string;
  const field = m[2] as string;
  const entry = CONDITIONAL_MAP_FIELDS.find(
    (f) => f.field === field && f.enteredUnmapped.has(fnName) && image.params.some((p) => new RegExp(`\\bstruct\\s+${escapeRegExp(f.struct)}\\s*\\*\\s*${escapeRegExp(variable)}\\s*$`).test(p.trim())),
  );
  if (!entry) return undefined;
  // The header is the text's first lines.
  const lines = image.text.split('\n');
  const open = lines.findIndex((l) => l.includes('{'));
  if (open < 0 || !lines.slice(0, open + 1).join(' ').includes(`${fnName}(`)) return undefined;
  // A test on the path that tells the walks apart: the hugetlb one excluded where the unmap runs, or not.
  // Only a catalogued test settles the walk kind; any other test that reads the structure (a flag, another field:
  // `pvmw->flags & PVMW_PTE_MAPPED`) may tell the walks apart by means this analysis does not know.
  for (const st of path.steps.slice(0, index)) {
    if (st.step !== 'control' || st.kind !== 'branch') continue;
    const catalogued = entry.unmappedWhen.test(st.cond);
    if (catalogued && excludesUnmapped(st.cond, st.taken, entry.unmappedWhen)) return undefined;
    if (catalogued || readsStructure(st.cond, variable, field, entry.unmappedWhen)) {
      return { entry, variable, unknown: `the test \`${st.cond}\` (line ${fileLine(image, st.loc.line)}) may tell whether the walk mapped ${variable}->${field}` };
    }
  }
  if (!seenFromStart(image, line)) return { entry, variable, unknown: `lines between the function's start and the unmap are not shown` };
  // Nothing before the unmap sets the field or hands the structure on; lines that only test it are fine.
  const mention = new RegExp(`\\b${escapeRegExp(variable)}\\b`);
  for (let l = open + 2; l < line; l++) {
    const text = (lines[l - 1] ?? '').trim();
    if (!mention.test(text) || /^(?:\/[*/]|\*)/.test(text) || /^(?:\}\s*)?(?:else\s+)?if\s*\(.*\)\s*\{?$/.test(text)) continue;
    return { entry, variable, unknown: `line ${fileLine(image, l)} (\`${text}\`) may set ${variable}->${field} or hand ${variable} on` };
  }
  for (const st of path.steps.slice(0, index)) {
    if (st.step === 'event' && mention.test(st.text)) return { entry, variable, unknown: `${st.text} (line ${fileLine(image, st.loc.line)}) may set ${variable}->${field}` };
  }
  return { entry, variable };
}

/**
 * Paths that cannot run: the same condition taken one way and then the other, with nothing in between that can
 * change what it tests. A function tests a value read once several times (mm/migrate_device.c
 * migrate_vma_collect_pmd(): `if (pte_present(pte))` three times on the `pte` read before the clear); the path
 * enumerator forks each test on its own, and the shortest candidate path may take one test and skip the next, which
 * the model then runs with the entry both present and not. Conservative: any write the text may make to a variable
 * of the condition between the two tests (an assignment, `++`/`--`, its address handed out, a call result stored in
 * it), a loop back edge, goto or label, or code the image does not show in between, keeps the path.
 */
import type { EventPath, FunctionImage, PathStep } from '../../src/core/events.ts';
import { norm } from './paths.ts';

/** The tested expression without `likely()` / `unlikely()` and leading negations, and whether it is negated. */
function polarity(cond: string): { key: string; negated: boolean } {
  let s = norm(cond);
  let negated = false;
  for (;;) {
    const m = /^(?:un)?likely\((.*)\)$/.exec(s);
    if (m && m[1] !== undefined) {
      s = norm(m[1]);
      continue;
    }
    if (s.startsWith('!') && !s.startsWith('!=')) {
      const rest = norm(s.slice(1));
      // Only a negation of the whole expression: `!a && b` is not `!(a && b)`.
      if (/^[\w>.\-[\]*]+(?:\([^()]*\))?$/.test(rest) || (s[1] === '(' && rest !== s.slice(1))) {
        s = rest;
        negated = !negated;
        continue;
      }
    }
    return { key: s, negated };
  }
}

/**
 * Tests that read nothing but a local value: a plain variable, or an entry-value predicate of one
 * (`pte_present(pte)`, `pmd_trans_huge(pmdval)`). A dereference, a field, or any other call may read memory another
 * step changes, or have effects of its own (`trylock_page()`).
 */
const PURE_TEST = /^(?:[A-Za-z_]\w*|(?:pte|pmd|pud)_[a-z_]+\([A-Za-z_]\w*\))$/;

/** Identifiers a condition reads. */
function identifiers(cond: string): string[] {
  return [...new Set(cond.match(/[A-Za-z_]\w*/g) ?? [])];
}

/** Can the text between image lines `from` and `to` (exclusive) write `name`? */
function mayWrite(image: FunctionImage, from: number, to: number, name: string): boolean {
  const lines = image.text.split('\n').slice(from, Math.max(from, to - 1));
  const write = new RegExp(`(?:\\b${name}\\s*(?:[-+*/%&|^]|<<|>>)?=(?!=)|\\b${name}\\s*(?:\\+\\+|--)|(?:\\+\\+|--)\\s*${name}\\b|&\\s*${name}\\b)`);
  return lines.some((l) => write.test(l));
}

/**
 * Do image lines `from`..`to` run through code the image does not show (a synthetic line joining two hunks, or a jump
 * in file lines)? Unseen code may write anything.
 */
function unseenBetween(image: FunctionImage, from: number, to: number): boolean {
  if (image.complete) return false;
  for (let l = from; l < to; l++) {
    const a = image.lineInfo[l - 1]?.fileLine;
    const b = image.lineInfo[l]?.fileLine;
    if (a === undefined || b === undefined || b !== a + 1) return true;
  }
  return false;
}

/** Does the path take a condition one way and later the other way, with nothing in between that may change it? */
export function contradictoryPath(path: EventPath, image: FunctionImage): boolean {
  const seen = new Map<string, { negated: boolean; taken: boolean; line: number; ids: string[] }>();
  for (const s of path.steps as PathStep[]) {
    if (s.step === 'control' && (s.kind === 'loop-next' || s.kind === 'loop-enter' || s.kind === 'goto' || s.kind === 'label')) {
      seen.clear();
      continue;
    }
    if (s.step === 'event') {
      // A call result stored in a variable a condition reads changes it.
      const r = s.result !== undefined ? norm(s.result) : '';
      if (r !== '') for (const [k, v] of seen) if (v.ids.includes(r)) seen.delete(k);
      continue;
    }
    if (s.kind !== 'branch') continue;
    const { key, negated } = polarity(s.cond);
    if (!PURE_TEST.test(key) || key.startsWith('__mmr')) continue;
    const holds = s.taken !== negated;
    const prev = seen.get(key);
    if (prev && prev.line < s.loc.line && !unseenBetween(image, prev.line, s.loc.line) && !prev.ids.some((id) => mayWrite(image, prev.line, s.loc.line, id))) {
      if (prev.taken !== holds) return true;
    }
    seen.set(key, { negated, taken: holds, line: s.loc.line, ids: identifiers(key) });
  }
  return false;
}

/**
 * The image's paths that can run: without the ones that test a value both ways. Never empty when the image has
 * paths. (Paths that find the entry old are kept: an entry tested old may still be cached, and a path the model
 * cannot show a stale entry on is refuted there while the engine tries the anchor's longer paths,
 * Candidate.alternatives.)
 */
export function feasiblePaths(image: FunctionImage): readonly EventPath[] {
  const kept = image.paths.filter((p) => !contradictoryPath(p, image));
  return kept.length === 0 ? image.paths : kept;
}

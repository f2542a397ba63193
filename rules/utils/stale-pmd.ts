/**
 * A PMD trusted to point to a page table under its lock without being looked at there (issue 11, "re-take" at PMD
 * level): a whole-table move — the PMD cleared under a page-table lock and its table installed elsewhere with
 * `pmd_populate(mm, new_pmd, pmd_pgtable(pmd))` (mm/mremap.c move_normal_pmd()) — with no test of the entry
 * (`pmd_present()`, `pmd_none()`, `pmd_leaf()`, `pmd_trans_huge()`, `pmd_same()`, ...) between the lock and the
 * install. Whatever decided that the entry was a table looked at it before the lock (the caller's
 * `pmd_trans_huge(*old_pmd)` in move_page_tables()), and a path that takes tables out of their PMDs with only the
 * PMD lock (khugepaged's retract_page_tables() since v6.6: src/kernel-api/pmd-table-changers.ts) can empty it
 * meanwhile: pmd_pgtable() of the cleared entry then names a page that is not a table.
 *
 * The claim rests on what the function does not show, so it is never confirmed from the function alone
 * (`unknown`): whether the tree has such a changer (the kernel release), whether the VMA can be one the changer walks
 * (retract_page_tables() takes only the tables of file and shmem VMAs), whether the caller holds a lock that keeps it
 * out from its look at the PMD to the call (i_mmap_rwsem for write: move_pgt_entry()'s take_rmap_locks() when
 * need_rmap_locks), and — when the lock was taken in lines the diff does not show — whether those lines look at the
 * PMD under it. A fix that adds the test under the lock is judged the same way: never credited on these grounds alone.
 */
import type { Event, EventPath, FunctionImage, FunctionView } from '../../src/core/events.ts';
import { escapeRegExp } from '../../src/core/regexp.ts';
import { closingParen } from '../../src/c/parens.ts';
import { isPtlAcquire, isPtlRelease, lockOf, stripStep } from './paths.ts';
import { exclusiveHolds } from './stale-entry.ts';
import { treeAtLeast } from './tree-era.ts';

export interface StalePmdMove {
  clear: { index: number; event: Event };
  populate: { index: number; event: Event };
  unknown: string;
}

/** Branch conditions and source text that look at a PMD entry. */
const PMD_LOOK = /\b(?:pmd_present|pmd_none|pmd_leaf|pmd_trans_huge|pmd_bad|pmd_same|pmd_devmap|pmd_trans_unstable|pmd_none_or_clear_bad|is_swap_pmd|pmd_is_migration_entry|check_pmd_state)\s*\(/;

/** Does `text` look (PMD_LOOK) at one of `names` (an argument naming it as a word)? */
function looksAt(text: string, names: ReadonlySet<string>): boolean {
  const re = new RegExp(PMD_LOOK.source, 'g');
  const words = [...names].map((n) => new RegExp(`\\b${escapeRegExp(n)}\\b`));
  for (let m = re.exec(text); m; m = re.exec(text)) {
    // PMD_LOOK ends at the call's opening parenthesis; an unclosed call reads to the end of the text.
    const close = closingParen(text, m.index + m[0].length - 1);
    const args = text.slice(m.index + m[0].length, close < 0 ? text.length : close);
    if (words.some((w) => w.test(args))) return true;
  }
  return false;
}

/** The entry a move clears, the variable its install names, and the variables the text assigns from the entry. */
function namesOf(text: string, entry: string, value: string): Set<string> {
  const names = new Set<string>();
  const e = entry.replace(/^[*&\s]+/, '');
  if (/^\w+$/.test(e)) names.add(e);
  const v = /pmd_pgtable\s*\(\s*(\w+)\s*\)/.exec(value)?.[1];
  if (v) names.add(v);
  if (/^\w+$/.test(e)) {
    const re = new RegExp(`(\\w+)\\s*=\\s*(?:\\*\\s*${e}\\b|pmdp_get(?:_lockless)?\\s*\\(\\s*${e}\\s*\\))`, 'g');
    for (let m = re.exec(text); m; m = re.exec(text)) names.add(m[1]!);
  }
  return names;
}

/** The unchecked whole-table moves of one path. */
export function stalePmdMoves(image: FunctionImage, path: EventPath, views: readonly FunctionView[]): StalePmdMove[] {
  const out: StalePmdMove[] = [];
  const exclusive = exclusiveHolds(image, path);
  const lines = image.text.split('\n');
  const held = new Set<string>();
  let lockedAt: { index: number; line: number } | undefined;
  let conds: string[] = [];
  let clear: { index: number; event: Event } | undefined;
  path.steps.forEach((s, index) => {
    if (s.step === 'control') {
      if (s.kind === 'branch' && PMD_LOOK.test(s.cond)) conds.push(s.cond);
      return;
    }
    const ev = stripStep(s);
    if (isPtlAcquire(ev)) {
      if (held.size === 0) {
        lockedAt = { index, line: ev.loc.line };
        conds = [];
        clear = undefined;
      }
      held.add(lockOf(ev));
      return;
    }
    if (isPtlRelease(ev)) {
      held.delete(lockOf(ev));
      if (held.size === 0) clear = undefined;
      return;
    }
    if ((ev.kind === 'pte-clear' || ev.kind === 'pte-clear-flush') && ev.attrs.level === 'pmd') clear = { index, event: ev };
    if (ev.kind !== 'pte-set' || ev.attrs.level !== 'pmd' || !clear || !/\bpmd_pgtable\s*\(/.test(ev.args.value ?? '')) return;
    if ((ev.args.pte ?? '') === (clear.event.args.pte ?? '')) return;
    // The source lines from the lock (or the start of the image) to the install, whatever path runs through them.
    const from = lockedAt?.line ?? 1;
    const between = lines.slice(from - 1, ev.loc.line - 1).join('\n').replace(/\/\*[\s\S]*?\*\//g, ' ');
    const names = namesOf(image.text, clear.event.args.pte ?? '', ev.args.value ?? '');
    if (names.size === 0 || conds.some((c) => looksAt(c, names)) || looksAt(between, names)) return;
    // i_mmap_rwsem held for write keeps an rmap walker (the retract) out.
    if (exclusive[index]?.lock && /i_mmap|mapping/.test(exclusive[index]!.lock)) return;
    const at = ev.loc.fileLine ?? ev.loc.line;
    const questions: string[] = [];
    if (!treeAtLeast(views, [6, 6])) questions.push('whether the kernel this applies to takes PTE tables out of their PMDs without mmap_lock (khugepaged\'s retract_page_tables() since v6.6)');
    questions.push(`whether a page-table retract can reach this VMA and no lock of the caller keeps it out from the caller's look at the PMD to the install at line ${at} (retract_page_tables() walks file and shmem VMAs under i_mmap_rwsem for read)`);
    if (!lockedAt || !image.complete) questions.push(`whether the lines before line ${at} that the diff does not show look at the PMD under the lock`);
    out.push({ clear, populate: { index, event: ev }, unknown: questions.join('; ') });
    clear = undefined;
  });
  return out;
}

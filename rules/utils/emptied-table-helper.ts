/**
 * A call between the re-take of the page-table locks and the detach of an emptied table (rules/utils/emptied-table.ts)
 * that is handed the table pointer, a pointer into the table, or the PMD (`if (!table_is_empty(start_pte))`) may be
 * the re-check of the entries: the claim never rests on such a call doing nothing.
 *
 * - Its body visible (a function of the patch or, with a tree, of the same file): it re-checks when the body reads an
 *   entry of the table or the PMD; a body that reads none and calls nothing the catalogue does not know re-checks
 *   nothing.
 * - Its body not visible: which it is rests on unseen code (the finding is at most inconclusive).
 */
import type { Event, FunctionImage } from '../../src/core/events.ts';
import { escapeRegExp } from '../../src/core/regexp.ts';
import { norm } from './paths.ts';

export type HelperVerdict = { kind: 'rechecks' } | { kind: 'unknown'; question: string } | undefined;

/** Does an argument expression name one of the table's pointers (`start_pte`, `start_pte + i`, `&pmd`, `vmf`)? */
function names(arg: string, tables: ReadonlySet<string>): boolean {
  const a = norm(arg);
  for (const t of tables) {
    if (t === '') continue;
    if (new RegExp(`(?:^|[^\\w>.])${escapeRegExp(t)}(?![\\w]|->|\\.)`).test(a)) return true;
    const owner = /^(.+)->\w+$/.exec(t)?.[1];
    if (owner !== undefined && a === owner) return true;
  }
  return false;
}

/**
 * The verdict on the opaque calls of `image` from line `from` (the re-take) up to `to` (the detach), on any path,
 * handed one of `tables`: the first that re-checks settles it; else the first whose body is not seen makes it
 * unknown; else none (undefined).
 */
export function helperRecheck(image: FunctionImage, from: number, to: number, tables: ReadonlySet<string>, entryRead: RegExp, body: (name: string) => FunctionImage | undefined): HelperVerdict {
  let unknown: HelperVerdict;
  const calls = image.events.filter((e: Event) => e.kind === 'call' && e.loc.line >= from && e.loc.line < to && Object.values(e.args).some((a) => names(a, tables)));
  for (const ev of calls) {
    const b = body(ev.callee);
    if (b && (entryRead.test(b.text.replace(/\/\*[\s\S]*?\*\//g, ' ')) || b.events.some((e) => e.kind === 'pte-read' || e.kind === 'pte-same'))) return { kind: 'rechecks' };
    if (b && b.complete && !b.events.some((e) => e.kind === 'call')) continue;
    const at = image.lineInfo[ev.loc.line - 1]?.fileLine ?? ev.loc.line;
    unknown ??= { kind: 'unknown', question: `whether ${ev.callee}() (line ${at}), handed the table after the locks were taken again, looks at its entries (the re-check)` };
  }
  return unknown;
}

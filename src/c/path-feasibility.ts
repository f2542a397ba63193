/**
 * Drops paths that no execution can take: a path that tests the same side-effect-free condition twice (`if (ptl !=
 * pml) spin_lock_nested(ptl); … if (ptl != pml) spin_unlock(ptl);`) and goes different ways, with nothing in between
 * that could change what it tests. Path enumeration treats branches independently; without this, such a path holds
 * a lock the code never leaves held, and a rule would prove a bug on code that cannot run that way.
 *
 * Conservative on purpose (a path is only dropped when it is certainly infeasible):
 * - only conditions without calls (variables, members, comparisons, `!`, `&&`, `||`) are correlated — a call may
 *   answer differently the second time;
 * - the second test must follow the first in the text, within one loop iteration (loop and goto markers reset);
 * - no line between them may assign, increment or take the address of a variable the condition reads.
 */
import type { EventPath } from '../core/events.ts';

const KEYWORDS = new Set(['NULL', 'true', 'false', 'sizeof', 'unlikely', 'likely']);

/** The variables a call-free condition reads (root names of member chains); undefined when it calls anything. */
function readsOf(cond: string): string[] | undefined {
  if (/[A-Za-z_]\w*\s*\(/.test(cond)) return undefined;
  const roots = new Set<string>();
  for (const m of cond.matchAll(/(?<![.>\w])([A-Za-z_]\w*)/g)) if (!KEYWORDS.has(m[1]!) && !/^[A-Z_][A-Z0-9_]*$/.test(m[1]!)) roots.add(m[1]!);
  return [...roots];
}

const norm = (c: string): string => c.replace(/\s+/g, '').replace(/^\((.*)\)$/, '$1');

function modifies(line: string, name: string): boolean {
  const n = name.replace(/[$]/g, '\\$&');
  return (
    new RegExp(`\\b${n}\\b(?:\\s*(?:->|\\.)\\s*\\w+|\\s*\\[[^\\]]*\\])*\\s*(?:[-+*/%|&^]|<<|>>)?=(?!=)`).test(line) ||
    new RegExp(`(?:\\+\\+|--)\\s*\\b${n}\\b|\\b${n}\\b\\s*(?:\\+\\+|--)`).test(line) ||
    new RegExp(`&\\s*\\b${n}\\b`).test(line)
  );
}

/** The paths of an image that some execution can take (see the file comment). */
export function feasiblePaths(paths: EventPath[], text: string): EventPath[] {
  const lines = text.split('\n');
  return paths.filter((p) => {
    const seen = new Map<string, { taken: boolean; line: number; reads: string[] }>();
    for (const s of p.steps) {
      if (s.step !== 'control') continue;
      if (s.kind === 'loop-enter' || s.kind === 'loop-next' || s.kind === 'loop-exit' || s.kind === 'goto' || s.kind === 'label') {
        seen.clear();
        continue;
      }
      if (s.kind !== 'branch') continue;
      const key = norm(s.cond);
      const reads = readsOf(s.cond);
      if (!reads || reads.length === 0 || !key) continue;
      const before = seen.get(key);
      if (before && before.line < s.loc.line) {
        const between = lines.slice(before.line, s.loc.line - 1);
        const changed = between.some((l) => reads.some((r) => modifies(l, r)));
        if (!changed && before.taken !== s.taken) return false;
      }
      seen.set(key, { taken: s.taken, line: s.loc.line, reads });
    }
    return true;
  });
}

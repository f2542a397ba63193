/**
 * The callers of a changed function in its own file, when they are all its callers: the function is `static` in a
 * `.c` file (no other file can call it) and its name appears outside its definition only in direct calls `name(` (no address
 * taken for an ops table or a macro, no export). Then a rule can judge a contract between the function and its
 * callers (a lock or an invalidation window left for the caller) on the whole set. Otherwise no caller is returned:
 * a partial set would be read as the whole one.
 */
import type { Def } from './tree-mode.ts';
import { escapeRegExp } from '../core/regexp.ts';

/** At most this many callers are analysed per file (each is a whole function to parse and walk). */
const MAX_TREE_CALLERS = 12;

/** Is the definition `static` (its header, up to the name, says so)? */
function isStatic(d: Def, lines: readonly string[]): boolean {
  const head: string[] = [];
  for (let r = d.start; r <= d.end; r++) {
    const l = lines[r] ?? '';
    head.push(l);
    if (new RegExp(`\\b${escapeRegExp(d.name)}\\s*\\(`).test(l)) break;
  }
  return /\bstatic\b/.test(head.join(' '));
}

/**
 * Unchanged definitions that call one of `changed` directly, when for each such changed function they are all its
 * callers; an empty list otherwise. Deterministic (file order).
 */
export function allCallers(path: string, defs: readonly Def[], changed: readonly string[], lines: readonly string[]): Def[] {
  // A header's static (inline) functions are compiled into every file that includes it.
  if (!path.endsWith('.c')) return [];
  const changedSet = new Set(changed);
  const out = new Map<string, Def>();
  for (const name of changed) {
    const self = defs.find((d) => d.name === name);
    if (!self || !isStatic(self, lines)) continue;
    const word = new RegExp(`\\b${escapeRegExp(name)}\\b(\\s*\\()?`, 'g');
    const callers: Def[] = [];
    let complete = true;
    lines.forEach((l, r) => {
      if (!complete || (r >= self.start && r <= self.end)) return;
      const inMacro = /^\s*#\s*define\b/.test(l) || /\\\s*$/.test(lines[r - 1] ?? '');
      for (const m of l.matchAll(word)) {
        const inDef = defs.find((d) => r >= d.start && r <= d.end);
        // A use that is not a call (an ops table, a function pointer), or a call in a macro (its users call it),
        // hides callers the file does not show.
        if (m[1] === undefined || inMacro) {
          complete = false;
          return;
        }
        if (inDef && !changedSet.has(inDef.name) && !callers.includes(inDef)) callers.push(inDef);
      }
    });
    if (!complete || callers.length === 0) continue;
    for (const c of callers) out.set(c.name, c);
  }
  if (out.size > MAX_TREE_CALLERS) return [];
  return [...out.values()].sort((a, b) => a.start - b.start);
}

/**
 * Unchanged definitions of the file that a changed function calls directly (at most MAX_TREE_CALLERS, in file
 * order), so a rule can see what a callee does instead of asking. A callee that itself calls a changed function is
 * left out unless it is among `callers`: a partial set of callers must never be read as the whole one.
 */
export function calledDefs(defs: readonly Def[], changed: readonly string[], lines: readonly string[], callers: readonly Def[]): Def[] {
  const changedDefs = defs.filter((d) => changed.includes(d.name));
  const body = (d: Def): string => lines.slice(d.start, d.end + 1).join('\n');
  const texts = changedDefs.map(body);
  const callsChanged = (d: Def): boolean => changed.some((n) => new RegExp(`\\b${escapeRegExp(n)}\\s*\\(`).test(body(d)));
  const out: Def[] = [];
  for (const d of defs) {
    if (changed.includes(d.name) || callers.includes(d)) continue;
    const call = new RegExp(`\\b${escapeRegExp(d.name)}\\s*\\(`);
    if (!texts.some((t) => call.test(t)) || callsChanged(d)) continue;
    out.push(d);
    if (out.length >= MAX_TREE_CALLERS) break;
  }
  return out;
}

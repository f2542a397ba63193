/**
 * An allocation whose GFP mask is a local variable the visible code fixes to a mask that allows direct reclaim (or to
 * one that never does: then the allocation does not sleep, and no question about its mask is asked):
 * `gfp_t gfp = GFP_KERNEL; … spin_lock(l); p = kmalloc(sz, gfp);`. The front end reads only a literal mask at the
 * call (src/kernel-api/classify.ts, the `gfp` hook: a call with no literal mask is a plain call); here the variable is
 * followed to its declaration. The mask sleeps when every value the code gives the variable is one that allows
 * direct reclaim (src/kernel-api/catalogue.ts SLEEPING_GFP, not ATOMIC_GFP: include/linux/gfp_types.h
 * __GFP_DIRECT_RECLAIM is part of GFP_KERNEL / GFP_USER / GFP_NOFS / GFP_NOIO / GFP_HIGHUSER*, not of GFP_ATOMIC /
 * GFP_NOWAIT):
 *
 * - the variable is a local `gfp_t` (not a parameter: the caller chooses it), initialised to such a mask or
 *   assigned only such masks, or `|=` flags that add no atomic mask (an OR cannot clear the reclaim bit); any other
 *   assignment (`gfp = blockable ? GFP_KERNEL : GFP_NOWAIT`, `gfp = current_gfp_context(gfp)`, `gfp &= ~…`) or its
 *   address taken (`&gfp`) leaves the mask unknown — not claimed;
 * - all of its assignments are visible: the whole function, or — in a hunk fragment — a declaration with an
 *   initialiser and the call with no unseen lines and no loop entered in between (a loop entered after the
 *   declaration could carry a value assigned in unseen lines back to the call).
 */
import type { Event, EventPath, FunctionImage } from '../../src/core/events.ts';
import { ATOMIC_GFP, SLEEPING_GFP } from '../../src/kernel-api/catalogue.ts';
import { lookup } from '../../src/kernel-api/classify.ts';
import { callArgs } from '../../src/c/call-args.ts';
import { firstGapBetween, gapsOf } from './paths.ts';
import { escapeRegExp } from '../../src/core/regexp.ts';

const IDENT = /^[A-Za-z_]\w*$/;

function sleepingMask(value: string): boolean {
  return SLEEPING_GFP.test(value) && !ATOMIC_GFP.test(value);
}

/** A mask spelled only with constants that never allow direct reclaim (`GFP_NOWAIT | __GFP_NOWARN`, `GFP_ATOMIC`). */
function atomicMask(value: string): boolean {
  return ATOMIC_GFP.test(value) && !SLEEPING_GFP.test(value) && /^[\s\w|()~]+$/.test(value) && /^[\s|()~]*(?:__)?GFP_/.test(value);
}

/** What a mask value says: sleeping, atomic, or neither known. */
function maskKind(value: string): 'sleeps' | 'atomic' | undefined {
  return sleepingMask(value) ? 'sleeps' : atomicMask(value) ? 'atomic' : undefined;
}

/** The declaration of local `gfp_t v` in the image text: its text line (1-based) and initialiser, or undefined. */
function declaration(image: FunctionImage, v: string): { line: number; init?: string } | undefined {
  const re = new RegExp(`\\bgfp_t\\s+(?:const\\s+)?${escapeRegExp(v)}\\s*(?:=\\s*([^;,]+))?\\s*[;,]`);
  const lines = image.text.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const m = re.exec(lines[k] ?? '');
    if (m) return { line: k + 1, ...(m[1] !== undefined ? { init: m[1].trim() } : {}) };
  }
  return undefined;
}

/** Are all the values the text gives `v` (besides its initialiser) masks of `kind`? */
function assignmentsAre(text: string, v: string, kind: 'sleeps' | 'atomic'): boolean {
  const id = escapeRegExp(v);
  if (new RegExp(`&\\s*${id}\\b`).test(text)) return false;
  for (const m of text.matchAll(new RegExp(`(?<![\\w.>])${id}\\s*([-+*/%&|^]?=)(?!=)\\s*([^;]*);`, 'g'))) {
    const op = m[1] as string;
    const value = m[2] as string;
    if (op === '=' && maskKind(value) !== kind) return false;
    // An OR adds bits: it cannot clear the reclaim bit of a sleeping mask, and must not add it to an atomic one.
    if (op === '|=' && (kind === 'sleeps' ? ATOMIC_GFP.test(value) : SLEEPING_GFP.test(value))) return false;
    if (op !== '=' && op !== '|=') return false;
  }
  return true;
}

/**
 * The local GFP variable that fixes the mask of the allocation `ev` (a `gfp`-hook call the front end could not read a
 * mask for) at step `at` of `path`, and whether every value it can hold there sleeps or none does; undefined when the
 * visible code does not settle it.
 */
export function fixedGfpVariable(image: FunctionImage, path: EventPath, at: number, ev: Event): { variable: string; sleeps: boolean } | undefined {
  if (ev.kind !== 'call' || ev.args.gfp !== undefined || lookup(ev.callee)?.hook !== 'gfp') return undefined;
  const params = new Set(image.params.map((p) => /(\w+)\s*$/.exec(p)?.[1]));
  const from = ev.text.indexOf(`${ev.callee}`);
  const args = from < 0 ? [] : callArgs(ev.text.slice(from)).map((a) => a.trim());
  for (const v of args) {
    if (!IDENT.test(v) || params.has(v)) continue;
    const decl = declaration(image, v);
    if (!decl || decl.line >= ev.loc.line) continue;
    const kind = decl.init !== undefined ? maskKind(decl.init) : 'sleeps';
    if (kind === undefined) continue;
    // The text after the declaration (the initialiser was judged above).
    const after = image.text.split('\n').slice(decl.line).join('\n');
    if (!assignmentsAre(after, v, kind)) continue;
    if (!image.complete) {
      if (decl.init === undefined) continue;
      const from = image.lineInfo[decl.line - 1]?.fileLine;
      const to = ev.loc.fileLine;
      if (from === undefined || to === undefined || firstGapBetween(gapsOf(image), from, to) !== undefined) continue;
      const loopAfterDecl = path.steps.slice(0, at).some((s) => s.step === 'control' && s.kind === 'loop-enter' && s.loc.line > decl.line);
      if (loopAfterDecl) continue;
    } else if (decl.init === undefined && kind === 'atomic') continue;
    return { variable: v, sleeps: kind === 'sleeps' };
  }
  return undefined;
}

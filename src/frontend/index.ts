/**
 * The C front end's public API: Patch → changed functions with pre/post event paths (FunctionView[]), and a single
 * function text → FunctionImage (for tests and rule fixtures).
 */
import { fileInScope } from '../kernel-api/scope.ts';
import { analyzeFunctionText } from '../c/analyze.ts';
import { LOWER_UNROLLING, type PathOptions } from '../c/paths.ts';
import type { Event, EventPath, FunctionImage, FunctionView } from '../core/events.ts';
import type { FileDiff, InputProblem, Patch, SourceTree } from '../core/patch.ts';
import { gatherSide, hasChange, type GatheredImage } from './hunk-mode.ts';
import { headingParams } from './images.ts';
import { treeImages } from './tree-mode.ts';
import type { TreeImages } from './tree-mode.ts';
import { macroHookImages } from './macro-hooks.ts';

/** Files the C front end analyses: C sources and headers, and diffs without a path (GitHub bare patches). */
export function isCPath(path: string | undefined): boolean {
  return path === undefined || path === '?' || /\.(?:c|h|inc)$/.test(path);
}

/** Analyse one function's source text (whole definition or fragment). */
export async function analyzeFunctionSource(
  text: string,
  opts?: { path?: string; name?: string },
): Promise<FunctionImage & { name: string }> {
  return analyzeFunctionText(text, opts?.name !== undefined ? { name: opts.name } : {});
}

/**
 * Both images of a changed function are enumerated at the same unrolling: when one had to be lowered to stay under
 * the path bound (src/c/paths.ts), the other is redone at that level too, so that what is introduced or fixed is
 * judged on like paths (a violation needing a second iteration is then missing from both images, not from one).
 */
async function sameUnrolling(view: FunctionView, gp: GatheredImage | undefined, gq: GatheredImage | undefined, keep: PathOptions = {}): Promise<void> {
  if (!view.pre || !view.post || !gp || !gq) return;
  const a = view.pre.pathBound?.level ?? 0;
  const b = view.post.pathBound?.level ?? 0;
  if (a === b) return;
  const level = Math.max(a, b);
  const setting = LOWER_UNROLLING[level]!;
  const redo = async (g: GatheredImage, other: string): Promise<FunctionImage> => {
    const img = await imageOf(g, { ...keep, ...setting.opts });
    // Compared at a level below its own bound: what a further pass would add is not walked (never `complete`).
    img.pathBound = { level, complete: false };
    img.problems = [
      ...img.problems,
      `MMR011: path bound reached (on the ${other}-image at ${LOWER_UNROLLING[0]!.what}; ${setting.what} on both images); ${img.paths.length} path(s) kept`,
    ];
    return img;
  };
  if (a < level) view.pre = await redo(gp, 'post');
  else view.post = await redo(gq, 'pre');
}

async function imageOf(g: GatheredImage, paths: PathOptions = {}): Promise<FunctionImage> {
  const lineInfo = g.lines.map((l) => {
    const o: FunctionImage['lineInfo'][number] = {};
    if (l.fileLine !== undefined) o.fileLine = l.fileLine;
    if (l.diff !== undefined) o.diff = l.diff;
    if (l.inputLine !== undefined) o.inputLine = l.inputLine;
    return o;
  });
  const opts: Parameters<typeof analyzeFunctionText>[1] = { ...paths, name: g.name, lineInfo };
  if (g.lines[0]?.fileLine !== undefined) opts.firstFileLine = g.lines[0].fileLine;
  const r = await analyzeFunctionText(g.lines.map((l) => l.text).join('\n'), opts);
  const { name: _name, ...image } = r;
  if (!g.whole) image.complete = false;
  if (g.heading !== undefined) {
    const hp = headingParams(g.heading, g.name);
    if (hp.length > 0) image.headerParams = hp;
  }
  return image;
}

function toProblems(img: FunctionImage | undefined, path: string, name: string, side: string, input: string): InputProblem[] {
  if (!img) return [];
  return img.problems.map((p) => {
    const m = /^(MMR\d{3}):\s*(.*)$/.exec(p);
    const out: InputProblem = {
      code: m ? m[1]! : 'MMR010',
      message: `${path}: ${name} (${side}): ${m ? m[2]! : p}`,
      input,
    };
    const line = img.lineInfo.find((l) => l.inputLine !== undefined)?.inputLine;
    if (line !== undefined) out.line = line;
    return out;
  });
}

async function functionsOfFile(fd: FileDiff, patch: Patch, tree: SourceTree | undefined, problems: InputProblem[]): Promise<FunctionView[]> {
  const path = fd.newPath ?? fd.oldPath ?? '?';
  if (fd.binary || !isCPath(fd.newPath ?? fd.oldPath)) return [];
  let pre: Map<string, GatheredImage> | undefined;
  let post: Map<string, GatheredImage> | undefined;
  let context: Array<TreeImages['callers']> = [];
  if (tree && path !== '?') {
    const read = async (p: string): Promise<string | undefined> => {
      try {
        return await tree.read(p);
      } catch (e) {
        problems.push({ code: 'MMR001', message: `${tree.name}: ${p}: ${(e as Error).message}; using the hunks`, input: patch.id });
        return undefined;
      }
    };
    const t = await treeImages(fd, read, []);
    if (t) {
      pre = t.pre;
      post = t.post;
      context = [t.callers, t.callees];
    }
  }
  if (!pre || !post) {
    pre = fd.status === 'added' ? new Map() : gatherSide(fd, 'pre');
    post = fd.status === 'deleted' ? new Map() : gatherSide(fd, 'post');
  }
  // Arch TLB-flush hooks defined as macros (macro-hooks.ts), unless a function of that name is already there.
  for (const [side, map] of [['pre', pre], ['post', post]] as const) {
    if (side === 'pre' ? fd.status === 'added' : fd.status === 'deleted') continue;
    for (const [name, g] of macroHookImages(fd, side)) if (!map.has(name)) map.set(name, g);
  }
  const names = [...new Set([...pre.keys(), ...post.keys()])];
  const order = (n: string): number => Math.min(pre.get(n)?.order ?? Infinity, post.get(n)?.order ?? Infinity);
  names.sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0));
  // Calls of functions whose bodies the review reads (this file's changed functions and, with a tree, their callers
  // and callees) stay on paths: a branch around one is not sliced away (src/c/paths.ts), so a rule following the
  // call into its callee, or looking for its call sites, sees it.
  const keep: PathOptions = { keepCalls: new Set([...names, ...context.flatMap((set) => [...set.pre.keys(), ...set.post.keys()])]) };
  const views: FunctionView[] = [];
  for (const name of names) {
    const gp = pre.get(name);
    const gq = post.get(name);
    const changed = (gp ? hasChange(gp.lines) : false) || (gq ? hasChange(gq.lines) : false);
    if (!changed) continue;
    const view: FunctionView = { path, name, changed };
    if (gp) view.pre = await imageOf(gp, keep);
    if (gq) view.post = await imageOf(gq, keep);
    await sameUnrolling(view, gp, gq, keep);
    problems.push(...toProblems(view.pre, path, name, 'pre', patch.id), ...toProblems(view.post, path, name, 'post', patch.id));
    views.push(view);
  }
  // With a tree: the unchanged callers of changed functions, when they are all of them, and their unchanged callees
  // (tree-callers.ts), as unchanged views (`changed: false`) that the engine hands to rules as context, never reviews.
  for (const set of context) {
    for (const name of [...new Set([...set.pre.keys(), ...set.post.keys()])]) {
      if (views.some((v) => v.name === name)) continue;
      const view: FunctionView = { path, name, changed: false };
      const gp = set.pre.get(name);
      const gq = set.post.get(name);
      if (gp) view.pre = await imageOf(gp, keep);
      if (gq) view.post = await imageOf(gq, keep);
      views.push(view);
    }
  }
  return views;
}

/**
 * FOLL_* flags the patch teaches a lookup to honour with a real-fault fixup: flags on added lines of functions
 * whose post-image performs a fault fixup (`handle_pte_sw_young_dirty`, `handle_mm_fault`, ...).
 */
function fixfaultFlags(views: readonly FunctionView[]): Set<string> {
  const flags = new Set<string>();
  for (const v of views) {
    const img = v.post;
    if (!img || !img.events.some((e) => e.kind === 'pte-fixup-young-dirty' || e.kind === 'fault')) continue;
    img.text.split('\n').forEach((line, i) => {
      if (img.lineInfo[i]?.diff !== 'add') return;
      for (const m of line.matchAll(/\bFOLL_\w+/g)) if (m[0] !== 'FOLL_WRITE') flags.add(m[0]);
    });
  }
  return flags;
}

function markFixfault(ev: Event, flags: Set<string>): void {
  if (ev.kind !== 'gup' || !ev.args.flags) return;
  if (ev.args.flags.split('|').some((f) => flags.has(f))) ev.attrs.fixfault = true;
}

function markImage(img: FunctionImage | undefined, flags: Set<string>): void {
  if (!img) return;
  for (const e of img.events) markFixfault(e, flags);
  for (const p of img.paths as EventPath[]) for (const s of p.steps) if (s.step === 'event') markFixfault(s, flags);
}

/** Every function the patch touches, with pre/post images and event paths. Never throws for bad input. */
export async function functionsOfPatch(
  patch: Patch,
  opts?: { tree?: SourceTree },
): Promise<{ functions: FunctionView[]; problems: InputProblem[] }> {
  const problems: InputProblem[] = [];
  const functions: FunctionView[] = [];
  for (const fd of patch.files) {
    // Out of scope (no mm path, no page-table / TLB / notifier / uffd / gup call): nothing for the rules.
    if (!fileInScope(fd)) continue;
    try {
      functions.push(...(await functionsOfFile(fd, patch, opts?.tree, problems)));
    } catch (e) {
      problems.push({ code: 'MMR010', message: `${fd.newPath ?? fd.oldPath ?? '?'}: ${(e as Error).message}`, input: patch.id });
    }
  }
  const flags = fixfaultFlags(functions);
  if (flags.size) for (const f of functions) (markImage(f.pre, flags), markImage(f.post, flags));
  return { functions, problems };
}

/**
 * One function image: pre-pass, parse (wrapping partial fragments), CFG, bounded event paths. Pure apart from the
 * lazily-initialised parser.
 */
import type { Node } from 'web-tree-sitter';
import type { EventPath, FunctionImage, SourceLoc } from '../core/events.ts';
import { normExpr } from '../kernel-api/classify.ts';
import { CfgBuilder } from './cfg.ts';
import { LocalEnv } from './env.ts';
import { declaratorName } from './expr-events.ts';
import { parseC } from './parser.ts';
import { enumeratePaths, type PathOptions } from './paths.ts';
import { feasibility, feasiblePaths } from './path-feasibility.ts';
import { closeFragment, contextAnnotations, leadingTail, prepass, elseOpener, unshiftColumn, wrapFragment, CONTEXT_COND, LOOP_COND, SYNTHETIC_NAME } from './prepass.ts';

/** Per-line facts for an image (index = line - 1). */
export type LineInfo = FunctionImage['lineInfo'];

/** Options for analysing one function image. */
export interface AnalyzeOptions extends PathOptions {
  /** Name to use when the text is a fragment without a visible header. */
  name?: string;
  /** Force fragment (wrap) or whole-function mode; auto-detected when absent. */
  fragment?: boolean;
  lineInfo?: LineInfo;
  firstFileLine?: number;
}

/** Find the first function definition at top level (also inside top-level #if blocks). */
function topFunction(root: Node): Node | undefined {
  for (const c of root.namedChildren) {
    if (!c) continue;
    if (c.type === 'function_definition') return c;
    if (/^preproc_/.test(c.type)) {
      const inner = topFunction(c);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** The function's name from its declarator. */
export function functionName(def: Node): string {
  let d = def.childForFieldName('declarator');
  for (let i = 0; d && i < 8; i++) {
    if (d.type === 'function_declarator') return declaratorName(d.childForFieldName('declarator') ?? d);
    d = d.childForFieldName('declarator');
  }
  return '';
}

function paramsOf(def: Node): Node[] {
  let d = def.childForFieldName('declarator');
  for (let i = 0; d && i < 8; i++) {
    if (d.type === 'function_declarator') {
      const list = d.childForFieldName('parameters');
      return (list?.namedChildren ?? []).filter((p): p is Node => !!p && p.type === 'parameter_declaration');
    }
    d = d.childForFieldName('declarator');
  }
  return [];
}

function errorLines(n: Node, lineOffset: number, out: number[]): void {
  if (out.length >= 5) return;
  if (n.isError || n.isMissing) {
    out.push(Math.max(1, n.startPosition.row - lineOffset + 1));
    return;
  }
  if (!n.hasError) return;
  for (const c of n.children) if (c) errorLines(c, lineOffset, out);
}

/** The definition is the first non-comment thing in the text. */
function startsWithDefinition(root: Node, def: Node): boolean {
  return !root.namedChildren.some((c) => c && c.startIndex < def.startIndex && c.type !== 'comment');
}

/** Text looks like a whole function: (comments,) a header and a body whose braces close at the end. */
function looksComplete(root: Node, def: Node | undefined): boolean {
  if (!def || !def.childForFieldName('body')) return false;
  const body = def.childForFieldName('body')!;
  if (body.hasError || body.lastChild?.isMissing) return false;
  const before = root.namedChildren.filter((c) => c && c.startIndex < def.startIndex && c.type !== 'comment');
  return before.length === 0 && !root.namedChildren.some((c) => c && c.type === 'ERROR');
}

/** Analyse one function text (whole definition or a fragment of one). */
export async function analyzeFunctionText(text: string, opts: AnalyzeOptions = {}): Promise<FunctionImage & { name: string }> {
  const lines = text.split('\n');
  const lineInfo: LineInfo = opts.lineInfo ?? lines.map(() => ({}));
  const base: FunctionImage & { name: string } = {
    name: opts.name ?? '?',
    text,
    complete: false,
    lineInfo,
    params: [],
    events: [],
    paths: [],
    problems: [],
  };
  if (opts.firstFileLine !== undefined) base.firstFileLine = opts.firstFileLine;
  try {
    const pre = prepass(text);
    let tree = opts.fragment === true ? undefined : await parseC(pre.text);
    let def = tree ? topFunction(tree.rootNode) : undefined;
    let lineOffset = 0;
    // A text that starts with a header's tail (`int *nr)` then `{`) or inside an `if` (`else`) is no definition,
    // whatever the parser recovered.
    const notDefinition = leadingTail(pre.text)?.kind === 'header' || elseOpener(pre.text) !== undefined;
    const whole = tree !== undefined && !notDefinition && looksComplete(tree.rootNode, def) && opts.fragment !== true;
    let fragment = !whole;
    if (!whole && tree && def && !notDefinition && startsWithDefinition(tree.rootNode, def)) {
      // A definition cut off at the end: close what is open, keep positions.
      tree.delete();
      tree = await parseC(closeFragment(pre.text));
      def = topFunction(tree.rootNode);
      fragment = !def;
    }
    if (fragment) {
      tree?.delete();
      const w = wrapFragment(pre.text);
      tree = await parseC(w.text);
      lineOffset = w.lineOffset;
      def = topFunction(tree.rootNode);
    }
    base.complete = whole;
    if (!tree || !def) {
      base.problems.push('MMR010: no function could be recovered from the text');
      return base;
    }
    const nm = functionName(def);
    base.name = whole && nm ? nm : (opts.name ?? (nm && nm !== SYNTHETIC_NAME ? nm : '?'));
    const maxRow = Math.max(0, lines.length - 1);
    const locOf = (n: Node): SourceLoc => {
      const row = Math.min(maxRow, Math.max(0, n.startPosition.row - lineOffset));
      const col = n.startPosition.row - lineOffset < 0 ? 0 : unshiftColumn(pre.shifts, row, n.startPosition.column);
      const li = lineInfo[row] ?? {};
      const loc: SourceLoc = { line: row + 1, column: col };
      if (li.fileLine !== undefined) loc.fileLine = li.fileLine;
      if (li.diff !== undefined) loc.diff = li.diff;
      if (li.inputLine !== undefined) loc.inputLine = li.inputLine;
      return loc;
    };
    const env = new LocalEnv();
    const b = new CfgBuilder(env, locOf);
    for (const p of paramsOf(def)) {
      base.params.push(normExpr(p.text));
      const d = p.childForFieldName('declarator');
      if (d) b.exprs.declare(p.childForFieldName('type')?.text ?? '', d, null);
    }
    const body = def.childForFieldName('body');
    // Context annotations of the visible header (the original text, before the pre-pass blanked them).
    const bodyRow = body ? body.startPosition.row - lineOffset : -1;
    if (bodyRow >= 0 && def.startPosition.row - lineOffset >= 0) {
      const header = [...lines.slice(def.startPosition.row - lineOffset, bodyRow), (lines[bodyRow] ?? '').slice(0, unshiftColumn(pre.shifts, bodyRow, body!.startPosition.column))].join('\n');
      const ann = contextAnnotations(header);
      if (ann.length) base.annotations = ann;
    } else if (bodyRow >= 0) {
      // A header tail at the top of a fragment.
      const ann = contextAnnotations(lines.slice(0, bodyRow + 1).join('\n'));
      if (ann.length) base.annotations = ann;
    }
    b.stmt(body);
    const endRow = Math.min(maxRow, Math.max(0, def.endPosition.row - lineOffset));
    const cfg = b.finish({ ...locOf(def), line: endRow + 1, column: 0, ...lineFacts(lineInfo[endRow]) }, !whole);
    const unseen = unseenAfter(lineInfo);
    if (opts.keepCalls && opts.keepCalls.size > 0) {
      for (const n of cfg.nodes) if (n.type === 'event' && n.event!.kind === 'call' && opts.keepCalls.has(n.event!.callee)) n.keep = true;
    }
    const res = enumeratePaths(cfg, { ...opts, lines, feasibility: (stepLines) => feasibility(text, unseen, stepLines) });
    base.events = cfg.events;
    // Paths that test one condition twice and go both ways, with nothing in between changing it, cannot run.
    base.paths = madeUpBackEdgesCut(inventedLoopsIncomplete(feasiblePaths(res.paths, text, unseen)), lines.length);
    // Openers the front end invented (a block or loop whose head is unseen) make no image complete.
    if (new RegExp(`\\b(?:${CONTEXT_COND}|${LOOP_COND})\\b`).test(text)) base.complete = false;
    if (tree.rootNode.hasError) {
      const at: number[] = [];
      errorLines(tree.rootNode, lineOffset, at);
      base.problems.push(`MMR010: syntax errors recovered near line(s) ${[...new Set(at)].join(', ')}`);
    }
    if (res.truncated || res.reduced) base.pathBound = { level: res.level ?? 0, complete: !res.truncated };
    if (res.truncated) base.problems.push(`MMR011: path bound reached (${res.reduced ? `${res.reduced}; then ` : ''}${res.reason ?? 'bound'}); ${res.paths.length} path(s) kept`);
    else if (res.reduced) base.problems.push(`MMR011: path bound reached (${res.reduced}); all ${res.paths.length} path(s) at that unrolling kept`);
    else if (res.paths.length === 0) base.problems.push('MMR011: no path from entry to exit could be enumerated');
    tree.delete();
  } catch (e) {
    base.problems.push(`MMR010: ${(e as Error).message}`);
  }
  return base;
}

/**
 * 0-based indices of the image lines after which unseen code lies: a line with a file line whose next line with a
 * file line is not the one after it in the file (hunks joined across a gap, through synthetic lines or not).
 */
function unseenAfter(info: LineInfo): Set<number> {
  const out = new Set<number>();
  let last = -1;
  for (let i = 0; i < info.length; i++) {
    const fl = info[i]?.fileLine;
    if (fl === undefined) continue;
    if (last >= 0 && fl !== (info[last]!.fileLine as number) + 1) out.add(last);
    last = i;
  }
  return out;
}

function lineFacts(li: LineInfo[number] | undefined): Partial<SourceLoc> {
  const o: Partial<SourceLoc> = {};
  if (!li) return o;
  if (li.fileLine !== undefined) o.fileLine = li.fileLine;
  if (li.diff !== undefined) o.diff = li.diff;
  if (li.inputLine !== undefined) o.inputLine = li.inputLine;
  return o;
}

/**
 * A path that goes round a loop the front end invented (`while (__mmr_loop__) {`, for a fragment that leaves an
 * unseen loop) is not complete: where that loop's head really is, and what runs between it and the visible code
 * on the next iteration, are unseen (a damaged quote may even have lost the head from the middle of the text).
 */
function inventedLoopsIncomplete(paths: EventPath[]): EventPath[] {
  return paths.map((p) => {
    if (!p.complete) return p;
    const invented = new Set<number>();
    for (const s of p.steps) {
      if (s.step !== 'control') continue;
      if (s.kind === 'loop-enter' && s.head.includes(LOOP_COND)) invented.add(s.loop);
      if (s.kind === 'loop-next' && invented.has(s.loop)) return { ...p, complete: false };
    }
    return p;
  });
}

/**
 * A path that goes round a loop through a closing brace the text does not have (one added at the end of a fragment
 * to close the blocks the hunk leaves open) is cut there (`truncated`): the rest of that loop body is unseen (it
 * may drop the cursor, re-take or release a lock), so the next iteration it would model is made up. Synthetic
 * braces inside the text (gap joins) have visible code after them and are kept.
 */
function madeUpBackEdgesCut(paths: EventPath[], nLines: number): EventPath[] {
  const out: EventPath[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    const i = p.steps.findIndex((s) => s.step === 'control' && s.kind === 'loop-next' && s.via === 'end' && s.loc.line > nLines);
    if (i < 0) {
      out.push(p);
      continue;
    }
    const cut: EventPath = {
      ...p,
      steps: [...p.steps.slice(0, i), { step: 'control', kind: 'truncated', reason: 'the loop body goes on in code the fragment does not show', loc: p.steps[i]!.loc }],
      complete: false,
    };
    const key = JSON.stringify(cut.steps.map((s) => (s.step === 'event' ? [s.id] : [s.kind, s.loc.line, 'taken' in s ? s.taken : ''])));
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(cut);
  }
  return out;
}

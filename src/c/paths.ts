/**
 * Path enumeration over a CFG, relative to what the rules and the engine read: kernel-API events, control markers
 * (loops, returns, gotos, labels, fragment boundaries) and branches on PTE state (the engine turns those into assume
 * guards). Everything else is sliced away before paths are counted:
 * - a branch on anything but PTE state or a failable call's result (`if (ptep)` after get_locked_pte(),
 *   `if (!mmu_notifier_invalidate_range_start_nonblock(&r))`, src/c/result-tests.ts) whose arms reach the same next relevant node (they differ at most in opaque calls) is one
 *   edge to the arms' join point (the opaque calls inside its arms are not on paths; they stay in
 *   `FunctionImage.events`);
 * - paths with the same event/control sequence (outcomes of PTE-state and failable-result branches included, other
 *   branch outcomes ignored) are kept once.
 * Loops are unrolled a bounded number of times (body taken 0..maxUnroll times; loops nested two deep or more inside
 * loops entered on the path at most once), backward gotos the same; the DFS is iterative (no recursion limit),
 * taken arm first, deterministic. When a bound still cuts the enumeration (`maxPaths` distinct paths, the
 * exploration budget, `maxSteps` steps on one path) the result says so (`truncated`, `reason`) and cut paths end
 * with a `truncated` step; an image never silently has zero paths.
 */
import type { EventPath, PathStep, SourceLoc } from '../core/events.ts';
import type { Cfg, CfgNode } from './cfg.ts';
import { resultTestOf } from './result-tests.ts';
import { sliceableTests } from './value-tests-slice.ts';

/** Bounds for path enumeration. */
export interface PathOptions {
  /** Times each loop body may be taken (default 2; 1 for loops nested two deep or more). Backward gotos too. */
  maxUnroll?: number;
  /** Distinct paths kept per function (default 1024). */
  maxPaths?: number;
  /** Steps per path before it is cut (default 4000). */
  maxSteps?: number;
  /** Times each backward goto may be taken (default: maxUnroll). */
  gotoUnroll?: number;
  /**
   * Callees whose calls are kept on paths like kernel events (functions whose bodies the review reads): a branch
   * whose arms differ by such a call is not sliced away. The analyser marks the CFG's call nodes (CfgNode.keep).
   */
  keepCalls?: ReadonlySet<string>;
  /**
   * The function's source lines (as the CFG's locations number them): PTE-state tests whose arms hold no event and
   * change no deciding variable are sliced like other branches (src/c/value-tests-slice.ts). Without them, every
   * PTE-state test is kept.
   */
  lines?: readonly string[];
  /**
   * Path feasibility (src/c/path-feasibility.ts feasibility()), given the lines of the nodes that can be steps: a path
   * it rejects is dropped when it is recorded, before it counts against `maxPaths`, so that a capped walk keeps
   * paths that can run.
   */
  feasibility?: (stepLines: ReadonlySet<number>) => (p: EventPath) => boolean;
}

/** Internal: only paths through one of these CFG nodes (the changed lines) are walked. */
interface OnceOptions extends PathOptions {
  through?: ReadonlySet<number>;
}

/** Enumeration result; `truncated` is true when the path cap or the exploration budget was hit. */
export interface PathResult {
  paths: EventPath[];
  truncated: boolean;
  /** Which bound cut the enumeration, when one did. */
  reason?: string;
  /** Branches sliced away (arms equivalent on relevant events). */
  sliced: number;
  /** Set when the default unrolling hit a bound and a lower one was used instead: which, and why. */
  reduced?: string;
  /** The unrolling the paths were enumerated at (index in LOWER_UNROLLING), set with `reduced`. */
  level?: number;
}

/** Branch conditions on PTE state that the engine reads (`pte_present/none/write/dirty/young/uffd_wp(...)`). */
export const PTE_STATE_COND = /\bpte_(?:present|none|write|dirty|young|uffd_wp)\s*\(/;

function stepKey(s: PathStep, kept: (cond: string) => boolean): string {
  if (s.step === 'event') return `e${s.id}`;
  switch (s.kind) {
    case 'branch':
      return PTE_STATE_COND.test(s.cond) || kept(s.cond) ? `B${s.taken ? '+' : '-'}${s.cond}@${s.loc.line}` : '';
    case 'loop-enter':
      return `E${s.loop}`;
    case 'loop-next':
      return `N${s.loop}${s.via[0]}`;
    case 'loop-exit':
      return `X${s.loop}${s.via[0]}`;
    case 'goto':
      return `G${s.label}`;
    case 'label':
      return `L${s.label}`;
    case 'return':
      return `R${s.value ?? ''}@${s.loc.line}`;
    case 'truncated':
      return `T${s.reason}`;
  }
}

/**
 * The equivalence key of a path: its event and control sequence (PTE-state branch outcomes included), with loop
 * visits that hold no event (a loop entered and left by its condition, or iterated, without a kernel event in
 * between) left out.
 */
function pathKey(steps: readonly PathStep[], kept: (cond: string) => boolean): string {
  const toks: string[] = [];
  const open: Array<{ loop: number; at: number; events: number; iter: number }> = [];
  let events = 0;
  for (const s of steps) {
    const k = stepKey(s, kept);
    if (!k) continue;
    if (s.step === 'event' || k[0] === 'R' || k[0] === 'T' || k[0] === 'G' || k[0] === 'L' || k[0] === 'B') events++;
    if (s.step === 'control' && s.kind === 'loop-enter') open.push({ loop: s.loop, at: toks.length, events, iter: events });
    if (s.step === 'control' && s.kind === 'loop-next') {
      // An iteration without events is no different from one fewer iteration.
      const o = open.find((x) => x.loop === s.loop);
      if (o && o.iter === events) continue;
      if (o) o.iter = events;
    }
    toks.push(k);
    if (s.step === 'control' && s.kind === 'loop-exit') {
      const i = open.map((o) => o.loop).lastIndexOf(s.loop);
      if (i >= 0) {
        const o = open[i]!;
        open.splice(i);
        // Left by its condition without an event: the same as not entered. Left by a `break` (or `goto`), the path
        // did stop early, which the loop's cursor shows (`pte - 1` before any `pte++`): kept apart.
        if (o.events === events && s.via === 'cond') toks.length = o.at;
      }
    }
  }
  return toks.join(' ');
}

/**
 * Nodes the slicer keeps: kernel events, control markers, loop iterations, PTE-state and loop-head branches, and
 * branches that test a failable call's result (`kept`, src/c/result-tests.ts).
 */
function relevant(n: CfgNode, kept: (cond: string | undefined) => boolean, soft: ReadonlySet<number> = NONE): boolean {
  switch (n.type) {
    case 'nop':
      return false;
    case 'event':
      return n.event!.kind !== 'call' || n.keep === true;
    case 'branch':
      return n.loop !== undefined || (PTE_STATE_COND.test(n.cond ?? '') && !soft.has(n.id)) || kept(n.cond);
    default:
      return true;
  }
}

const NONE: ReadonlySet<number> = new Set();

/**
 * For each non-relevant branch whose arms hold no relevant node before they join: the join node (the first node of
 * the not-taken arm that the taken arm also reaches through non-relevant nodes). Later branches between the join
 * and the next relevant node do not matter: they are decided at their own node. `soft`: PTE-state tests treated as
 * not relevant (value-tests-slice.ts).
 */
function sliceBranches(cfg: Cfg, kept: (cond: string | undefined) => boolean, soft: ReadonlySet<number> = NONE): Map<number, number> {
  const nodes = cfg.nodes;
  const rel = nodes.map((n) => relevant(n, kept, soft));
  /** Nodes reachable from `from` through non-relevant nodes (relevant ones included, not expanded), BFS order. */
  const reach = (from: number, stopAt = -1): number[] => {
    const order: number[] = [];
    const seen = new Set<number>();
    const queue = [from];
    while (queue.length) {
      const id = queue.shift()!;
      if (seen.has(id)) continue;
      seen.add(id);
      order.push(id);
      if (!rel[id] && id !== stopAt) queue.push(...nodes[id]!.next);
    }
    return order;
  };
  const out = new Map<number, number>();
  for (const n of nodes) {
    if (n.type !== 'branch' || rel[n.id]) continue;
    const [t, f] = n.next as [number, number];
    if (t === f) continue;
    const onT = new Set(reach(t));
    const join = reach(f).find((x) => onT.has(x));
    if (join === undefined) continue;
    // Neither arm meets a relevant node (or leaves the function) before the join.
    const clean = (from: number): boolean => reach(from, join).every((x) => x === join || !rel[x]);
    if (clean(t) && clean(f)) out.set(n.id, join);
  }
  return out;
}

type Task =
  | { t: 'visit'; id: number }
  | { t: 'push'; step: PathStep }
  | { t: 'pop' }
  | { t: 'loop'; loop: number; value: number; depth?: number }
  | { t: 'goto'; id: number; value: number };

/**
 * The branches a walk jumps over (branch → join) and the PTE-state tests among them (`soft`): with the source lines,
 * the tests value-tests-slice.ts shows to be equivalent on events; without, none.
 */
function slicing(cfg: Cfg, kept: (cond: string | undefined) => boolean, lines: readonly string[] | undefined): { sliced: Map<number, number>; soft: ReadonlySet<number> } {
  if (lines === undefined) return { sliced: sliceBranches(cfg, kept), soft: NONE };
  const tests = new Set(cfg.nodes.filter((n) => n.type === 'branch' && n.loop === undefined && PTE_STATE_COND.test(n.cond ?? '') && !kept(n.cond)).map((n) => n.id));
  const soft = tests.size === 0 ? NONE : sliceableTests(cfg, lines, tests, (c) => sliceBranches(cfg, kept, c));
  return { sliced: sliceBranches(cfg, kept, soft), soft };
}

/**
 * What the walks of one CFG share whatever their bounds: the failable-result tests and the slicing. Computed once per
 * CFG and line array (enumeratePaths walks a CFG up to four times: the default bounds, two lower unrollings, the
 * paths through the change).
 */
const PREPARED = new WeakMap<Cfg, { lines: readonly string[] | undefined; kept: (cond: string | undefined) => boolean; sliced: Map<number, number>; soft: ReadonlySet<number> }>();

function prepared(cfg: Cfg, lines: readonly string[] | undefined): { kept: (cond: string | undefined) => boolean; sliced: Map<number, number>; soft: ReadonlySet<number> } {
  const hit = PREPARED.get(cfg);
  if (hit && hit.lines === lines) return hit;
  const kept = resultTestOf(cfg);
  const p = { lines, kept, ...slicing(cfg, kept, lines) };
  PREPARED.set(cfg, p);
  return p;
}

/** Enumerate bounded paths of a CFG (one setting of the bounds). */
function enumerateOnce(cfg: Cfg, opts: OnceOptions = {}): PathResult {
  const maxUnroll = opts.maxUnroll ?? 2;
  const gotoUnroll = opts.gotoUnroll ?? maxUnroll;
  const maxPaths = opts.maxPaths ?? 1024;
  const maxSteps = opts.maxSteps ?? 4000;
  const budget = maxPaths * 16;
  const nodes = cfg.nodes;
  const { kept, sliced, soft } = prepared(cfg, opts.lines);
  const feasible = opts.feasibility?.(stepLinesOf(cfg, kept, soft));
  const toward = opts.through ? reaching(cfg, sliced, opts.through) : undefined;
  // Steps on the current path at a changed line (when walking only the paths through the change).
  let touched = 0;
  const loopCount = new Int32Array(cfg.loops + 1);
  // Nesting depth of each loop on the current path (set at loop-enter).
  const loopDepth = new Int32Array(cfg.loops + 1);
  let depth = 0;
  const gotoCount = new Map<number, number>();
  const steps: PathStep[] = [];
  const seen = new Set<string>();
  const paths: EventPath[] = [];
  let explored = 0;
  let stop = false;
  let reason: string | undefined;

  const record = (complete: boolean, cut?: string, loc?: SourceLoc): void => {
    explored++;
    // Walking only the paths through the change: one cut (or ended) before it is not one of them.
    if (toward && touched === 0 && !(cut && loc && (loc.diff === 'add' || loc.diff === 'del'))) {
      if (!stop && explored >= budget) {
        stop = true;
        reason = `exploration budget (${budget} paths walked)`;
      }
      return;
    }
    const out = cut && loc ? [...steps, { step: 'control', kind: 'truncated', reason: cut, loc } as PathStep] : [...steps];
    const key = pathKey(out, kept);
    // A key already kept needs no second path; a path that cannot run is not one (another with its key may be).
    if (!seen.has(key) && (!feasible || feasible({ steps: out, complete }))) {
      seen.add(key);
      paths.push({ steps: out, complete });
      if (paths.length >= maxPaths) {
        stop = true;
        reason = `${maxPaths} distinct paths`;
      }
    }
    if (!stop && explored >= budget) {
      stop = true;
      reason = `exploration budget (${budget} paths walked)`;
    }
  };

  const lastLoc = (): SourceLoc => {
    for (let i = steps.length - 1; i >= 0; i--) {
      const s = steps[i]!;
      if ('loc' in s && s.loc) return s.loc;
    }
    return { line: 1, column: 0 };
  };
  const unrollOf = (loop: number): number => (loopDepth[loop]! >= 2 ? Math.min(1, maxUnroll) : maxUnroll);

  const tasks: Task[] = [{ t: 'visit', id: cfg.entry }];
  while (tasks.length) {
    const task = tasks.pop()!;
    switch (task.t) {
      case 'push':
        steps.push(task.step);
        if (toward && changedStep(task.step)) touched++;
        continue;
      case 'pop': {
        const s = steps.pop();
        if (toward && s && changedStep(s)) touched--;
        continue;
      }
      case 'loop':
        loopCount[task.loop] = task.value;
        if (task.depth !== undefined) {
          loopDepth[task.loop] = task.depth;
          depth = task.depth;
        }
        continue;
      case 'goto':
        gotoCount.set(task.id, task.value);
        continue;
      case 'visit':
        break;
    }
    if (stop) continue;
    const id = task.id;
    // Walking only the paths through the change: one that has not met it and can no longer reach it is dropped.
    if (toward && touched === 0 && !toward.has(id)) continue;
    if (steps.length >= maxSteps) {
      record(false, 'step bound', lastLoc());
      continue;
    }
    const n = nodes[id]!;
    switch (n.type) {
      case 'exit': {
        const last = steps[steps.length - 1];
        record(!(last && last.step === 'control' && last.kind === 'truncated'));
        break;
      }
      case 'entry':
      case 'nop':
        tasks.push({ t: 'visit', id: n.next[0]! });
        break;
      case 'event':
        tasks.push({ t: 'pop' }, { t: 'visit', id: n.next[0]! }, { t: 'push', step: { step: 'event', ...n.event! } });
        break;
      case 'iter': {
        const l = n.loop!;
        const k = unrollOf(l);
        if (loopCount[l]! >= k) {
          record(false, `loop ${l} unrolled ${k} times`, lastLoc());
          break;
        }
        tasks.push({ t: 'loop', loop: l, value: loopCount[l]! }, { t: 'visit', id: n.next[0]! });
        loopCount[l]!++;
        break;
      }
      case 'control': {
        const c = n.control!;
        const step = { step: 'control', ...c } as PathStep;
        if (c.kind === 'goto' && n.backward) {
          const k = gotoCount.get(id) ?? 0;
          if (k >= gotoUnroll) {
            steps.push(step);
            record(false, `backward goto ${c.label} taken ${gotoUnroll} times`, c.loc);
            steps.pop();
            break;
          }
          gotoCount.set(id, k + 1);
          tasks.push({ t: 'goto', id, value: k }, { t: 'pop' }, { t: 'visit', id: n.next[0]! }, { t: 'push', step });
          break;
        }
        if (c.kind === 'loop-enter') {
          tasks.push({ t: 'loop', loop: c.loop, value: loopCount[c.loop]!, depth: loopDepth[c.loop]! }, { t: 'loop', loop: 0, value: loopCount[0]!, depth });
          loopCount[c.loop] = 0;
          loopDepth[c.loop] = depth;
          depth++;
        } else if (c.kind === 'loop-exit' && c.loop > 0 && depth > loopDepth[c.loop]!) {
          tasks.push({ t: 'loop', loop: 0, value: loopCount[0]!, depth });
          depth = loopDepth[c.loop]!;
        }
        tasks.push({ t: 'pop' }, { t: 'visit', id: n.next[0]! }, { t: 'push', step });
        break;
      }
      case 'branch': {
        const [t, f] = n.next as [number, number];
        const join = sliced.get(id);
        if (t === f || join !== undefined) {
          tasks.push({ t: 'visit', id: join ?? t });
          break;
        }
        const blockTaken = n.loop !== undefined && loopCount[n.loop]! >= unrollOf(n.loop);
        const br = (taken: boolean): PathStep => ({ step: 'control', kind: 'branch', cond: n.cond ?? '', taken, loc: n.loc! });
        tasks.push({ t: 'pop' }, { t: 'visit', id: f }, { t: 'push', step: br(false) });
        if (!blockTaken) tasks.push({ t: 'pop' }, { t: 'visit', id: t }, { t: 'push', step: br(true) });
        break;
      }
    }
  }
  const res: PathResult = { paths, truncated: stop, sliced: sliced.size };
  if (reason) res.reason = reason;
  return res;
}

/** The unrolling settings enumeratePaths falls back to, by level (0: the default), and how its result names them. */
export const LOWER_UNROLLING: ReadonlyArray<{ opts: PathOptions; what: string }> = [
  { opts: {}, what: 'the default unrolling' },
  { opts: { gotoUnroll: 1 }, what: 'backward gotos taken once' },
  { opts: { maxUnroll: 1, gotoUnroll: 1 }, what: 'loop bodies and backward gotos taken once' },
];


/**
 * Enumerate bounded paths of a CFG. When the default bounds cut the enumeration (MMR011), the unrolling is lowered
 * step by step — backward gotos (retry loops) taken once, then every loop body and backward goto taken once — and
 * the first setting under which the enumeration finishes is kept: a whole function with a retried PTE loop is then
 * covered by every path through it once instead of by the first 1024 paths of a depth-first walk that never left its
 * first iterations. When even the lowest setting is cut, the paths kept are those through the changed lines first
 * (a finding needs a path through the change), then the others in walk order up to the bound. The result says which
 * setting was used (`reduced`). Functions whose enumeration finishes at the default bounds are unchanged.
 */
export function enumeratePaths(cfg: Cfg, opts: PathOptions = {}): PathResult {
  const first = enumerateOnce(cfg, opts);
  if (!first.truncated) return first;
  const maxUnroll = opts.maxUnroll ?? 2;
  const backGotos = cfg.nodes.some((n) => n.backward === true);
  const ladder: number[] = [];
  if (backGotos && (opts.gotoUnroll ?? maxUnroll) > 1) ladder.push(1);
  if (cfg.loops > 0 && maxUnroll > 1) ladder.push(2);
  const at = `${first.reason ?? 'bound'} at the default unrolling`;
  let last = first;
  let lastOpts: PathOptions = opts;
  for (const level of ladder) {
    const o = { ...opts, ...LOWER_UNROLLING[level]!.opts };
    const res = enumerateOnce(cfg, o);
    res.reduced = `${at}; ${LOWER_UNROLLING[level]!.what}`;
    res.level = level;
    if (!res.truncated) return res;
    last = res;
    lastOpts = o;
  }
  const { kept, soft } = prepared(cfg, opts.lines);
  const changed = changedNodes(cfg, kept, soft);
  if (changed.size === 0) return last;
  const through = enumerateOnce(cfg, { ...lastOpts, through: changed });
  const seen = new Set(through.paths.map((p) => pathKey(p.steps, kept)));
  const maxPaths = opts.maxPaths ?? 1024;
  const paths = [...through.paths];
  for (const p of last.paths) {
    if (paths.length >= maxPaths) break;
    const k = pathKey(p.steps, kept);
    if (seen.has(k)) continue;
    seen.add(k);
    paths.push(p);
  }
  const res: PathResult = { paths, truncated: true, sliced: last.sliced, reason: `${last.reason ?? 'bound'}; ${through.paths.length} path(s) through the changed lines kept first${through.truncated ? ` (that walk cut too: ${through.reason ?? 'bound'})` : ''}` };
  res.reduced = last.reduced ?? at;
  res.level = last.level ?? 0;
  return res;
}

/** The lines of the nodes a walk can put on a path as steps (a subset of the lines that hold a step). */
function stepLinesOf(cfg: Cfg, kept: (cond: string | undefined) => boolean, soft: ReadonlySet<number>): Set<number> {
  const out = new Set<number>();
  for (const n of cfg.nodes) {
    const l = nodeLoc(n)?.line;
    if (l !== undefined && relevant(n, kept, soft)) out.add(l);
  }
  return out;
}

/** A step at an added or deleted line. */
function changedStep(s: PathStep): boolean {
  const d = s.loc?.diff;
  return d === 'add' || d === 'del';
}

/** The location a CFG node's path step would carry. */
function nodeLoc(n: CfgNode): SourceLoc | undefined {
  return n.event?.loc ?? n.control?.loc ?? n.loc;
}

/** The CFG nodes at an added or deleted line whose step a walk can put on a path (relevant nodes only). */
function changedNodes(cfg: Cfg, kept: (cond: string | undefined) => boolean, soft: ReadonlySet<number>): Set<number> {
  const out = new Set<number>();
  for (const n of cfg.nodes) {
    const d = nodeLoc(n)?.diff;
    if ((d === 'add' || d === 'del') && relevant(n, kept, soft)) out.add(n.id);
  }
  return out;
}

/** Nodes from which a node of `targets` can be reached, through the edges the walk follows (sliced branches jump). */
function reaching(cfg: Cfg, sliced: ReadonlyMap<number, number>, targets: ReadonlySet<number>): Set<number> {
  const preds: number[][] = cfg.nodes.map(() => []);
  for (const n of cfg.nodes) {
    const join = sliced.get(n.id);
    for (const m of join !== undefined ? [join] : n.next) preds[m]!.push(n.id);
  }
  const out = new Set<number>(targets);
  const queue = [...targets];
  while (queue.length) {
    const id = queue.pop()!;
    for (const p of preds[id]!) {
      if (out.has(p)) continue;
      out.add(p);
      queue.push(p);
    }
  }
  return out;
}

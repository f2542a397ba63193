/**
 * flush-under-ptl, arch side: an architecture's definition of a generic TLB-flush hook (tlb_flush(),
 * flush_tlb_page(), flush_tlb_range(), flush_tlb_mm(); catalogue ARCH_HOOKS) or of a level hint a gather flush uses
 * (HINT_PRODUCERS), checked path by path against the generic contract: on each path (its conditions over the
 * gather's fields, config and feature tests), what the primitives it calls invalidate (ARCH_PRIMITIVES: entry
 * kinds, reach, hint arguments; functions of the same patch are followed) must cover what the contract requires
 * there. A path that invalidates less is a candidate; the model is another CPU keeping the entry the flush left
 * (a leaf of another level, a walk-cache entry, an entry on a CPU the flush did not reach) and loading through it
 * after the page, or page-table page, is freed. Pure.
 */
import type { Event, FunctionImage, FunctionView, PathStep, EventPath } from '../../src/core/events.ts';
import type { TlbLevel } from '../../src/core/ops.ts';
import { TEXT_ANCHOR_BASE, type Candidate, type Side } from '../../src/core/rule.ts';
import {
  ARCH_HOOKS,
  ARCH_PRIMITIVES,
  ARM64_TLBI_OPS,
  COVERAGE_NEUTRAL,
  EVERY_LEVEL,
  GENERIC_COLLAPSE_FLUSH,
  HINT_PRODUCERS,
  KNOWN_CONDITION,
  MM_CPUMASK_TEST,
  MM_CPUMASK_UNKEPT,
  MM_USERS_HEURISTIC,
  LEAVES,
  NO_WALK_CACHES,
  REACH_ORDER,
  archOfPath,
  type Coverage,
  type HookContract,
  type Reach,
} from '../../src/kernel-api/arch-flush.ts';
import { archFunctionPaths, type ArchCall, type ArchFunction, type ArchPath } from './arch-c.ts';
import { assignments, atomsOf, evalFormula, parseFormula, type Assignment, type Formula } from './arch-cond.ts';
import { CONTEXT_COND } from '../../src/c/prepass.ts';
import { paramName as declaredName } from './contracts.ts';
import { gatherCombination } from './gather-flags.ts';

export type ArchFlushMessageId = 'archFlushShort';

export const ARCH_FLUSH_MESSAGES: Record<ArchFlushMessageId, string> = {
  archFlushShort:
    '{{fn}}() ({{arch}}) must {{contract}}; but when {{when}}, {{what}}: {{entry}} stays cached on {{cpu}}, which can still use it after the {{page}} is freed.',
};

const LEVEL_TEXT: Record<TlbLevel, string> = { pte: 'a PTE-level leaf entry', pmd: 'a PMD-level (block) leaf entry', table: 'a walk-cache entry (cached page-table pointer)' };

/** Coverage of one call under an assignment, or why it is not known. */
interface CallCover {
  cov: Coverage;
  /** The call invalidates something (for the model and the anchor). */
  flush: boolean;
  unknown?: string;
  unseen?: string;
}

const NONE: CallCover = { cov: {}, flush: false };

function join(a: Coverage, b: Coverage): Coverage {
  const out: Coverage = { ...a };
  for (const l of EVERY_LEVEL) {
    const r = b[l];
    if (r !== undefined && (out[l] === undefined || REACH_ORDER[r] > REACH_ORDER[out[l]!])) out[l] = r;
  }
  return out;
}

function meet(a: Coverage, b: Coverage): Coverage {
  const out: Coverage = {};
  for (const l of EVERY_LEVEL) {
    const x = a[l];
    const y = b[l];
    if (x !== undefined && y !== undefined) out[l] = REACH_ORDER[x] <= REACH_ORDER[y] ? x : y;
  }
  return out;
}

function cover(levels: readonly TlbLevel[], reach: Reach): Coverage {
  const out: Coverage = {};
  for (const l of levels) out[l] = reach;
  return out;
}

const TTL_LEVEL: Record<number, TlbLevel> = { 3: 'pte', 2: 'pmd', 1: 'pmd' };

interface Env {
  arch: string;
  side: Side;
  siblings: readonly FunctionView[];
  locals: ReadonlyMap<string, string>;
  depth: number;
}

/** The parsed image of a function of the same patch and arch, by name. */
const parsedImages = new WeakMap<FunctionImage, ArchFunction | null>();

function parsedImage(img: FunctionImage): ArchFunction | undefined {
  let p = parsedImages.get(img);
  if (p === undefined) {
    p = archFunctionPaths(img.text) ?? null;
    parsedImages.set(img, p);
  }
  return p ?? undefined;
}

function siblingPaths(env: Env, name: string): ArchFunction | undefined {
  const fn = env.siblings.find((f) => f.name === name && archOfPath(f.path) === env.arch);
  const img = fn ? (env.side === 'pre' ? fn.pre : fn.post) : undefined;
  return img ? parsedImage(img) : undefined;
}

/** A path's conditions as formulas (the function's locals substituted), and the atoms they test, in order. */
interface ParsedConds {
  readonly conds: ReadonlyArray<{ f: Formula; taken: boolean }>;
  readonly atoms: readonly string[];
}

const parsedPathConds = new WeakMap<ArchPath, ParsedConds>();

/** The parsed conditions of a path of `f`, parsed once per path (not once per assignment tried). */
function condsOf(path: ArchPath, f: ArchFunction): ParsedConds {
  let p = parsedPathConds.get(path);
  if (p === undefined) {
    const conds = path.conds.map((c) => ({ f: parseFormula(c.cond, f.locals), taken: c.taken }));
    const atoms = new Set<string>();
    for (const c of conds) atomsOf(c.f, atoms);
    p = { conds, atoms: [...atoms] };
    parsedPathConds.set(path, p);
  }
  return p;
}

function argFormula(call: ArchCall, i: number, env: Env): Formula | undefined {
  const a = call.args[i];
  return a === undefined ? undefined : parseFormula(a, env.locals);
}

function coverOfCall(call: ArchCall, sigma: Assignment, env: Env): CallCover {
  if (HINT_PRODUCERS[call.name] || COVERAGE_NEUTRAL.test(call.name)) return NONE;
  const sib = env.depth < 2 ? siblingPaths(env, call.name) : undefined;
  if (sib) {
    // Any feasible path of the callee may run: the worst of them.
    const sub: Env = { ...env, locals: sib.locals, depth: env.depth + 1 };
    let worst: Coverage | undefined;
    let flush = false;
    for (const p of sib.paths) {
      const { conds, atoms } = condsOf(p, sib);
      if (conds.some((c) => evalFormula(c.f, sigma) === !c.taken)) continue;
      if (p.cut || !sib.startSeen) return { cov: {}, flush: false, unseen: `${call.name}() is shown only in part by this patch` };
      // Its branches must be ones whose meaning is known (the gather's fields, config, feature tests).
      const odd = atoms.find((a) => !/^\w+->(?:fullmm|freed_tables|need_flush_all|cleared_(?:ptes|pmds|puds|p4ds)|end)$/.test(a) && !KNOWN_CONDITION.test(a));
      if (odd) return { cov: {}, flush: false, unknown: `what ${call.name}() invalidates depends on its test of ${odd}` };
      let cov: Coverage = {};
      for (const c of p.calls) {
        const r = coverOfCall(c, sigma, sub);
        if (r.unknown || r.unseen) return r;
        cov = join(cov, r.cov);
        flush ||= r.flush;
      }
      worst = worst === undefined ? cov : meet(worst, cov);
    }
    return { cov: worst ?? {}, flush };
  }
  const prim = ARCH_PRIMITIVES[env.arch]?.[call.name];
  if (!prim) return { cov: {}, flush: false, unknown: `what ${call.name}() invalidates is not known: neither this patch nor the arch flush catalogue (src/kernel-api/arch-flush.ts) defines it for ${env.arch}` };
  // A call the hunk cuts shows only its first arguments: a signature that has at least as many still fits.
  if (prim.arity && !(call.partial ? prim.arity.some((n) => n >= call.args.length) : prim.arity.includes(call.args.length))) {
    return { cov: {}, flush: false, unknown: `${call.name}() is called with ${call.args.length} arguments, a signature the arch flush catalogue does not describe` };
  }
  // A page-table update that invalidates nothing (the catalogue lists it so that it is not an unknown call).
  if (prim.coverage.levels.length === 0) return NONE;
  let levels = prim.coverage.levels;
  let reach = prim.coverage.reach;
  if (prim.opArg !== undefined) {
    const op = ARM64_TLBI_OPS[(call.args[prim.opArg] ?? '').trim()];
    if (!op) return { cov: {}, flush: false, unknown: `TLBI operation ${call.args[prim.opArg] ?? '?'} is not in the catalogue` };
    levels = op.levels;
    reach = op.reach;
  }
  if (prim.leafArg !== undefined) {
    const f = argFormula(call, prim.leafArg, env);
    const v = f ? evalFormula(f, sigma) : undefined;
    if (v === undefined) return { cov: {}, flush: false, unknown: `whether ${call.name}() invalidates the last level only depends on ${call.args[prim.leafArg] ?? 'its argument'}` };
    if (v) levels = levels.filter((l) => LEAVES.includes(l));
  }
  if (prim.reachArg !== undefined) {
    const f = argFormula(call, prim.reachArg, env);
    const v = f ? evalFormula(f, sigma) : undefined;
    if (v === undefined) return { cov: {}, flush: false, unknown: `which CPUs ${call.name}() reaches depends on ${call.args[prim.reachArg] ?? 'its argument'}` };
    if (!v && reach === 'all') reach = 'mm';
  }
  if (prim.narrowRange !== undefined) {
    const wide = wideRange(call.args[prim.narrowRange[0]], call.args[prim.narrowRange[1]]);
    if (wide) return { cov: {}, flush: false, unknown: `what ${call.name}() invalidates for ${wide} is not known: a range wider than one stride may be flushed whole (a size threshold on the local and IPI paths, firmware on the SBI path)` };
  }
  if (prim.sizeArg !== undefined) {
    if (call.args[prim.sizeArg] === undefined) return { cov: {}, flush: false, unknown: `the size ${call.name}() is given is not shown` };
    const size = (call.args[prim.sizeArg] ?? '').replace(/\s+/g, '');
    if (!/^(?:\(unsignedlong\))?-1(?:UL)?$/.test(size)) levels = levels.filter((l) => LEAVES.includes(l));
  }
  if (prim.hintArg !== undefined) {
    const hint = (call.args[prim.hintArg] ?? '').trim();
    const lv = /^\d+$/.test(hint) ? TTL_LEVEL[Number(hint)] : undefined;
    // A constant TTL names the level of the leaf to invalidate; other entries may be kept (a hint computed
    // elsewhere is judged where it is computed: HINT_PRODUCERS).
    if (lv) levels = levels.filter((l) => l === lv);
  }
  return { cov: cover(levels, reach), flush: true };
}

/**
 * The range `start`..`end` described, unless it is known to be at most one stride at some run: one page
 * (`addr, addr + PAGE_SIZE`), or the gather's recorded range (`tlb->start, tlb->end`: one page when one entry or one
 * table was recorded). Undefined when the range is narrow.
 */
function wideRange(start: string | undefined, end: string | undefined): string | undefined {
  if (start === undefined || end === undefined) return 'a range the hunk does not show';
  const s = start.replace(/\s+/g, '');
  const e = end.replace(/\s+/g, '');
  if (/->start$/.test(s) && /->end$/.test(e)) return undefined;
  const bare = s.replace(/^\((.*)\)$/, '$1');
  if (e === `${bare}+PAGE_SIZE` || e === `(${bare})+PAGE_SIZE` || e === `${bare}+PAGE_SIZE-1`) return undefined;
  return `the range ${start.trim()}..${end.trim()}`;
}

/** The name a parameter declares (`bool last_level` → `last_level`); undefined when the header is not shown. */
function paramName(p: string | undefined): string | undefined {
  return p === undefined || p === 'void' ? undefined : declaredName(p) || undefined;
}

/** The gather variable of a hook (`tlb` in `tlb->freed_tables`). */
function gatherVar(text: string): string {
  return /\b(\w+)->(?:fullmm|freed_tables|cleared_\w+|need_flush_all|start|end)\b/.exec(text)?.[1] ?? 'tlb';
}

const CLEARED = ['cleared_ptes', 'cleared_pmds', 'cleared_puds', 'cleared_p4ds'] as const;

/** The gather's fields this analysis knows the meaning of, as `->field` after the gather variable. */
const GATHER_FIELD = /^->(?:fullmm|freed_tables|need_flush_all|cleared_(?:ptes|pmds|puds|p4ds)|end|end>0)$/;

/** What a gather flush must invalidate under `sigma`, or undefined when this analysis does not judge it. */
function gatherRequirement(g: string, arch: string, sigma: Assignment): Coverage | undefined {
  const v = (f: string): boolean => sigma.get(`${g}->${f}`) === true;
  // fullmm: fullmm-misuse's business. Nothing recorded (an empty range): nothing to flush.
  if (v('fullmm') || sigma.get(`${g}->end`) === false || sigma.get(`${g}->end>0`) === false) return undefined;
  const freed = v('freed_tables');
  // tlb_flush_mmu_tlbonly() calls tlb_flush() only when something was recorded; pte/pmd/pud_free_tlb() record
  // the level above the freed table (cleared_pmds/puds/p4ds) with freed_tables.
  if (!freed && !CLEARED.some(v)) return undefined;
  if (freed && !(v('cleared_pmds') || v('cleared_puds') || v('cleared_p4ds'))) return undefined;
  const req: Coverage = {};
  if (v('cleared_ptes')) req.pte = 'mm';
  if (v('cleared_pmds') || v('cleared_puds') || v('cleared_p4ds')) req.pmd = 'mm';
  if (freed && !NO_WALK_CACHES.has(arch)) req.table = 'all';
  return req;
}

function configured(req: Coverage, sigma: Assignment): Coverage | undefined {
  if (sigma.get('defined(CONFIG_MMU)') === false) return undefined;
  if (sigma.get('defined(CONFIG_SMP)') === false) {
    const out: Coverage = {};
    for (const l of EVERY_LEVEL) if (req[l] !== undefined) out[l] = 'local';
    return out;
  }
  return req;
}

export interface ArchViolation {
  fn: FunctionView;
  hook: string;
  arch: string;
  path: ArchPath;
  sigma: Assignment;
  missing: { level: TlbLevel; need: Reach; have?: Reach };
  cov: Coverage;
  anchor: { line: number; callee: string };
  what: string;
  unseen?: string;
  unknown?: string;
}

/** Atoms that matter on a path: its conditions', the gather's fields, and the flag arguments of its calls. */
function pathAtoms(path: ArchPath, f: ArchFunction, g: string | undefined, arch: string): { conds: ParsedConds['conds']; condAtoms: readonly string[]; atoms: string[] } {
  const { conds, atoms: condAtoms } = condsOf(path, f);
  const atoms = new Set(condAtoms);
  // The gather's fields first, most common first: the first violating assignment found is the simplest to read.
  const fields = g === undefined ? [] : ['cleared_ptes', 'cleared_pmds', 'freed_tables', 'cleared_puds', 'cleared_p4ds', 'fullmm'].map((x) => `${g}->${x}`);
  for (const call of path.calls) {
    const prim = ARCH_PRIMITIVES[arch]?.[call.name];
    for (const i of [prim?.leafArg, prim?.reachArg]) {
      const a = i === undefined ? undefined : call.args[i];
      if (a !== undefined) atomsOf(parseFormula(a, f.locals), atoms);
    }
  }
  return { conds, condAtoms, atoms: [...fields, ...[...atoms].filter((a) => !fields.includes(a)).sort()] };
}

function describeSigma(sigma: Assignment, conds: ArchPath['conds'], g: string | undefined): string {
  const parts: string[] = [];
  for (const [a, v] of sigma) {
    if (g !== undefined && a.startsWith(`${g}->`)) {
      if (v) parts.push(a);
    } else if (conds.some((c) => c.cond.replace(/\s+/g, '').includes(a))) parts.push(v ? a : `!${a}`);
  }
  return parts.length ? parts.join(' && ') : 'this path runs';
}

function changedLines(img: FunctionImage): Set<number> {
  const out = new Set<number>();
  img.lineInfo.forEach((l, i) => {
    if (l.diff === 'add' || l.diff === 'del') out.add(i + 1);
  });
  return out;
}

function touches(path: ArchPath, changed: ReadonlySet<number>): boolean {
  return path.conds.some((c) => changed.has(c.line)) || path.calls.some((c) => changed.has(c.line)) || (path.ret !== undefined && changed.has(path.ret.line));
}

/**
 * The first violation of each path of an arch hook or hint producer the patch changes. A function with both images
 * is judged on every path of each: a violation the patch introduces or removes may sit on a path no changed line
 * lies on (a new early return moves the others' conditions; an added test splits a path off), and the engine tells
 * introduced from pre-existing, and fixed from still there, by comparing the same violation kind across the two
 * images, which needs each image searched whole. A function only one image has is all changed lines.
 */
export function archFlushViolations(fn: FunctionView, side: Side, img: FunctionImage, siblings: readonly FunctionView[]): ArchViolation[] {
  const arch = archOfPath(fn.path);
  const named = ARCH_HOOKS[fn.name];
  const hook = named && (named.arch === undefined || named.arch === arch) ? named : undefined;
  const hint = HINT_PRODUCERS[fn.name];
  if (!arch || (!hook && !(hint && hint.arch === arch))) return [];
  const parsed = parsedImage(img);
  if (!parsed) return [];
  const changed = changedLines(img);
  const whole = fn.pre !== undefined && fn.post !== undefined;
  const g = hint || hook?.kind === 'gather' ? gatherVar(img.text) : undefined;
  const env: Env = { arch, side, siblings, locals: parsed.locals, depth: 0 };
  const out: ArchViolation[] = [];
  // A last_level parameter the header shows takes both values (the callers pass both), tested or not.
  const leafParamName = hook?.leafParam !== undefined ? paramName(img.params[hook.leafParam]) : undefined;
  // Whether the function shows it is built for SMP: asked only for a local-reach gap, answered once.
  let smp: boolean | undefined;
  for (const path of parsed.paths) {
    if (!whole && !touches(path, changed)) continue;
    const { conds, condAtoms, atoms } = pathAtoms(path, parsed, g, arch);
    if (leafParamName !== undefined && !atoms.includes(leafParamName)) atoms.push(leafParamName);
    if (atoms.length > 10) continue;
    const gap = path.conds.some((c) => c.cond.includes(CONTEXT_COND));
    const unseen = !parsed.startSeen
      ? `depends on code above the hunk: what ${fn.name}() does before the lines shown`
      : path.cut
        ? `depends on code after the hunk: the rest of ${fn.name}() may invalidate more on this path`
        : gap
          ? `depends on code between the hunks of ${fn.name}()`
          : undefined;
    for (const sigma of assignments(atoms)) {
      if (conds.some((c) => evalFormula(c.f, sigma) !== c.taken)) continue;
      // A combination that needs a field no code on this arch sets is not a state any caller produces.
      const combo = gatherCombination(sigma, g, arch, siblings, side);
      if (combo.kind === 'impossible') continue;
      let req: Coverage | undefined;
      let cov: Coverage = {};
      let unknown: string | undefined;
      let calleeUnseen: string | undefined;
      let anchor: { line: number; callee: string } | undefined;
      let what: string;
      if (hint && hint.arch === arch) {
        const n = path.ret && /^\d+$/.test(path.ret.value) ? Number(path.ret.value) : undefined;
        const lv = n !== undefined ? hint.levels[n] : undefined;
        if (!lv || !g) break;
        req = gatherRequirement(g, arch, sigma);
        cov = { [lv]: 'all' };
        anchor = { line: path.ret!.line, callee: fn.name };
        what = `it returns the level hint ${n}, which limits the invalidation to ${LEVEL_TEXT[lv]}`;
      } else {
        const h = hook as HookContract;
        req = h.kind === 'gather' && g ? gatherRequirement(g, arch, sigma) : h.requires;
        // The parameter's name from the header, else (a hunk without it) the kernel's own name for it.
        const leafOnly = h.leafParam !== undefined ? (leafParamName ?? 'last_level') : undefined;
        if (req && (NO_WALK_CACHES.has(arch) || (h.kind === 'range' && !GENERIC_COLLAPSE_FLUSH.has(arch)) || (leafOnly !== undefined && sigma.get(leafOnly) !== false))) {
          req = { ...req };
          delete req.table;
        }
        const flushes: Array<{ call: ArchCall; cov: Coverage }> = [];
        for (const call of path.calls) {
          const r = coverOfCall(call, sigma, env);
          unknown ??= r.unknown;
          calleeUnseen ??= r.unseen;
          if (r.flush || Object.keys(r.cov).length) flushes.push({ call, cov: r.cov });
          cov = join(cov, r.cov);
        }
        const miss = req ? firstMissing(configured(req, sigma) ?? {}, cov) : undefined;
        if (!miss) continue;
        // Calls whose coverage is unknown and no known invalidation on the path: no evidence either way.
        if (unknown && !flushes.some((x) => Object.keys(x.cov).length > 0)) break;
        // A path that shows no invalidation and runs into code the image does not show: the flush may simply be
        // there. Nothing to judge.
        if ((unseen || calleeUnseen) && flushes.length === 0) break;
        const narrow = [...flushes].reverse().find((x) => x.cov[miss.level] !== undefined) ?? flushes[0];
        const lastCond = path.conds[path.conds.length - 1];
        anchor = narrow ? { line: narrow.call.line, callee: narrow.call.name } : lastCond ? { line: lastCond.line, callee: fn.name } : { line: path.ret?.line ?? 1, callee: fn.name };
        what = !narrow
          ? 'this path invalidates nothing'
          : miss.have
            ? `${narrow.call.name}(${narrow.call.args.join(', ')}) reaches only ${miss.have === 'local' ? 'the CPU it runs on' : 'the CPUs the mm is active on, not lazy-TLB ones'}`
            : `${narrow.call.name}(${narrow.call.args.join(', ')}) does not invalidate ${LEVEL_TEXT[miss.level]}`;
      }
      if (!req) continue;
      const miss = firstMissing(configured(req, sigma) ?? {}, cov);
      if (!miss) continue;
      const u = unseen ?? calleeUnseen;
      // A condition of unknown meaning on the path (not the gather's, config, a feature test, an mm heuristic).
      // mm heuristics are known only as the reason for a local flush (a reach gap), never for skipping one.
      const opaque = condAtoms.find(
        (a) =>
          !(g !== undefined && a.startsWith(g) && GATHER_FIELD.test(a.slice(g.length))) &&
          !KNOWN_CONDITION.test(a) &&
          !(miss.have !== undefined && (MM_USERS_HEURISTIC.test(a) || (MM_CPUMASK_UNKEPT.has(arch) && MM_CPUMASK_TEST.test(a)))),
      );
      if (combo.kind === 'unknown' && !unknown) unknown = combo.question;
      if (opaque && !unknown) unknown = `whether anything can be cached when ${opaque} is ${sigma.get(opaque) ? 'true' : 'false'} depends on what that condition means, which the arch flush catalogue does not know`;
      // A flush that reaches only its own CPU is wrong on SMP; a definition built for uniprocessors only (inside an
      // #ifndef CONFIG_SMP the hunk may not show) is right. SMP shows in the function itself: a broadcast on another
      // path, or a test of how many CPUs may use the mm.
      if (miss.have === 'local' && !unknown && !(smp ??= smpEvidence(parsed, env))) {
        unknown = `${fn.name}() shows no sign of being built for SMP (no broadcast invalidation, no test of the mm's users or CPUs): if this definition is the uniprocessor one (#ifndef CONFIG_SMP, outside what the patch shows), a local flush is all it owes`;
      }
      out.push({ fn, hook: fn.name, arch, path, sigma, missing: miss, cov, anchor, what, ...(u ? { unseen: u } : {}), ...(unknown ? { unknown } : {}) });
      break;
    }
  }
  return out;
}

/** Does the function show that it runs on SMP: a broadcast invalidation on some path, or a test of the mm's CPUs or users? */
function smpEvidence(f: ArchFunction, env: Env): boolean {
  for (const p of f.paths) {
    if (p.conds.some((c) => /\bmm_users\b|\bmm_cpumask\b|\bcpumask_\w+|current->(?:active_)?mm\b|CONFIG_SMP/.test(c.cond))) return true;
    for (const c of p.calls) {
      const r = coverOfCall(c, new Map(), env);
      if (EVERY_LEVEL.some((l) => r.cov[l] !== undefined && r.cov[l] !== 'local')) return true;
    }
  }
  return false;
}

/** The requirement the coverage misses: an entry kind not invalidated at all first, else one not reached (PTE first). */
function firstMissing(req: Coverage, cov: Coverage): ArchViolation['missing'] | undefined {
  const out: Array<ArchViolation['missing']> = [];
  // Widest entry kind first (walk cache, block leaf, PTE leaf).
  for (const level of [...EVERY_LEVEL].reverse()) {
    const need = req[level];
    if (need === undefined) continue;
    const have = cov[level];
    if (have === undefined || REACH_ORDER[have] < REACH_ORDER[need]) out.push({ level, need, ...(have ? { have } : {}) });
  }
  return out.find((m) => m.have === undefined) ?? out.find((m) => m.level === 'pte') ?? out[0];
}

/** A step of the modelled context around the hook (negative id: not an event of the image). */
function step(kind: Event['kind'], callee: string, args: Record<string, string>, text: string, attrs: Event['attrs'] = {}, loc: Event['loc'] = { line: 1, column: 0 }): PathStep {
  return { step: 'event', id: -1, kind, callee, args, attrs, loc, text };
}

/** The path the simulator runs: the entry changed under the PTL, the hook's invalidation (as covered), the free. */
function modelPath(v: ArchViolation, fixed: boolean, at: Event['loc']): EventPath {
  const lvl = v.missing.level;
  const change =
    lvl === 'table'
      ? ARCH_HOOKS[v.hook]?.kind === 'collapse'
        ? 'pmdp_collapse_flush(): the PMD that points to a page table cleared, the table then freed or reused (khugepaged)'
        : 'free_pgtables(): pmd_clear() of a PMD that points to a page table, pte_free_tlb() (tlb->freed_tables)'
      : lvl === 'pmd'
        ? 'a huge (PMD-level) entry cleared (zap_huge_pmd(), huge_ptep_clear_flush())'
        : 'zap_pte_range(): ptep_get_and_clear_full(), the page gathered';
  const steps: PathStep[] = [
    step('pte-map-lock', 'pte_offset_map_lock', { lock: 'ptl', pte: 'pte' }, `${change}: page-table lock taken`, { lockClass: 'ptl' }),
    step('pte-clear', 'ptep_get_and_clear', { pte: 'pte' }, change, { effects: ['clear'] }),
  ];
  const has = Object.keys(v.cov).length > 0;
  if (fixed) steps.push(step('tlb-flush', v.hook, { mm: 'mm' }, `${v.hook}(): an invalidation of every level on every CPU`, { scope: 'mm' }, at));
  else if (has) {
    const attrs: Event['attrs'] = { scope: 'mm' };
    if (v.missing.have) attrs.flushCpus = 'local';
    else attrs.flushLevels = EVERY_LEVEL.filter((l) => v.cov[l] !== undefined);
    steps.push(step('tlb-flush', v.anchor.callee, { mm: 'mm' }, `${v.fn.name}(): ${v.what}`, attrs, at));
  }
  steps.push(step('pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }, 'page-table lock released', { lockClass: 'ptl' }));
  steps.push(step('page-free', lvl === 'table' ? 'tlb_remove_table' : 'tlb_batch_pages_flush', { page: 'page', pte: 'pte' }, lvl === 'table' ? 'tlb_remove_table(): the page-table page is freed after the flush' : 'the page is freed after the flush'));
  steps.push({ step: 'control', kind: 'return', loc: { line: 1, column: 0 } });
  return { steps, complete: true };
}

const HOOK_TEXT: Record<string, string> = {
  gather: 'the mmu_gather flush hook',
  page: 'a page flush',
  range: 'a range flush',
  mm: 'the mm flush',
  collapse: 'the PMD collapse flush',
};

const SUGGEST: Record<TlbLevel, string> = {
  table: 'invalidate the walk caches too when page tables were freed (a non-leaf invalidation without a level hint, or the whole mm)',
  pmd: 'drop the level hint (or derive it from what was cleared) so that block entries are invalidated too',
  pte: 'invalidate the PTE-level entries the caller changed',
};

/** The candidate of an arch-flush violation, for flush-under-ptl's report(). */
export function archFlushCandidate(v: ArchViolation, img: FunctionImage): Omit<Candidate, 'rule' | 'message' | 'side' | 'messageId'> & { messageId: ArchFlushMessageId } {
  const info = img.lineInfo[v.anchor.line - 1] ?? {};
  const text = (img.text.split('\n')[v.anchor.line - 1] ?? '').trim();
  const anchor: Event = {
    id: TEXT_ANCHOR_BASE - v.anchor.line,
    kind: 'tlb-flush',
    callee: v.anchor.callee,
    args: {},
    attrs: {},
    loc: { line: v.anchor.line, column: 0, ...(info.fileLine !== undefined ? { fileLine: info.fileLine } : {}), ...(info.diff ? { diff: info.diff } : {}), ...(info.inputLine !== undefined ? { inputLine: info.inputLine } : {}) },
    text,
  };
  const hook = ARCH_HOOKS[v.hook];
  const hint = HINT_PRODUCERS[v.hook];
  const contract = hook ? `${hook.contract} (${HOOK_TEXT[hook.kind]}; ${hook.cites})` : `give a level hint that every entry the gather flush must drop is at (${hint?.cites ?? ''})`;
  const reachGap = v.missing.have !== undefined;
  const g = /->/.test([...v.sigma.keys()].join(' ')) ? [...v.sigma.keys()].find((a) => a.includes('->'))?.split('->')[0] : undefined;
  return {
    messageId: 'archFlushShort',
    data: {
      fn: v.fn.name,
      arch: v.arch,
      contract,
      when: describeSigma(v.sigma, v.path.conds, g),
      what: v.what,
      entry: LEVEL_TEXT[v.missing.level],
      cpu: reachGap ? (v.missing.have === 'local' ? 'the other CPUs' : 'lazy-TLB CPUs') : 'every CPU',
      page: v.missing.level === 'table' ? 'page-table page' : 'page',
    },
    anchor,
    related: [],
    path: modelPath(v, false, anchor.loc),
    hazard: {
      kind: 'arch-flush-coverage',
      invariants: ['no-stale-access'],
      adversaries: ['user-reader'],
      arch: [v.arch === 'arm64' ? 'arm64' : 'x86'],
      context: ['mm-live', `tlb-level:${v.missing.level}`],
      ...(v.unknown ? { unknown: v.unknown } : {}),
    },
    suggestion: { text: reachGap ? 'use the broadcast form of the invalidation: mm_users and mm_cpumask do not bound the CPUs that may cache the mm' : SUGGEST[v.missing.level], path: modelPath(v, true, anchor.loc) },
    ...(v.unseen ? { unseen: v.unseen } : {}),
  };
}

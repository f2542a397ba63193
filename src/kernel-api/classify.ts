/**
 * Interprets the catalogue for one call site: argument roles, lock classes from lock expressions, version-dependent
 * forms (tlb_gather_mmu fullmm, gup write/flags, GFP sleeping) and alias resolution. Pure.
 */
import type { EventAttrs } from '../core/events.ts';
import type { KernelOpKind, LockClass } from '../core/ops.ts';
import {
  ATOMIC_GFP,
  CATALOGUE,
  ITERATOR_PATTERN,
  LOCK_GETTERS,
  MMAP_LOCK_EXPR,
  PMD_PTL_EXPR,
  PTL_EXPR,
  PURE_HELPERS,
  SLEEPING_GFP,
  VALUE_IDENTITIES,
  VALUE_TRANSFORMS,
  type ApiEntry,
} from './catalogue.ts';

/** What the classifier needs to know about local data flow. */
export interface AliasEnv {
  /** Lock class learnt from assignments (`ptl = pte_lockptr(...)`, `ptl = pmd_lock(...)`). */
  lockClassOf(expr: string): LockClass | undefined;
  /** Root name of a PTE pointer (`orig_pte` → `pte` after `orig_pte = pte = ...`); identity when unknown. */
  resolvePte(expr: string): string;
}

/** A call as written. Argument texts are whitespace-normalised C expressions. */
export interface CallSite {
  callee: string;
  args: string[];
  /** Variable that receives the result (`x = f()` / `T x = f()`). */
  result?: string;
}

/** The classification of a call: an event kind with roles, or `null` when the call is a pure helper. */
export interface Classified {
  kind: KernelOpKind;
  args: Record<string, string>;
  attrs: EventAttrs;
  /** Index of the argument carrying the written PTE value (its effects are computed by the caller). */
  valueArg?: number;
}

/** Collapse whitespace in an expression. */
export function normExpr(s: string): string {
  return s
    .replace(/\s+/g, ' ')
    .replace(/\s*(->|\.)\s*/g, '$1')
    .replace(/\(\s+/g, '(')
    .replace(/\s+\)/g, ')')
    .trim();
}

/** Strip `&` and redundant parentheses: `&ptl` → `ptl`, `&(vmf->ptl)` → `vmf->ptl`. */
export function stripAddr(s: string): string {
  let t = s.trim();
  if (t.startsWith('&')) t = t.slice(1).trim();
  while (t.startsWith('(') && t.endsWith(')') && balanced(t.slice(1, -1))) t = t.slice(1, -1).trim();
  return t;
}

/** Are the parentheses of `s` balanced (no prefix closes more than it opened)? */
export function balanced(s: string): boolean {
  let d = 0;
  for (const ch of s) {
    if (ch === '(') d++;
    else if (ch === ')' && --d < 0) return false;
  }
  return d === 0;
}

/** Strip pointer arithmetic used at unlock time: `pte - 1` → `pte`, `orig_pte + i` → `orig_pte`. */
export function stripPteOffset(s: string): string {
  return stripAddr(s).replace(/\s*[-+]\s*(?:\d+|\w+)$/, '').trim();
}

/** Lock class from a lock expression's spelling and learnt aliases. */
export function lockClassOfExpr(expr: string, env?: AliasEnv): LockClass {
  const e = stripAddr(expr);
  const learnt = env?.lockClassOf(e);
  if (learnt) return learnt;
  if (PTL_EXPR.test(e)) return 'ptl';
  if (PMD_PTL_EXPR.test(e)) return 'pmd-ptl';
  if (MMAP_LOCK_EXPR.test(e)) return 'mmap';
  if (/(?:^|->|\.)mmu_lock$/.test(e)) return 'mmu';
  return 'spin';
}

/** Catalogue lookup with the `__mmu_notifier_*` internal spellings folded onto the public names. */
export function lookup(callee: string): ApiEntry | undefined {
  const direct = CATALOGUE[callee];
  if (direct) return direct;
  if (callee.startsWith('__mmu_notifier_')) return CATALOGUE[callee.slice(2)];
  return undefined;
}

/** True for calls that produce no event (pure predicates, value transforms, iterator macros). */
export function isPureCall(callee: string): boolean {
  return (
    PURE_HELPERS.has(callee) ||
    callee in VALUE_TRANSFORMS ||
    VALUE_IDENTITIES.has(callee) ||
    callee in LOCK_GETTERS ||
    ITERATOR_PATTERN.test(callee)
  );
}

function rolesFor(entry: ApiEntry, arity: number): readonly string[] {
  return entry.byArity?.[arity] ?? entry.roles ?? [];
}

const FULLMM_END = /^(?:-1|-1UL|-1L|~0|~0UL|~0ULL|ULONG_MAX|\(unsigned long\)\s*-1|TLB_FLUSH_ALL)$/;

/** Classify one call site. Returns null for pure helpers; unknown calls become opaque `call` events. */
export function classifyCall(site: CallSite, env?: AliasEnv): Classified | null {
  const { callee } = site;
  const args = site.args.map(normExpr);
  if (isPureCall(callee)) return null;
  const entry = lookup(callee);
  if (!entry) {
    const out: Record<string, string> = {};
    args.forEach((a, i) => (out[`arg${i}`] = a));
    return { kind: 'call', args: out, attrs: { opaque: true } };
  }
  let kind: KernelOpKind = entry.kind;
  const attrs: EventAttrs = { ...(entry.attrs ?? {}) };
  if (attrs.effects) attrs.effects = [...attrs.effects];
  if (attrs.releases) attrs.releases = [...attrs.releases];
  const roles = rolesFor(entry, args.length);
  const out: Record<string, string> = {};
  let valueArg: number | undefined;
  roles.forEach((role, i) => {
    const a = args[i];
    if (!role || a === undefined) return;
    if (role === entry.valueRole) valueArg = i;
    if (role === 'lock' || role === 'range' || role === 'tlb' || role === 'walk') out[role] = stripAddr(a);
    else if (role === 'pte') out[role] = env ? env.resolvePte(stripPteOffset(a)) : stripPteOffset(a);
    else out[role] = a;
  });
  if (entry.resultRole && site.result) {
    out[entry.resultRole] = entry.resultRole === 'pte' && env ? env.resolvePte(site.result) : site.result;
  }
  if (entry.lockClass) attrs.lockClass = entry.lockClass;

  switch (entry.hook) {
    case 'spin':
      attrs.lockClass = lockClassOfExpr(out.lock ?? '', env);
      break;
    case 'double-pt': {
      attrs.lockClass = lockClassOfExpr(out.lock ?? '', env);
      const second = out.lock2 === undefined ? '' : stripAddr(out.lock2);
      delete out.lock2;
      if (kind === 'unlock' && second !== '' && second !== out.lock) attrs.releases = [...(attrs.releases ?? []), second];
      break;
    }
    case 'rwsem': {
      const lock = out.lock ?? '';
      if (MMAP_LOCK_EXPR.test(lock)) {
        attrs.lockClass = 'mmap';
        if (kind === 'lock') kind = 'mmap-lock';
        else if (kind === 'unlock') kind = 'mmap-unlock';
        const mm = lock.replace(MMAP_LOCK_EXPR, '').replace(/->$|\.$/, '');
        if (mm) out.mm = mm;
      } else {
        attrs.lockClass = 'other';
      }
      break;
    }
    case 'gather-init':
      if (args.length === 2 && /^(?:0|1)$/.test(args[1] ?? '')) {
        // ≤2.6.x: `tlb = tlb_gather_mmu(mm, full_mm_flush)`
        attrs.fullmm = args[1] === '1';
        delete out.mm;
        out.mm = args[0] ?? '';
        if (site.result) out.tlb = site.result;
        else delete out.tlb;
      } else if (args.length === 2) attrs.fullmm = false;
      else if (args.length === 3) {
        const f = args[2] ?? '';
        if (/^(?:0|false)$/.test(f)) attrs.fullmm = false;
        else if (/^(?:1|true)$/.test(f)) attrs.fullmm = true;
      } else if (args.length === 4) {
        attrs.fullmm = /^0(?:UL)?$/.test(args[2] ?? '') && FULLMM_END.test(args[3] ?? '');
      }
      break;
    case 'gup':
      Object.assign(out, gupArgs(callee, args));
      applyGupWrite(callee, args, attrs);
      break;
    case 'fault': {
      const all = args.join(' ');
      if (/\bFAULT_FLAG_WRITE\b/.test(all)) attrs.write = true;
      const flags = all.match(/\bFAULT_FLAG_\w+/g);
      if (flags) out.flags = [...new Set(flags)].join('|');
      break;
    }
    case 'gfp': {
      const gfp = args.find((a) => /GFP_/.test(a));
      if (gfp) out.gfp = gfp;
      const sleeps = gfp ? SLEEPING_GFP.test(gfp) && !ATOMIC_GFP.test(gfp) : false;
      if (sleeps) attrs.sleeps = true;
      else kind = 'call';
      // A mask the text does not spell in GFP constants alone (`gfp`, `c->gfp`, `mapping_gfp_mask(m)`,
      // `gfp | __GFP_ZERO`) may or may not allow direct reclaim: not a sleep, but not known not to be one.
      const unread = unreadGfpMask(args, gfp);
      if (!sleeps && !(gfp && ATOMIC_GFP.test(gfp)) && unread !== undefined) {
        attrs.unresolved = { what: 'gfp-mask', question: `does the GFP mask ${unread === '' ? `of ${callee}()` : `\`${unread}\``} allow direct reclaim (then ${callee}() may sleep)?` };
      }
      break;
    }
    case 'do-wp-page': {
      const ptl = args.length === 1 ? `${stripAddr(args[0] ?? 'vmf')}->ptl` : (args[5] ?? 'ptl');
      attrs.releases = [stripAddr(ptl)];
      if (args.length > 1) {
        out.pte = env ? env.resolvePte(stripPteOffset(args[3] ?? '')) : stripPteOffset(args[3] ?? '');
        out.lock = stripAddr(ptl);
      }
      break;
    }
    case 'cydp': {
      // CYDP_CLEAR_DIRTY named in the flags: each entry is cleaned in place (a commit of the cleaned value).
      const flags = args[4] ?? '';
      if (/\bCYDP_CLEAR_DIRTY\b/.test(flags)) {
        kind = 'pte-modify-commit';
        attrs.effects = /\bCYDP_CLEAR_YOUNG\b/.test(flags) ? ['clean', 'mkold'] : ['clean'];
        attrs.inPlace = true;
      }
      break;
    }
    case 'walk': {
      const w = out.walk ?? 'pvmw';
      out.pte = `${w}.pte`;
      out.lock = `${w}.ptl`;
      break;
    }
    default:
      break;
  }
  const result: Classified = { kind, args: out, attrs };
  if (valueArg !== undefined) result.valueArg = valueArg;
  return result;
}

/**
 * The GFP mask argument of an allocation when the text does not spell it in GFP constants alone: the argument that
 * names GFP_ / __GFP_ flags together with anything else, or one that names `gfp` (`gfp`, `gfp_mask`, `c->gfp`,
 * `mapping_gfp_mask(mapping)`); '' when no argument looks like a mask (`kmalloc(size, flags)`); undefined when the
 * mask is readable (only GFP constants).
 */
function unreadGfpMask(args: readonly string[], gfp: string | undefined): string | undefined {
  const mask = gfp ?? args.find((a) => /gfp/i.test(a));
  if (mask === undefined) return '';
  const others = (mask.match(/[A-Za-z_]\w*/g) ?? []).filter((id) => !/^_*GFP_\w+$/.test(id));
  return others.length > 0 ? mask : undefined;
}

/** FOLL_* flag names and the mm/address arguments of a gup-style call. */
function gupArgs(callee: string, args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const flags = args.join(' ').match(/\bFOLL_\w+/g);
  if (flags) out.flags = [...new Set(flags)].join('|');
  if (callee.startsWith('follow_page') || callee === 'follow_pmd_mask') {
    if (args[0]) out.vma = args[0];
    if (args[1]) out.addr = args[1];
  } else {
    const mm = args.find((a) => /(?:^|->|\.)(?:vm_)?mm$/.test(a));
    if (mm) out.mm = mm;
  }
  return out;
}

/** Positional write argument of pre-4.9 signatures (`get_user_pages(tsk, mm, start, nr, write, force, ...)`). */
const OLD_WRITE_ARG: Readonly<Record<string, Readonly<Record<number, number>>>> = {
  get_user_pages: { 8: 4, 6: 2 },
  get_user_pages_remote: { 8: 4 },
  get_user_pages_unlocked: { 7: 4, 5: 2 },
  get_user_pages_fast: { 4: 2 },
  __get_user_pages_fast: { 4: 2 },
};

function applyGupWrite(callee: string, args: string[], attrs: EventAttrs): void {
  const all = args.join(' ');
  if (/\bFOLL_WRITE\b/.test(all)) {
    attrs.write = true;
    return;
  }
  const idx = OLD_WRITE_ARG[callee]?.[args.length];
  const a = idx === undefined ? undefined : args[idx];
  if (a === undefined) {
    if (/\bFOLL_\w+/.test(all)) attrs.write = false;
    return;
  }
  if (/^(?:1|true)$/.test(a)) attrs.write = true;
  else if (/^(?:0|false)$/.test(a)) attrs.write = false;
  else if (/\bFOLL_\w+/.test(a)) attrs.write = false;
}

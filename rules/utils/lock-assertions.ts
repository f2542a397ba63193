/**
 * The code's own statements about the locks it holds (src/kernel-api/lock-assertions.ts): `lockdep_assert_held(l)`,
 * `assert_spin_locked(l)`, `mmap_assert_write_locked(mm)`, `i_mmap_assert_write_locked(mapping)` ... read from the
 * image's text (lockdep assertions are no events: the front end drops them as pure). Each names the lock the way
 * the lock model names locks (the expression normalised, address-of stripped; an mm wrapper's owner turned into the
 * lock it asserts), so an assertion on another lock instance (a parameter vs. a local) is never taken as evidence.
 */
import type { FunctionImage } from '../../src/core/events.ts';
import type { LockClass } from '../../src/core/ops.ts';
import { LOCK_ASSERTIONS } from '../../src/kernel-api/lock-assertions.ts';
import { lockClassOfExpr } from '../../src/kernel-api/classify.ts';
import type { Event } from '../../src/core/events.ts';
import { callArgs, isPtlAcquire, isPtlRelease, lockOf, norm } from './paths.ts';

export interface HeldAssertion {
  /** Image line (1-based) of the assertion. */
  line: number;
  callee: string;
  /** The lock expression, normalised like lockOf() (`ptl`, `vmf->ptl`, `mm->mmap_lock`). */
  lock: string;
  cls: LockClass;
  mode: 'any' | 'read' | 'write';
  /** A statement of the function body's top level (one tab, kernel style): it runs on every path through it. */
  topLevel: boolean;
}

const CACHE = new WeakMap<FunctionImage, HeldAssertion[]>();
const NAMES = new RegExp(`\\b(${Object.keys(LOCK_ASSERTIONS).join('|')})\\s*\\(`, 'g');

/** The lock assertions of an image, in text order (each once per line and callee). */
export function heldAssertions(image: FunctionImage): HeldAssertion[] {
  let out = CACHE.get(image);
  if (out) return out;
  out = [];
  const lines = image.text.split('\n');
  lines.forEach((text, k) => {
    // Comments say nothing the compiler checks.
    const code = text.replace(/\/\/.*$/, '').replace(/\/\*.*?\*\//g, '');
    for (const m of code.matchAll(NAMES)) {
      const callee = m[1] as string;
      const spec = LOCK_ASSERTIONS[callee];
      if (!spec) continue;
      // The call's text up to its closing parenthesis, which may continue on the next lines.
      const from = code.slice(m.index ?? 0);
      const call = [from, ...lines.slice(k + 1, k + 4)].join('\n');
      const arg = callArgs(call)[spec.arg];
      if (arg === undefined || !/^[&*(\s]*[A-Za-z_][\w>.\-()\s,]*$/.test(arg)) continue;
      const a = norm(arg).replace(/^\*/, '');
      const lock = norm(spec.lock ? spec.lock(a) : a);
      const topLevel = /^(?:\t| {8})(?![\t ])/.test(text);
      out.push({ line: k + 1, topLevel, callee, lock, cls: spec.cls ?? (/(?:^|->|\.)i_mmap_rwsem$/.test(lock) ? 'i_mmap' : lockClassOfExpr(lock)), mode: spec.mode });
    }
  });
  CACHE.set(image, out);
  return out;
}

const PTL_CLASSES: ReadonlySet<LockClass> = new Set(['ptl', 'pmd-ptl']);

/** Events that read or change a page-table entry. */
const ENTRY_KINDS: ReadonlySet<string> = new Set(['pte-read', 'pte-set', 'pte-clear', 'pte-clear-flush', 'pte-same', 'pte-modify-start', 'pte-modify-commit', 'pte-wrprotect', 'pte-mkold', 'pte-set-access-flags', 'pte-fixup-young-dirty']);

/** Is the event a page-table-lock operation (take, trylock, release)? */
function ptlEvent(e: Event): boolean {
  return isPtlAcquire(e) || isPtlRelease(e);
}

/**
 * The page-table lock the code asserts it holds, as evidence the engine can use (src/engine/unseen.ts): top-level
 * assertions of a page-table lock (`lockdep_assert_held(ptl)`, `assert_spin_locked(vmf->ptl)`) in an image whose
 * page-table-lock operations all name that same lock. An image that names another page-table lock too (a source
 * and a destination table) gets none: which of them protects an entry is not for an assertion of one to say.
 * `beforeAll`: the assertion precedes every page-table-lock operation of the image (held on entry, in a whole
 * function). Lines are file lines when the image knows them.
 */
export function assertedPtl(image: FunctionImage): AssertedPtl | undefined {
  if (ASSERTED_PTL.has(image)) return ASSERTED_PTL.get(image);
  const found = findAssertedPtl(image);
  ASSERTED_PTL.set(image, found);
  return found;
}

/** The page-table lock an image asserts held (assertedPtl()). */
export interface AssertedPtl {
  lock: string;
  fileLines: number[];
  beforeAll: boolean;
}

/** assertedPtl() per image: read by the rules on every path and by the engine for every candidate. */
const ASSERTED_PTL = new WeakMap<FunctionImage, AssertedPtl | undefined>();

function findAssertedPtl(image: FunctionImage): AssertedPtl | undefined {
  const asserted = heldAssertions(image).filter((a) => a.topLevel && PTL_CLASSES.has(a.cls));
  const locks = new Set(asserted.map((a) => a.lock));
  if (locks.size !== 1) return undefined;
  const lock = [...locks][0] as string;
  const ops = image.events.filter(ptlEvent);
  if (ops.some((e) => lockOf(e) !== lock)) return undefined;
  // The lock must be the one of the entries the image reads and writes: a PTE table's lock says nothing about a PMD
  // entry, nor the PMD lock about a PTE (split page-table locks).
  const pmdLock = asserted.every((a) => a.cls === 'pmd-ptl');
  const upper = (e: Event): boolean => e.attrs.level === 'pmd' || e.attrs.level === 'pud';
  if (image.events.some((e) => ENTRY_KINDS.has(e.kind) && upper(e) !== pmdLock)) return undefined;
  const first = Math.min(...asserted.map((a) => a.line));
  const fileLine = (l: number): number => image.lineInfo[l - 1]?.fileLine ?? l;
  return { lock, fileLines: asserted.map((a) => fileLine(a.line)), beforeAll: ops.every((e) => e.loc.line > first) };
}

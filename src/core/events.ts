/**
 * What the C front end hands to rules: per changed function, the pre- and post-image text and its event paths.
 * Data only.
 */
import type { KernelOpKind, LockClass, PteEffect, FlushScope, TlbLevel, FlushCpus } from './ops.ts';

/** A position in a function image, mapped back to the diff and the input. */
export interface SourceLoc {
  /** 1-based line inside the function image text. */
  line: number;
  /** 0-based column. */
  column: number;
  /** Line number in the file on this image's side (old file for pre, new file for post), when known. */
  fileLine?: number;
  /** Diff line kind of this line when it is in the diff ('add' only on post, 'del' only on pre), else undefined. */
  diff?: 'add' | 'del' | 'ctx';
  /** 1-based line in the input (patch file / message body) when the line appears in the diff. */
  inputLine?: number;
}

/** Extra facts about an event, filled from the catalogue and local data flow. */
export interface EventAttrs {
  lockClass?: LockClass;
  /**
   * With `sleeps`: the call sleeps only under this condition (a page-table allocator sleeps only when the level is
   * missing), which the code around it may rule out (tables preallocated): a finding resting on it is a question.
   */
  sleepsWhen?: string;
  /**
   * An argument the op's effect depends on that the text does not spell out (a GFP mask passed as a parameter, read
   * from a field, or computed: mapping_gfp_mask()). `gfp-mask`: the call may or may not sleep; `question` asks it.
   */
  unresolved?: { what: 'gfp-mask'; question: string };
  /** rwsem mode. */
  mode?: 'read' | 'write';
  /** PTE writes: what the written value lost or gained relative to what was read (local value tracking). */
  effects?: PteEffect[];
  /**
   * A page copy (catalogue PAGE_COPIES) whose source is the page of the entry in `args.pte`: the model allocates
   * the copy page with that page's data (rules/utils/clear-then-copy.ts).
   */
  copyInto?: boolean;
  /** A PTE write that installs the page a `copyInto` event made (the model maps the copy). */
  mapsCopy?: boolean;
  /**
   * PTE writes: the call reads the current entry itself and writes it back with `effects` (clear_young_dirty_ptes():
   * an in-place update of whatever the entry holds), so the written value never comes from an earlier read.
   */
  inPlace?: boolean;
  scope?: FlushScope;
  fullmm?: boolean;
  /** Notifier start/end: may the callback sleep (`_nonblock` → false). */
  blockable?: boolean;
  /** `mmu_notifier_invalidate_range_end_only` / `_only` variants. */
  only?: boolean;
  /** The call may sleep. */
  sleeps?: boolean;
  /** The callee releases this lock expression itself (do_wp_page → vmf->ptl, handle_userfault → mmap_lock). */
  releases?: string[];
  /** gup flags: write access requested; FOLL_FIXFAULT-like "fix the fault" semantics requested. */
  write?: boolean;
  fixfault?: boolean;
  /** The call also notifies secondary MMUs (set_pte_at_notify, ptep_clear_flush_notify). */
  notifies?: boolean;
  /** The call also flushes the TLB for this PTE (ptep_clear_flush). */
  flushes?: boolean;
  /** Not in the catalogue: kept as context. */
  opaque?: boolean;
  /** Page-table level of the entry a PTE-family op reads or writes (absent: a PTE, or a hugetlb entry of any level). */
  level?: 'pte' | 'pmd' | 'pud';
  /**
   * The entry maps a whole region of this level (it points at a lower table: huge_pmd_unshare() clears a PUD entry
   * that maps PUD_SIZE): a flush must cover that region, not just the address the call was given.
   */
  extent?: 'pmd' | 'pud';
  /**
   * Held in write mode, the lock excludes every other user of the entries it guards (hugetlb_vma_lock_write():
   * hugetlb faults, zaps and PMD sharing take it for read); with i_mmap_rwsem held for write it serialises a
   * hugetlb deferral like a page-table lock.
   */
  excludes?: 'hugetlb-users';
  /** The effect happens only when the call returns non-zero (huge_pmd_unshare() clears only a shared PMD table). */
  onlyIfTrue?: boolean;
  /** flush-defer: the deferral is announced to other paths taking the same page-table lock. */
  announces?: boolean;
  /**
   * tlb-flush (set by a rule on a candidate's path): the flushed range was found to lie past every entry the path
   * changed before it (its start address was advanced beyond them), so the model flushes none of them.
   */
  rangeMisses?: boolean;
  /**
   * tlb-flush (set by flush-under-ptl's arch-flush analysis on a modelled path): the kinds of TLB entries the arch
   * primitive drops (absent: every kind) and the CPUs it reaches (absent: all).
   */
  flushLevels?: TlbLevel[];
  flushCpus?: FlushCpus;
  /**
   * lock (set by a rule on a modelled path): a hold no pointer survives to (a PTE-table mapping whose map result the
   * code discarded). The unseen rest of a cut path cannot name it, so the engine's fragment epilogue does not
   * release it (src/engine/path-program.ts).
   */
  unreleasable?: boolean;
}

export interface Event {
  /** Index of the event in its function (stable across paths: the same call site has the same id). */
  id: number;
  kind: KernelOpKind;
  /** The called function or macro (`pte_offset_map_lock`), or an operator form (`*pte`, `pte++`). */
  callee: string;
  /** Argument roles → C expression text after alias resolution (e.g. { lock: 'ptl', pte: 'pte', mm: 'mm' }). */
  args: Record<string, string>;
  attrs: EventAttrs;
  /** Variable receiving the call's result, if any (`pte = pte_offset_map_lock(...)` → 'pte'). */
  result?: string;
  /** Variables that receive the same value through a chained assignment (`start_pte = pte = f()` → ['start_pte']). */
  resultAliases?: string[];
  loc: SourceLoc;
  /** The source text of the call expression. */
  text: string;
}

/** Control markers interleaved with events on a path. */
export type ControlStep =
  | { kind: 'branch'; cond: string; taken: boolean; loc: SourceLoc }
  | { kind: 'loop-enter'; loop: number; head: string; loc: SourceLoc }
  /** Back edge to the loop head: `continue` or falling off the end of the body. */
  | { kind: 'loop-next'; loop: number; via: 'continue' | 'end'; loc: SourceLoc }
  | { kind: 'loop-exit'; loop: number; via: 'break' | 'cond' | 'goto' | 'return'; loc: SourceLoc }
  | { kind: 'goto'; label: string; loc: SourceLoc }
  | { kind: 'label'; label: string; loc: SourceLoc }
  | { kind: 'return'; value?: string; loc: SourceLoc }
  /** Path enumeration stopped here (unrolling bound or path cap): the path is a prefix. */
  | { kind: 'truncated'; reason: string; loc: SourceLoc };

export type PathStep = ({ step: 'event' } & Event) | ({ step: 'control' } & ControlStep);

export interface EventPath {
  steps: PathStep[];
  /** True when the path ends at a return / end of function; false when it was cut by a bound. */
  complete: boolean;
  /**
   * Set when the path takes a branch that the visible code decides the other way, unless the unseen lines of a hunk
   * gap it ran changed what the branch tests (`bool notified = false;` … gap … `if (notified)` taken): the path is an
   * execution only for some contents of those lines, so a claim on it depends on them (src/c/path-feasibility.ts).
   */
  unseenBranch?: string;
}

/** One side (pre or post) of a changed function. */
export interface FunctionImage {
  /** The function text as parsed (whole function when known, else the reconstructed hunk fragment). */
  text: string;
  /** File line of text line 1, when known. */
  firstFileLine?: number;
  /** True when the text is the whole function (from a tree or full-context hunks). */
  complete: boolean;
  /** Per text line (index = line-1): diff kind and input line where the line appears in the diff. */
  lineInfo: Array<{ fileLine?: number; diff?: 'add' | 'del' | 'ctx'; inputLine?: number }>;
  /** Parameters as written (`pte_t *pte`, `struct vm_fault *vmf`). */
  params: string[];
  /**
   * For a fragment whose text does not show the function's header: the parameters that the hunk header's function
   * line (`@@ -a,b +c,d @@ static int f(struct file *file, const char __user *buf,`) shows. Evidence where a
   * parameter is present; never a complete list (diff tools cut that line), so an absent name proves nothing.
   */
  headerParams?: string[];
  /** Every event in source order (paths refer to these by id). */
  events: Event[];
  /** Paths from entry to exit, bounded (see truncated markers). */
  paths: EventPath[];
  /** Per-function problems (parse errors, path cap hit). */
  problems: string[];
  /**
   * Set when a path bound was hit (MMR011): the unrolling the paths were enumerated at (index in src/c/paths.ts
   * LOWER_UNROLLING) and whether every path at that unrolling was kept (`complete`) or the enumeration was cut.
   */
  pathBound?: { level: number; complete: boolean };
  /**
   * Context annotations of the function's header, in order (`__acquires(ptl)`, `__releases(ptl)`,
   * `__must_hold(&mm->mmap_lock)`, `__cond_acquires(...)`, `_shared` forms): what the function promises about
   * locks held on entry and exit. Absent when the header is not visible or carries none.
   */
  annotations?: ContextAnnotation[];
}

/** One context annotation of a function header. */
export interface ContextAnnotation {
  kind: 'acquires' | 'releases' | 'must-hold' | 'cond-acquires' | 'cond-releases';
  /** The argument text, whitespace-normalised (`ptl`, `&vma->vm_mm->mmap_lock`). */
  expr: string;
  /** `_shared` variants: the context is held for reading. */
  shared?: boolean;
}

export interface FunctionView {
  /** File path (new path, else old path). */
  path: string;
  name: string;
  /** Absent when the function does not exist on that side (added / removed function). */
  pre?: FunctionImage;
  post?: FunctionImage;
  /** True when any line of the function is added or removed by the patch. */
  changed: boolean;
}

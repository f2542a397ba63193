/**
 * The one data-only result type every channel renders: a `Finding`, and the `Report` of a run.
 * JSON-serialisable; no classes, no functions. Its JSON form is the public contract documented in docs/json.md.
 */
import type { Arch, InvariantName } from './sim-contract.ts';

export type Severity = 'error' | 'warning' | 'info';

/**
 * - confirmed: the simulator found a violating interleaving (trace attached)
 * - refuted: explored within the stated bounds, no violation
 * - inconclusive: a bound (states / time) was hit before a verdict
 * - unsimulated: no scenario could be built for it (reason in `simulation.note`)
 */
export type FindingStatus = 'confirmed' | 'refuted' | 'inconclusive' | 'unsimulated';

/** One row of a rendered interleaving: which CPU did what, with optional state note and source. */
export interface TraceStep {
  /** Thread index (column). */
  thread: number;
  /** What happened (`pte_mkclean()`, `write to page`). */
  action: string;
  /** Bracketed state note (`PTE clean, TLB still writable`). */
  note?: string;
  /** Source of the op when it came from the patched path. */
  source?: { path?: string; line?: number; text?: string };
  /** Set on the final step: the invariant this step violates. */
  violation?: InvariantName;
}

export interface Trace {
  /** Column labels: `CPU0 (clear_refs_write)`, `CPU1 (user)`. */
  threads: string[];
  steps: TraceStep[];
  /** One-sentence description of the violation. */
  summary: string;
}

export interface Simulation {
  arch: Arch;
  verdict: 'violation' | 'ok' | 'inconclusive';
  invariant?: InvariantName;
  states: number;
  transitions: number;
  ms: number;
  /** The bound that was hit, for inconclusive verdicts (`states>200000`, `time>2000ms`). */
  bound?: string;
  trace?: Trace;
  /** Scenario name (for `mmreview simulate` re-runs). */
  scenario?: string;
  note?: string;
}

export interface Suggestion {
  /** What to change (`flush the TLB before pte_unmap_unlock()`). */
  text: string;
  /** The simulation of the patched path with the suggestion applied. */
  verdict?: 'removes-violation' | 'still-violates' | 'not-simulated';
}

export interface Finding {
  /** Stable across rebases / line shifts / rerolls: rule + path + function + normalised code + trace signature. */
  fingerprint: string;
  rule: string;
  severity: Severity;
  status: FindingStatus;
  /** Added by this patch: post-image violates, pre-image does not. */
  introduced: boolean;
  /** Fixed by this patch: pre-image violates, post-image does not. */
  fixed: boolean;
  /** File path; '' when the diff did not name its file (a quoted or header-less fragment): see `location`. */
  path: string;
  /**
   * Where the finding sits when its file is unknown: the input (file name as given) and the message holding the
   * fragment, and the 1-based line in that input.
   */
  location?: { input: string; messageId?: string; line?: number };
  /** Line in the file on `side` (new file line for RIGHT, old for LEFT). */
  line: number;
  side: 'RIGHT' | 'LEFT';
  /** The function's name; '' when the fragment names none. */
  function: string;
  message: string;
  /** 1-based line in the input text (patch file / message body), when known. */
  inputLine?: number;
  suggestion?: Suggestion;
  patch: { id: string; subject?: string; messageId?: string; commit?: string };
  simulation?: Simulation;
  /** Related lines (e.g. where the lock is dropped, where the flush happens). */
  related?: Array<{ path: string; line: number; side: 'RIGHT' | 'LEFT'; message: string }>;
  /**
   * The verdict depends on code the tool cannot see (above the hunk, in the caller): the question that code would
   * answer (`depends on code above the hunk: is the page-table lock held at line 40?`). Set on `inconclusive`
   * findings whose violation holds under some completions of that code but not all, and on findings whose
   * introduced/fixed classification depends on it.
   */
  dependsOn?: string;
  /** Analysis bounds hit for this finding (`MMR011: path bound reached; 512 path(s) kept`, simulation budget). */
  budgets?: string[];
  /** Notes for the reader (`no mechanical fix was found`, what the simulation assumed about unseen code). */
  notes?: string[];
}

export interface RunError {
  code: string;
  message: string;
  input: string;
  line?: number;
}

export interface Report {
  tool: 'mmreview';
  version: string;
  findings: Finding[];
  errors: RunError[];
  stats: {
    inputs: number;
    patches: number;
    files: number;
    functions: number;
    candidates: number;
    simulations: number;
    ms: number;
  };
}

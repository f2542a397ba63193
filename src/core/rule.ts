/**
 * The contract between rules (rules/*.ts) and the engine (src/engine/): what a rule sees and what it reports.
 * A rule is pure: it reads the event paths of one changed function and reports candidates; the engine turns each
 * candidate into simulator scenarios, classifies it against the other image, and makes it a Finding.
 */
import type { EventPath, FunctionImage, FunctionView, Event } from './events.ts';
import type { AdversaryName, Arch, InvariantName } from './sim-contract.ts';
import type { Severity } from './finding.ts';

/** Which image of a function a candidate is about. */
export type Side = 'pre' | 'post';

/** The hazard a candidate stands for: what the simulator should try and what it should check. */
export interface Hazard {
  /** Short machine name of the hazard (`flush-after-unlock`, `unpaired-notifier`, ...). */
  kind: string;
  /** Invariants whose violation confirms the candidate. */
  invariants: InvariantName[];
  /** Adversary programs worth running against the path. */
  adversaries: AdversaryName[];
  /** Arch presets that matter (the engine runs them in order and keeps the first that fails). */
  arch: Arch[];
  /**
   * Facts about the context the path runs in, that the function's own text does not show but the rule inferred
   * (e.g. `ptl-held-on-entry` for a PTE callback whose caller holds the PTL, `flush-after-return` when the caller
   * flushes after dropping it, `mm-live` when the mm is not being torn down).
   */
  context: string[];
  /**
   * Set when the verdict depends on code the tool cannot see (callers outside the patch, a tree that is not given):
   * the reason, naming the unseen context. The engine still simulates the candidate, but a violation is reported
   * `inconclusive` with this reason (Simulation.note), never `confirmed`.
   */
  unknown?: string;
}

/**
 * Anchor ids at or below this mark a *text anchor*: a line of the image the front end has no event for (an arch
 * TLB primitive written as inline-assembly macros), anchored by a rule that read the image text itself. The id is
 * `TEXT_ANCHOR_BASE - line`; its loc carries the line's diff position like an event's.
 */
export const TEXT_ANCHOR_BASE = -100000;

/** Is this anchor a text anchor (see TEXT_ANCHOR_BASE)? */
export function isTextAnchor(ev: Event): boolean {
  return ev.id <= TEXT_ANCHOR_BASE;
}

/** A candidate finding: a rule's claim, not yet proved. */
export interface Candidate {
  rule: string;
  messageId: string;
  /** Rendered message (templates in meta.messages filled with data). */
  message: string;
  data: Record<string, string>;
  side: Side;
  /** The event the finding is anchored on (its loc maps to the diff line). */
  anchor: Event;
  /** Other events that matter (where the lock is dropped, where the flush is). */
  related: Array<{ event: Event; message: string }>;
  /** The path to simulate (as extracted by the front end). */
  path: EventPath;
  hazard: Hazard;
  /** A mechanical fix, if one exists: a text and the path rewritten with the fix applied (for simulation). */
  suggestion?: { text: string; path?: EventPath };
  /**
   * The claim depends on code the rule cannot see (above the hunk, in a caller outside the patch): the question that
   * code would answer (`depends on code above the hunk: is an invalidation window open at line 40?`). The engine
   * never reports such a candidate as confirmed: a violation found under the rule's assumption becomes
   * `inconclusive` with this reason (docs/engine.md, "Unseen code").
   */
  unseen?: string;
  /**
   * Longer paths with the same rule, side, anchor, message and hazard, shortest first (at most ALTERNATIVE_PATHS,
   * set by dedupeCandidates): the engine simulates them when no path of the group confirms, since the shortest
   * path may be one the hazard cannot occur on (a test that settles the entry was never present).
   */
  alternatives?: Candidate[];
}

export interface RuleMeta {
  /** Equals the file stem in rules/. */
  id: string;
  severity: Severity;
  docs: { description: string; url: string };
  /** messageId → `{{placeholder}}` template. */
  messages: Record<string, string>;
  /** Hazard description in one paragraph (shown in SARIF help and `mmreview rules ID`). */
  hazard: string;
}

export interface RuleContext {
  /** The function under review (both images). */
  fn: FunctionView;
  /** The image being checked now (the engine calls check once per side that exists). */
  side: Side;
  image: FunctionImage;
  /** Other changed functions of the same patch (for cross-function facts, e.g. a flag a helper now honours). */
  siblings: readonly FunctionView[];
  /**
   * With a tree: unchanged functions of the same file (`changed: false`) that call a changed one, present only when
   * they are all its callers, and that a changed one calls (src/frontend/tree-callers.ts). For judging contracts
   * between functions; never reviewed.
   */
  context?: readonly FunctionView[];
  /** Report a candidate. Throws TypeError for an unknown messageId. */
  report(c: Omit<Candidate, 'rule' | 'message' | 'side'>): void;
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): void;
}

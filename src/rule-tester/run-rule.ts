/**
 * Runs one rule over one changed function (both images): the report plumbing shared by the engine and the tests
 * (messageId check, template filling, per-anchor de-duplication, stable ordering).
 */
import type { EventPath, FunctionView } from '../core/events.ts';
import { isTextAnchor, type Candidate, type Rule, type RuleContext, type Side } from '../core/rule.ts';
import type { RunError } from '../core/finding.ts';

/** A rule threw while checking a function; carries the rule id and where it happened. */
export class RuleCrashError extends Error {
  readonly ruleId: string;
  readonly where: string;
  constructor(ruleId: string, where: string, cause: unknown) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    super(`${msg}\nOccurred while checking ${where}\nRule: "${ruleId}"`, { cause });
    this.name = 'RuleCrashError';
    this.ruleId = ruleId;
    this.where = where;
  }
}

/** Fill `{{name}}` placeholders of a message template; an unknown placeholder is an API misuse (TypeError). */
export function fillTemplate(template: string, data: Record<string, string>, ruleId: string, messageId: string): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_m, key: string) => {
    if (!Object.hasOwn(data, key)) {
      throw new TypeError(`Rule "${ruleId}" message '${messageId}' uses {{${key}}} but report() data has no '${key}'.`);
    }
    return data[key] as string;
  });
}

/** Check one side of a function with a rule; returns the raw (not yet de-duplicated) candidates. */
function checkSide(rule: Rule, fn: FunctionView, side: Side, siblings: readonly FunctionView[], context: readonly FunctionView[] = []): Candidate[] {
  const image = side === 'pre' ? fn.pre : fn.post;
  if (!image) return [];
  const out: Candidate[] = [];
  const eventIds = new Set(image.events.map((e) => e.id));
  const ctx: RuleContext = {
    fn,
    side,
    image,
    siblings,
    ...(context.length > 0 ? { context } : {}),
    report(c) {
      const template = rule.meta.messages[c.messageId];
      if (template === undefined || !Object.hasOwn(rule.meta.messages, c.messageId)) {
        throw new TypeError(
          `context.report() called with a messageId of '${c.messageId}' which is not present in the 'messages' of rule "${rule.meta.id}": ${Object.keys(rule.meta.messages).join(', ')}`,
        );
      }
      if (!eventIds.has(c.anchor.id) && !isTextAnchor(c.anchor)) {
        throw new TypeError(`Rule "${rule.meta.id}" reported an anchor event (id ${c.anchor.id}) that is not an event of the ${side}-image of ${fn.name}.`);
      }
      const message = fillTemplate(template, c.data, rule.meta.id, c.messageId);
      out.push({ ...c, rule: rule.meta.id, message, side });
    },
  };
  try {
    rule.check(ctx);
  } catch (err) {
    if (err instanceof TypeError && /context\.report|reported an anchor|uses \{\{/.test(err.message)) throw err;
    throw new RuleCrashError(rule.meta.id, `${fn.path}:${fn.name} (${side}-image)`, err);
  }
  return out;
}

/**
 * A path's loop and jump skeleton: its loop iterations, gotos, labels and returns in order (no branch outcomes). An
 * alternative path must share the kept path's skeleton: it may take other branch outcomes (a PTE-state test the
 * shortest path took the way the hazard cannot occur on), never more iterations or other exits, which would judge
 * a longer walk than the one the finding describes.
 */
function loopSkeleton(path: EventPath): string {
  return path.steps
    .map((st) => (st.step === 'control' && st.kind !== 'branch' && st.kind !== 'truncated' ? `${st.kind}:${'loop' in st ? st.loop : ''}${'label' in st ? st.label : ''}@${st.loc.line}` : ''))
    .filter((x) => x !== '')
    .join(' ');
}

function pushTo<T>(m: Map<string, T[]>, key: string, x: T): void {
  const list = m.get(key);
  if (list) list.push(x);
  else m.set(key, [x]);
}

/** Longer paths kept beside a deduplicated candidate (Candidate.alternatives). */
export const ALTERNATIVE_PATHS = 2;

/**
 * Keep one candidate per (side, anchor event, message, hazard kind): the one with the shortest path, the first
 * reported on ties; the next shortest paths with the same skeleton ride along as Candidate.alternatives.
 */
export function dedupeCandidates(cands: readonly Candidate[]): Candidate[] {
  const best = new Map<string, Candidate>();
  const rest = new Map<string, Candidate[]>();
  const order: string[] = [];
  for (const c of cands) {
    // Two hazards at one anchor (a flush moved after the unlock: the entry changed on this path, or changed before
    // the hunk) are two candidates: a shorter path of the one must not shadow the other.
    const key = `${c.rule}\u0000${c.side}\u0000${c.anchor.id}\u0000${c.messageId}\u0000${c.hazard.kind}`;
    const prev = best.get(key);
    if (!prev) {
      best.set(key, c);
      order.push(key);
    } else if (c.path.steps.length < prev.path.steps.length) {
      best.set(key, c);
      pushTo(rest, key, prev);
    } else {
      pushTo(rest, key, c);
    }
  }
  const list = order.map((k) => {
    const c = best.get(k) as Candidate;
    // The next shortest paths (stable among equal lengths), for the engine to try when the shortest is refuted.
    const skeleton = loopSkeleton(c.path);
    const alts = (rest.get(k) ?? [])
      .filter((x) => loopSkeleton(x.path) === skeleton)
      .map((x, i) => ({ x, i }))
      .sort((a, b) => a.x.path.steps.length - b.x.path.steps.length || a.i - b.i)
      .slice(0, ALTERNATIVE_PATHS)
      .map(({ x }) => x);
    return alts.length > 0 ? { ...c, alternatives: alts } : c;
  });
  const sideRank = (s: Side): number => (s === 'pre' ? 0 : 1);
  return list
    .map((c, i) => ({ c, i }))
    .sort(
      (a, b) =>
        sideRank(a.c.side) - sideRank(b.c.side) ||
        a.c.anchor.loc.line - b.c.anchor.loc.line ||
        a.c.anchor.id - b.c.anchor.id ||
        a.i - b.i,
    )
    .map((x) => x.c);
}

/**
 * Run `rule` over the pre- and post-image of `fn` (each side that exists). Returns candidates sorted by side (pre
 * first), anchor line and anchor id, at most one per rule, side, anchor event, message and hazard.
 * Throws TypeError for API misuse by the rule (unknown messageId, foreign anchor, missing template data) and
 * RuleCrashError when the rule crashes; `runRules` turns the latter into an MMR020 error value.
 */
export function runRule(rule: Rule, fn: FunctionView, siblings: readonly FunctionView[] = [], context: readonly FunctionView[] = []): Candidate[] {
  const raw = [...checkSide(rule, fn, 'pre', siblings, context), ...checkSide(rule, fn, 'post', siblings, context)];
  return dedupeCandidates(raw);
}

/** Run several rules over one function; a crashing rule yields an MMR020 error value and the others still run. */
export function runRules(
  rules: readonly Rule[],
  fn: FunctionView,
  siblings: readonly FunctionView[] = [],
  context: readonly FunctionView[] = [],
): { candidates: Candidate[]; errors: RunError[] } {
  const candidates: Candidate[] = [];
  const errors: RunError[] = [];
  for (const rule of rules) {
    try {
      candidates.push(...runRule(rule, fn, siblings, context));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      errors.push({ code: 'MMR020', message: `rule crashed: ${message}`, input: `${fn.path}:${fn.name}` });
    }
  }
  return { candidates, errors };
}

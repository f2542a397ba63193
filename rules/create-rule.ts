/**
 * Rule factory: ties a rule's message ids to its `report` calls at compile time and fills in the docs URL.
 */
import type { Candidate, Rule, RuleContext, RuleMeta } from '../src/core/rule.ts';
import type { Severity } from '../src/core/finding.ts';

/** Base URL of the rule documentation pages (docs/rules/<id>.md). */
export const RULE_DOCS_BASE = 'https://github.com/mmreview/mmreview/blob/main/docs/rules/';

/** What a typed rule reports: the untyped candidate with `messageId` narrowed to the rule's own ids. */
export type TypedReport<M extends string> = Omit<Candidate, 'rule' | 'message' | 'side' | 'messageId'> & { messageId: M };

/** A RuleContext whose `report` only accepts the rule's own message ids. */
export interface TypedRuleContext<M extends string> extends Omit<RuleContext, 'report'> {
  report(c: TypedReport<M>): void;
}

/** Definition of a rule as written in rules/<id>.ts. */
export interface RuleDefinition<M extends string> {
  meta: {
    id: string;
    severity: Severity;
    docs: { description: string };
    messages: Record<M, string>;
    hazard: string;
  };
  check(ctx: TypedRuleContext<M>): void;
}

/**
 * Build a Rule from a typed definition: `messageId` typos in `ctx.report` are compile errors, the docs URL is
 * derived from the id, and the meta is frozen so no caller can alter it.
 */
export function createRule<M extends string>(def: RuleDefinition<M>): Rule {
  const meta: RuleMeta = Object.freeze({
    id: def.meta.id,
    severity: def.meta.severity,
    docs: Object.freeze({ description: def.meta.docs.description, url: `${RULE_DOCS_BASE}${def.meta.id}.md` }),
    messages: Object.freeze({ ...def.meta.messages }) as Record<string, string>,
    hazard: def.meta.hazard,
  });
  return Object.freeze({
    meta,
    check(ctx: RuleContext): void {
      def.check(ctx as TypedRuleContext<M>);
    },
  });
}

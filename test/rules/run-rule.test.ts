// The report plumbing shared with the engine: messageId check, template filling, de-duplication, crash isolation.
import { describe, expect, it } from 'vitest';
import { createRule } from '../../rules/create-rule.ts';
import { RuleCrashError, fillTemplate, runRule, runRules } from '../../src/rule-tester/index.ts';
import { parseMarkers } from '../../src/rule-tester/markers.ts';
import { ctl, ev, image, view } from '../../src/rule-tester/path-builder.ts';
import type { Hazard } from '../../src/core/rule.ts';

const hazard: Hazard = { kind: 'k', invariants: ['lock-balance'], adversaries: [], arch: ['x86'], context: [] };
const a = ev(0, 'lock', 'spin_lock', { lock: 'l' });
const b = ev(1, 'unlock', 'spin_unlock', { lock: 'l' });
const long = [a, ctl({ kind: 'branch', cond: 'x', taken: true }, 2), b, ctl({ kind: 'return' }, 4)];
const short = [a, b, ctl({ kind: 'return' }, 4)];
const fn = view('f', { pre: image([long, short]), post: image([long, short]) });

const everyPath = createRule<'hit'>({
  meta: { id: 'every-path', severity: 'warning', docs: { description: 'd' }, messages: { hit: 'held {{lock}}' }, hazard: 'h' },
  check(ctx) {
    for (const path of ctx.image.paths) {
      const s = path.steps[0];
      if (s?.step !== 'event') continue;
      ctx.report({ messageId: 'hit', data: { lock: 'l' }, anchor: ctx.image.events[0]!, related: [], path, hazard });
    }
  },
});

describe('runRule', () => {
  it('fills templates, sets rule and side, keeps one candidate per side and anchor (shortest path)', () => {
    const c = runRule(everyPath, fn);
    expect(c.map((x) => [x.side, x.rule, x.message, x.path.steps.length])).toEqual([
      ['pre', 'every-path', 'held l', 3],
      ['post', 'every-path', 'held l', 3],
    ]);
  });
  it('rejects an unknown messageId with a TypeError naming the known ones', () => {
    const bad = createRule<'hit'>({
      meta: { id: 'bad', severity: 'info', docs: { description: 'd' }, messages: { hit: 'x' }, hazard: 'h' },
      check(ctx) {
        ctx.report({ messageId: 'nope' as 'hit', data: {}, anchor: ctx.image.events[0]!, related: [], path: ctx.image.paths[0]!, hazard });
      },
    });
    expect(() => runRule(bad, fn)).toThrow(/messageId of 'nope'.*hit/);
  });
  it('rejects missing template data', () => {
    expect(() => fillTemplate('a {{x}}', {}, 'r', 'm')).toThrow(TypeError);
  });
  it('wraps a crash with the rule id and location; runRules turns it into MMR020 and goes on', () => {
    const crash = createRule<'hit'>({
      meta: { id: 'crash', severity: 'info', docs: { description: 'd' }, messages: { hit: 'x' }, hazard: 'h' },
      check() {
        throw new Error('boom');
      },
    });
    expect(() => runRule(crash, fn)).toThrow(RuleCrashError);
    const { candidates, errors } = runRules([crash, everyPath], fn);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe('MMR020');
    expect(errors[0]?.message).toMatch(/Rule: "crash"/);
    expect(candidates).toHaveLength(2);
  });
});

describe('parseMarkers', () => {
  it('maps standalone markers to the next code line of their side and trailing markers to their own line', () => {
    const text = ['@@ -1,4 +1,4 @@', ' /* ruleid: r */', '-old();', '+new();', ' x(); /* ok: r */', '  /* ruleid-pre: r */', '-gone();'].join('\n');
    expect(parseMarkers(text, true).map((m) => [m.kind, m.side, m.line])).toEqual([
      ['ruleid', 'post', 4],
      ['ok', 'any', 5],
      ['ruleid', 'pre', 7],
    ]);
  });
});

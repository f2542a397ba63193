// Rule registry, meta and documentation parity: ids = file stems, doc pages agree with meta, doc examples execute.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES, ruleById } from '../../rules/index.ts';
import { runRule } from '../../src/rule-tester/index.ts';
import { DOC_H2_ORDER, docPageProblems, parseDocPage } from '../../src/rule-tester/doc-page.ts';
import { functionsOfSource } from '../../src/rule-tester/load-functions.ts';
import { checkRules } from '../../scripts/check-rules.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const stems = readdirSync(join(ROOT, 'rules'))
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'create-rule.ts')
  .map((f) => f.slice(0, -3))
  .sort();

describe('rule registry', () => {
  it('lists exactly the rule modules, sorted by id', () => {
    expect(RULES.map((r) => r.meta.id)).toEqual(stems);
  });
  it('finds rules by id', () => {
    for (const id of stems) expect(ruleById(id)?.meta.id).toBe(id);
    expect(ruleById('no-such-rule')).toBeUndefined();
  });
  it('has docs URLs naming the page and messages with placeholders only from a known vocabulary', () => {
    for (const r of RULES) {
      expect(r.meta.docs.url.endsWith(`/docs/rules/${r.meta.id}.md`)).toBe(true);
      expect(Object.keys(r.meta.messages).length).toBeGreaterThan(0);
      expect(Object.isFrozen(r.meta)).toBe(true);
    }
  });
  it('passes the parity gate', async () => {
    expect(await checkRules(ROOT)).toEqual([]);
  });
});

describe.each(RULES.map((r) => [r.meta.id, r] as const))('docs/rules/%s.md', (id, rule) => {
  const file = join(ROOT, 'docs', 'rules', `${id}.md`);
  const page = existsSync(file) ? parseDocPage(readFileSync(file, 'utf8')) : undefined;
  it('exists, its description equals meta.docs.description and its H2s are in the fixed order', () => {
    expect(page).toBeDefined();
    if (!page) return;
    expect(page.frontmatter.description).toBe(rule.meta.docs.description);
    expect(page.h2).toEqual([...DOC_H2_ORDER]);
    expect(docPageProblems(page, rule.meta.docs.description)).toEqual([]);
  });
  for (const ex of page?.examples ?? []) {
    it(`${ex.kind === 'incorrect' ? '❌' : '✅'} example at line ${ex.line} ${ex.kind === 'incorrect' ? 'triggers' : 'does not trigger'} the rule`, async () => {
      const fns = await functionsOfSource(ex.code, `docs/rules/${id}.md`);
      const cands = fns.flatMap((fn) => runRule(rule, fn, fns));
      if (ex.kind === 'incorrect') expect(cands.length).toBeGreaterThan(0);
      else expect(cands).toEqual([]);
    });
  }
});

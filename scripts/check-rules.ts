/**
 * Parity gate: every rule module has an index entry, an id equal to its file stem, a doc page that agrees with its
 * meta, a test file and valid/invalid fixtures. Prints what to fix, file by file; sets a failing exit code.
 * Run: npm run check:rules
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../rules/index.ts';
import { docPageProblems, parseDocPage } from '../src/rule-tester/doc-page.ts';
import type { Rule } from '../src/core/rule.ts';

const ROOT = join(import.meta.dirname, '..');
const NOT_RULES = new Set(['index.ts', 'create-rule.ts']);

/** All problems of the rules tree, as `file: what to do` lines. */
export async function checkRules(root = ROOT): Promise<string[]> {
  const problems: string[] = [];
  const files = readdirSync(join(root, 'rules')).filter((f) => f.endsWith('.ts') && !NOT_RULES.has(f)).sort();
  const ids = RULES.map((r) => r.meta.id);
  if (ids.join() !== [...ids].sort().join()) problems.push('rules/index.ts: RULES must be sorted by id');
  for (const f of files) {
    const stem = f.slice(0, -3);
    const mod = (await import(join(root, 'rules', f))) as { default?: Rule };
    const rule = mod.default;
    if (!rule?.meta) {
      problems.push(`rules/${f}: must default-export a rule made with createRule()`);
      continue;
    }
    if (rule.meta.id !== stem) problems.push(`rules/${f}: meta.id is '${rule.meta.id}', must equal the file stem '${stem}'`);
    if (!ids.includes(stem)) problems.push(`rules/index.ts: add ${stem} (if you just added a new rule, add an entry for it in this file)`);
    const doc = join(root, 'docs', 'rules', `${stem}.md`);
    if (!existsSync(doc)) problems.push(`docs/rules/${stem}.md: missing (copy docs/rules/TEMPLATE.md)`);
    else {
      try {
        for (const p of docPageProblems(parseDocPage(readFileSync(doc, 'utf8')), rule.meta.docs.description)) problems.push(`docs/rules/${stem}.md: ${p}`);
      } catch (err) {
        problems.push(`docs/rules/${stem}.md: ${(err as Error).message}`);
      }
    }
    if (!readFileSync(join(root, 'docs', 'rules', 'index.md'), 'utf8').includes(`\`${stem}\``)) problems.push(`docs/rules/index.md: list \`${stem}\``);
    if (!existsSync(join(root, 'test', 'rules', `${stem}.test.ts`))) problems.push(`test/rules/${stem}.test.ts: missing`);
    const fx = join(root, 'fixtures', 'rules', stem);
    const fixtures = existsSync(fx) ? readdirSync(fx) : [];
    if (!fixtures.some((x) => x.startsWith('valid-'))) problems.push(`fixtures/rules/${stem}/: add at least one valid-* fixture`);
    if (!fixtures.some((x) => x.startsWith('invalid-'))) problems.push(`fixtures/rules/${stem}/: add at least one invalid-* fixture`);
    for (const x of fixtures) if (!/^(valid|invalid)-[a-z0-9-]+\.(c|patch)$/.test(x)) problems.push(`fixtures/rules/${stem}/${x}: name must be (valid|invalid)-<kebab>.(c|patch)`);
  }
  for (const id of ids) if (!files.includes(`${id}.ts`)) problems.push(`rules/index.ts: '${id}' has no rules/${id}.ts`);
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = await checkRules();
  for (const p of problems) console.error(p);
  console.log(problems.length === 0 ? `check:rules: ${RULES.length} rules OK` : `check:rules: ${problems.length} problem(s)`);
  if (problems.length > 0) process.exitCode = 1;
}

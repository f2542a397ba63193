/**
 * The vitest harness for rules: static lists of valid/invalid fixture files, each checked against its markers
 * through the C front end. Strict: duplicates, misnamed files and marker mismatches fail.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Rule } from '../core/rule.ts';
import { checkFixture } from './fixture.ts';
import type { FunctionLoader } from './fixture.ts';
import { loadFixtureFunctions } from './load-functions.ts';

/** Fixture lists of one rule (file names inside `dir`). */
export interface RuleCases {
  /** Directory holding the fixtures (default fixtures/rules/<id>). */
  dir?: string;
  valid: readonly string[];
  invalid: readonly string[];
  /** Function loader (default: the C front end). */
  load?: FunctionLoader;
}

/** Register vitest cases for `rule` over its fixtures. */
export function testRule(rule: Rule, cases: RuleCases): void {
  const dir = cases.dir ?? join(process.cwd(), 'fixtures', 'rules', rule.meta.id);
  const all = [...cases.valid, ...cases.invalid];
  const dup = all.find((f, i) => all.indexOf(f) !== i);
  if (dup) throw new Error(`duplicate fixture in test cases of ${rule.meta.id}: ${dup}`);
  for (const f of cases.valid) if (!basename(f).startsWith('valid-')) throw new Error(`valid case must be named valid-*: ${f}`);
  for (const f of cases.invalid) if (!basename(f).startsWith('invalid-')) throw new Error(`invalid case must be named invalid-*: ${f}`);
  const load = cases.load ?? loadFixtureFunctions;
  describe(`${rule.meta.id} fixtures`, () => {
    for (const f of all) {
      it(f, async () => {
        const file = join(dir, f);
        const out = await checkFixture(rule, file, readFileSync(file, 'utf8'), load);
        expect(out.problems).toEqual([]);
      });
    }
  });
}

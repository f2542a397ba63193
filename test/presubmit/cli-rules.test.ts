// `mmreview rules`: the list, one rule's page (doc file or metadata fallback), unknown ids.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { RULE_DOCS_DIR, formatRuleList, ruleDocText } from '../../src/cli/commands/rules.ts';

const BIN = fileURLToPath(new URL('../../bin/mmreview.js', import.meta.url));
const run = promisify(execFile);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { encoding: 'utf8' });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('mmreview rules', () => {
  it('formats one aligned line per rule, sorted, with the description', () => {
    const text = formatRuleList(RULES);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(RULES.length);
    const ids = lines.map((l) => l.split(/\s+/)[0]);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toContain('flush-under-ptl');
    for (const r of RULES) expect(text).toContain(r.meta.docs.description);
    const col = lines.map((l) => l.indexOf(l.split(/\s+/)[1]!));
    expect(new Set(col).size).toBe(1);
  });

  it('prints the doc page when present and falls back to the metadata otherwise', async () => {
    const page = await ruleDocText('flush-under-ptl', RULES, async () => '---\ntitle: x\nseverity: error\n---\n\n# flush-under-ptl\n\nSee [the docs](https://docs.kernel.org/x) and **this**.\n\n## Options\n\nnone\n');
    const meta0 = RULES.find((r) => r.meta.id === 'flush-under-ptl')!.meta;
    // front matter becomes a heading line; links and emphasis read as plain text; no raw YAML or Markdown markers
    expect(page!.split('\n')[0]).toBe(`flush-under-ptl (${meta0.severity}): ${meta0.docs.description}`);
    expect(page).toContain('See the docs <https://docs.kernel.org/x> and this.');
    expect(page).toContain('Options\n-------');
    expect(page).not.toMatch(/^---$|title: x|\*\*|^#/m);
    const fallback = await ruleDocText('flush-under-ptl', RULES, async () => undefined);
    const meta = RULES.find((r) => r.meta.id === 'flush-under-ptl')!.meta;
    expect(fallback).toContain(meta.hazard);
    expect(fallback).toContain('flushAfterUnlock');
    expect(await ruleDocText('no-such-rule', RULES)).toBeUndefined();
  });

  it('runs as a command: list, one rule, unknown id (exit 2)', async () => {
    const list = await cli('rules');
    expect(list.code).toBe(0);
    expect(list.stdout).toBe(formatRuleList(RULES));
    const one = await cli('rules', 'flush-under-ptl');
    expect(one.code).toBe(0);
    const docPath = `${RULE_DOCS_DIR}flush-under-ptl.md`;
    if (existsSync(docPath)) {
      expect(one.stdout).not.toMatch(/^(title|severity|description): /m);
      // every paragraph's first words of the page are there
      const firstPara = readFileSync(docPath, 'utf8').split(/\n---\n/)[1]!.split('\n\n').find((p) => /^[A-Z]/.test(p.trim()))!;
      expect(one.stdout).toContain(firstPara.trim().split('\n')[0]!.slice(0, 40));
    } else expect(one.stdout).toContain('flush-under-ptl (');
    const bad = await cli('rules', 'nope');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown rule 'nope' \(known: .*flush-under-ptl/);
  });
});

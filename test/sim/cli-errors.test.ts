/**
 * Every error branch of `mmreview simulate` exits 2 (never 1, which CI reads as "violation found") and names what
 * is wrong. Regression (issue 13 item 4): a scenario with `"arch": []` passed validation and died with an uncaught
 * TypeError and exit 1.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GROUND_TRUTH, parseScenario } from '../../src/sim/index.ts';
import { runSimulateCli } from './run-simulate-cli.ts';

const ROOT = join(import.meta.dirname, '../..');

const cli = runSimulateCli;

afterEach(() => {
  process.exitCode = undefined;
  vi.doUnmock('../../src/sim/index.ts');
  vi.resetModules();
});

const example = GROUND_TRUTH.find((g) => g.name === 'ksm-change-pte-buggy')!;
const dir = mkdtempSync(join(tmpdir(), 'mmr-sim-err-'));
function file(name: string, content: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
}
const withArch = (arch: unknown): unknown => ({ ...structuredClone(example.scenario), arch });

describe('scenario validation names every empty list that would crash', () => {
  it('rejects "arch": [] naming the field', () => {
    const r = parseScenario(withArch([]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toMatch(/^arch: must list at least one arch preset/m);
  });
  it('rejects empty threads and empty ptes naming the field', () => {
    const s = structuredClone(example.scenario) as unknown as { threads: unknown[]; init: { ptes: unknown[] } };
    const r1 = parseScenario({ ...s, threads: [] });
    expect(!r1.ok && r1.errors.some((e) => e.startsWith('threads:'))).toBe(true);
    const r2 = parseScenario({ ...s, init: { ...s.init, ptes: [] } });
    expect(!r2.ok && r2.errors.some((e) => e.startsWith('init.ptes:'))).toBe(true);
  });
});

describe('mmreview simulate: every error branch exits 2', async () => {
  const { register } = await import('../../src/cli/commands/simulate.ts');
  const cases: Array<[string, string[], RegExp]> = [
    ['no file, example or --list', [], /give a scenario FILE/],
    ['unknown example', ['--example', 'nope'], /--example: unknown example "nope"/],
    ['unreadable file', [join(dir, 'missing.json')], /cannot read/],
    ['invalid JSON', [file('broken.json', '{ not json')], /not valid JSON/],
    ['invalid YAML', [file('broken.yaml', 'a: [1, 2\n')], /not valid YAML/],
    ['schema error', [file('schema.json', { name: 'x' })], /init: /],
    ['empty arch', [file('arch.json', withArch([]))], /arch: must list at least one arch preset/],
    ['unknown arch in the file', [file('arch2.json', withArch(['sparc']))], /arch\[0\]/],
    ['dangling reference', [file('ref.json', { ...structuredClone(example.scenario), init: { ...example.scenario.init, tlb: [{ thread: 'ghost', pte: 'ghost' }] } })], /init\.tlb\[0\]\.thread: unknown thread "ghost"/],
    ['unknown --format', ['--example', example.name, '--format', 'xml'], /--format: unknown format "xml"/],
    ['unknown --arch', ['--example', example.name, '--arch', 'sparc'], /--arch: unknown arch "sparc"/],
    ['bad --max-states', ['--example', example.name, '--max-states', '-1'], /--max-states: not a positive number/],
    ['bad --max-ms', ['--example', example.name, '--max-ms', 'soon'], /--max-ms: not a positive number/],
  ];
  for (const [what, args, msg] of cases) {
    it(what, async () => {
      const r = await cli(register, ...args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
    });
  }

  it('an internal error of the simulator exits 2, not 1', async () => {
    vi.resetModules();
    vi.doMock('../../src/sim/index.ts', async (orig) => ({
      ...(await orig<typeof import('../../src/sim/index.ts')>()),
      simulateAll: () => {
        throw new TypeError('boom');
      },
      toPromela: () => {
        throw new TypeError('boom');
      },
    }));
    const mod = await import('../../src/cli/commands/simulate.ts');
    for (const format of ['text', 'promela']) {
      const r = await cli(mod.register, '--example', example.name, '--format', format);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/internal error .*boom/);
    }
  });

  it('a real process on "arch": [] exits 2 with the field named (was an uncaught TypeError, exit 1)', () => {
    const f = file('arch-real.json', withArch([]));
    const p = spawnSync(process.execPath, [join(ROOT, 'bin/mmreview.js'), 'simulate', f], { encoding: 'utf8', timeout: 60_000 });
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/arch: must list at least one arch preset/);
    expect(p.stderr).not.toMatch(/TypeError/);
  });
});

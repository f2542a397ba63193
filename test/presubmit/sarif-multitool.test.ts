/**
 * The SARIF that `mmreview check --format sarif` writes passes Microsoft's SARIF Multitool validation (the reference
 * validator, with its best-practice rules) with no error and no warning: on the fixture series (confirmed findings
 * with interleavings) and on a quoted fragment located in its message. The tool is a dev dependency
 * (@microsoft/sarif-multitool); under CI its absence is a failure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEEDS, sharedPresent } from '../helpers/shared.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TOOL = join(ROOT, 'node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool');
const present = existsSync(TOOL) && process.platform === 'linux' && process.arch === 'x64';
if (!present && process.env.CI) throw new Error('SARIF Multitool is not installed (npm dev dependency @microsoft/sarif-multitool)');

function sarifOf(args: string[]): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/mmreview.js'), 'check', '--format', 'sarif', ...args], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(1); // confirmed introduced findings
  const dir = mkdtempSync(join(tmpdir(), 'mmr-sarif-'));
  const file = join(dir, 'mmreview.sarif');
  writeFileSync(file, r.stdout);
  return file;
}

function validate(file: string): { errors: string[]; warnings: string[]; text: string } {
  const out = spawnSync(TOOL, ['validate', file], { encoding: 'utf8', env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' } });
  const text = `${out.stdout}\n${out.stderr}`;
  const lines = text.split('\n');
  return { errors: lines.filter((l) => /\berror\b [A-Z]+\d+/.test(l)), warnings: lines.filter((l) => /\bwarning\b [A-Z]+\d+/.test(l)), text };
}

describe.runIf(present)('SARIF Multitool validation', () => {
  it('the fixture series: 0 errors, 0 warnings', () => {
    const series = join(ROOT, 'fixtures/patches/series');
    const v = validate(sarifOf([...readdirSync(series).filter((f) => f.endsWith('.patch')).sort().map((f) => join(series, f))]));
    expect(v.errors, v.text).toEqual([]);
    expect(v.warnings, v.text).toEqual([]);
    expect(v.text).toMatch(/Analysis completed successfully/);
  }, 120_000);

  it.runIf(sharedPresent(SEEDS))('a quoted fragment located in its message (seed 003): 0 errors, 0 warnings', () => {
    const v = validate(sarifOf([join(SEEDS, readdirSync(SEEDS).find((f) => f.startsWith('003_'))!)]));
    expect(v.errors, v.text).toEqual([]);
    expect(v.warnings, v.text).toEqual([]);
  }, 120_000);

  it('the validator is live: a log with a broken result is reported', () => {
    const file = sarifOf([join(ROOT, 'fixtures/mail/archive/010-flush-bug-v2.eml')]);
    const log = JSON.parse(readFileSync(file, 'utf8'));
    delete log.runs[0].results[0].message;
    writeFileSync(file, JSON.stringify(log));
    expect(validate(file).errors.length).toBeGreaterThan(0);
  }, 120_000);
});

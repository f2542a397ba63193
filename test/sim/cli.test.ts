/**
 * `mmreview simulate`: output formats and exit codes (0 ok, 1 violation, 2 bad input, 3 inconclusive).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runSimulateCli } from './run-simulate-cli.ts';
import { register } from '../../src/cli/commands/simulate.ts';
import { GROUND_TRUTH } from '../../src/sim/index.ts';

const cli = (...args: string[]): ReturnType<typeof runSimulateCli> => runSimulateCli(register, ...args);

afterEach(() => {
  process.exitCode = undefined;
});

describe('mmreview simulate', () => {
  it('--list --format json lists every ground truth', async () => {
    const r = await cli('--list', '--format', 'json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as Array<Record<string, string>>;
    expect(rows.map((x) => x.name)).toEqual(GROUND_TRUTH.map((g) => g.name));
    expect(Object.keys(rows[0]!).sort()).toEqual(['description', 'expect', 'invariant', 'name', 'variant']);
  });
  it('a buggy example exits 1 with a table; the fixed one exits 0', async () => {
    const bad = await cli('--example', 'clear-refs-fullmm-buggy');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/violation \(write-protect-holds\) on arm64/);
    expect(bad.out).toMatch(/CPU0\s+CPU1/);
    const good = await cli('--example', 'clear-refs-fullmm-fixed');
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/: ok on arm64; \d+ states/);
  });
  it('--arch overrides the preset (the fullmm bug is invisible on x86)', async () => {
    expect((await cli('--example', 'clear-refs-fullmm-buggy', '--arch', 'x86')).code).toBe(0);
  });
  it('--format json prints the verdict object', async () => {
    const r = await cli('--example', 'futex-fixup-livelock-buggy', '--format', 'json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(j).sort()).toEqual(['arch', 'bound', 'invariant', 'ms', 'states', 'trace', 'transitions', 'verdict']);
    expect(j.invariant).toBe('no-livelock');
    expect(j.arch).toBe('ppc-e500');
  });
  it('--format mermaid and --format promela', async () => {
    expect((await cli('--example', 'ksm-change-pte-buggy', '--format', 'mermaid')).out).toMatch(/^sequenceDiagram/);
    const p = await cli('--example', 'ksm-change-pte-buggy', '--format', 'promela');
    expect(p.out).toMatch(/active proctype P0/);
    expect(p.code).toBe(0);
  });
  it('a state cap exits 3 and names the bound', async () => {
    const r = await cli('--example', 'madv-free-clear-refs-fixed', '--max-states', '20');
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/bound hit: states>20/);
  });
  it('bad input exits 2 and names the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-sim-'));
    const f = join(dir, 'bad.json');
    writeFileSync(f, JSON.stringify({ name: 'x', init: { pages: [], ptes: [{ name: 'p', page: null }] }, threads: [{ name: 't', role: 't', program: [{ op: 'pte-clr', pte: 'p' }] }] }));
    const r = await cli(f);
    expect(r.code).toBe(2);
    expect(r.err).toContain('threads[0].program[0].op: unknown op "pte-clr"');
    expect((await cli(join(dir, 'missing.json'))).code).toBe(2);
    writeFileSync(join(dir, 'broken.json'), '{ not json');
    expect((await cli(join(dir, 'broken.json'))).err).toMatch(/not valid JSON/);
    expect((await cli('--example', 'nope')).code).toBe(2);
    expect((await cli('--example', 'ksm-change-pte-buggy', '--arch', 'sparc')).err).toMatch(/--arch: unknown arch "sparc"/);
    expect((await cli()).code).toBe(2);
  });
  it('runs a scenario file (the fixture) and exits 1 on its violation', async () => {
    const r = await cli(join(import.meta.dirname, '../../fixtures/scenarios/flush-after-unlock.json'));
    expect(r.code).toBe(1);
    expect(r.out).toContain('mm/example.c:123');
  });
});

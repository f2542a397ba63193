/**
 * Scenario validation: good files load; each error names the field it is about.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario, simulate } from '../../src/sim/index.ts';

const base = () => ({
  name: 'v',
  init: { pages: [{ name: 'page0' }], ptes: [{ name: 'pte0', page: 'page0' }] },
  threads: [
    { name: 'a', role: 'a', program: [{ op: 'pte-map-lock', pte: 'pte0' }, { op: 'pte-unmap-unlock', pte: 'pte0' }] },
    { name: 'b', role: 'b', program: [{ op: 'pte-read', pte: 'pte0' }, { op: 'call' }, { op: 'call' }, { op: 'call' }] },
  ],
});

function errorsOf(mut: (s: ReturnType<typeof base>) => unknown): string[] {
  const s = base();
  const out = mut(s) ?? s;
  const r = parseScenario(out);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.errors;
}

describe('parseScenario', () => {
  it('accepts a well-formed scenario', () => {
    expect(parseScenario(base()).ok).toBe(true);
  });
  it('names an unknown op with its full path', () => {
    const errs = errorsOf((s) => { (s.threads[1]!.program[3] as { op: string }).op = 'pte-clr'; });
    expect(errs).toContain('threads[1].program[3].op: unknown op "pte-clr"');
  });
  it('names unknown references', () => {
    expect(errorsOf((s) => { s.threads[0]!.program[0] = { op: 'pte-map-lock', pte: 'pte9' }; })).toContain('threads[0].program[0].pte: unknown pte "pte9"');
    expect(errorsOf((s) => { s.init.ptes[0]!.page = 'nope'; })).toContain('init.ptes[0].page: unknown page "nope"');
    expect(errorsOf((s) => { (s.threads[0]!.program as unknown[]).push({ ctl: 'goto', to: 'missing' }); })).toContain('threads[0].program[2]: unknown label "missing"');
  });
  it('names missing and mistyped fields', () => {
    expect(errorsOf((s) => { delete (s as { name?: string }).name; }).some((e) => e.startsWith('name:'))).toBe(true);
    expect(errorsOf((s) => { (s.threads[0] as { role: unknown }).role = 3; }).some((e) => e.startsWith('threads[0].role:'))).toBe(true);
    expect(errorsOf((s) => ({ ...s, arch: ['sparc'] })).some((e) => e.startsWith('arch[0]:'))).toBe(true);
    expect(errorsOf((s) => ({ ...s, invariants: ['no-such'] })).some((e) => e.startsWith('invariants[0]:'))).toBe(true);
    expect(errorsOf((s) => { s.threads[1]!.program[0] = { op: 'pte-read' } as never; })).toContain('threads[1].program[0].pte: op "pte-read" needs a pte');
  });
  it('rejects non-objects without throwing', () => {
    for (const bad of [null, 42, 'x', [], {}]) expect(parseScenario(bad).ok).toBe(false);
  });
  it('simulate() refuses an invalid scenario with a TypeError naming the field', () => {
    const s = base();
    (s.threads[1]!.program[3] as { op: string }).op = 'pte-clr';
    expect(() => simulate(s as never)).toThrow(/threads\[1\]\.program\[3\]\.op/);
  });
});

describe('fixtures/scenarios and the documented example', () => {
  const dir = join(import.meta.dirname, '../../fixtures/scenarios');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
  it('has at least one fixture', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const f of files) {
    it(`${f} validates and simulates`, () => {
      const r = parseScenario(JSON.parse(readFileSync(join(dir, f), 'utf8')));
      expect(r.ok ? [] : r.errors).toEqual([]);
      if (r.ok) expect(['violation', 'ok']).toContain(simulate(r.scenario).verdict);
    });
  }
  it('flush-after-unlock.json is a confirmed lost write on x86 with source lines in the trace', () => {
    const r = parseScenario(JSON.parse(readFileSync(join(dir, 'flush-after-unlock.json'), 'utf8')));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const res = simulate(r.scenario);
    expect(res.invariant).toBe('no-lost-write');
    expect(res.trace!.steps.some((s) => s.source?.path === 'mm/example.c')).toBe(true);
  });
  it('the example in docs/scenario-format.md is the fixture', () => {
    const doc = readFileSync(join(import.meta.dirname, '../../docs/scenario-format.md'), 'utf8');
    const m = /```json\n([\s\S]*?)\n```/.exec(doc);
    expect(m).not.toBeNull();
    expect(JSON.parse(m![1]!)).toEqual(JSON.parse(readFileSync(join(dir, 'flush-after-unlock.json'), 'utf8')));
  });
});

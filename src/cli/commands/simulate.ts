/**
 * `mmreview simulate`: list and run the ground-truth scenarios, or run a scenario file; print text, JSON, Mermaid
 * or Promela. Exit codes: 0 ok, 1 violation, 2 bad input (or an internal error: never read as a violation),
 * 3 inconclusive.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ARCH_PRESETS } from '../../core/sim-contract.ts';
import type { Arch } from '../../core/sim-contract.ts';
import { GROUND_TRUTH, parseScenario, renderMermaid, renderTable, simulate, simulateAll, toPromela } from '../../sim/index.ts';
import type { Scenario, SimResult } from '../../sim/index.ts';

type Format = 'text' | 'json' | 'mermaid' | 'promela';
const FORMATS: readonly Format[] = ['text', 'json', 'mermaid', 'promela'];

interface Opts {
  list?: boolean;
  example?: string;
  arch?: string;
  format?: string;
  maxStates?: string;
  maxMs?: string;
}

/** Exit code of a verdict. */
export function exitCodeOf(v: SimResult['verdict']): number {
  return v === 'violation' ? 1 : v === 'inconclusive' ? 3 : 0;
}

function fail(msg: string): void {
  process.stderr.write(`mmreview simulate: ${msg}\n`);
  process.exitCode = 2;
}

function loadFile(file: string): { ok: true; scenario: Scenario } | { ok: false; errors: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, errors: [`${file}: cannot read (${(e as Error).message})`] };
  }
  let json: unknown;
  try {
    json = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`${file}: not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'} (${(e as Error).message})`] };
  }
  const r = parseScenario(json);
  return r.ok ? r : { ok: false, errors: r.errors.map((x) => `${file}: ${x}`) };
}

function print(r: SimResult, format: Format): void {
  if (format === 'json') {
    const out = { verdict: r.verdict, invariant: r.invariant ?? null, arch: r.arch, states: r.states, transitions: r.transitions, ms: r.ms, bound: r.bound ?? null, trace: r.trace ?? null };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  if (format === 'mermaid') {
    process.stdout.write(r.trace ? renderMermaid(r.trace) : `%% ${r.scenario}: ${r.verdict} on ${r.arch} (${r.states} states)\n`);
    return;
  }
  const head = `${r.scenario}: ${r.verdict}${r.invariant ? ` (${r.invariant})` : ''} on ${r.arch}; ${r.states} states, ${r.transitions} transitions, ${r.ms} ms${r.bound ? `; bound hit: ${r.bound}` : ''}\n`;
  process.stdout.write(head);
  if (r.trace) process.stdout.write(`\n${renderTable(r.trace)}`);
}

function runScenario(s: Scenario, o: Opts): void {
  const format = (o.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) return fail(`--format: unknown format "${o.format}" (one of ${FORMATS.join(', ')})`);
  if (o.arch !== undefined && !(ARCH_PRESETS as readonly string[]).includes(o.arch)) return fail(`--arch: unknown arch "${o.arch}" (one of ${ARCH_PRESETS.join(', ')})`);
  const maxStates = o.maxStates !== undefined ? Number(o.maxStates) : undefined;
  const maxMs = o.maxMs !== undefined ? Number(o.maxMs) : undefined;
  if (maxStates !== undefined && !(maxStates > 0)) return fail(`--max-states: not a positive number "${o.maxStates}"`);
  if (maxMs !== undefined && !(maxMs > 0)) return fail(`--max-ms: not a positive number "${o.maxMs}"`);
  const limits = { ...(maxStates ? { maxStates } : {}), ...(maxMs ? { maxMs } : {}) };
  if (format === 'promela') {
    let text: string;
    try {
      text = toPromela(s, (o.arch as Arch | undefined) ?? s.arch?.[0] ?? 'x86');
    } catch (e) {
      return fail(`internal error while exporting ${s.name} to Promela: ${e instanceof Error ? e.message : String(e)}`);
    }
    process.stdout.write(text);
    process.exitCode = 0;
    return;
  }
  let r: SimResult | undefined;
  try {
    r = o.arch !== undefined ? simulate(s, { arch: o.arch as Arch, ...limits }) : simulateAll(s, s.arch?.length ? s.arch : ['x86'], limits);
  } catch (e) {
    return fail(`internal error while simulating ${s.name}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!r) return fail(`internal error: no result for ${s.name}`);
  print(r, format);
  process.exitCode = exitCodeOf(r.verdict);
}

/** Register `simulate` on the program. */
export function register(program: Command): void {
  program
    .command('simulate')
    .description('run the mm concurrency simulator on a scenario file or a ground-truth example')
    .argument('[file]', 'scenario file (JSON or YAML; see docs/scenario-format.md)')
    .option('--list', 'list the ground-truth examples')
    .option('--example <name>', 'run a ground-truth example')
    .option('--arch <arch>', `arch preset (${ARCH_PRESETS.join(', ')}); default: the scenario's presets in order`)
    .option('--format <format>', 'text | json | mermaid | promela', 'text')
    .option('--max-states <n>', 'state cap (inconclusive beyond it)')
    .option('--max-ms <n>', 'time cap in ms (inconclusive beyond it)')
    .action((file: string | undefined, o: Opts) => {
      if (o.list) {
        const rows = GROUND_TRUTH.map((g) => ({ name: g.name, variant: g.variant, expect: g.expect, invariant: g.invariant, description: g.description }));
        if (o.format === 'json') process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        else for (const r of rows) process.stdout.write(`${r.name.padEnd(30)} ${r.expect.padEnd(9)} ${r.invariant.padEnd(24)} ${r.description}\n`);
        process.exitCode = 0;
        return;
      }
      if (o.example !== undefined) {
        const g = GROUND_TRUTH.find((x) => x.name === o.example);
        if (!g) return fail(`--example: unknown example "${o.example}" (see --list)`);
        return runScenario(g.scenario, o);
      }
      if (file === undefined) return fail('give a scenario FILE, --example NAME or --list');
      const r = loadFile(file);
      if (!r.ok) return fail(r.errors.join('\n'));
      runScenario(r.scenario, o);
    });
}

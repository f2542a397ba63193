/**
 * `mmreview check`: review patches (files, mails, archives, stdin) or a git range, simulate every candidate, and
 * print the findings as text, JSON, SARIF or b4 check results. Exit 0: nothing to report; 1: a confirmed finding
 * introduced by a patch; 2: bad usage or nothing readable.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { Finding, Report } from '../../core/finding.ts';
import { ARCH_PRESETS } from '../../core/sim-contract.ts';
import type { Arch } from '../../core/sim-contract.ts';
import { isReportable } from '../../engine/policy.ts';

interface CheckFlags {
  tree?: string;
  git?: string | boolean;
  format: string;
  rules?: string;
  arch?: string;
  all?: boolean;
  explain?: boolean;
}

const FORMATS = ['text', 'json', 'sarif', 'b4'] as const;

/** One reviewed unit: a whole input set, or one commit of a git range. */
interface Unit {
  heading?: string;
  commit?: { sha: string; subject: string };
  report: Report;
}

/** Default policy: confirmed findings the patch introduces, plus notes of hazards the patch fixes. */
export function shown(f: Finding, all: boolean): boolean {
  return all || isReportable(f) || (f.fixed && f.status === 'confirmed');
}

function usage(msg: string): void {
  process.stderr.write(`mmreview check: ${msg}\n`);
  process.exitCode = 2;
}

function parseList<T extends string>(value: string | undefined, known: readonly T[], what: string): T[] | undefined | Error {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((i) => !known.includes(i as T));
  if (bad.length > 0) return new Error(`unknown ${what} ${bad.map((b) => `"${b}"`).join(', ')} (known: ${known.join(', ')})`);
  return items as T[];
}

function merge(units: Unit[]): Report {
  const first = units[0]?.report;
  const stats: Report['stats'] = { inputs: 0, patches: 0, files: 0, functions: 0, candidates: 0, simulations: 0, ms: 0 };
  for (const u of units) for (const k of Object.keys(stats) as Array<keyof Report['stats']>) stats[k] += u.report.stats[k];
  return {
    tool: 'mmreview',
    version: first?.version ?? '',
    findings: units.flatMap((u) => u.report.findings),
    errors: units.flatMap((u) => u.report.errors),
    stats,
  };
}

/** Rule docs (markdown) by id, for SARIF help. */
async function ruleHelp(RULES: ReadonlyArray<{ meta: { id: string } }>): Promise<Record<string, string>> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const out: Record<string, string> = {};
  for (const r of RULES) {
    const p = join(root, 'docs', 'rules', `${r.meta.id}.md`);
    if (existsSync(p)) out[r.meta.id] = (await readFile(p, 'utf8')).replace(/^---[\s\S]*?---\n/, '');
  }
  return out;
}

export async function runCheck(inputs: string[], flags: CheckFlags): Promise<void> {
  // Heavy modules (parser wasm, simulator) load only when the command runs, so `mmreview --help` stays fast.
  const [{ checkPatches }, { directoryTree, readInputs }, { loadGitRange }, { renderTerminal }, { renderSarif }, { renderB4 }, { renderTable }, { RULES }] =
    await Promise.all([
      import('../../engine/index.ts'),
      import('../../sources/index.ts'),
      import('../../git/index.ts'),
      import('../../render/terminal.ts'),
      import('../../render/sarif.ts'),
      import('../../render/b4.ts'),
      import('../../sim/index.ts'),
      import('../../../rules/index.ts'),
    ]);
  if (!(FORMATS as readonly string[]).includes(flags.format)) return usage(`unknown format "${flags.format}" (known: ${FORMATS.join(', ')})`);
  const rules = parseList(flags.rules, RULES.map((r) => r.meta.id), 'rule');
  if (rules instanceof Error) return usage(rules.message);
  const arch = parseList<Arch>(flags.arch, ARCH_PRESETS, 'arch');
  if (arch instanceof Error) return usage(arch.message);
  const all = flags.all === true;
  const base = { ...(rules ? { rules } : {}), ...(arch ? { arch } : {}) };
  const units: Unit[] = [];
  if (flags.git !== undefined && flags.git !== false) {
    if (inputs.length > 0) return usage('give either --git RANGE or INPUT files, not both');
    const range = typeof flags.git === 'string' ? flags.git : undefined;
    const loaded = await loadGitRange(range, { cwd: process.cwd() });
    if (loaded.commits.length === 0 && loaded.problems.length > 0) {
      for (const p of loaded.problems) process.stderr.write(`mmreview check: ${p.message}\n`);
      process.exitCode = 2;
      return;
    }
    for (const c of loaded.commits) {
      const report = await checkPatches([c.patch], { ...base, tree: c.tree });
      units.push({ heading: `${c.sha.slice(0, 12)} ${c.subject}`, commit: { sha: c.sha, subject: c.subject }, report });
    }
    if (loaded.problems.length > 0) {
      units.push({
        report: {
          tool: 'mmreview',
          version: units[0]?.report.version ?? '',
          findings: [],
          errors: loaded.problems.map((p) => ({ code: p.code, message: p.message, input: p.input })),
          stats: { inputs: 0, patches: 0, files: 0, functions: 0, candidates: 0, simulations: 0, ms: 0 },
        },
      });
    }
  } else {
    if (inputs.length === 0) return usage('no input (give patch files, mails, mbox/maildir, "-" for stdin, or --git RANGE)');
    const read = await readInputs(inputs, { stdin: process.stdin });
    const tree = flags.tree ? directoryTree(flags.tree) : undefined;
    const report = await checkPatches(read.patches, { ...base, ...(tree ? { tree } : {}) });
    report.stats.inputs = read.inputs;
    report.errors.unshift(...read.problems.map((p) => ({ code: p.code, message: p.message, input: p.input, ...(p.line ? { line: p.line } : {}) })));
    if (read.patches.length === 0) {
      for (const e of report.errors) process.stderr.write(`mmreview check: ${e.input}: ${e.message} [${e.code}]\n`);
      process.stderr.write('mmreview check: nothing readable\n');
      process.exitCode = 2;
      return;
    }
    units.push({ report });
  }
  const merged = merge(units);
  const out = process.stdout;
  if (flags.format === 'json') {
    out.write(`${JSON.stringify({ ...merged, findings: merged.findings.filter((f) => shown(f, all)) }, null, 2)}\n`);
  } else if (flags.format === 'sarif') {
    const sarif = renderSarif(
      units.map((u) => ({ report: { ...u.report, findings: u.report.findings.filter((f) => shown(f, all)) }, ...(u.commit ? { commit: u.commit } : {}) })),
      RULES.map((r) => r.meta),
      { help: await ruleHelp(RULES) },
    );
    out.write(`${JSON.stringify(sarif, null, 2)}\n`);
  } else if (flags.format === 'b4') {
    out.write(`${JSON.stringify(renderB4(merged), null, 2)}\n`);
  } else {
    const color = out.isTTY === true && !process.env.NO_COLOR;
    // Prose wraps to the terminal (100 columns when not a terminal); tables are indented by 4 under their finding.
    const width = out.isTTY === true && out.columns ? Math.min(160, Math.max(60, out.columns)) : 100;
    const explain = flags.explain === true || all;
    const blocks = units.map((u) =>
      renderTerminal(u.report, {
        color,
        width,
        explain,
        renderTrace: (t) => renderTable(t, { width: width - 4 }),
        findings: u.report.findings.filter((f) => shown(f, all)),
        ...(u.heading ? { heading: u.heading } : {}),
      }),
    );
    out.write(`${blocks.join('\n\n')}\n`);
  }
  process.exitCode = merged.findings.some(isReportable) ? 1 : 0;
}

export function register(program: Command): void {
  program
    .command('check')
    .description('review patches or a git range; report confirmed findings with their interleavings')
    .argument('[inputs...]', 'patch files, mails (.eml), mbox files, maildirs, directories of patches, or - for stdin')
    .option('--tree <dir>', 'kernel source tree the patches apply to (whole functions instead of hunk context)')
    .option('--git [range]', 'review each commit of a git range in the current kernel tree (default: @{u}..HEAD)')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'text')
    .option('--rules <ids>', 'comma-separated rule ids to run (default: all)')
    .option('--arch <presets>', `comma-separated arch presets to simulate (${ARCH_PRESETS.join(', ')})`)
    .option('--all', 'show every finding (refuted, inconclusive, pre-existing), not only confirmed introduced ones')
    .option('--explain', 'show the interleaving behind each fix the patch makes, not only a note')
    .action(async (inputs: string[], flags: CheckFlags) => {
      await runCheck(inputs, flags);
    });
}

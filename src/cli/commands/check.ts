/**
 * `mmreview check`: review patches (files, mails, archives, stdin) or a git range, simulate every candidate, and
 * print the findings as text, JSON, SARIF or b4 check results. Exit 0: nothing to report; 1: a confirmed finding
 * introduced by a patch; 2: bad usage or nothing readable.
 */
import { readFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Finding, Report } from '../../core/finding.ts';
import { ARCH_PRESETS } from '../../core/sim-contract.ts';
import type { Arch } from '../../core/sim-contract.ts';
import { isReportable } from '../../engine/policy.ts';
import { installRoot } from '../../core/install-root.ts';
import { useBaselineWasm } from '../wasm-baseline.ts';
import { pathToFileURL } from 'node:url';

interface CheckFlags {
  tree?: string;
  git?: string | boolean;
  format: string;
  rules?: string;
  arch?: string;
  all?: boolean;
  explain?: boolean;
  brief?: boolean;
  pr?: string;
  post?: boolean;
  apiUrl?: string;
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

/** The top of the git working tree `dir` is in, or undefined outside one. */
export function gitTopLevel(dir: string): string | undefined {
  try {
    // node:child_process loads here, not at start-up: only b4 checks without --tree run git from this module.
    const { execFileSync } = process.getBuiltinModule('node:child_process');
    const top = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return top || undefined;
  } catch {
    return undefined;
  }
}

/** True when `path` names a directory (a plain tree, a git working tree or a bare repository). */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
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
  const root = installRoot();
  const out: Record<string, string> = {};
  for (const r of RULES) {
    const p = join(root, 'docs', 'rules', `${r.meta.id}.md`);
    if (existsSync(p)) out[r.meta.id] = (await readFile(p, 'utf8')).replace(/^---[\s\S]*?---\n/, '');
  }
  return out;
}

/** `--pr`: the app's review of a pull request, with a token; posted with `--post`. Undefined after a usage error. */
async function reviewPr(flags: CheckFlags): Promise<Unit | undefined> {
  const { checkPullRequest, parsePrTarget, tokenClient } = await import('../../app/token-review.ts');
  const { defaultServices } = await import('../../app/default-services.ts');
  const target = parsePrTarget(flags.pr ?? '');
  if (target instanceof Error) return void usage(target.message);
  const token = process.env.GITHUB_TOKEN ?? process.env.GH_TOKEN;
  if (!token) return void usage('--pr needs a token in GITHUB_TOKEN (or GH_TOKEN)');
  const apiUrl = flags.apiUrl ?? process.env.GITHUB_API_URL;
  if (apiUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(apiUrl)) return void usage(`--api-url must be an http(s) URL, got "${apiUrl}"`);
  const name = `${target.owner}/${target.repo}#${target.number}`;
  let r;
  try {
    r = await checkPullRequest(tokenClient(token, apiUrl), target, defaultServices(), { post: flags.post === true });
  } catch (e) {
    const status = (e as { status?: number }).status;
    return void usage(`${name}: ${status ? `GitHub answered ${status}: ` : ''}${(e as Error).message}`);
  }
  if (r.kind === 'bad-config') return void usage(`${name}: .github/mmreview.yml: ${r.issues.map((i) => `${i.key}: ${i.message}`).join('; ')}`);
  const empty: Report = { tool: 'mmreview', version: '', findings: [], errors: [], stats: { inputs: 1, patches: 0, files: 0, functions: 0, candidates: 0, simulations: 0, ms: 0 } };
  if (r.kind === 'nothing-relevant') {
    process.stderr.write(`mmreview check: ${name}: no file in scope (mm/ or mm APIs); ${r.skipped} skipped\n`);
    return { heading: `${name} @ ${r.pr.headSha.slice(0, 12)}`, report: empty };
  }
  if (r.posted) {
    const p = r.posted;
    process.stderr.write(
      p.alreadyReviewed
        ? `mmreview check: ${name}: head ${r.pr.headSha.slice(0, 12)} already has an mmreview review; nothing posted\n`
        : p.reviewId === undefined && p.resolved === 0
          ? `mmreview check: ${name}: nothing new to post\n`
          : `mmreview check: ${name}: posted review ${p.reviewId ?? '-'} (${p.inline} inline, ${p.inBody} in the body), ${p.resolved} resolved\n`,
    );
  }
  return { heading: `${name} @ ${r.pr.headSha.slice(0, 12)}${r.pr.title ? ` ${r.pr.title}` : ''}`, report: r.report };
}

export async function runCheck(inputs: string[], flags: CheckFlags): Promise<void> {
  // Heavy modules (parser wasm, simulator) load only when the command runs, so `mmreview --help` stays fast.
  // The git layer loads only for --git or a tree, each renderer only for its format.
  const [{ checkPatches }, { readInputs }, { RULES }] = await Promise.all([
    import('../../engine/index.ts'),
    import('../../sources/index.ts'),
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
  if (flags.pr !== undefined) {
    if (inputs.length > 0 || (flags.git !== undefined && flags.git !== false) || flags.tree) return usage('--pr reviews a pull request: give no INPUT, --git or --tree with it');
    const pr = await reviewPr(flags);
    if (!pr) return;
    units.push(pr);
  } else if (flags.post) {
    return usage('--post goes with --pr');
  } else if (flags.git !== undefined && flags.git !== false) {
    if (inputs.length > 0) return usage('give either --git RANGE or INPUT files, not both');
    const range = typeof flags.git === 'string' ? flags.git : undefined;
    // Every file of every commit's parent is read through one `git cat-file --batch`.
    const { loadGitRange, CatFile } = await import('../../git/index.ts');
    const catFile = new CatFile(process.cwd());
    let loaded: Awaited<ReturnType<typeof loadGitRange>>;
    try {
      loaded = await loadGitRange(range, { cwd: process.cwd(), catFile });
      if (loaded.commits.length === 0 && loaded.problems.length > 0) {
        for (const p of loaded.problems) process.stderr.write(`mmreview check: ${p.message}\n`);
        process.exitCode = 2;
        return;
      }
      for (const c of loaded.commits) {
        const report = await checkPatches([c.patch], { ...base, tree: c.tree });
        units.push({ heading: `${c.sha.slice(0, 12)} ${c.subject}`, commit: { sha: c.sha, subject: c.subject }, report });
      }
    } finally {
      catFile.close();
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
    if (flags.tree !== undefined && !isDirectory(flags.tree)) return usage(`--tree ${flags.tree}: not a directory or git repository`);
    // process.stdin is a getter that builds a stream (and loads net/tty): touched only when an input is `-`.
    const read = await readInputs(inputs, inputs.includes('-') ? { stdin: process.stdin } : {});
    // A git repository (working tree or bare) or a plain directory: each patch is read against its own base. b4 runs
    // its per-patch check inside the kernel repository it reviews: that repository is the tree unless one is given.
    const treePath = flags.tree ?? (flags.format === 'b4' ? gitTopLevel(process.cwd()) : undefined);
    const git = treePath !== undefined ? await import('../../git/index.ts') : undefined;
    const store = git && treePath !== undefined ? await git.openTreeStore(treePath) : undefined;
    let report: Report;
    try {
      report = git && store ? await git.checkAgainstTree(checkPatches, read.patches, store, base) : await checkPatches(read.patches, base);
    } finally {
      store?.close?.();
    }
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
    const { renderSarif } = await import('../../render/sarif.ts');
    const sarif = renderSarif(
      units.map((u) => ({ report: { ...u.report, findings: u.report.findings.filter((f) => shown(f, all)) }, ...(u.commit ? { commit: u.commit } : {}) })),
      RULES.map((r) => r.meta),
      // The tool's documentation: the README of this installation (the exact version that produced the log).
      { help: await ruleHelp(RULES), informationUri: pathToFileURL(join(installRoot(), 'README.md')).href },
    );
    out.write(`${JSON.stringify(sarif, null, 2)}\n`);
  } else if (flags.format === 'b4') {
    const { renderB4 } = await import('../../render/b4.ts');
    out.write(`${JSON.stringify(renderB4(merged), null, 2)}\n`);
  } else {
    const [{ renderTerminal }, { renderTable }] = await Promise.all([import('../../render/terminal.ts'), import('../../sim/render-table.ts')]);
    const color = out.isTTY === true && !process.env.NO_COLOR;
    // Prose wraps to the terminal (100 columns when not a terminal); tables are indented by 4 under their finding.
    const width = out.isTTY === true && out.columns ? Math.min(160, Math.max(60, out.columns)) : 100;
    const explain = flags.explain === true || all;
    const blocks = units.map((u) =>
      renderTerminal(u.report, {
        color,
        width,
        explain,
        brief: flags.brief === true,
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
    .option('--tree <dir>', 'kernel tree the patches apply to: a git repository (working tree or bare; bases from index blob ids, base-commit, HEAD) or a directory')
    .option('--git [range]', 'review each commit of a git range in the current kernel tree (default: @{u}..HEAD)')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, 'text')
    .option('--rules <ids>', 'comma-separated rule ids to run (default: all)')
    .option('--arch <presets>', `comma-separated arch presets to simulate (${ARCH_PRESETS.join(', ')})`)
    .option('--all', 'show every finding (refuted, inconclusive, pre-existing), not only confirmed introduced ones')
    .option('--explain', 'show the interleaving behind each fix the patch makes, not only a note')
    .option('--brief', 'only what needs attention: findings and fix notes, no base notes, no summary when nothing is found (hooks)')
    .option('--pr <ref>', 'review a GitHub pull request (OWNER/REPO#N or its URL) with the token in GITHUB_TOKEN')
    .option('--post', 'with --pr: post the review the app would post (new findings, resolved ones)')
    .option('--api-url <url>', 'with --pr: the GitHub API base URL (GitHub Enterprise: https://HOST/api/v3; default $GITHUB_API_URL)')
    .action(async (inputs: string[], flags: CheckFlags) => {
      useBaselineWasm();
      await runCheck(inputs, flags);
    });
}

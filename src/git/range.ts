// Resolves a `--git` range (default `@{u}..HEAD`) to the list of commits to review, oldest first, with clear errors.
import { gitErrorLine, runGit } from './run-git.ts';

/** One commit of a range, as `git log` describes it. */
export interface RangeCommit {
  sha: string;
  /** Parent shas as recorded (empty for a root commit or a shallow-clone boundary commit). */
  parents: string[];
  author: string;
  /** RFC 2822 author date. */
  date: string;
  subject: string;
  /** Commit message without the subject line. */
  body: string;
  /** True when the commit is a boundary of a shallow clone: its parents exist upstream but are not here. */
  shallowBoundary: boolean;
}

/** Result of {@link resolveRange}: the commits, or one error message explaining what is wrong. */
export type RangeResult =
  | { ok: true; range: string; commits: RangeCommit[]; skippedMerges: string[] }
  | { ok: false; range: string; error: string };

const FIELD = '\x1f';
const RECORD = '\x1e';

/**
 * Splits a range expression into the revisions git must resolve: `A..B`, `A...B`, `A..` (B = HEAD), `..B`,
 * a single revision `X` (meaning the one commit `X^!`), or `X^!`.
 */
export function rangeEndpoints(range: string): string[] {
  const m = /^(.*?)(\.\.\.?)(.*)$/.exec(range);
  if (m) return [m[1] || 'HEAD', m[3] || 'HEAD'];
  return [range.replace(/\^[!@]$/, '')];
}

/** The rev-list arguments for a range expression (a lone revision means that single commit). */
export function rangeArgs(range: string): string[] {
  if (range.includes('..')) return [range];
  if (/\^[!@]$/.test(range)) return [range];
  return [`${range}^!`];
}

async function defaultRange(cwd: string): Promise<{ ok: true; range: string } | { ok: false; error: string }> {
  const up = await runGit(['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{u}'], { cwd });
  if (!up.ok || up.stdout.trim() === '') {
    const branch = await runGit(['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd });
    const where = branch.ok ? `branch '${branch.stdout.trim()}'` : 'a detached HEAD';
    return {
      ok: false,
      error: `no upstream configured for ${where}: pass a range (--git origin/master..HEAD) or set one with 'git branch --set-upstream-to'`,
    };
  }
  return { ok: true, range: `${up.stdout.trim()}..HEAD` };
}

async function shallowSet(cwd: string): Promise<Set<string>> {
  const p = await runGit(['rev-parse', '--is-shallow-repository'], { cwd });
  if (!p.ok || p.stdout.trim() !== 'true') return new Set();
  const file = await runGit(['rev-parse', '--git-path', 'shallow'], { cwd });
  if (!file.ok) return new Set();
  const { readFile } = await import('node:fs/promises');
  const { resolve } = await import('node:path');
  try {
    const text = await readFile(resolve(cwd, file.stdout.trim()), 'utf8');
    return new Set(text.split('\n').map((l) => l.trim()).filter((l) => /^[0-9a-f]{40,64}$/.test(l)));
  } catch {
    return new Set();
  }
}

/**
 * Resolves `range` (undefined → the current branch's upstream `@{u}..HEAD`) inside the repository at `cwd` and lists
 * its non-merge commits oldest first. Every failure (not a repository, no upstream, an endpoint that does not resolve,
 * e.g. because a shallow clone lacks it) is returned as `{ ok: false, error }`.
 */
export async function resolveRange(range: string | undefined, cwd: string): Promise<RangeResult> {
  const top = await runGit(['rev-parse', '--show-toplevel'], { cwd });
  if (!top.ok) return { ok: false, range: range ?? '@{u}..HEAD', error: `not a git repository: ${cwd} (${gitErrorLine(top)})` };
  let expr = range?.trim();
  if (!expr) {
    const d = await defaultRange(cwd);
    if (!d.ok) return { ok: false, range: '@{u}..HEAD', error: d.error };
    expr = d.range;
  }
  if (expr.startsWith('-')) return { ok: false, range: expr, error: `bad range '${expr}': a range cannot start with '-'` };
  for (const end of rangeEndpoints(expr)) {
    const v = await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${end}^{commit}`], { cwd });
    if (!v.ok) {
      const shallow = (await shallowSet(cwd)).size > 0;
      const hint = shallow ? ' (this is a shallow clone: fetch more history, e.g. git fetch --deepen=100 or --unshallow)' : '';
      return { ok: false, range: expr, error: `bad range '${expr}': '${end}' does not name a commit in this repository${hint}` };
    }
  }
  const fmt = ['%H', '%P', '%an <%ae>', '%aD', '%s', '%b'].join('%x1f') + '%x1e';
  const log = await runGit(['log', '--reverse', '--topo-order', `--format=${fmt}`, '--end-of-options', ...rangeArgs(expr), '--'], { cwd });
  if (!log.ok) return { ok: false, range: expr, error: `bad range '${expr}': ${gitErrorLine(log)}` };
  const boundary = await shallowSet(cwd);
  const commits: RangeCommit[] = [];
  const skippedMerges: string[] = [];
  for (const rec of log.stdout.split(RECORD)) {
    const r = rec.replace(/^\n/, '');
    if (r.trim() === '') continue;
    const [sha = '', parents = '', author = '', date = '', subject = '', body = ''] = r.split(FIELD);
    const ps = parents.split(' ').filter((p) => p !== '');
    if (ps.length > 1) {
      skippedMerges.push(sha);
      continue;
    }
    commits.push({ sha, parents: ps, author, date, subject, body: body.replace(/\s+$/, ''), shallowBoundary: boundary.has(sha) });
  }
  return { ok: true, range: expr, commits, skippedMerges };
}

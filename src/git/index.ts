// Public API of the git channel: read a commit range of a kernel tree as patches with whole-file source trees.
import type { InputProblem, Patch, PatchSource, SourceTree } from '../core/patch.ts';
import type { Report } from '../core/finding.ts';
import type { Arch } from '../core/sim-contract.ts';
import { extractPatchesFromText } from '../sources/extract.ts';
import { commitDiff, formatCommitPatch } from './commit-patch.ts';
import { resolveRange, type RangeCommit } from './range.ts';
import { gitTreeAt } from './tree-at-commit.ts';
import { CatFile } from './cat-file.ts';

export { resolveRange, rangeArgs, rangeEndpoints, type RangeCommit, type RangeResult } from './range.ts';
export { gitTreeAt } from './tree-at-commit.ts';
export { formatCommitPatch } from './commit-patch.ts';
export { openGitStore, openTreeStore, type GitStore } from './repo-store.ts';
export { checkAgainstTree } from './tree-check.ts';
export { CatFile, type CatFileAnswer } from './cat-file.ts';
export { installHooks, hooksDir, type InstallHookOptions, type InstallResult, type HookOutcome } from './install-hook.ts';
export { sendemailValidateHook, prePushHook, HOOK_MARKER } from './hook-scripts.ts';

/** One commit of a range, ready for the engine: its patch and the tree at its parent (for whole functions). */
export interface GitCommitInput {
  sha: string;
  subject: string;
  patch: Patch;
  tree: SourceTree;
}

/** Turns format-patch text into patches (the inputs engineer's reader; injectable for tests). */
export type PatchTextReader = (text: string, source: PatchSource) => { patches: Patch[]; problems: InputProblem[] };

/** Options for {@link loadGitRange}. */
export interface LoadGitRangeOptions {
  /** A directory inside the repository. */
  cwd: string;
  /** Reader for the generated patch text (defaults to `extractPatchesFromText`). */
  read?: PatchTextReader;
  /** One `git cat-file --batch` for every file read of the range (the caller closes it); else one git per file. */
  catFile?: CatFile;
}

function problem(message: string, input: string): InputProblem {
  return { code: 'MMR040', message, input };
}

async function loadCommit(
  c: RangeCommit,
  cwd: string,
  read: PatchTextReader,
  cat?: CatFile,
): Promise<{ input?: GitCommitInput; problems: InputProblem[] }> {
  const short = c.sha.slice(0, 12);
  if (c.shallowBoundary) {
    return {
      problems: [
        problem(
          `commit ${short} ("${c.subject}") is the boundary of this shallow clone: its parent is not here, so its diff cannot be computed; fetch more history (git fetch --deepen=1)`,
          c.sha,
        ),
      ],
    };
  }
  const d = await commitDiff(cwd, c);
  if (!d.ok) return { problems: [problem(d.error, c.sha)] };
  const text = formatCommitPatch(c, d.diff);
  const source: PatchSource = { kind: 'git', name: c.sha };
  const r = read(text, source);
  const problems = r.problems.map((p) => ({ ...p, input: p.input || c.sha }));
  const patch = r.patches.find((p) => !p.cover);
  if (!patch) {
    // A commit that changes no text (empty, mode-only, binary-only) has nothing to review: not an error.
    return { problems: problems.filter((p) => p.code !== 'MMR002') };
  }
  const full: Patch = { ...patch, commit: c.sha, subject: patch.subject ?? c.subject, source };
  return { input: { sha: c.sha, subject: c.subject, patch: full, tree: gitTreeAt(cwd, c.parents[0], `git:${short}^`, cat) }, problems };
}

/**
 * Reads every non-merge commit of `range` (undefined → `@{u}..HEAD`; a single revision → that commit) in the
 * repository at `opts.cwd`, oldest first. Each commit becomes a Patch (source kind `git`, built from the
 * format-patch equivalent of `git diff-tree -p --full-index`) plus a SourceTree reading whole files at its parent
 * lazily. Works in shallow and partial clones. A range that does not resolve yields no commits and one MMR040 problem.
 */
export async function loadGitRange(
  range: string | undefined,
  opts: LoadGitRangeOptions,
): Promise<{ commits: GitCommitInput[]; problems: InputProblem[] }> {
  const r = await resolveRange(range, opts.cwd);
  if (!r.ok) return { commits: [], problems: [problem(r.error, r.range)] };
  const read = opts.read ?? extractPatchesFromText;
  const commits: GitCommitInput[] = [];
  const problems: InputProblem[] = [];
  for (const c of r.commits) {
    const one = await loadCommit(c, opts.cwd, read, opts.catFile);
    if (one.input) commits.push(one.input);
    problems.push(...one.problems);
  }
  return { commits, problems };
}

/** The engine as this channel calls it (src/engine's `checkPatches`). */
export type CheckFn = (patches: Patch[], opts?: { tree?: SourceTree; rules?: string[]; arch?: Arch[] }) => Promise<Report>;

/** One reviewed commit. */
export interface CommitReview {
  sha: string;
  subject: string;
  report: Report;
}

/**
 * Reviews a range commit by commit: each commit's patch is checked against the tree at its parent. Returns the
 * per-commit reports and the range problems; `exitCode` is 2 when the range itself failed (no commits and a
 * problem), 1 when `reportable` holds for some finding, else 0.
 */
export async function reviewGitRange(
  range: string | undefined,
  opts: LoadGitRangeOptions & { rules?: string[]; arch?: Arch[] },
  check: CheckFn,
  reportable: (f: Report['findings'][number]) => boolean,
): Promise<{ reviews: CommitReview[]; problems: InputProblem[]; exitCode: 0 | 1 | 2 }> {
  const cat = opts.catFile ?? new CatFile(opts.cwd);
  const reviews: CommitReview[] = [];
  let loaded: Awaited<ReturnType<typeof loadGitRange>>;
  try {
    loaded = await loadGitRange(range, { ...opts, catFile: cat });
    for (const c of loaded.commits) {
      const checkOpts: { tree: SourceTree; rules?: string[]; arch?: Arch[] } = { tree: c.tree };
      if (opts.rules) checkOpts.rules = opts.rules;
      if (opts.arch) checkOpts.arch = opts.arch;
      const report = await check([c.patch], checkOpts);
      reviews.push({ sha: c.sha, subject: c.subject, report });
    }
  } finally {
    if (!opts.catFile) cat.close();
  }
  const rangeFailed = loaded.commits.length === 0 && loaded.problems.some((p) => p.code === 'MMR040');
  const failing = reviews.some((r) => r.report.findings.some(reportable));
  return { reviews, problems: loaded.problems, exitCode: rangeFailed ? 2 : failing ? 1 : 0 };
}

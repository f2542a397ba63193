// Thin adapter that runs one git command and returns its output as a value (never throws for a git failure).
import { execFile } from 'node:child_process';

/** Result of one git invocation. */
export interface GitResult {
  ok: boolean;
  /** Exit code (null when killed by a signal or git could not start). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options for {@link runGit}. */
export interface RunGitOptions {
  cwd: string;
  /** Text written to git's standard input. */
  input?: string;
  /** Upper bound on captured stdout; a kernel-sized diff fits easily in the default (256 MiB). */
  maxBuffer?: number;
}

/**
 * Runs `git <args>` in `opts.cwd` with a neutral environment for output (no pager, no colour, C locale for messages)
 * and returns stdout / stderr. Failures are values: `ok` is false and `stderr` says why.
 */
export function runGit(args: readonly string[], opts: RunGitOptions): Promise<GitResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'git',
      ['-c', 'core.quotepath=off', '-c', 'color.ui=never', ...args],
      {
        cwd: opts.cwd,
        encoding: 'utf8',
        maxBuffer: opts.maxBuffer ?? 256 * 1024 * 1024,
        env: { ...process.env, GIT_PAGER: 'cat', PAGER: 'cat', LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' },
      },
      (err, stdout, stderr) => {
        if (err) {
          const code = typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as { code: number }).code) : null;
          resolve({ ok: false, code, stdout: stdout ?? '', stderr: (stderr ?? '') || err.message });
          return;
        }
        resolve({ ok: true, code: 0, stdout, stderr });
      },
    );
    // git may exit before reading its input (or never read it): a broken pipe is not an error of ours.
    child.stdin?.on('error', () => undefined);
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** First line of git's error output, for one-line messages. */
export function gitErrorLine(r: GitResult): string {
  const line = r.stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  return line ?? `git exited with code ${r.code ?? 'unknown'}`;
}

// Installs mmreview's git hooks into a repository's hooks directory (respecting core.hooksPath), never clobbering silently.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { HOOK_MARKER, prePushHook, sendemailValidateHook, type HookParams } from './hook-scripts.ts';
import { gitErrorLine, runGit } from './run-git.ts';

/** What to do with a hook file that exists and was not written by mmreview. */
export type ExistingHookPolicy = 'refuse' | 'chain' | 'overwrite';

/** Options for {@link installHooks}. */
export interface InstallHookOptions {
  cwd: string;
  /** Also install a pre-push hook. */
  prePush?: boolean;
  /** Policy for foreign hooks (default `refuse`). `--force` maps to `overwrite`, `--chain` to `chain`. */
  existing?: ExistingHookPolicy;
  /** node binary and bin/mmreview.js of this installation (absolute). */
  node: string;
  bin: string;
  version: string;
}

/** Outcome for one hook file. */
export interface HookOutcome {
  hook: 'sendemail-validate' | 'pre-push';
  path: string;
  action: 'installed' | 'updated' | 'chained' | 'overwritten' | 'refused';
  /** For `chained`: where the previous hook now lives. For `refused`: why. */
  note?: string;
}

/** Result of {@link installHooks}: per-hook outcomes, or a reason the repository could not be used. */
export type InstallResult = { ok: true; hooksDir: string; outcomes: HookOutcome[] } | { ok: false; error: string };

/** The hooks directory git uses for the repository at `cwd` (`core.hooksPath` when set), as an absolute path. */
export async function hooksDir(cwd: string): Promise<{ ok: true; dir: string } | { ok: false; error: string }> {
  const r = await runGit(['rev-parse', '--git-path', 'hooks'], { cwd });
  if (!r.ok) return { ok: false, error: `not a git repository: ${cwd} (${gitErrorLine(r)})` };
  const p = r.stdout.trim();
  return { ok: true, dir: isAbsolute(p) ? p : resolve(cwd, p) };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function installOne(
  dir: string,
  hook: HookOutcome['hook'],
  make: (p: HookParams) => string,
  opts: InstallHookOptions,
): Promise<HookOutcome> {
  const path = join(dir, hook);
  const params: HookParams = { node: opts.node, bin: opts.bin, version: opts.version };
  const current = await readIfExists(path);
  const ours = current?.includes(HOOK_MARKER) ?? false;
  let action: HookOutcome['action'] = current === undefined ? 'installed' : 'updated';
  let note: string | undefined;
  if (current !== undefined && ours) {
    // Keep an earlier chain when re-installing over our own hook.
    const m = /^MMREVIEW_CHAINED='((?:[^']|'\\'')*)'$/m.exec(current);
    if (m?.[1] !== undefined) params.chained = m[1].replace(/'\\''/g, "'");
  } else if (current !== undefined) {
    const policy = opts.existing ?? 'refuse';
    if (policy === 'refuse') {
      return {
        hook,
        path,
        action: 'refused',
        note: `${path} already exists and was not written by mmreview; re-run with --chain to run it before mmreview, or --force to replace it`,
      };
    }
    if (policy === 'chain') {
      const kept = `${path}.pre-mmreview`;
      if ((await readIfExists(kept)) !== undefined) {
        return { hook, path, action: 'refused', note: `${kept} already exists; move it away or use --force` };
      }
      await rename(path, kept);
      params.chained = kept;
      action = 'chained';
      note = kept;
    } else {
      action = 'overwritten';
    }
  }
  await writeFile(path, make(params), { mode: 0o755 });
  await chmod(path, 0o755);
  return note === undefined ? { hook, path, action } : { hook, path, action, note };
}

/**
 * Writes the `sendemail-validate` hook (and `pre-push` when asked) into the repository's hooks directory. A hook
 * already written by mmreview is updated in place; a foreign hook is refused, chained (renamed to
 * `<hook>.pre-mmreview` and run first) or overwritten according to `opts.existing`.
 */
export async function installHooks(opts: InstallHookOptions): Promise<InstallResult> {
  const d = await hooksDir(opts.cwd);
  if (!d.ok) return d;
  await mkdir(d.dir, { recursive: true });
  const outcomes = [await installOne(d.dir, 'sendemail-validate', sendemailValidateHook, opts)];
  if (opts.prePush) outcomes.push(await installOne(d.dir, 'pre-push', prePushHook, opts));
  return { ok: true, hooksDir: d.dir, outcomes };
}

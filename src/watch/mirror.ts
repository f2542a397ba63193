/**
 * Keeps a local public-inbox v2 mirror up to date the way lore mirrors are kept: `git fetch` of every epoch
 * repository (`git/N.git`) from its own remote, and a new epoch (`git/N+1.git`) cloned when the remote of the newest
 * epoch has a sibling numbered one higher (`…/N.git` → `…/N+1.git`, or `…/N` → `…/N+1`, the lore URL forms). Read
 * only from the archive's point of view: nothing is pushed, the working epochs are bare repositories.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listEpochs } from '../sources/public-inbox.ts';

const execFileP = promisify(execFile);

/** Runs git with fixed arguments (no shell); rejects with git's first stderr line. */
export type RunGit = (args: string[], opts?: { timeoutMs?: number }) => Promise<string>;

/** Transports a mirror may fetch from: local paths, file://, git://, http(s):// and ssh. Never `ext::`. */
const SAFE_GIT = ['-c', 'protocol.ext.allow=never', '-c', 'protocol.file.allow=always'];

export const runGit: RunGit = async (args, opts = {}) => {
  try {
    const r = await execFileP('git', [...SAFE_GIT, ...args], { maxBuffer: 1 << 24, timeout: opts.timeoutMs ?? 300_000, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
    return r.stdout;
  } catch (e) {
    const err = e as { stderr?: string; message?: string };
    const text = (err.stderr && err.stderr.trim()) || err.message || String(e);
    throw new Error(text.split('\n')[0] ?? text);
  }
};

export interface MirrorFetch {
  /** Epochs fetched. */
  epochs: number;
  /** Epochs cloned in this fetch. */
  newEpochs: number[];
  ms: number;
}

/** The remote URL of an epoch repository, when it has one. */
export async function epochRemote(gitDir: string, git: RunGit = runGit): Promise<string | undefined> {
  try {
    const url = (await git(['--git-dir', gitDir, 'config', '--get', 'remote.origin.url'])).trim();
    return url && !url.startsWith('-') ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The URL of epoch N+1 given the URL of epoch N, when the URL names its epoch (`…/N.git` or `…/N`). */
export function nextEpochUrl(url: string, epoch: number): string | undefined {
  const m = /^(.*[/:])(\d+)(\.git)?\/?$/.exec(url);
  if (!m || Number(m[2]) !== epoch) return undefined;
  return `${m[1]}${epoch + 1}${m[3] ?? ''}`;
}

/** Does the local directory look like a mirror (its newest epoch has a remote)? */
export async function isMirror(dir: string, git: RunGit = runGit): Promise<boolean> {
  try {
    const epochs = listEpochs(dir);
    return (await epochRemote(epochs[epochs.length - 1]!.gitDir, git)) !== undefined;
  } catch {
    return false;
  }
}

/**
 * Fetch every epoch of the mirror at `dir` and clone the epochs the remote gained (at most `maxNew` per call).
 * Throws (with the epoch named) when a fetch fails; the caller retries with backoff.
 */
export async function fetchMirror(dir: string, opts: { git?: RunGit; maxNew?: number } = {}): Promise<MirrorFetch> {
  const git = opts.git ?? runGit;
  const t0 = performance.now();
  const epochs = listEpochs(dir);
  for (const { epoch, gitDir } of epochs) {
    if (!(await epochRemote(gitDir, git))) continue;
    try {
      // Branch heads land where readers look for them (refs/heads/*), whatever the clone's refspec was.
      await git(['--git-dir', gitDir, 'fetch', '--quiet', '--prune', 'origin', '+refs/heads/*:refs/heads/*']);
    } catch (e) {
      throw new Error(`${gitDir}: fetch failed: ${(e as Error).message}`);
    }
  }
  const newEpochs: number[] = [];
  let last = epochs[epochs.length - 1]!;
  for (let k = 0; k < (opts.maxNew ?? 8); k++) {
    const url = await epochRemote(last.gitDir, git);
    const next = url ? nextEpochUrl(url, last.epoch) : undefined;
    if (!next) break;
    let heads = '';
    try {
      heads = await git(['ls-remote', '--heads', next], { timeoutMs: 60_000 });
    } catch {
      break; // no such epoch (yet)
    }
    if (!heads.trim()) break;
    const gitDir = join(dir, 'git', `${last.epoch + 1}.git`);
    try {
      await git(['clone', '--quiet', '--mirror', next, gitDir]);
    } catch (e) {
      throw new Error(`${gitDir}: clone of a new epoch failed: ${(e as Error).message}`);
    }
    newEpochs.push(last.epoch + 1);
    last = { epoch: last.epoch + 1, gitDir };
  }
  return { epochs: epochs.length + newEpochs.length, newEpochs, ms: Math.round(performance.now() - t0) };
}

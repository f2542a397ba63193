/**
 * Where the steering repository's shared material lives: `../shared` next to the repository root (the layout of a
 * developer machine and of CI), or `MMR_SHARED` when set. Tests that read it skip when it is absent — except under
 * CI (`CI` set), where its absence is an error, so a mislaid folder cannot turn corpus and seed tests into skips.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../..');

export const SHARED = process.env.MMR_SHARED ? resolve(process.env.MMR_SHARED) : resolve(repoRoot, '../shared');
export const SEEDS = join(SHARED, 'seeds');
export const CORPUS = join(SHARED, 'corpus');

/** True when `dir` exists; under CI a missing folder throws instead of skipping. */
export function sharedPresent(dir: string): boolean {
  const present = existsSync(dir);
  if (!present && process.env.CI) throw new Error(`${dir} is missing: CI must run the corpus and seed tests (set MMR_SHARED)`);
  return present;
}

export const seedsPresent = (): boolean => sharedPresent(SEEDS);
export const corpusPresent = (): boolean => sharedPresent(join(CORPUS, 'labels.json'));

/**
 * True when an external tool the tests use (spin, gcc, public-inbox, git send-email) is installed. Under CI a
 * missing tool throws: .ci/run installs them, so their tests must run there rather than skip.
 */
export function toolPresent(name: string, present: boolean): boolean {
  if (!present && process.env.CI) throw new Error(`${name} is not installed: CI must run the tests that need it (.ci/run installs it)`);
  return present;
}

/** Does `cmd arg` run and exit 0 (a version probe)? */
function runs(cmd: string, arg: string): boolean {
  try {
    execFileSync(cmd, [arg], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** SPIN and the C compiler its verifiers need (throws under CI when missing, like toolPresent). */
export function spinPresent(): boolean {
  return toolPresent('spin', runs('spin', '-V')) && toolPresent('gcc', runs('gcc', '--version'));
}

/**
 * Vitest global set-up: bundles the current sources into dist/ (scripts/build.mjs) once per test run, so that every test spawning
 * bin/mmreview.js runs the code under test, never a stale build.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export default function setup(): void {
  rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
  try {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'pipe' });
  } catch (e) {
    const out = e as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`build of dist/ failed:\n${String(out.stdout ?? '')}${String(out.stderr ?? '')}`);
  }
}

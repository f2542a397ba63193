/**
 * `npm run demo`: reviews the project's own fixture series (one bug class per patch, against the fixture tree)
 * and the two fixes, printing what a developer sees. Exits non-zero only if the tool itself misbehaves: the series
 * must be reported (exit 1) and the fixes must pass (exit 0).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin/mmreview.js');

function run(title: string, args: string[], expected: number): boolean {
  process.stdout.write(`\n$ mmreview ${args.join(' ')}\n# ${title}\n\n`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  const ok = r.status === expected;
  process.stdout.write(`\n# exit ${r.status} (${ok ? 'as expected' : `expected ${expected}`})\n`);
  return ok;
}

const okSeries = run('a 5-patch series, one bug class per patch, reviewed against its tree', ['check', '--tree', 'fixtures/tree', 'fixtures/patches/series'], 1);
const okFixes = run('two fixes of that series: recognised as fixes, nothing to complain about', ['check', 'fixtures/patches/fixes'], 0);
process.exitCode = okSeries && okFixes ? 0 : 1;

/**
 * The closing line of .ci/run (issue 13 item 6). Regression: the old summary read `numRuntimeErrorTestSuites`, which
 * vitest 4 does not emit, so a test file that failed to load printed "N passed, 0 failed", and skipped tests were
 * never counted. Here real vitest runs a temporary project (outside the suite) holding a broken test file, a
 * skipped and a todo test, and .ci/summary.mjs must report them.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

describe('.ci/summary.mjs on vitest 4 JSON', () => {
  it('counts a test file that fails to load as failed, and skipped + todo tests as skipped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-ci-summary-'));
    mkdirSync(join(dir, 'test'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'vitest.config.mjs'), "export default { test: { include: ['test/**/*.test.mjs'] } };\n");
    writeFileSync(join(dir, 'test/broken.test.mjs'), "import { it } from 'vitest';\nimport { nope } from './no-such-module.mjs';\nit('never runs', () => nope());\n");
    writeFileSync(join(dir, 'test/mixed.test.mjs'), "import { it, expect } from 'vitest';\nit('passes', () => expect(1).toBe(1));\nit.skip('skipped', () => {});\nit.todo('todo');\n");
    const vitest = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=json', '--outputFile=out.json'], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CI: '' } });
    expect(vitest.status).not.toBe(0);
    const s = spawnSync(process.execPath, [join(ROOT, '.ci/summary.mjs'), join(dir, 'out.json')], { encoding: 'utf8' });
    const last = s.stdout.trim().split('\n').at(-1);
    expect(last).toBe('1 passed, 1 failed, 2 skipped');
    expect(s.stdout).toMatch(/test file failed: .*broken\.test\.mjs/);
    expect(s.status).toBe(1);
  });
});

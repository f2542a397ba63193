// End to end with the real engine: `check --git` on a kernel-like repo, shallow clone, SARIF / b4 output, the hooks.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPatches, isReportable } from '../../src/engine/index.ts';
import { reviewGitRange, installHooks } from '../../src/git/index.ts';
import { GIT_ENV, git, makeKernelRepo, type KernelRepo } from './kernel-repo.ts';
import { toolPresent } from '../helpers/shared.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'mmreview.js');
const HAS_SEND_EMAIL = existsSync(join(execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim(), 'git-send-email'));

let repo: KernelRepo;
beforeAll(() => {
  repo = makeKernelRepo();
});

function cli(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...GIT_ENV, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('reviewGitRange with the real engine', () => {
  it('finds the flush moved after pte_unmap_unlock() on the bug commit only', async () => {
    const r = await reviewGitRange('master..bug', { cwd: repo.dir }, checkPatches, isReportable);
    expect(r.problems).toEqual([]);
    expect(r.exitCode).toBe(1);
    const [harmless, bug] = r.reviews;
    expect(harmless?.sha).toBe(repo.harmless);
    expect(harmless?.report.findings.filter(isReportable)).toEqual([]);
    expect(bug?.sha).toBe(repo.bug);
    const f = bug!.report.findings.filter(isReportable);
    expect(f.map((x) => [x.rule, x.status, x.introduced, x.path, x.function])).toEqual([
      ['flush-under-ptl', 'confirmed', true, 'mm/pgclean.c', 'pgclean_pte_range'],
    ]);
    expect(f[0]!.simulation?.trace?.threads.length).toBeGreaterThanOrEqual(2);
  });

  it('passes the fix (and recognises it as a fix) and an unrelated correct change', async () => {
    const fix = await reviewGitRange('bug..fix', { cwd: repo.dir }, checkPatches, isReportable);
    expect(fix.exitCode).toBe(0);
    expect(fix.reviews[0]!.report.findings.some((f) => f.rule === 'flush-under-ptl' && f.fixed)).toBe(true);
    const good = await reviewGitRange('master..good', { cwd: repo.dir }, checkPatches, isReportable);
    expect(good.exitCode).toBe(0);
  });

  it('works in a shallow clone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-e2e-shallow-'));
    git(dir, 'clone', '-q', '--depth', '2', '--branch', 'bug', `file://${repo.dir}`, 'r');
    const r = await reviewGitRange('HEAD~1..HEAD', { cwd: join(dir, 'r') }, checkPatches, isReportable);
    expect(r.exitCode).toBe(1);
    expect(r.reviews.map((x) => x.sha)).toEqual([repo.bug]);
  });
});

describe('mmreview check --git (CLI)', () => {
  it('exits 1 naming the bug commit, 0 on the fix, 2 on a bad range', () => {
    const bad = cli(repo.dir, ['check', '--git', 'master..bug']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('flush-under-ptl');
    expect(bad.stdout).toContain(repo.bug.slice(0, 12));
    expect(bad.stdout).toContain('mm/pgclean: flush the TLB after dropping the PTL');
    expect(cli(repo.dir, ['check', '--git', 'bug..fix']).code).toBe(0);
    const broken = cli(repo.dir, ['check', '--git', 'master..no-such-branch']);
    expect(broken.code).toBe(2);
    expect(broken.stderr + broken.stdout).toMatch(/'no-such-branch' does not name a commit/);
  });

  it('writes SARIF that validates against the 2.1.0 schema, with the interleaving as thread flows', () => {
    const r = cli(repo.dir, ['check', '--git', 'master..bug', '--format', 'sarif']);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout);
    const schema = JSON.parse(readFileSync(join(ROOT, 'test', 'presubmit', 'fixtures', 'sarif-schema-2.1.0.json'), 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true });
    (addFormatsModule as unknown as (a: Ajv) => Ajv)(ajv);
    const validate = ajv.compile(schema);
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const res = log.runs[0].results.find((x: any) => x.ruleId === 'flush-under-ptl' && x.kind === 'fail');
    expect(res.properties.commit).toBe(repo.bug);
    expect(res.codeFlows[0].threadFlows.length).toBeGreaterThanOrEqual(2);
    expect(res.partialFingerprints['mmreview/v1']).toMatch(/\S/);
  });

  it('b4 format: fail on the bug patch (with function context) read from stdin', () => {
    const patch = execFileSync('git', ['format-patch', '--stdout', '-W', '-1', repo.bug], { cwd: repo.dir, env: GIT_ENV, encoding: 'utf8' });
    const r = spawnSync(process.execPath, [BIN, 'check', '--format', 'b4', '-'], { cwd: repo.dir, input: patch, encoding: 'utf8' });
    const out = JSON.parse(r.stdout);
    expect(out[0]).toMatchObject({ tool: 'mmreview', status: 'fail' });
  });

  it('the installed sendemail-validate hook blocks the bug patch and the override lets it through', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-e2e-hook-'));
    git(dir, 'clone', '-q', repo.dir, 'r');
    const r0 = join(dir, 'r');
    const inst = await installHooks({ cwd: r0, node: process.execPath, bin: BIN, version: '0.1.0' });
    if (!inst.ok) throw new Error(inst.error);
    const hook = inst.outcomes[0]!.path;
    const patches = mkdtempSync(join(tmpdir(), 'mmr-e2e-patches-'));
    const bugPatch = join(patches, '0001-bug.patch');
    const fixPatch = join(patches, '0001-fix.patch');
    writeFileSync(bugPatch, execFileSync('git', ['format-patch', '--stdout', '-1', repo.bug], { cwd: r0, env: GIT_ENV }));
    writeFileSync(fixPatch, execFileSync('git', ['format-patch', '--stdout', '-1', repo.fix], { cwd: r0, env: GIT_ENV }));
    const run = (file: string, env: NodeJS.ProcessEnv = {}) => spawnSync(hook, [file], { cwd: r0, encoding: 'utf8', env: { ...GIT_ENV, ...env } });
    const blocked = run(bugPatch);
    expect(blocked.status).toBe(1);
    expect(blocked.stderr).toContain('MMREVIEW_SKIP=1 git send-email');
    expect(run(bugPatch, { MMREVIEW_SKIP: '1' }).status).toBe(0);
    const fix = run(fixPatch);
    expect(fix.status).toBe(0);
    // A fix is a note, not an alarm: at most three lines, naming what it fixes.
    const lines = fix.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length, fix.stderr).toBeLessThanOrEqual(3);
    expect(fix.stderr).not.toContain('VIOLATION');

    if (!toolPresent('git send-email', HAS_SEND_EMAIL)) {
      console.warn('git send-email is not installed (Debian package git-email): skipping the send-email --validate case');
      return;
    }
    const send = (file: string, env: NodeJS.ProcessEnv = {}) =>
      spawnSync(
        'git',
        ['send-email', '--dry-run', '--validate', '--confirm=never', '--suppress-cc=all', '--to=linux-mm@example.org', '--from=Ada Tester <ada@example.org>', file],
        { cwd: r0, encoding: 'utf8', env: { ...GIT_ENV, ...env } },
      );
    const refused = send(bugPatch);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/rejected by sendemail-validate hook/);
    expect(send(bugPatch, { MMREVIEW_SKIP: '1' }).status).toBe(0);
    expect(send(fixPatch).status).toBe(0);
  });
});

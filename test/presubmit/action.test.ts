// action.yml: structure of the composite action, and its shell steps run for real against a shallow clone.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { GIT_ENV, git, makeKernelRepo, type KernelRepo } from './kernel-repo.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  if?: string;
  'working-directory'?: string;
}
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  name: string;
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
  runs: { using: string; steps: Step[] };
};
const step = (name: string): Step => {
  const s = action.runs.steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step '${name}'`);
  return s;
};

/** Runs one step's bash script with its env (the `${{ }}` values given by the test). */
function runStep(s: Step, cwd: string, env: Record<string, string>) {
  const out = join(mkdtempSync(join(tmpdir(), 'mmr-gh-')), 'output');
  const r = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', s.run!], {
    cwd,
    encoding: 'utf8',
    env: { ...GIT_ENV, GITHUB_ACTION_PATH: ROOT, GITHUB_OUTPUT: out, ...env },
  });
  const outputs = existsSync(out) ? readFileSync(out, 'utf8') : '';
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, outputs };
}

let repo: KernelRepo;
beforeAll(() => {
  repo = makeKernelRepo();
});

describe('action.yml', () => {
  it('is a composite action: setup-node, npm ci in its own path, check --git --format sarif, upload-sarif', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['base', 'head', 'rules', 'arch', 'fail-on']));
    expect(action.inputs['fail-on']?.default).toBe('introduced');
    const uses = action.runs.steps.map((s) => s.uses).filter(Boolean);
    expect(uses).toEqual(['actions/setup-node@v4', 'github/codeql-action/upload-sarif@v3']);
    const install = step('Install mmreview');
    expect(install['working-directory']).toBe('${{ github.action_path }}');
    expect(install.run).toMatch(/^npm ci\b/);
    expect(step('Run mmreview').run).toContain('check --git "$BASE..$HEAD_SHA" --format sarif');
    for (const s of action.runs.steps) if (s.run) expect(s.shell).toBe('bash');
  });

  it('the fetch step makes base..head resolvable in a depth-1 clone', () => {
    git(repo.dir, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
    const dir = mkdtempSync(join(tmpdir(), 'mmr-gh-clone-'));
    git(dir, 'clone', '-q', '--depth', '1', '--branch', 'good', `file://${repo.dir}`, 'r');
    const r0 = join(dir, 'r');
    expect(spawnSync('git', ['rev-list', `${repo.base}..${repo.bug}`], { cwd: r0 }).status).not.toBe(0);
    const r = runStep(step('Fetch the commits of the range'), r0, { BASE: repo.base, HEAD_SHA: repo.bug, NCOMMITS: '2' });
    expect(r.code, r.stderr).toBe(0);
    expect(git(r0, 'rev-list', '--reverse', `${repo.base}..${repo.bug}`).split('\n')).toEqual([repo.harmless, repo.bug]);
  });

  it('the fetch step explains a missing range', () => {
    const r = runStep(step('Fetch the commits of the range'), repo.dir, { BASE: '', HEAD_SHA: '', NCOMMITS: '1' });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('::error::mmreview: no range');
  });

  it('fail-on maps the exit code', () => {
    const s = step('Apply fail-on');
    const code = (FAIL_ON: string, CODE: string) => runStep(s, repo.dir, { FAIL_ON, CODE }).code;
    expect([code('introduced', '0'), code('introduced', '1'), code('introduced', '2')]).toEqual([0, 1, 2]);
    expect([code('error', '1'), code('error', '2')]).toEqual([0, 2]);
    expect([code('never', '1'), code('never', '2')]).toEqual([0, 0]);
    expect(code('bogus', '0')).toBe(2);
  });

  it('the run step writes SARIF and reports exit code 1 on the bug range', () => {
    const sarif = join(mkdtempSync(join(tmpdir(), 'mmr-gh-sarif-')), 'mmreview.sarif');
    const r = runStep(step('Run mmreview'), repo.dir, { BASE: repo.base, HEAD_SHA: repo.bug, RULES: '', ARCH: '', SARIF: sarif });
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs).toContain('exit-code=1');
    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    expect(log.version).toBe('2.1.0');
  });
});

// install-hook: hooks dir (core.hooksPath), refuse / chain / force, and the hooks' blocking and override logic.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { HOOK_MARKER, hooksDir, installHooks } from '../../src/git/index.ts';
import { GIT_ENV, git, makeKernelRepo, type KernelRepo } from './kernel-repo.ts';

const BIN = fileURLToPath(new URL('../../bin/mmreview.js', import.meta.url));

let repo: KernelRepo;
let stub: string;
let stubLog: string;
beforeAll(() => {
  repo = makeKernelRepo();
  // A stand-in for bin/mmreview.js that records its arguments and exits with $MMR_STUB_EXIT: it lets these tests
  // drive the hook's control flow (block on 1, pass on 0, never block on 2); e2e.test.ts runs the real binary.
  const d = mkdtempSync(join(tmpdir(), 'mmr-stub-'));
  stub = join(d, 'mmreview-stub.mjs');
  stubLog = join(d, 'calls.log');
  writeFileSync(
    stub,
    `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(stubLog)}, JSON.stringify(process.argv.slice(2)) + '\\n');\nprocess.exit(Number(process.env.MMR_STUB_EXIT ?? '0'));\n`,
  );
});

function clone(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mmr-${name}-`));
  git(dir, 'clone', '-q', repo.dir, 'r');
  return join(dir, 'r');
}

function calls(): string[][] {
  if (!existsSync(stubLog)) return [];
  return readFileSync(stubLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]);
}

function runHook(path: string, args: string[], env: NodeJS.ProcessEnv = {}, input = '', cwd?: string) {
  writeFileSync(stubLog, '');
  const r = spawnSync(path, args, { cwd, input, encoding: 'utf8', env: { ...GIT_ENV, ...env } });
  return { code: r.status, stderr: r.stderr };
}

const base = { node: process.execPath, version: '0.1.0' };

describe('installHooks', () => {
  it('writes an executable sendemail-validate hook naming this node and bin by absolute path; re-install updates it', async () => {
    const r0 = clone('inst');
    const r = await installHooks({ cwd: r0, bin: BIN, ...base });
    if (!r.ok) throw new Error(r.error);
    const path = join(r0, '.git', 'hooks', 'sendemail-validate');
    expect(r.outcomes).toEqual([{ hook: 'sendemail-validate', path, action: 'installed' }]);
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(text).toContain(HOOK_MARKER);
    expect(text).toContain(`MMREVIEW_NODE='${process.execPath}'`);
    expect(text).toContain(`MMREVIEW_BIN='${BIN}'`);
    expect(statSync(path).mode & 0o111).toBe(0o111);
    expect(spawnSync('sh', ['-n', path]).status).toBe(0);
    const again = await installHooks({ cwd: r0, bin: BIN, prePush: true, ...base });
    expect(again.ok && again.outcomes.map((o) => o.action)).toEqual(['updated', 'installed']);
    expect(spawnSync('sh', ['-n', join(r0, '.git', 'hooks', 'pre-push')]).status).toBe(0);
  });

  it('respects core.hooksPath', async () => {
    const r0 = clone('hookspath');
    git(r0, 'config', 'core.hooksPath', '.githooks');
    expect(await hooksDir(join(r0, 'mm'))).toEqual({ ok: true, dir: join(r0, '.githooks') });
    const r = await installHooks({ cwd: r0, bin: BIN, ...base });
    expect(r.ok && r.outcomes[0]?.path).toBe(join(r0, '.githooks', 'sendemail-validate'));
  });

  it('refuses a foreign hook, chains it with --chain, replaces it with --force', async () => {
    const r0 = clone('foreign');
    const path = join(r0, '.git', 'hooks', 'sendemail-validate');
    const mark = join(r0, 'foreign-ran');
    const foreign = `#!/bin/sh\necho "$1" >> '${mark}'\nexit \${FOREIGN_EXIT:-0}\n`;
    writeFileSync(path, foreign);
    chmodSync(path, 0o755);
    const refused = await installHooks({ cwd: r0, bin: stub, ...base });
    expect(refused.ok && refused.outcomes[0]?.action).toBe('refused');
    expect(refused.ok && refused.outcomes[0]?.note).toMatch(/not written by mmreview; re-run with --chain .* or --force/);
    expect(readFileSync(path, 'utf8')).toBe(foreign);

    const chained = await installHooks({ cwd: r0, bin: stub, existing: 'chain', ...base });
    expect(chained.ok && chained.outcomes[0]).toMatchObject({ action: 'chained', note: `${path}.pre-mmreview` });
    expect(readFileSync(`${path}.pre-mmreview`, 'utf8')).toBe(foreign);
    expect(runHook(path, ['/tmp/p.patch'], {}, '', r0).code).toBe(0);
    expect(readFileSync(mark, 'utf8')).toBe('/tmp/p.patch\n');
    expect(calls()).toEqual([['check', '--brief', '--tree', realpathSync(r0), '/tmp/p.patch']]);
    // The chained hook's failure stops the send before mmreview runs.
    expect(runHook(path, ['/tmp/p.patch'], { FOREIGN_EXIT: '3' }).code).toBe(3);
    expect(calls()).toEqual([]);
    // A re-install over our own hook keeps the chain.
    await installHooks({ cwd: r0, bin: stub, ...base });
    expect(readFileSync(path, 'utf8')).toContain(`MMREVIEW_CHAINED='${path}.pre-mmreview'`);

    writeFileSync(path, foreign);
    const forced = await installHooks({ cwd: r0, bin: stub, existing: 'overwrite', ...base });
    expect(forced.ok && forced.outcomes[0]?.action).toBe('overwritten');
    expect(readFileSync(path, 'utf8')).toContain(HOOK_MARKER);
  });

  it('reports a directory that is not a repository', async () => {
    const r = await installHooks({ cwd: mkdtempSync(join(tmpdir(), 'mmr-nr-')), bin: BIN, ...base });
    expect(r.ok).toBe(false);
  });
});

describe('sendemail-validate hook logic', () => {
  it('blocks on exit 1 with the override named, passes on 0, does not block when mmreview cannot run the check', async () => {
    const r0 = clone('se');
    await installHooks({ cwd: r0, bin: stub, ...base });
    const hook = join(r0, '.git', 'hooks', 'sendemail-validate');
    const blocked = runHook(hook, ['/tmp/x.patch'], { MMR_STUB_EXIT: '1' }, '', r0);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('MMREVIEW_SKIP=1 git send-email');
    expect(blocked.stderr).toContain('git config mmreview.skip true');
    expect(calls()).toEqual([['check', '--brief', '--tree', realpathSync(r0), '/tmp/x.patch']]);
    expect(runHook(hook, ['/tmp/x.patch'], { MMR_STUB_EXIT: '0' }, '', r0).code).toBe(0);
    const err = runHook(hook, ['/tmp/x.patch'], { MMR_STUB_EXIT: '2' }, '', r0);
    expect(err.code).toBe(0);
    expect(err.stderr).toContain('not blocking');
  });

  it('reviews a format-patch of a local commit as that commit (--git <sha>), any other file as a file', async () => {
    const r0 = clone('sha');
    await installHooks({ cwd: r0, bin: stub, ...base });
    const hook = join(r0, '.git', 'hooks', 'sendemail-validate');
    const d = mkdtempSync(join(tmpdir(), 'mmr-sha-'));
    const plain = join(d, 'plain.patch');
    const wide = join(d, 'wide.patch');
    const edited = join(d, 'edited.patch');
    const fp = (...a: string[]) => execFileSync('git', ['format-patch', '--stdout', ...a], { cwd: r0, env: GIT_ENV, encoding: 'utf8' });
    writeFileSync(plain, fp('-1', repo.bug));
    writeFileSync(wide, fp('-W', '-1', repo.bug));
    writeFileSync(edited, fp('-1', repo.bug).replace('+\tflush_tlb_range(vma, start, end);', '+\tflush_tlb_mm(mm);'));
    expect(runHook(hook, [plain], {}, '', r0).code).toBe(0);
    expect(calls()).toEqual([['check', '--brief', '--git', repo.bug]]);
    runHook(hook, [wide], {}, '', r0);
    expect(calls()).toEqual([['check', '--brief', '--git', repo.bug]]);
    runHook(hook, [edited], {}, '', r0);
    expect(calls()).toEqual([['check', '--brief', '--tree', realpathSync(r0), edited]]);
  });

  it('lets the send through with MMREVIEW_SKIP=1 or git config mmreview.skip true, without running mmreview', async () => {
    const r0 = clone('skip');
    await installHooks({ cwd: r0, bin: stub, ...base });
    const hook = join(r0, '.git', 'hooks', 'sendemail-validate');
    expect(runHook(hook, ['/tmp/x.patch'], { MMR_STUB_EXIT: '1', MMREVIEW_SKIP: '1' }, '', r0).code).toBe(0);
    expect(calls()).toEqual([]);
    expect(runHook(hook, ['/tmp/x.patch'], { MMR_STUB_EXIT: '1', MMREVIEW_SKIP: '0' }, '', r0).code).toBe(1);
    git(r0, 'config', 'mmreview.skip', 'true');
    const skipped = runHook(hook, ['/tmp/x.patch'], { MMR_STUB_EXIT: '1' }, '', r0);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toContain('mmreview.skip');
    expect(calls()).toEqual([]);
  });
});

describe('pre-push hook logic', () => {
  it('checks remote..local for an update and the new commits of a new branch; blocks on 1; MMREVIEW_SKIP overrides', async () => {
    const remote = mkdtempSync(join(tmpdir(), 'mmr-remote-'));
    git(remote, 'init', '-q', '--bare');
    const r0 = clone('push');
    git(r0, 'remote', 'add', 'up', remote);
    git(r0, 'push', '-q', 'up', 'origin/master:refs/heads/master');
    await installHooks({ cwd: r0, bin: stub, prePush: true, ...base });
    const push = (env: NodeJS.ProcessEnv, ...args: string[]) => {
      writeFileSync(stubLog, '');
      return spawnSync('git', ['push', ...args], { cwd: r0, encoding: 'utf8', env: { ...GIT_ENV, ...env } });
    };
    // New branch: the commits not yet on the remote.
    const blocked = push({ MMR_STUB_EXIT: '1' }, 'up', `${repo.bug}:refs/heads/topic`);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr).toContain('MMREVIEW_SKIP=1 git push');
    expect(calls()).toEqual([['check', '--git', `${repo.harmless}^..${repo.bug}`]]);
    expect(spawnSync('git', ['rev-parse', '--verify', '-q', 'refs/heads/topic'], { cwd: remote }).status).not.toBe(0);
    // Override.
    expect(push({ MMR_STUB_EXIT: '1', MMREVIEW_SKIP: '1' }, 'up', `${repo.bug}:refs/heads/topic`).status).toBe(0);
    expect(calls()).toEqual([]);
    // Update: remote..local.
    const ok = push({ MMR_STUB_EXIT: '0' }, 'up', `${repo.fix}:refs/heads/topic`);
    expect(ok.status).toBe(0);
    expect(calls()).toEqual([['check', '--git', `${repo.bug}..${repo.fix}`]]);
    expect(execFileSync('git', ['rev-parse', 'refs/heads/topic'], { cwd: remote, encoding: 'utf8' }).trim()).toBe(repo.fix);
  });
});

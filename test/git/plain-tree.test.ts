// `--tree` of a plain directory (no `.git`, no `HEAD`): read as a directory without starting git; a directory that
// can be a repository's root still asks git.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openGitStore, openTreeStore } from '../../src/git/repo-store.ts';

const root = mkdtempSync(join(tmpdir(), 'mmr-plain-tree-'));
const bin = join(root, 'bin');
const marker = join(root, 'git-ran');
const savedPath = process.env.PATH;
const savedGitDir = process.env.GIT_DIR;

beforeAll(() => {
  // A `git` that only records that it ran (and fails, as outside a repository).
  mkdirSync(bin);
  writeFileSync(join(bin, 'git'), `#!/bin/sh\necho ran >> '${marker}'\nexit 128\n`);
  chmodSync(join(bin, 'git'), 0o755);
  process.env.PATH = `${bin}:${savedPath ?? ''}`;
  delete process.env.GIT_DIR;
});
afterEach(() => rmSync(marker, { force: true }));
afterAll(() => {
  process.env.PATH = savedPath;
  if (savedGitDir !== undefined) process.env.GIT_DIR = savedGitDir;
  rmSync(root, { recursive: true, force: true });
});

function dir(name: string, entries: Record<string, string> = {}): string {
  const d = join(root, name);
  mkdirSync(join(d, 'mm'), { recursive: true });
  writeFileSync(join(d, 'mm', 'x.c'), 'int f(void)\n{\n\treturn 0;\n}\n');
  for (const [p, text] of Object.entries(entries)) writeFileSync(join(d, p), text);
  return d;
}

describe('openTreeStore on a plain directory', () => {
  it('reads the directory without starting git', async () => {
    const d = dir('plain');
    expect(await openGitStore(d)).toBeUndefined();
    const store = await openTreeStore(d);
    expect(store.name).not.toContain('(git)');
    expect(existsSync(marker)).toBe(false);
  });

  it('asks git when the directory holds .git (a work tree) or HEAD (a git directory)', async () => {
    for (const [name, entries] of [['worktree', { '.git': 'gitdir: /nowhere\n' }], ['gitdir', { HEAD: 'ref: refs/heads/main\n' }]] as const) {
      expect(await openGitStore(dir(name, entries))).toBeUndefined();
      expect(existsSync(marker)).toBe(true);
      rmSync(marker, { force: true });
    }
  });

  it('asks git when GIT_DIR may place the repository anywhere', async () => {
    process.env.GIT_DIR = join(root, 'elsewhere');
    try {
      expect(await openGitStore(dir('envdir'))).toBeUndefined();
      expect(existsSync(marker)).toBe(true);
    } finally {
      delete process.env.GIT_DIR;
    }
  });
});

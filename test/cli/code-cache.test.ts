/**
 * `check` runs the CommonJS bundle dist/cjs/cli.cjs through a V8 code cache (bin/code-cache.js). The output is the
 * one of the ES-module run; a missing, corrupt, foreign (other source or V8) or unwritable cache falls back silently
 * to compiling, and a completed run leaves a cache the next run accepts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'mmreview.js');
const PATCH = 'fixtures/patches/series/0005-mm-user_fixup-use-get_user_pages_remote-to-fault-in-.patch';
const ARGS = ['check', '--format', 'json', '--tree', 'fixtures/tree', PATCH];
const dir = mkdtempSync(join(tmpdir(), 'mmr-code-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Preload (CommonJS): logs every module a require() loads, to $MMR_REQUIRE_LOG. */
const hook = join(dir, 'require-log.cjs');
writeFileSync(
  hook,
  "const M = require('node:module'); const fs = require('node:fs'); const load = M._load;\n" +
    'M._load = function (request, parent, isMain) { fs.appendFileSync(process.env.MMR_REQUIRE_LOG, request + "\\n"); return load.apply(this, arguments); };\n',
);

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string>, pre: string[] = []): Run {
  const r = spawnSync(process.execPath, [...pre, BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The JSON report without its timings. */
function report(r: Run): unknown {
  return JSON.parse(r.stdout.replace(/"ms": [0-9.]+/g, '"ms": 0'));
}

/** The cache files in `d`. */
const caches = (d: string): string[] => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.v8cache')) : []);

const reference = run(ARGS, { MMREVIEW_CODE_CACHE: 'off' });

describe('check through the V8 code cache', () => {
  it('prints what the ES-module run prints, writes a cache on the first run and uses it on the next', () => {
    expect(reference.status).toBe(1);
    const cache = join(dir, 'fresh');
    const first = run(ARGS, { MMREVIEW_CACHE_DIR: cache });
    expect(first.status).toBe(1);
    expect(first.stderr).toBe('');
    expect(report(first)).toEqual(report(reference));
    expect(caches(cache)).toHaveLength(1);
    const written = readFileSync(join(cache, caches(cache)[0]!));
    const second = run(ARGS, { MMREVIEW_CACHE_DIR: cache });
    expect(second.status).toBe(1);
    expect(report(second)).toEqual(report(reference));
    // accepted: not rewritten
    expect(readFileSync(join(cache, caches(cache)[0]!)).equals(written)).toBe(true);
  });

  it('a corrupt cache (damaged payload, truncated, garbage) falls back silently and is replaced', () => {
    const cache = join(dir, 'corrupt');
    run(ARGS, { MMREVIEW_CACHE_DIR: cache });
    const name = join(cache, caches(cache)[0]!);
    const good = readFileSync(name);
    const damaged = Buffer.from(good);
    for (let i = damaged.length >> 1; i < (damaged.length >> 1) + 256; i++) damaged[i]! ^= 0x5a;
    for (const bad of [damaged, good.subarray(0, good.length >> 1), Buffer.from('not a code cache')]) {
      writeFileSync(name, bad);
      const r = run(ARGS, { MMREVIEW_CACHE_DIR: cache });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe('');
      expect(report(r)).toEqual(report(reference));
      expect(readFileSync(name).equals(bad)).toBe(false);
    }
  });

  it('a cache made for another source or V8 is rejected, not used', () => {
    const cache = join(dir, 'foreign');
    run(ARGS, { MMREVIEW_CACHE_DIR: cache });
    const name = join(cache, caches(cache)[0]!);
    const other = new vm.Script('(function () { return 42; })').createCachedData();
    writeFileSync(name, other);
    const r = run(ARGS, { MMREVIEW_CACHE_DIR: cache });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    expect(report(r)).toEqual(report(reference));
    expect(readFileSync(name).equals(other)).toBe(false);
  });

  it('an unwritable cache directory only costs the compile', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const r = run(ARGS, { MMREVIEW_CACHE_DIR: join(file, 'cache') });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    expect(report(r)).toEqual(report(reference));
  });

  it('a help or usage-error run writes no cache', () => {
    const cache = join(dir, 'help');
    expect(run(['check', '--help'], { MMREVIEW_CACHE_DIR: cache }).status).toBe(0);
    expect(run(['check', '--format', 'nope', PATCH], { MMREVIEW_CACHE_DIR: cache }).status).toBe(2);
    expect(caches(cache)).toEqual([]);
  });

  it('requires no mail, SQLite, Probot or Octokit package for a plain diff without candidates', () => {
    const patch = join(dir, 'x.diff');
    writeFileSync(patch, 'diff --git a/mm/x.c b/mm/x.c\n--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1,4 +1,4 @@\n int f(void)\n {\n-\treturn 0;\n+\treturn 1;\n }\n');
    const log = join(dir, 'require.log');
    writeFileSync(log, '');
    const r = run(['check', patch], { MMREVIEW_CACHE_DIR: join(dir, 'lazy'), MMR_REQUIRE_LOG: log }, ['--require', hook]);
    expect(r.status).toBe(0);
    const required = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    // the hook sees the bundle's requires: its first line requires node:url; web-tree-sitter, part of the bundle
    // itself, requires 'fs'
    expect(required).toContain('node:url');
    expect(required).toContain('fs');
    expect(required).not.toContain('web-tree-sitter');
    expect(required.filter((m) => /^(mailparser|libmime|nodemailer|better-sqlite3|probot|octokit|@octokit\/)/.test(m))).toEqual([]);
  });

  it('a command that loads a package on demand (mailparser for a quoted-printable mail) runs from a warm cache', () => {
    const mail = join(dir, 'qp.eml');
    writeFileSync(
      mail,
      'From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\nFrom: Ada <ada@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n' +
        'Subject: [PATCH] mm: tweak f()\nMessage-ID: <2@example.org>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n' +
        'Content-Transfer-Encoding: quoted-printable\n\nText =E2=80=94 with a dash.\n\nSigned-off-by: Ada <ada@example.org>\n---\n' +
        'diff --git a/mm/x.c b/mm/x.c\n--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1,4 +1,4 @@\n int f(void)\n {\n-=09return 0;\n+=09return 1;\n }\n',
    );
    const args = ['check', '--format', 'json', mail];
    const ref = run(args, { MMREVIEW_CODE_CACHE: 'off' });
    const cache = join(dir, 'warm');
    run(args, { MMREVIEW_CACHE_DIR: cache });
    expect(caches(cache)).toHaveLength(1);
    const log = join(dir, 'require-qp.log');
    writeFileSync(log, '');
    const r = run(args, { MMREVIEW_CACHE_DIR: cache, MMR_REQUIRE_LOG: log }, ['--require', hook]);
    expect(r.status).toBe(ref.status);
    expect(r.stderr).toBe('');
    expect(report(r)).toEqual(report(ref));
    expect(readFileSync(log, 'utf8').split('\n')).toContain('mailparser');
  });

  it('without MMREVIEW_CACHE_DIR the cache the build wrote beside the bundle serves, and nothing is written elsewhere', () => {
    expect(readdirSync(join(ROOT, 'dist', 'cjs')).filter((f) => f.endsWith('.v8cache'))).toHaveLength(1);
    const home = join(dir, 'home');
    const env: Record<string, string> = { HOME: home, XDG_CACHE_HOME: '' };
    const r = spawnSync(process.execPath, [BIN, ...ARGS], { cwd: ROOT, encoding: 'utf8', env: { ...withoutCacheDir(), ...env } });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    expect(report({ status: r.status, stdout: r.stdout, stderr: r.stderr })).toEqual(report(reference));
    expect(existsSync(home)).toBe(false);
  });

  it('a check of large input files takes the ES modules (the restored code would raise its peak RSS)', () => {
    const big = join(dir, 'big.patch');
    // one small patch padded past 4 MB with a commit message
    const patch = readFileSync(join(ROOT, PATCH), 'utf8');
    const cut = patch.indexOf('\n---\n');
    writeFileSync(big, patch.slice(0, cut) + '\n' + 'Padding line of a long commit message.\n'.repeat(120_000) + patch.slice(cut));
    const log = join(dir, 'require-big.log');
    writeFileSync(log, '');
    const cache = join(dir, 'big');
    const r = run(['check', '--format', 'json', big], { MMREVIEW_CACHE_DIR: cache, MMR_REQUIRE_LOG: log }, ['--require', hook]);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).stats.patches).toBe(1);
    expect(r.stderr).toBe('');
    // no bundle ran (its first line requires node:url for import.meta.url), and no cache was written
    expect(readFileSync(log, 'utf8').split('\n')).not.toContain('node:url');
    expect(caches(cache)).toEqual([]);
  });
});


function withoutCacheDir(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.MMREVIEW_CACHE_DIR;
  return env;
}

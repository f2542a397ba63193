/**
 * Start-up stays cheap: bin/mmreview.js runs the bundled dist/ (built from the current sources by the test set-up)
 * and each command loads only what it needs. A module-load hook records every module URL the process loads; each
 * bundle chunk is read as the source modules it holds (dist/meta.json, esbuild's metafile).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'mmreview.js');
const dir = mkdtempSync(join(tmpdir(), 'mmr-lazy-'));
const hooks = join(dir, 'hooks.mjs');
writeFileSync(
  hooks,
  "import { appendFileSync } from 'node:fs';\n" +
    'export async function load(url, context, next) { appendFileSync(process.env.MMR_LOAD_LOG, url + "\\n"); return next(url, context); }\n',
);
const register = join(dir, 'register.mjs');
writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(new URL(`file://${hooks}`).href)});\n`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Source modules (src/…, rules/…) of each bundle file (dist/…), from the build's metafile. */
function chunkInputs(): Map<string, string[]> {
  const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  return new Map(Object.entries(meta.outputs).map(([out, o]) => [out, Object.keys(o.inputs)]));
}

/**
 * Runs the CLI; returns its exit status, the module URLs it loaded (relative to the repository or node_modules) and
 * the source modules those hold (a bundle chunk read as its source modules, any other module as itself).
 */
function loaded(args: string[], name: string): { status: number | null; stdout: string; modules: string[]; sources: string[] } {
  const log = join(dir, `${name}.log`);
  writeFileSync(log, '');
  // `check` runs from the ES modules here (the code-cached CommonJS bundle loads no module files to log: its
  // laziness is tested in code-cache.test.ts).
  const r = spawnSync(process.execPath, ['--import', register, BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, MMR_LOAD_LOG: log, MMREVIEW_CODE_CACHE: 'off' },
  });
  const modules = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((u) => u.replace(/^file:\/\/.*?\/node_modules\//, 'node_modules/').replace(`file://${ROOT}`, ''));
  const chunks = chunkInputs();
  return { status: r.status, stdout: r.stdout, modules, sources: modules.flatMap((m) => chunks.get(m) ?? [m]) };
}

const HEAVY = ['node_modules/mailparser/', 'node_modules/better-sqlite3/', 'node_modules/probot/', 'node_modules/octokit/', 'node_modules/nodemailer/', 'src/render/html-report'];

/** Loaded modules that start with one of `prefixes`. */
const under = (mods: string[], prefixes: string[]): string[] => mods.filter((m) => prefixes.some((p) => m.startsWith(p)));

describe('start-up', () => {
  it('runs the bundled JavaScript, not the TypeScript sources', () => {
    const r = loaded(['--version'], 'version');
    expect(r.status).toBe(0);
    expect(r.modules.some((m) => m.startsWith('dist/src/cli/main.js'))).toBe(true);
    expect(r.sources).toContain('src/cli/main.ts');
    // one file per chunk, not one per source module
    expect(r.modules.filter((m) => m.startsWith('dist/')).length).toBeLessThan(r.sources.filter((m) => m.startsWith('src/')).length);
    expect(r.modules.filter((m) => m.endsWith('.ts'))).toEqual([]);
    expect(r.modules.some((m) => m.includes('node_modules/tsx/'))).toBe(false);
  });

  it('--help loads no command dependencies (engine, simulator, parser, mail, SQLite, Probot)', () => {
    const r = loaded(['--help'], 'help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('check');
    const heavy = r.sources.filter((m) => [...HEAVY, 'node_modules/web-tree-sitter/', 'node_modules/zod/', 'node_modules/yaml/'].some((h) => m.includes(h)));
    expect(heavy).toEqual([]);
    expect(under(r.sources, ['src/engine/index', 'src/sim/', 'src/c/', 'rules/', 'src/frontend/'])).toEqual([]);
  });

  it('check on a plain diff without candidates loads the engine and parser but no simulator, mail, SQLite, Probot or HTML stack', () => {
    const patch = join(dir, 'x.diff');
    writeFileSync(patch, 'diff --git a/mm/x.c b/mm/x.c\n--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1,4 +1,4 @@\n int f(void)\n {\n-\treturn 0;\n+\treturn 1;\n }\n');
    const r = loaded(['check', patch], 'check');
    expect(r.status).toBe(0);
    expect(r.sources).toContain('src/engine/index.ts');
    expect(r.sources.filter((m) => HEAVY.some((h) => m.includes(h)))).toEqual([]);
    // no candidate: the simulator and its scenario validation (zod) are never loaded
    expect(r.sources.filter((m) => m === 'src/sim/simulate.ts' || m.includes('node_modules/zod/'))).toEqual([]);
  });

  it('check on a plain git format-patch mail reads its headers without mailparser or libmime', () => {
    const mail = join(dir, 'x.patch');
    writeFileSync(
      mail,
      'From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\nFrom: Ada <ada@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n' +
        'Subject: [PATCH] mm: tweak f()\nMessage-ID: <1@example.org>\n\nText.\n\nSigned-off-by: Ada <ada@example.org>\n---\n' +
        'diff --git a/mm/x.c b/mm/x.c\n--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1,4 +1,4 @@\n int f(void)\n {\n-\treturn 0;\n+\treturn 1;\n }\n',
    );
    const r = loaded(['check', '--format', 'json', mail], 'mail');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).stats.patches).toBe(1);
    expect(r.sources.filter((m) => [...HEAVY, 'node_modules/libmime/', 'node_modules/encoding-japanese/'].some((h) => m.includes(h)))).toEqual([]);
    // no tree, no --git: no git layer; JSON: no terminal, SARIF or b4 renderer
    expect(under(r.sources, ['src/git/', 'src/render/'])).toEqual([]);
  });

  it('a re-scan with nothing new loads neither the engine nor the rules', () => {
    const args = ['scan', 'fixtures/inputs/three.mbox', '--db', join(dir, 'state.db'), '--drafts', join(dir, 'drafts'), '--format', 'json', '--no-progress'];
    const first = loaded(args, 'scan1');
    expect(first.status).toBe(0);
    const again = loaded(args, 'scan2');
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout).run.sources[0].newMessages).toBe(0);
    expect(under(again.sources, ['src/engine/index.ts', 'rules/', 'node_modules/web-tree-sitter/'])).toEqual([]);
  });

  it('check with a candidate loads the simulator when it needs it', () => {
    const r = loaded(['check', '--tree', 'fixtures/tree', 'fixtures/patches/series'], 'series');
    expect(r.status).toBe(1);
    expect(r.sources).toContain('src/sim/simulate.ts');
  });
});

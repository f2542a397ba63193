// The real CLI with --tree as a git repository: check (text and JSON notes) and inspect (whole functions) on a series
// whose second patch names a blob only the first creates.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/finding.ts';
import type { InspectDoc } from '../../src/frontend/inspect.ts';
import { tempDir } from '../scan/archive-helpers.ts';
import { renderB4 } from '../../src/render/b4.ts';
import { renderSarif } from '../../src/render/sarif.ts';
import { edit, makeTreeRepo, patchesFrom, type TreeRepo } from './tree-repo.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let repo: TreeRepo;
let files: string[];

beforeAll(() => {
  repo = makeTreeRepo();
  const texts = patchesFrom(repo.dir, repo.renamed, [
    { subject: 'mm/pgclean: count skipped entries', edit: edit('mm/pgclean.c', '\tunsigned long start = addr;\n', '\tunsigned long start = addr;\n\tunsigned long nr = 0;\n') },
    {
      subject: 'mm/pgclean: flush after dropping the PTL',
      edit: edit('mm/pgclean.c', '\tflush_tlb_range(vma, start, end);\n\tpte_unmap_unlock(start_pte, ptl);\n', '\tpte_unmap_unlock(start_pte, ptl);\n\tflush_tlb_range(vma, start, end);\n'),
    },
  ]);
  const dir = tempDir('tree-cli');
  files = texts.map((t, i) => {
    const f = join(dir, `000${i + 1}.patch`);
    writeFileSync(f, t);
    return f;
  });
});

describe('mmreview check/inspect --tree REPO', () => {
  it('check: a note per patch in text and JSON, the finding of patch 2 confirmed', () => {
    const text = cli(['check', '--tree', repo.dir, ...files]);
    expect(text.code).toBe(1);
    // A note wraps to the terminal width: its continuation lines are indented under it.
    const notes = text.stdout
      .replace(/\n {6}(?=\S)/g, ' ')
      .split('\n')
      .filter((l) => l.startsWith('note: ') && l.endsWith('[MMR041]'));
    expect(notes).toHaveLength(2);
    expect(notes[1]).toContain('earlier patch of the series (mm/pgclean.c)');
    const json = JSON.parse(cli(['check', '--tree', repo.dir, '--format', 'json', ...files]).stdout) as Report;
    expect(json.errors.filter((e) => e.code === 'MMR041')).toHaveLength(2);
    expect(json.findings.map((f) => [f.rule, f.status, f.introduced])).toEqual([['flush-under-ptl', 'confirmed', true]]);
    expect(json.findings[0]!.patch.id).toContain('0002.patch');
  }, 120_000);

  it('inspect: whole functions for both patches with the tree, fragments without it', () => {
    const doc = JSON.parse(cli(['inspect', '--tree', repo.dir, '--format', 'json', ...files]).stdout) as InspectDoc;
    const fns = doc.patches.flatMap((p) => p.files.flatMap((f) => f.functions)).filter((f) => f.name === 'pgclean_pte_range');
    expect(fns).toHaveLength(2);
    for (const f of fns) expect([f.pre?.complete, f.post?.complete]).toEqual([true, true]);
    expect(doc.problems.filter((p) => p.code === 'MMR041')).toHaveLength(2);
    const hunkOnly = JSON.parse(cli(['inspect', '--format', 'json', files[1]!]).stdout) as InspectDoc;
    expect(hunkOnly.patches[0]!.files[0]!.functions[0]!.pre?.complete).toBe(false);
  }, 120_000);

  it('b4 mode takes the repository it runs in as the tree', () => {
    const run = (cwd: string) => {
      // the built CLI, run from the directory b4 would run it in
      const r = spawnSync(process.execPath, [join(ROOT, 'bin/mmreview.js'), 'check', '--format', 'b4', '-'], { cwd, encoding: 'utf8', input: readFileSync(files[0]!, 'utf8') });
      return JSON.parse(r.stdout) as Array<{ status: string; details: string }>;
    };
    // inside the kernel repository: the patch is read against its base (a note says which)
    expect(run(repo.dir)[0]!.details).toContain('MMR041');
    // elsewhere: hunk-only, no base note
    expect(run(tempDir('b4-outside'))[0]!.details).not.toContain('MMR041');
  }, 120_000);

  it('refuses a --tree that is not a directory', () => {
    const r = cli(['check', '--tree', join(repo.dir, 'README'), files[0]!]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a directory or git repository');
  });
});

describe('base notes in the b4 and SARIF renderers', () => {
  const report = (codes: string[]): Report => ({
    tool: 'mmreview', version: '0', findings: [], stats: { inputs: 1, patches: 1, files: 1, functions: 1, candidates: 0, simulations: 0, ms: 1 },
    errors: codes.map((code) => ({ code, message: `${code} text`, input: 'p#0' })),
  });
  it('b4: an MMR041 note is listed but does not turn a pass into a warning; MMR042 does', () => {
    const [ok] = renderB4(report(['MMR041']));
    expect(ok!.status).toBe('pass');
    expect(ok!.details).toContain('MMR041 text');
    expect(renderB4(report(['MMR041', 'MMR042']))[0]!.status).toBe('warn');
  });
  it('SARIF: MMR041 is a note, MMR042 a warning', () => {
    const sarif = renderSarif([{ report: report(['MMR041', 'MMR042', 'MMR003']) }], []) as { runs: Array<{ invocations: Array<{ toolExecutionNotifications: Array<{ level: string }> }> }> };
    expect(sarif.runs[0]!.invocations[0]!.toolExecutionNotifications.map((n) => n.level)).toEqual(['note', 'warning', 'error']);
  });
});

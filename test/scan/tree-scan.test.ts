/**
 * End to end: `mmreview scan --tree REPO` over a public-inbox v2 archive whose series applies to a generated
 * kernel-like git repository. The second patch of the series names a blob only the first patch creates; the review
 * reads whole functions (its interleaving reaches above the hunk), and a patch whose blob is missing is reviewed
 * from its hunks with a note. The archive is built with the public-inbox tools when installed, else laid out by
 * hand with plain git (the same v2 layout: git/0.git, one commit per message, the message in blob `m`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScanReport } from '../../src/scan/report-data.ts';
import { renderScanReportText } from '../../src/render/scan-report.ts';
import { TestInbox, havePublicInbox, tempDir } from './archive-helpers.ts';
import { asMail, edit, makeTreeRepo, patchesFrom, type TreeRepo } from '../git/tree-repo.ts';
import { GIT_ENV } from '../presubmit/kernel-repo.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');

/** A public-inbox v2 archive written with plain git: epoch git/0.git, one commit per message holding it as `m`. */
function plainGitInbox(dir: string, raws: Buffer[]): void {
  const epoch = join(dir, 'git', '0.git');
  mkdirSync(epoch, { recursive: true });
  const g = (args: string[], input?: Buffer | string): string =>
    execFileSync('git', ['--git-dir', epoch, ...args], { env: GIT_ENV, encoding: 'utf8', ...(input !== undefined ? { input } : {}) }).trim();
  g(['init', '-q', '--bare']);
  let parent: string | undefined;
  for (const raw of raws) {
    const blob = g(['hash-object', '-w', '--stdin'], raw);
    const tree = g(['mktree'], `100644 blob ${blob}\tm\n`);
    parent = g(['commit-tree', tree, '-m', 'msg', ...(parent ? ['-p', parent] : [])]);
  }
  g(['update-ref', 'refs/heads/master', parent!]);
}

function scan(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'scan', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const COVER = 'cover.1-pgclean@example.org';
const P1 = 'p1.1-pgclean@example.org';
const P2 = 'p2.1-pgclean@example.org';
const LOST = 'lost.1-dirty@example.org';

let repo: TreeRepo;
let archive: string;
let hunkStart: number;

beforeAll(() => {
  repo = makeTreeRepo();
  const texts = patchesFrom(
    repo.dir,
    repo.renamed,
    [
      { subject: 'mm/pgclean: count skipped entries', edit: edit('mm/pgclean.c', '\tunsigned long start = addr;\n', '\tunsigned long start = addr;\n\tunsigned long nr = 0;\n') },
      {
        subject: 'mm/pgclean: flush after dropping the PTL',
        edit: edit('mm/pgclean.c', '\tflush_tlb_range(vma, start, end);\n\tpte_unmap_unlock(start_pte, ptl);\n', '\tpte_unmap_unlock(start_pte, ptl);\n\tflush_tlb_range(vma, start, end);\n'),
      },
    ],
    ['--cover-letter'],
  );
  expect(texts).toHaveLength(3);
  hunkStart = Number(/^@@ -\d+,\d+ \+(\d+)/m.exec(texts[2]!)![1]);
  // A patch made on a commit this repository never had: its blob is missing, and it does not apply to HEAD.
  const [lost] = patchesFrom(repo.dir, repo.initial, [
    { subject: 'mm/dirty_track: start with no PTL', edit: edit('mm/dirty_track.c', '\tspinlock_t *ptl;\n', '\tspinlock_t *ptl = NULL;\n') },
  ]) as [string];
  const mails = [
    asMail(texts[0]!, COVER),
    asMail(texts[1]!, P1, COVER),
    asMail(texts[2]!, P2, COVER),
    asMail(lost.replace(/^index [0-9a-f]+\.\./m, 'index 0badc0de..'), LOST),
  ];
  const root = tempDir('tree-scan');
  archive = join(root, 'linux-mm');
  if (havePublicInbox()) {
    const ibx = new TestInbox();
    ibx.import(mails);
    archive = ibx.dir;
  } else plainGitInbox(archive, mails);
});

describe('mmreview scan --tree REPO', () => {
  it('reviews a public-inbox series against the repository with whole functions; a missing blob is hunk-only with a note', () => {
    const state = tempDir('tree-scan-state');
    const r = scan([archive, '--tree', repo.dir, '--db', join(state, 'db'), '--drafts', join(state, 'drafts'), '--format', 'json', '--no-progress']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ScanReport;
    const patches = report.series.flatMap((s) => s.patches);
    const byId = (id: string) => patches.find((p) => p.messageId === id)!;
    expect(byId(P1).context?.map((c) => c.code)).toEqual(['MMR041']);
    expect(byId(P1).context?.[0]!.message).toContain('index blob id (mm/pgclean.c)');
    expect(byId(P2).context?.[0]!.message).toContain('earlier patch of the series (mm/pgclean.c)');
    const f = byId(P2).findings.find((x) => x.rule === 'flush-under-ptl')!;
    expect(f).toMatchObject({ status: 'confirmed', introduced: true, disposition: 'reported', function: 'pgclean_pte_range' });
    // Whole function: the interleaving starts above the hunk (where the PTE is cleaned).
    const lines = f.trace!.steps.map((s) => s.source?.line).filter((l): l is number => l !== undefined);
    expect(Math.min(...lines)).toBeLessThan(hunkStart);
    expect(byId(LOST).context?.map((c) => c.code)).toEqual(['MMR042']);
    expect(byId(LOST).context?.[0]!.message).toMatch(/no base in .* for mm\/dirty_track\.c: blob 0badc0de not in the tree; .*reviewed from the hunks only/);
    expect(existsSync(join(state, 'drafts'))).toBe(true);
    // One short line per patch in the text report.
    const text = renderScanReportText(report);
    expect(text).toContain('whole functions from');
    expect(text.split('\n').filter((l) => l.includes('[MMR04') || /^\s+(whole functions|no base) /.test(l))).toHaveLength(3);
  }, 120_000);

  it('without a tree the same series is read from its hunks only: no base notes, nothing above the hunk', () => {
    const state = tempDir('tree-scan-none');
    const r = scan([archive, '--db', join(state, 'db'), '--drafts', join(state, 'drafts'), '--format', 'json', '--no-progress'], { MMREVIEW_TREE: '' });
    expect(r.code).toBe(0);
    const patches = (JSON.parse(r.stdout) as ScanReport).series.flatMap((s) => s.patches);
    expect(patches.every((p) => p.context === undefined)).toBe(true);
    for (const f of patches.find((p) => p.messageId === P2)!.findings) {
      const lines = (f.trace?.steps ?? []).map((s) => s.source?.line).filter((l): l is number => l !== undefined);
      for (const l of lines) expect(l).toBeGreaterThanOrEqual(hunkStart);
    }
  }, 120_000);

  it('takes the tree from MMREVIEW_TREE, and refuses a tree that is not a directory', () => {
    const state = tempDir('tree-scan-env');
    const r = scan([archive, '--db', join(state, 'db'), '--drafts', join(state, 'drafts'), '--format', 'json', '--no-progress'], { MMREVIEW_TREE: repo.dir });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ScanReport;
    expect(report.series.flatMap((s) => s.patches).find((p) => p.messageId === P2)?.context?.[0]!.code).toBe('MMR041');
    const bad = scan([archive, '--tree', join(state, 'nope'), '--db', join(state, 'db2')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not a directory or git repository');
  }, 120_000);
});

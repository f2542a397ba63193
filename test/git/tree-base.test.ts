// --tree as a git repository: each patch's base from its index blob ids, the series' earlier patches, base-commit or
// HEAD, through one cat-file process; shallow and bare clones; a missing blob falls back to the hunks with a note.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Patch } from '../../src/core/patch.ts';
import { directoryStore, gitBlobId, resolveBases, type BaseStore } from '../../src/diff/source-tree.ts';
import { CatFile } from '../../src/git/cat-file.ts';
import { openGitStore, openTreeStore, type GitStore } from '../../src/git/repo-store.ts';
import { checkAgainstTree } from '../../src/git/tree-check.ts';
import { reviewGitRange } from '../../src/git/index.ts';
import { checkPatches, isReportable } from '../../src/engine/index.ts';
import { functionsOfPatch } from '../../src/frontend/index.ts';
import { extractPatchesFromText } from '../../src/sources/index.ts';
import { git } from '../presubmit/kernel-repo.ts';
import { edit, makeTreeRepo, patchesFrom, type TreeRepo } from './tree-repo.ts';

let repo: TreeRepo;
/** Against `initial`: rewrites a line commit `changed` also rewrote, so it no longer applies to HEAD. */
let old: string;
/** Against HEAD: a harmless change of pgclean_pte_range(), then the flush moved after the unlock. */
let series: string[];
/** Against `changed`: a change to mm/remap_anon.c, which HEAD has renamed. */
let beforeRename: string;
/** Against HEAD: renames mm/user_fixup.c and changes it. */
let renaming: string;

beforeAll(() => {
  repo = makeTreeRepo();
  [old] = patchesFrom(repo.dir, repo.initial, [
    { subject: 'mm/dirty_track: start with no PTL', edit: edit('mm/dirty_track.c', '\tspinlock_t *ptl;\n', '\tspinlock_t *ptl = NULL;\n') },
  ]) as [string];
  series = patchesFrom(repo.dir, repo.renamed, [
    {
      subject: 'mm/pgclean: count skipped entries',
      edit: edit('mm/pgclean.c', '\tunsigned long start = addr;\n', '\tunsigned long start = addr;\n\tunsigned long nr = 0;\n'),
    },
    {
      subject: 'mm/pgclean: flush after dropping the PTL',
      edit: edit('mm/pgclean.c', '\tflush_tlb_range(vma, start, end);\n\tpte_unmap_unlock(start_pte, ptl);\n', '\tpte_unmap_unlock(start_pte, ptl);\n\tflush_tlb_range(vma, start, end);\n'),
    },
  ]);
  [beforeRename] = patchesFrom(repo.dir, repo.changed, [
    { subject: 'mm/remap_anon: keep err', edit: edit('mm/remap_anon.c', '\tint err = -EAGAIN;\n', '\tint err = -EBUSY;\n') },
  ]) as [string];
  [renaming] = patchesFrom(repo.dir, repo.renamed, [
    {
      subject: 'mm: rename user_fixup.c',
      edit: (d) => {
        git(d, 'mv', 'mm/user_fixup.c', 'mm/fixup.c');
        edit('mm/fixup.c', '\tint ret;\n', '\tint ret = 0;\n')(d);
      },
    },
  ]) as [string];
});

function parse(text: string, name = 'p.patch'): Patch {
  const r = extractPatchesFromText(text, { kind: 'patch-file', name });
  const p = r.patches.find((x) => !x.cover);
  if (!p) throw new Error(`no patch in ${name}`);
  return p;
}

async function withGit<T>(dir: string, fn: (s: GitStore) => Promise<T>): Promise<T> {
  const s = await openGitStore(dir);
  if (!s) throw new Error(`${dir} is not a git repository`);
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}

async function baseOf(p: Patch, store: BaseStore) {
  return (await resolveBases([p], store)).get(p)!;
}

describe('resolveBases over a git repository', () => {
  it('reads a patch made on an older commit from the blob its index line names', async () => {
    const p = parse(old);
    expect(p.files[0]!.blobs?.old).toMatch(/^[0-9a-f]{7,}$/);
    await withGit(repo.dir, async (s) => {
      const b = await baseOf(p, s);
      expect(b.files).toMatchObject([{ path: 'mm/dirty_track.c', source: 'blob', exact: true }]);
      expect(b.notes.map((n) => n.code)).toEqual(['MMR041']);
      expect(b.notes[0]!.message).toContain('index blob id (mm/dirty_track.c)');
      const fns = await functionsOfPatch(p, { tree: b.tree });
      const f = fns.functions.find((x) => x.name === 'dirty_track_pte_range')!;
      expect(f.pre?.complete).toBe(true);
      expect(f.post?.complete).toBe(true);
    });
    // The working tree's files are HEAD's: the diff does not apply there.
    const d = await baseOf(p, directoryStore(repo.dir));
    expect(d.files[0]!.source).toBe('none');
    expect(d.notes.map((n) => n.code)).toEqual(['MMR042']);
  });

  it('reads a series: the second patch is based on the first one\'s post-image, whose blob is nowhere in the repo', async () => {
    const [p1, p2] = series.map((t, i) => parse(t, `s${i}.patch`)) as [Patch, Patch];
    expect(p2.files[0]!.blobs!.old).toBe(p1.files[0]!.blobs!.new);
    await withGit(repo.dir, async (s) => {
      expect((await s.blobs!([p2.files[0]!.blobs!.old]))[0]).toBeUndefined();
      const bases = await resolveBases([p1, p2], s);
      expect(bases.get(p1)!.files).toMatchObject([{ source: 'blob', exact: true }]);
      expect(bases.get(p2)!.files).toMatchObject([{ source: 'series', exact: true }]);
      expect(bases.get(p2)!.notes[0]!.message).toContain('earlier patch of the series (mm/pgclean.c)');
      // In arrival order (2/2 before 1/2) the parts are still read in series order.
      const reversed = await resolveBases([p2, p1], s);
      expect(reversed.get(p2)!.files[0]!.source).toBe('series');
      // Alone, the second patch still applies cleanly to HEAD: that base is used, and said.
      const alone = await baseOf(p2, s);
      expect(alone.files[0]!.source).toBe('current');
      expect(alone.files[0]!.tried.join('; ')).toMatch(/blob [0-9a-f]+ not in the tree/);
      expect(alone.notes[0]!.message).toContain(`HEAD ${repo.renamed.slice(0, 12)}, applies cleanly`);
      expect(s.catFile.spawned).toBe(1);
    });
  });

  it('finds the pre-image of a file the tree has renamed since, and of a patch that renames a file', async () => {
    await withGit(repo.dir, async (s) => {
      const p = parse(beforeRename);
      const b = await baseOf(p, s);
      expect(b.files).toMatchObject([{ path: 'mm/remap_anon.c', source: 'blob', exact: true }]);
      const r = parse(renaming);
      expect(r.files[0]).toMatchObject({ status: 'renamed', oldPath: 'mm/user_fixup.c', newPath: 'mm/fixup.c' });
      const rb = await baseOf(r, s);
      expect(rb.files).toMatchObject([{ path: 'mm/user_fixup.c', source: 'blob', exact: true }]);
      expect(await rb.tree.read('mm/user_fixup.c')).toContain('fixup_user_fault');
    });
  });

  it('falls back to hunk-only with a note when the blob is missing, no base-commit is given and HEAD does not fit', async () => {
    const text = old.replace(/^index [0-9a-f]+\.\./m, 'index deadbee..');
    const p = parse(text);
    await withGit(repo.dir, async (s) => {
      const b = await baseOf(p, s);
      expect(b.files[0]!.source).toBe('none');
      expect(b.notes).toHaveLength(1);
      expect(b.notes[0]!.code).toBe('MMR042');
      expect(b.notes[0]!.message).toMatch(/blob deadbee not in the tree; no base-commit trailer; does not apply to HEAD [0-9a-f]{12} \(hunk 1/);
      expect(await b.tree.read('mm/dirty_track.c')).toBeUndefined();
      const fns = await functionsOfPatch(p, { tree: b.tree });
      expect(fns.functions.find((x) => x.name === 'dirty_track_pte_range')?.pre?.complete).toBe(false);
    });
  });

  it('uses the base-commit trailer when the index line does not help', async () => {
    const [withBase] = patchesFrom(repo.dir, repo.initial, [
      { subject: 'mm/dirty_track: start with no PTL', edit: edit('mm/dirty_track.c', '\tspinlock_t *ptl;\n', '\tspinlock_t *ptl = NULL;\n') },
    ], ['--base', repo.initial]) as [string];
    const p = parse(withBase.replace(/^index .*\n/m, ''));
    expect(p.baseCommit).toBe(repo.initial);
    expect(p.files[0]!.blobs).toBeUndefined();
    await withGit(repo.dir, async (s) => {
      const b = await baseOf(p, s);
      expect(b.files[0]!.source).toBe('base-commit');
      expect(b.notes[0]!.message).toContain(`base-commit ${repo.initial.slice(0, 12)} (mm/dirty_track.c)`);
    });
  });

  it('works in a shallow clone: what is there is used, what is not is a note', async () => {
    const shallow = join(mkdtempSync(join(tmpdir(), 'mmr-shallow-')), 'linux');
    git(tmpdir(), 'clone', '-q', '--depth', '1', `file://${repo.dir}`, shallow);
    expect(git(shallow, 'rev-parse', '--is-shallow-repository')).toBe('true');
    await withGit(shallow, async (s) => {
      // The old blob is not in the shallow history, nor its base-commit; HEAD does not fit.
      const [withBase] = patchesFrom(repo.dir, repo.initial, [
        { subject: 'x', edit: edit('mm/dirty_track.c', '\tspinlock_t *ptl;\n', '\tspinlock_t *ptl = NULL;\n') },
      ], ['--base', repo.initial]) as [string];
      const b = await baseOf(parse(withBase), s);
      expect(b.files[0]!.source).toBe('none');
      expect(b.notes[0]!.message).toMatch(/not in the tree; not at base-commit [0-9a-f]{12}; does not apply to HEAD/);
      // A series on HEAD resolves as in the full repository.
      const [p1, p2] = series.map((t) => parse(t)) as [Patch, Patch];
      const bases = await resolveBases([p1, p2], s);
      expect([bases.get(p1)!.files[0]!.source, bases.get(p2)!.files[0]!.source]).toEqual(['blob', 'series']);
    });
  });

  it('works in a blobless partial clone: git fetches what a full name asks for; with the remote gone it is a note', async () => {
    git(repo.dir, 'config', 'uploadpack.allowFilter', 'true');
    const [withBase] = patchesFrom(repo.dir, repo.initial, [
      { subject: 'x', edit: edit('mm/dirty_track.c', '\tspinlock_t *ptl;\n', '\tspinlock_t *ptl = NULL;\n') },
    ], ['--base', repo.initial]) as [string];
    const p = parse(withBase);
    const clone = (): string => {
      const d = join(mkdtempSync(join(tmpdir(), 'mmr-partial-')), 'linux');
      git(tmpdir(), 'clone', '-q', '--filter=blob:none', `file://${repo.dir}`, d);
      return d;
    };
    // The old blob is not local (abbreviated ids are never fetched); base-commit:path is, by git's lazy fetch.
    const online = clone();
    await withGit(online, async (s) => {
      const b = await baseOf(p, s);
      expect(b.files[0]!.source).toBe('base-commit');
      expect(b.files[0]!.tried[0]).toMatch(/^blob [0-9a-f]+ not in the tree$/);
    });
    const offline = clone();
    git(offline, 'remote', 'set-url', 'origin', 'file:///nonexistent/linux.git');
    await withGit(offline, async (s) => {
      const b = await baseOf(p, s);
      expect(b.files[0]!.source).toBe('none');
      expect(b.notes[0]!.code).toBe('MMR042');
      expect(b.notes[0]!.message).toMatch(/not at base-commit [0-9a-f]{12}; does not apply to HEAD/);
      // HEAD's blobs were checked out, so a patch on HEAD still reads whole functions.
      const bases = await resolveBases(series.map((t) => parse(t)), s);
      expect([...bases.values()].map((x) => x.files[0]!.source)).toEqual(['blob', 'series']);
    });
  });

  it('reads a bare repository, and takes a plain directory (even inside a repository) as a directory', async () => {
    const bare = join(mkdtempSync(join(tmpdir(), 'mmr-bare-')), 'linux.git');
    git(tmpdir(), 'clone', '-q', '--bare', repo.dir, bare);
    await withGit(bare, async (s) => {
      expect(s.name).toContain('(git)');
      expect((await baseOf(parse(old), s)).files[0]!.source).toBe('blob');
    });
    await withGit(join(repo.dir, '.git'), async (s) => expect((await baseOf(parse(old), s)).files[0]!.source).toBe('blob'));
    expect(await openGitStore(join(repo.dir, 'mm'))).toBeUndefined();
    const d = await openTreeStore(join(repo.dir, 'mm'));
    expect(d.blobs).toBeUndefined();
    expect(await openGitStore(join(repo.dir, 'no-such-dir'))).toBeUndefined();
  });

  it('never writes to the repository', async () => {
    const listing = (): string[] => {
      const out: string[] = [];
      const walk = (d: string): void => {
        for (const e of readdirSync(d, { withFileTypes: true })) {
          const p = join(d, e.name);
          if (e.isDirectory()) walk(p);
          else out.push(`${p} ${statSync(p).mtimeMs} ${statSync(p).size}`);
        }
      };
      walk(repo.dir);
      return out.sort();
    };
    const past = new Date(Date.now() - 60_000);
    for (const l of listing()) utimesSync(l.split(' ')[0]!, past, past);
    const before = listing();
    await withGit(repo.dir, async (s) => {
      await resolveBases([parse(old), ...series.map((t) => parse(t)), parse(beforeRename), parse(renaming)], s);
    });
    expect(listing()).toEqual(before);
  });
});

/** A repository of 1000 one-file commits (a blob, a tree and a commit apiece), made by one git fast-import. */
let ambiguous: { dir: string; byPrefix: Map<string, Array<{ oid: string; type: string }>> } | undefined;
function ambiguousRepo(): NonNullable<typeof ambiguous> {
  if (ambiguous) return ambiguous;
  const dir = mkdtempSync(join(tmpdir(), 'mmr-amb-'));
  git(dir, 'init', '-q');
  const stream = Array.from({ length: 1000 }, (_, i) => `commit refs/heads/m\ncommitter A <a@b> ${1700000000 + i} +0000\ndata 1\nc\nM 100644 inline f\ndata ${String(i).length + 1}\n${i}\n\n`).join('');
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: stream });
  const byPrefix = new Map<string, Array<{ oid: string; type: string }>>();
  for (const l of execFileSync('git', ['cat-file', '--batch-all-objects', '--batch-check'], { cwd: dir, encoding: 'utf8' }).trim().split('\n')) {
    const [oid, type] = l.split(' ') as [string, string];
    byPrefix.set(oid.slice(0, 4), [...(byPrefix.get(oid.slice(0, 4)) ?? []), { oid, type }]);
  }
  ambiguous = { dir, byPrefix };
  return ambiguous;
}

describe('CatFile', () => {
  it('answers a batch in order through one process, and reads missing names as missing', async () => {
    const c = new CatFile(repo.dir);
    try {
      const [a, b, e, nl] = await c.get(['HEAD:README', '0123456789abcdef0123456789abcdef01234567', '', 'HEAD:a\nb']);
      expect(a).toMatchObject({ kind: 'found', type: 'blob' });
      expect(a?.kind === 'found' && a.data.toString()).toBe('Linux kernel (mmreview tree tests)\n');
      expect(b).toMatchObject({ kind: 'missing' });
      expect(e).toMatchObject({ kind: 'missing' });
      expect(nl).toMatchObject({ kind: 'missing' });
      const again = await c.get([`${repo.initial}:mm/dirty_track.c`, 'HEAD:mm/anon_remap.c']);
      expect(again.map((x) => x.kind)).toEqual(['found', 'found']);
      expect(c.spawned).toBe(1);
      expect(c.batches).toBe(2);
    } finally {
      c.close();
    }
  });

  it('reads an abbreviation a blob shares with a commit or tree as the blob (index lines name blobs)', async () => {
    const amb = ambiguousRepo();
    const prefix = [...amb.byPrefix].find(([, os]) => os.length > 1 && os.filter((o) => o.type === 'blob').length === 1)?.[0];
    expect(prefix).toBeDefined();
    const c = new CatFile(amb.dir);
    try {
      const [a] = await c.get([prefix!]);
      expect(a).toMatchObject({ kind: 'found', type: 'blob' });
    } finally {
      c.close();
    }
  });

  it('picks, among the blobs an ambiguous abbreviation names, the one the diff fits', async () => {
    const amb = ambiguousRepo();
    const [prefix, objs] = [...amb.byPrefix].find(([, os]) => os.filter((o) => o.type === 'blob').length >= 2)!;
    const blob = objs.find((o) => o.type === 'blob')!;
    const content = execFileSync('git', ['cat-file', 'blob', blob.oid], { cwd: amb.dir, encoding: 'utf8' });
    const text = ['diff --git a/mm/f.c b/mm/f.c', `index ${prefix}..0123456 100644`, '--- a/mm/f.c', '+++ b/mm/f.c', '@@ -1 +1 @@', `-${content.trimEnd()}`, '+int pte_x;', ''].join('\n');
    const p = parse(text);
    await withGit(amb.dir, async (s) => {
      expect((await s.blobs!([prefix]))[0]).toBeUndefined();
      const b = await baseOf(p, s);
      expect(b.files[0]).toMatchObject({ source: 'blob', oid: blob.oid });
    });
  });

  it('keeps at most the configured bytes of answers cached, the most recent ones', async () => {
    const s = (await openGitStore(repo.dir, { cacheBytes: 1 }))!;
    try {
      await s.current(['mm/pgclean.c', 'mm/dirty_track.c']);
      const asked = s.catFile.requests;
      await s.current(['mm/dirty_track.c']); // the most recent answer stays
      expect(s.catFile.requests).toBe(asked);
      await s.current(['mm/pgclean.c']); // evicted: asked again
      expect(s.catFile.requests).toBe(asked + 1);
    } finally {
      s.close();
    }
  });

  it('computes the blob ids git computes', () => {
    const text = 'int x;\n';
    const id = execFileSync('git', ['hash-object', '--stdin'], { input: text, encoding: 'utf8' }).trim();
    expect(gitBlobId(text)).toBe(id);
  });
});

describe('checkAgainstTree with the real engine', () => {
  it('confirms the flush moved after the unlock in the second patch of a series, from whole functions', async () => {
    const patches = series.map((t, i) => parse(t, `s${i}.patch`));
    const report = await withGit(repo.dir, (s) => checkAgainstTree(checkPatches, patches, s));
    const shown = report.findings.filter(isReportable);
    expect(shown.map((f) => [f.rule, f.function, f.patch.id])).toEqual([['flush-under-ptl', 'pgclean_pte_range', 's1.patch']]);
    // The trace reaches above the hunk (the PTE is cleaned at line 38, the hunk starts at 41): whole function.
    const hunkStart = patches[1]!.files[0]!.hunks[0]!.newStart;
    const lines = shown[0]!.simulation!.trace!.steps.map((s) => s.source?.line).filter((l): l is number => l !== undefined);
    expect(Math.min(...lines)).toBeLessThan(hunkStart);
    expect(report.errors.filter((e) => e.code === 'MMR041').map((e) => e.input)).toEqual(['s0.patch', 's1.patch']);
  });
});

describe('resolveBases details', () => {
  it('lends the cover letter\'s base-commit to the parts of its series', async () => {
    const texts = patchesFrom(repo.dir, repo.initial, [
      { subject: 'one', edit: edit('mm/dirty_track.c', '\tspinlock_t *ptl;\n', '\tspinlock_t *ptl = NULL;\n') },
      { subject: 'two', edit: edit('mm/dirty_track.c', '\t\tdt->cleaned++;\n', '\t\tdt->cleaned += 1;\n') },
    ], ['--cover-letter', '--base', repo.initial]);
    const read = texts.map((t, i) => extractPatchesFromText(t.replace(/^index .*\n/gm, '').replace(/^base-commit: .*\n/m, i === 0 ? '$&' : ''), { kind: 'patch-file', name: `c${i}` }).patches[0]!);
    expect(read[0]!.cover).toBe(true);
    expect(read[0]!.baseCommit).toBe(repo.initial);
    expect(read[2]!.baseCommit).toBeUndefined();
    await withGit(repo.dir, async (s) => {
      const bases = await resolveBases(read, s);
      expect(bases.has(read[0]!)).toBe(false);
      expect(bases.get(read[1]!)!.files[0]!.source).toBe('base-commit');
      // Without index lines the second part is read on the first one's post-image, to which it applies.
      expect(bases.get(read[2]!)!.files[0]!.source).toBe('series');
    });
  });

  it('names only in-scope files in its notes, and a directory without the file says so', async () => {
    const text = [
      'diff --git a/drivers/misc/foo.c b/drivers/misc/foo.c',
      '--- a/drivers/misc/foo.c',
      '+++ b/drivers/misc/foo.c',
      '@@ -1,3 +1,3 @@',
      ' int foo(void)',
      '-{ return 0; }',
      '+{ return 1; }',
      ' ',
      'diff --git a/mm/nowhere.c b/mm/nowhere.c',
      '--- a/mm/nowhere.c',
      '+++ b/mm/nowhere.c',
      '@@ -1,3 +1,3 @@',
      ' int bar(void)',
      '-{ return 0; }',
      '+{ return 1; }',
      ' ',
      '',
    ].join('\n');
    const p = parse(text);
    const b = await baseOf(p, directoryStore(repo.dir));
    expect(b.files.map((f) => [f.path, f.source, f.inScope])).toEqual([
      ['drivers/misc/foo.c', 'none', false],
      ['mm/nowhere.c', 'none', true],
    ]);
    expect(b.notes.map((n) => n.message)).toEqual([`no base in ${repo.dir} for mm/nowhere.c: no index line; no base-commit trailer; not in its files; reviewed from the hunks only`]);
  });
});

describe('check --git reads through one cat-file process', () => {
  it('reads the parents\' files of a whole range through one shared process', async () => {
    const cat = new CatFile(repo.dir);
    try {
      const r = await reviewGitRange(`${repo.initial}..HEAD`, { cwd: repo.dir, catFile: cat }, checkPatches, isReportable);
      expect(r.reviews.map((x) => x.sha)).toEqual([repo.changed, repo.renamed]);
      expect(r.reviews[0]!.report.stats.functions).toBeGreaterThan(0);
      expect(cat.spawned).toBe(1);
      expect(cat.requests).toBeGreaterThanOrEqual(1);
    } finally {
      cat.close();
    }
  });
});

/** Dedupe and resolution decisions, and the app manifest's least-privilege contract. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isPostable, planPosting } from '../../src/app/review-pull-request.ts';
import { buildPrPatch, indexDiffLines, selectFiles } from '../../src/app/pr-source.ts';
import { relevanceFilter } from '../../src/app/relevance.ts';
import { parseConfig } from '../../src/app/config.ts';
import { flushFinding, reportOf } from './helpers/services.ts';
import { parseUnifiedDiff } from '../../src/sources/index.ts';
import { fiveFilePr } from './helpers/scenario.ts';

const posted = (fp: string, id: number, resolved = false) => ({ id, fingerprint: fp, rule: 'flush-under-ptl', path: 'mm/a.c', resolved });

describe('planPosting', () => {
  it('posts new confirmed introduced findings once, most severe first', () => {
    const a = flushFinding({ fingerprint: 'a', severity: 'warning', line: 1 });
    const b = flushFinding({ fingerprint: 'b', severity: 'error', line: 2 });
    const plan = planPosting(reportOf([a, b, { ...b }]), { report: 'confirmed' }, [], []);
    expect(plan.post.map((f) => f.fingerprint)).toStrictEqual(['b', 'a']);
  });

  it('skips live comments and body entries; resolves vanished live comments only', () => {
    const plan = planPosting(
      reportOf([flushFinding({ fingerprint: 'live' }), flushFinding({ fingerprint: 'inbody' }), flushFinding({ fingerprint: 'new' })]),
      { report: 'confirmed' },
      [posted('live', 1), posted('gone', 2), posted('old', 3, true)],
      ['inbody'],
    );
    expect(plan.post.map((f) => f.fingerprint)).toStrictEqual(['new']);
    expect(plan.resolve.map((c) => c.id)).toStrictEqual([2]);
  });

  it('a finding that only became inconclusive is not announced resolved; a refuted one is', () => {
    const plan = planPosting(
      reportOf([flushFinding({ fingerprint: 'weak', status: 'inconclusive' }), flushFinding({ fingerprint: 'ref', status: 'refuted' })]),
      { report: 'confirmed' },
      [posted('weak', 1), posted('ref', 2)],
      [],
    );
    expect(plan.post).toStrictEqual([]);
    expect(plan.resolve.map((c) => c.fingerprint)).toStrictEqual(['ref']);
  });

  it('report: all also posts unconfirmed introduced findings, never pre-existing or refuted ones', () => {
    expect(isPostable(flushFinding({ status: 'inconclusive' }), { report: 'all' })).toBe(true);
    expect(isPostable(flushFinding({ status: 'inconclusive' }), { report: 'confirmed' })).toBe(false);
    expect(isPostable(flushFinding({ status: 'refuted' }), { report: 'all' })).toBe(false);
    expect(isPostable(flushFinding({ introduced: false }), { report: 'all' })).toBe(false);
  });
});

describe('PR patch', () => {
  it('keeps in-scope files and indexes the lines a comment can sit on', () => {
    const s = fiveFilePr('v1');
    const c = parseConfig(null);
    if (!c.ok) throw new Error('valid');
    const sel = selectFiles(s.files, relevanceFilter(c.config));
    expect(sel.analysed.map((f) => f.filename)).toStrictEqual(['drivers/gpu/drm/ttm/ttm_dirty.c', 'mm/mapping_clean.c']);
    expect(sel.skipped.map((f) => f.path)).toStrictEqual(['Documentation/mm/mapping_clean.rst', 'include/linux/mapping_clean.h', 'mm/Makefile']);
    const { patch, problems } = buildPrPatch({ owner: 'o', repo: 'r', number: 7, headSha: s.headSha, baseSha: s.baseSha, title: 'T' }, sel.analysed, parseUnifiedDiff);
    expect(problems).toStrictEqual([]);
    expect(patch).toMatchObject({ id: `o/r#7@${s.headSha}`, source: { kind: 'github', name: 'o/r#7' }, subject: 'T', commit: s.headSha });
    expect(patch.files.map((f) => [f.status, f.oldPath, f.newPath])).toStrictEqual([
      ['added', undefined, 'drivers/gpu/drm/ttm/ttm_dirty.c'],
      ['modified', 'mm/mapping_clean.c', 'mm/mapping_clean.c'],
    ]);
    const idx = indexDiffLines(patch).get('mm/mapping_clean.c');
    expect(idx?.RIGHT.has(54)).toBe(true); // the added pte_unmap_unlock()
    expect(idx?.LEFT.has(56)).toBe(true); // the removed one
    expect(idx?.RIGHT.has(10)).toBe(false);
  });
});

describe('app.yml', () => {
  it('asks for least privilege and the pull_request event only', () => {
    const m = parse(readFileSync(new URL('../../app.yml', import.meta.url), 'utf8'));
    expect(m.default_permissions).toStrictEqual({ pull_requests: 'write', checks: 'write', contents: 'read', metadata: 'read' });
    expect(m.default_events).toStrictEqual(['pull_request']);
    expect(m.name).toBe('mmreview');
  });
});

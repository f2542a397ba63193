/** The pure GitHub renderers: review bodies, markers, check-run view and annotation batching. */
import { describe, expect, it } from 'vitest';
import {
  fence,
  findingMarker,
  parseMarkers,
  renderFindingComment,
  renderResolvedReply,
  renderReview,
  resolvedMarker,
  reviewMarker,
} from '../../src/render/github-review.ts';
import { annotationsFor, batchAnnotations, renderCheckRun, renderConfigFailure } from '../../src/render/check-run.ts';
import { flushFinding, plainMermaid, plainTable, reportOf } from './helpers/services.ts';

const R = { table: plainTable, mermaid: plainMermaid };
const SHA = 'a'.repeat(40);

describe('markers', () => {
  it('round-trip finding, resolved and review markers', () => {
    const f = flushFinding();
    const body = `x ${findingMarker(f)}\n${resolvedMarker('fp1', SHA)}\n${reviewMarker(SHA)}`;
    expect(parseMarkers(body)).toStrictEqual([
      { kind: 'finding', fingerprint: f.fingerprint, rule: 'flush-under-ptl' },
      { kind: 'resolved', fingerprint: 'fp1', sha: SHA },
      { kind: 'review', sha: SHA },
    ]);
  });

  it('cannot be broken out of by a hostile fingerprint', () => {
    const m = findingMarker({ fingerprint: 'a --> <script> b', rule: 'r' });
    expect(m).not.toContain('<script>');
    expect(m.match(/-->/g)).toHaveLength(1);
    expect(parseMarkers(m)).toHaveLength(1);
  });

  it('ignores foreign comments', () => {
    expect(parseMarkers('<!-- other:v1 fp=x rule=y -->')).toStrictEqual([]);
    expect(parseMarkers(null)).toStrictEqual([]);
  });
});

describe('renderFindingComment', () => {
  it('has the message, suggestion + verdict, collapsible table, mermaid and marker', () => {
    const body = renderFindingComment(flushFinding(), R);
    expect(body).toContain('PTEs are cleaned under the PTL');
    expect(body).toContain('**Suggested fix:** flush the TLB before `pte_unmap_unlock()` (simulated: removes the violation)');
    expect(body).toMatch(/<details><summary>Interleaving \(x86, no-lost-write, 812 states\)/);
    expect(body).toContain('CPU0 (clean_pte_range)');
    expect(body).toContain('```mermaid\nsequenceDiagram');
    expect(body.trim().endsWith(findingMarker(flushFinding()))).toBe(true);
  });

  it('omits the trace block when there is no trace', () => {
    const f = flushFinding({ status: 'unsimulated' });
    delete f.simulation;
    expect(renderFindingComment(f, R)).not.toContain('<details>');
  });

  it('fences survive backticks in the table', () => {
    expect(fence('a ``` b')).toMatch(/^````\n/);
  });
});

describe('renderReview', () => {
  it('caps inline comments and moves the rest (and unplaceable ones) to the body', () => {
    const fs = [0, 1, 2, 3].map((i) => flushFinding({ fingerprint: `fp${i}`, line: 50 + i }));
    const draft = renderReview({ headSha: SHA, findings: fs, maxInline: 2, isPlaceable: (f) => f.line !== 51 }, R);
    expect(draft.comments.map((c) => c.fingerprint)).toStrictEqual(['fp0', 'fp2']);
    expect(draft.body).toContain(findingMarker(fs[1] ?? flushFinding()));
    expect(draft.body).toContain(findingMarker(fs[3] ?? flushFinding()));
    expect(draft.body).toContain(reviewMarker(SHA));
    expect(draft.body).toContain('4 new issues');
  });

  it('forced fingerprints go to the body', () => {
    const f = flushFinding();
    const draft = renderReview({ headSha: SHA, findings: [f], maxInline: 5, isPlaceable: () => true, forceBody: new Set([f.fingerprint]) }, R);
    expect(draft.comments).toStrictEqual([]);
    expect(draft.body).toContain('`mm/mapping_clean.c` line 54');
  });

  it('lists resolved findings; the reply names the sha', () => {
    const draft = renderReview(
      { headSha: SHA, findings: [], maxInline: 5, isPlaceable: () => true, resolved: [{ fingerprint: 'x', rule: 'flush-under-ptl', path: 'mm/a.c' }] },
      R,
    );
    expect(draft.body).toContain('no new issue');
    expect(draft.body).toContain('- `flush-under-ptl` in `mm/a.c`');
    expect(renderResolvedReply('x', 'flush-under-ptl', SHA)).toMatch(new RegExp(`^Resolved in ${SHA}`));
  });
});

describe('renderCheckRun', () => {
  const ctx = { headSha: SHA, analysed: ['mm/mapping_clean.c'], skipped: [{ path: 'mm/Makefile', reason: 'not a C source or header' }] };

  it('fails on a confirmed introduced finding and lists every kind of finding', () => {
    const report = reportOf([
      flushFinding(),
      flushFinding({ fingerprint: 'inc', status: 'inconclusive', line: 60 }),
      flushFinding({ fingerprint: 'pre', introduced: false, line: 70 }),
      flushFinding({ fingerprint: 'fix', introduced: false, fixed: true, side: 'LEFT', function: 'other_fn' }),
      flushFinding({ fingerprint: 'ref', status: 'refuted', line: 80 }),
    ]);
    const v = renderCheckRun(report, ctx);
    expect(v.conclusion).toBe('failure');
    expect(v.title).toBe('1 confirmed issue introduced');
    expect(v.summary).toContain('### Confirmed issues introduced by this patch');
    expect(v.summary).toContain('This patch fixes **flush-under-ptl** in `other_fn()`');
    expect(v.summary).toContain('### Introduced, not confirmed');
    expect(v.summary).toContain('refuted by simulation');
    expect(v.summary).toContain('### Pre-existing');
    expect(v.summary).toContain('`mm/Makefile`: not a C source or header');
    expect(v.annotations.map((a) => [a.start_line, a.annotation_level])).toStrictEqual([
      [54, 'failure'],
      [60, 'warning'],
      [70, 'notice'],
    ]);
  });

  it('succeeds noting the fix, and is neutral when nothing was in scope', () => {
    const v = renderCheckRun(reportOf([flushFinding({ introduced: false, fixed: true, side: 'LEFT' })]), ctx);
    expect(v.conclusion).toBe('success');
    expect(v.title).toContain('fixes 1 known hazard');
    expect(v.annotations).toStrictEqual([]);
    expect(renderCheckRun(undefined, { ...ctx, analysed: [] }).conclusion).toBe('neutral');
    expect(renderCheckRun(reportOf([]), ctx)).toMatchObject({ conclusion: 'success', title: 'No confirmed issue introduced' });
  });

  it('batches annotations by 50', () => {
    const fs = Array.from({ length: 120 }, (_, i) => flushFinding({ fingerprint: `f${i}`, line: i + 1 }));
    expect(batchAnnotations(annotationsFor(fs)).map((b) => b.length)).toStrictEqual([50, 50, 20]);
    expect(batchAnnotations([])).toStrictEqual([]);
  });

  it('config failures name the keys', () => {
    const v = renderConfigFailure([{ key: 'arch.0', message: 'bad' }], '.github/mmreview.yml');
    expect(v).toMatchObject({ conclusion: 'failure', title: 'Bad configuration: arch.0' });
    expect(v.summary).toContain('- `arch.0`: bad');
  });
});

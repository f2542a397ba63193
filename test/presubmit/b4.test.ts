// b4 check-protocol renderer: one `mmreview` result per patch with pass / warn / fail and readable details.
import { describe, expect, it } from 'vitest';
import { renderB4 } from '../../src/render/b4.ts';
import { confirmedFinding, reportOf } from './sample-findings.ts';

describe('renderB4', () => {
  it('fails on a confirmed introduced race and lists the interleaving', () => {
    const [r, ...rest] = renderB4(reportOf([confirmedFinding()]), { url: 'https://example.org/mmreview' });
    expect(rest).toEqual([]);
    expect(r).toMatchObject({ tool: 'mmreview', status: 'fail', url: 'https://example.org/mmreview' });
    expect(r!.summary).toBe('1 confirmed race introduced (flush-under-ptl)');
    expect(r!.details).toContain('FAIL flush-under-ptl: mm/pgclean.c:43 pgclean_pte_range(): ');
    expect(r!.details).toContain('simulated on x86: violation, violates no-lost-write (812 states)');
    expect(r!.details).toContain('CPU2 (writeback): reclaim drops clean page  <-- no-lost-write');
    expect(r!.details).toContain('suggested fix: flush the TLB before pte_unmap_unlock() (removes-violation)');
    // The JSON form is what b4 parses: keys and value types of its protocol.
    const parsed = JSON.parse(JSON.stringify(renderB4(reportOf([confirmedFinding()]))));
    expect(Object.keys(parsed[0]).sort()).toEqual(['details', 'status', 'summary', 'tool']);
  });

  it('uses the injected trace renderer', () => {
    const [r] = renderB4(reportOf([confirmedFinding()]), { renderTrace: () => 'TABLE' });
    expect(r!.details).toContain('\nTABLE');
  });

  it('passes a clean patch and names fixed hazards', () => {
    expect(renderB4(reportOf([]))[0]).toMatchObject({ status: 'pass', summary: 'no hazards found (2 functions checked)', details: '' });
    const fixed = confirmedFinding({ introduced: false, fixed: true, side: 'LEFT' });
    const [r] = renderB4(reportOf([fixed]));
    expect(r).toMatchObject({ status: 'pass', summary: 'fixes 1 hazard (flush-under-ptl)' });
    expect(r!.details).toMatch(/^FIXED flush-under-ptl: mm\/pgclean\.c:43/);
  });

  it('warns for undecided introduced, pre-existing confirmed and input problems; ignores refuted', () => {
    const warn = (fs: Parameters<typeof reportOf>[0], errs: Parameters<typeof reportOf>[1] = []) => renderB4(reportOf(fs, errs))[0]!;
    expect(warn([confirmedFinding({ status: 'inconclusive', simulation: undefined })])).toMatchObject({ status: 'warn', summary: '1 undecided candidate' });
    expect(warn([confirmedFinding({ introduced: false })])).toMatchObject({ status: 'warn', summary: '1 pre-existing hazard' });
    expect(warn([], [{ code: 'MMR002', message: 'no diff found', input: '-' }])).toMatchObject({ status: 'warn', summary: '1 input problem' });
    expect(warn([confirmedFinding({ status: 'refuted' })]).status).toBe('pass');
  });

  it('drops non-http urls and honours a custom policy', () => {
    const [r] = renderB4(reportOf([confirmedFinding()]), { url: 'docs/x.md', isReportable: () => false });
    expect(r!.url).toBeUndefined();
    expect(r).toMatchObject({ status: 'warn', summary: '1 confirmed hazard below the failing policy' });
  });
});

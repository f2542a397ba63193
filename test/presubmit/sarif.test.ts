// SARIF renderer: schema validity (OASIS 2.1.0 schema, ajv draft-07), rule metadata, thread flows, fingerprints.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { renderSarif } from '../../src/render/sarif.ts';
import { FLUSH_META, NOTIFIER_META, confirmedFinding, reportOf } from './sample-findings.ts';

const here = dirname(fileURLToPath(import.meta.url));
const schema = JSON.parse(readFileSync(join(here, 'fixtures', 'sarif-schema-2.1.0.json'), 'utf8')) as object;
const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);

/** Validates and returns the log as a loosely typed value for assertions. */
function valid(log: object): any {
  const ok = validate(log);
  expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 1)).toEqual([]);
  expect(ok).toBe(true);
  return JSON.parse(JSON.stringify(log));
}

const commit = { sha: 'a'.repeat(40), subject: 'mm/pgclean: flush the TLB after dropping the PTL' };

describe('renderSarif', () => {
  it('the schema itself rejects a broken log (the validator is live)', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
    expect(validate({ version: '2.0.0', runs: [] })).toBe(false);
  });

  it('renders a confirmed finding with rule metadata, location, thread flows and fingerprint', () => {
    const log = valid(
      renderSarif([{ report: reportOf([confirmedFinding()]), commit }], [FLUSH_META, NOTIFIER_META], {
        help: { 'flush-under-ptl': '# flush-under-ptl\n\nFlush before dropping the PTL.' },
        renderTrace: (t) => t.threads.join(' | '),
      }),
    );
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('mmreview');
    expect(run.tool.driver.version).toBe('0.1.0');
    expect(run.tool.driver.rules.map((r: any) => r.id)).toEqual(['flush-under-ptl', 'notifier-symmetry']);
    const rule = run.tool.driver.rules[0];
    expect(rule.help.markdown).toContain('Flush before dropping the PTL.');
    expect(rule.fullDescription.text).toBe(FLUSH_META.hazard);
    expect(rule.defaultConfiguration.level).toBe('error');
    expect(rule.helpUri).toBeUndefined(); // relative doc paths are not URIs
    expect(run.tool.driver.rules[1].helpUri).toBe('https://example.org/rules/notifier-symmetry');
    expect(run.tool.driver.rules[1].help.text).toBe(NOTIFIER_META.hazard);

    expect(run.results).toHaveLength(1);
    const r = run.results[0];
    expect(r.ruleId).toBe('flush-under-ptl');
    expect(r.ruleIndex).toBe(0);
    expect(r.kind).toBe('fail');
    expect(r.level).toBe('error');
    expect(r.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'mm/pgclean.c' }, region: { startLine: 43 } });
    expect(r.locations[0].logicalLocations[0]).toEqual({ name: 'pgclean_pte_range', kind: 'function' });
    expect(r.partialFingerprints).toEqual({ 'mmreview/v1': 'fp-flush-1' });
    expect(r.properties).toMatchObject({ status: 'confirmed', introduced: true, fixed: false, arch: 'x86', invariant: 'no-lost-write', commit: commit.sha, subject: commit.subject });
    expect(r.message.markdown).toContain('CPU0 (pgclean_pte_range) | CPU1 (user) | CPU2 (writeback)');
    expect(r.relatedLocations[0]).toMatchObject({ id: 1, message: { text: 'the PTL is dropped here' } });

    const flows = r.codeFlows[0].threadFlows;
    expect(flows.map((f: any) => f.message.text)).toEqual(['CPU0 (pgclean_pte_range)', 'CPU1 (user)', 'CPU2 (writeback)']);
    expect(flows[0].locations.map((l: any) => l.executionOrder)).toEqual([2, 3]);
    expect(flows[1].locations.map((l: any) => l.executionOrder)).toEqual([1, 5]);
    expect(flows[2].locations.map((l: any) => l.executionOrder)).toEqual([4, 6]);
    expect(flows[0].locations[0].location.physicalLocation.region).toMatchObject({ startLine: 39 });
    expect(flows[0].locations[0].location.message.text).toContain('[ PTE clean, TLB still writable ]');
    expect(flows[2].locations[1].importance).toBe('essential');
    expect(flows[2].locations[1].location.message.text).toContain('violates no-lost-write');
    const orders = flows.flatMap((f: any) => f.locations.map((l: any) => l.executionOrder)).sort((a: number, b: number) => a - b);
    expect(orders).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('maps statuses to kinds and levels, leaves refuted out by default, keeps fixed as a pass', () => {
    const findings = [
      confirmedFinding({ fingerprint: 'a', line: 10 }),
      confirmedFinding({ fingerprint: 'b', line: 20, introduced: false }),
      confirmedFinding({ fingerprint: 'c', line: 30, status: 'inconclusive', simulation: undefined }),
      confirmedFinding({ fingerprint: 'd', line: 40, status: 'refuted' }),
      confirmedFinding({ fingerprint: 'e', line: 50, introduced: false, fixed: true, side: 'LEFT' }),
    ];
    const log = valid(renderSarif([{ report: reportOf(findings) }], [FLUSH_META]));
    const byFp = Object.fromEntries(log.runs[0].results.map((r: any) => [r.partialFingerprints['mmreview/v1'], r]));
    expect(Object.keys(byFp).sort()).toEqual(['a', 'b', 'c', 'e']);
    expect([byFp.a.kind, byFp.a.level, byFp.a.baselineState]).toEqual(['fail', 'error', 'new']);
    expect([byFp.b.kind, byFp.b.level, byFp.b.baselineState]).toEqual(['fail', 'note', 'unchanged']);
    expect([byFp.c.kind, byFp.c.level]).toEqual(['review', 'none']);
    expect(byFp.c.message.text).toMatch(/^\[inconclusive\]/);
    expect([byFp.e.kind, byFp.e.level, byFp.e.baselineState]).toEqual(['pass', 'none', 'absent']);
    expect(byFp.e.message.text).toMatch(/^Fixed by this change: .*before this change/);
    const withRefuted = valid(renderSarif([{ report: reportOf(findings) }], [FLUSH_META], { includeRefuted: true }));
    expect(withRefuted.runs[0].results).toHaveLength(5);
  });

  it('covers several commits, unknown rule ids, and run errors as notifications; output is deterministic', () => {
    const other = confirmedFinding({ rule: 'uffd-lock-retake', fingerprint: 'u1', path: 'mm/userfaultfd.c', line: 7 });
    const inputs = [
      { report: reportOf([confirmedFinding()]), commit },
      { report: reportOf([other], [{ code: 'MMR010', message: 'unparsable function foo', input: 'mm/x.c', line: 3 }]), commit: { sha: 'b'.repeat(40), subject: 'second' } },
    ];
    const log = valid(renderSarif(inputs, [FLUSH_META]));
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: any) => r.id)).toEqual(['flush-under-ptl', 'uffd-lock-retake']);
    expect(run.results.map((r: any) => [r.ruleId, r.ruleIndex, r.properties.commit.slice(0, 1)])).toEqual([
      ['flush-under-ptl', 0, 'a'],
      ['uffd-lock-retake', 1, 'b'],
    ]);
    expect(run.invocations[0].toolExecutionNotifications[0]).toMatchObject({ level: 'error', descriptor: { id: 'MMR010' } });
    expect(run.properties.commits).toHaveLength(2);
    expect(JSON.stringify(renderSarif(inputs, [FLUSH_META]))).toBe(JSON.stringify(renderSarif(inputs, [FLUSH_META])));
  });

  it('validates with no findings at all', () => {
    const log = valid(renderSarif([{ report: reportOf([]) }], []));
    expect(log.runs[0].results).toEqual([]);
  });
});

/**
 * The five founding threads (../shared/seeds, when present): each must give its rule's verdict — the bug classes
 * confirmed by the simulator on the changed functions, the fix recognised as a fix (no complaint), and the
 * software-dirty-bit livelock confirmed on ppc-e500 only.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../src/core/finding.ts';
import type { Arch } from '../../src/core/sim-contract.ts';
import { extractPatchesFromText } from '../../src/sources/index.ts';
import { checkPatches, isReportable } from '../../src/engine/index.ts';

import { SEEDS as dir, seedsPresent } from '../helpers/shared.ts';

const present = seedsPresent();

async function check(prefix: string, arch?: Arch[]): Promise<Report> {
  const file = readdirSync(dir).find((f) => f.startsWith(prefix))!;
  const text = readFileSync(join(dir, file), 'utf8');
  const { patches } = extractPatchesFromText(text, { kind: 'text', name: file });
  return checkPatches(patches, arch ? { arch } : {});
}

const summary = (r: Report) => JSON.stringify(r.findings.map((f) => [f.rule, f.function, f.status, f.introduced, f.fixed, f.simulation?.arch]));

describe.skipIf(!present)('seeds', () => {
  it('001: notifier-symmetry confirmed on the callers that lost their start/end bracket', async () => {
    const r = await check('001_');
    const fns = new Set(r.findings.filter((f) => f.rule === 'notifier-symmetry' && isReportable(f)).map((f) => f.function));
    expect([...fns].filter((f) => ['write_protect_page', 'do_wp_page', '__replace_page'].includes(f)).length, summary(r)).toBeGreaterThanOrEqual(2);
  });

  it('002: flush-under-ptl confirmed on the clean / wrprotect PTE callbacks', async () => {
    const r = await check('002_');
    const fns = new Set(r.findings.filter((f) => f.rule === 'flush-under-ptl' && isReportable(f)).map((f) => f.function));
    expect(fns.has('apply_pt_clean') || fns.has('apply_pt_wrprotect'), summary(r)).toBe(true);
  });

  it('003: uffd-lock-retake confirmed on the continue path', async () => {
    const r = await check('003_');
    const hits = r.findings.filter((f) => f.rule === 'uffd-lock-retake' && isReportable(f));
    expect(hits.length, summary(r)).toBeGreaterThan(0);
  });

  it('004: the fullmm gather removal is recognised as a fix, with no complaint', async () => {
    const r = await check('004_');
    expect(r.findings.filter(isReportable), summary(r)).toEqual([]);
    expect(r.findings.some((f) => f.rule === 'fullmm-misuse' && f.fixed && f.function === 'clear_refs_write'), summary(r)).toBe(true);
  });

  it('000: fault-fixup confirmed on ppc-e500, nothing on x86', async () => {
    const r = await check('000_');
    const e500 = r.findings.filter((f) => f.rule === 'fault-fixup' && f.status === 'confirmed');
    expect(e500.length, summary(r)).toBeGreaterThan(0);
    expect(e500.every((f) => f.simulation?.arch === 'ppc-e500')).toBe(true);
    const x86 = await check('000_', ['x86']);
    expect(x86.findings.filter((f) => f.rule === 'fault-fixup' && f.status === 'confirmed'), summary(x86)).toEqual([]);
  });
});

// clear_young_dirty_ptes(): the flags argument decides what the in-place batch update is. CYDP_CLEAR_DIRTY cleans
// the entries (a downgrade the rule owes a flush for); CYDP_CLEAR_YOUNG alone only ages them (nothing to flush);
// flags the call site does not spell out are taken as an age change, so they never raise a finding.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { classifyCall } from '../../src/kernel-api/classify.ts';
import { downgradeEffects } from '../../rules/utils/paths.ts';
import type { Event } from '../../src/core/events.ts';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches, isReportable } from '../../src/engine/index.ts';
import { loadSimulator } from '../../src/engine/confirm.ts';
import { pathToProgram } from '../../src/engine/path-program.ts';
import { ev } from '../../src/rule-tester/path-builder.ts';
import type { Instr } from '../../src/sim/scenario.ts';

const DIR = join(process.cwd(), 'fixtures', 'rules', 'flush-under-ptl');

function cydp(flags: string, callee = 'clear_young_dirty_ptes') {
  return classifyCall({ callee, args: ['vma', 'addr', 'pte', 'nr', flags] })!;
}

function asEvent(c: ReturnType<typeof cydp>): Event {
  return { id: 0, kind: c.kind, callee: 'clear_young_dirty_ptes', args: c.args, attrs: c.attrs, loc: { line: 1, column: 1 }, text: '' };
}

describe('clear_young_dirty_ptes() by its flags', () => {
  it('CYDP_CLEAR_DIRTY (with or without CYDP_CLEAR_YOUNG) cleans the entries in place', () => {
    for (const flags of ['CYDP_CLEAR_YOUNG | CYDP_CLEAR_DIRTY', 'CYDP_CLEAR_DIRTY']) {
      const c = cydp(flags);
      expect(c.kind).toBe('pte-modify-commit');
      expect(c.args).toMatchObject({ vma: 'vma', addr: 'addr', pte: 'pte', nr: 'nr' });
      expect(downgradeEffects(asEvent(c))).toEqual(['clean']);
    }
    expect(cydp('CYDP_CLEAR_DIRTY', '__clear_young_dirty_ptes').kind).toBe('pte-modify-commit');
  });
  it('CYDP_CLEAR_YOUNG alone, or flags not spelled out, only age them: no downgrade', () => {
    for (const flags of ['CYDP_CLEAR_YOUNG', 'cydp_flags']) {
      const c = cydp(flags);
      expect(c.kind).toBe('pte-mkold');
      expect(c.attrs.effects).toEqual(['mkold']);
      expect(downgradeEffects(asEvent(c))).toEqual([]);
    }
  });
  it('tlb_remove_tlb_entries() records the batch in the gather', () => {
    const c = classifyCall({ callee: 'tlb_remove_tlb_entries', args: ['tlb', 'pte', 'nr', 'addr'] })!;
    expect(c.kind).toBe('gather-remove');
    expect(c.args).toEqual({ tlb: 'tlb', pte: 'pte', nr: 'nr', addr: 'addr' });
  });
});

describe('a patch around a batch cleaned in place', () => {
  beforeAll(loadSimulator);
  const run = async (file: string) => {
    const { patches } = await readInputs([join(DIR, file)]);
    const report = await checkPatches(patches, { rules: ['flush-under-ptl'] });
    return { findings: report.findings, summary: JSON.stringify(report.findings.map((f) => [f.rule, f.function, f.status, f.introduced, f.fixed])) };
  };
  it('invalid-lazyfree-batch-gather-record-dropped.patch: dropping tlb_remove_tlb_entries() is a confirmed, introduced lost write', async () => {
    const { findings, summary } = await run('invalid-lazyfree-batch-gather-record-dropped.patch');
    const f = findings.find((x) => x.rule === 'flush-under-ptl' && x.status === 'confirmed' && x.introduced && x.function === 'shed_lazy_anon_batches');
    expect(f, summary).toBeDefined();
  });
  it('valid-lazyfree-batch-gather-below-hunk.patch: the gather record lies below the hunk, nothing is claimed', async () => {
    const { findings, summary } = await run('valid-lazyfree-batch-gather-below-hunk.patch');
    expect(findings.filter(isReportable), summary).toEqual([]);
  });
});

describe('the model of an in-place batch update', () => {
  it('reads the current entry right before writing it: a value read before the lock was dropped is not written back', () => {
    const c = cydp('CYDP_CLEAR_YOUNG | CYDP_CLEAR_DIRTY');
    expect(c.attrs.inPlace).toBe(true);
    const steps = [
      ev(0, 'pte-map-lock', 'pte_offset_map_lock', { lock: 'ptl', pmd: 'pmd' }, { result: 'pte' }),
      ev(1, 'pte-read', 'ptep_get', { pte: 'pte' }),
      ev(2, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }),
      ev(3, 'pte-map-lock', 'pte_offset_map_lock', { lock: 'ptl', pmd: 'pmd' }, { result: 'pte' }),
      ev(4, c.kind, 'clear_young_dirty_ptes', c.args, { attrs: c.attrs }),
      ev(5, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }),
    ];
    const ops = (program: Instr[]) => program.map((i) => ('ctl' in i ? `ctl:${i.ctl}` : `${i.op}${i.pte ? `(${i.pte})` : ''}`));
    expect(ops(pathToProgram({ steps, complete: true }, { path: 'mm/x.c', ptes: 1 }))).toEqual([
      'pte-map-lock(pte0)', 'pte-read(pte0)', 'pte-unmap-unlock(pte0)', 'pte-map-lock(pte0)', 'pte-read(pte0)', 'pte-modify-commit(pte0)', 'pte-unmap-unlock(pte0)',
    ]);
  });
});

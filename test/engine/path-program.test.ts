/**
 * Unit tests of the path → simulator program translation and of the scenario builder's modelling assumptions
 * (docs/engine.md): argument binding, fragments, `pte - 1`, notifying PTE updates, gather walks, companions.
 */
import { describe, expect, it } from 'vitest';
import type { EventPath, PathStep } from '../../src/core/events.ts';
import type { Candidate, Hazard } from '../../src/core/rule.ts';
import type { Instr } from '../../src/sim/scenario.ts';
import { ctl, ev } from '../../src/rule-tester/path-builder.ts';
import { branchAssumptions, pathToProgram, PREV_PTE, PREV_PTL } from '../../src/engine/path-program.ts';
import { buildScenario } from '../../src/engine/scenario-builder.ts';
import { simulate } from '../../src/sim/index.ts';
import { candidateOn } from '../helpers/candidate.ts';

const path = (steps: PathStep[]): EventPath => ({ steps, complete: !steps.some((s) => s.step === 'control' && s.kind === 'truncated') });
const ops = (program: Instr[]) => program.map((i) => ('ctl' in i ? `ctl:${i.ctl}` : `${i.op}${i.pte ? `(${i.pte})` : i.lock ? `(${i.lock})` : ''}`));

const candidate = (p: EventPath, hazard: Partial<Hazard>): Candidate => candidateOn(p, hazard);

describe('pathToProgram', () => {
  it('binds lock expressions and PTE cursors to model objects', () => {
    const p = path([
      ev(0, 'pte-map-lock', 'pte_offset_map_lock', { lock: 'ptl', pmd: 'pmd' }, { result: 'pte' }),
      ev(1, 'pte-read', 'ptep_get', { pte: 'pte' }),
      ev(2, 'pte-advance', 'pte++', { pte: 'pte' }, { text: 'pte++' }),
      ev(3, 'pte-read', 'ptep_get', { pte: 'pte' }),
      ev(4, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }, { text: 'pte_unmap_unlock(pte - 1, ptl)' }),
      ctl({ kind: 'return' }),
    ]);
    expect(ops(pathToProgram(p, { path: 'mm/x.c', ptes: 2 }))).toEqual([
      'pte-map-lock(pte0)', 'pte-read(pte0)', 'pte-read(pte1)', 'pte-unmap-unlock(pte0)',
    ]);
  });

  it('`pte - 1` before the cursor advanced is the previous table entry, under its own PTL', () => {
    const p = path([ev(0, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }, { text: 'pte_unmap_unlock(pte - 1, ptl)' })]);
    const [unlock] = pathToProgram(p, { path: 'mm/x.c', ptes: 1 });
    expect(unlock).toMatchObject({ op: 'pte-unmap-unlock', pte: PREV_PTE, lock: PREV_PTL });
  });

  it('in a fragment that starts after a PTE loop it does not show, `pte - 1` is the last entry that loop reached', () => {
    const unlock = ev(0, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }, { text: 'pte_unmap_unlock(pte - 1, ptl)' });
    expect(ops(pathToProgram(path([unlock]), { path: 'mm/x.c', ptes: 1, fragment: true }))).toEqual(['lock(ptl0)', 'pte-unmap-unlock(pte0)']);
    // A path through a loop iteration the hunk shows can break out of the first one: the underflow stays possible.
    const inLoop = path([ctl({ kind: 'loop-exit', loop: 0, via: 'break' }), unlock]);
    expect(pathToProgram(inLoop, { path: 'mm/x.c', ptes: 1, fragment: true }).find((i) => !('ctl' in i) && i.op === 'pte-unmap-unlock')).toMatchObject({ pte: PREV_PTE, lock: PREV_PTL });
  });

  it('a fragment that releases a PTL it never took starts with it held; leaving into an unseen loop releases it again', () => {
    const p = path([
      ev(0, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }),
      ev(1, 'wp-page-copy', 'wp_page_copy', { vmf: '&vmf' }, { attrs: { sleeps: true } }),
      ctl({ kind: 'loop-next', loop: 0, via: 'continue' }),
      ctl({ kind: 'truncated', reason: 'enclosing loop outside the fragment' }),
    ]);
    const fragment = pathToProgram(p, { path: 'mm/x.c', ptes: 1, fragment: true });
    expect(ops(fragment)).toEqual(['lock(ptl0)', 'pte-unmap-unlock(pte0)', 'wp-page-copy(pte0)', 'unlock(ptl0)']);
    // a whole function gets no such prologue: the unlock of a lock not held is the function's own doing
    expect(ops(pathToProgram(p, { path: 'mm/x.c', ptes: 1 }))[0]).toBe('pte-unmap-unlock(pte0)');
  });

  it('a fragment cut while holding a lock it took lets the unseen tail release it (once)', () => {
    const p = path([
      ev(0, 'mmap-lock', 'mmap_read_lock', { mm: 'mm' }, { attrs: { mode: 'read' } }),
      ev(1, 'gup', 'get_user_pages', { mm: 'mm' }, { attrs: { write: true } }),
      ctl({ kind: 'truncated', reason: 'end of fragment' }),
    ]);
    expect(ops(pathToProgram(p, { path: 'kernel/futex.c', ptes: 1, fragment: true }))).toEqual(['lock(mmap)', 'gup(pte0)', 'unlock(mmap)']);
  });

  it('a hold no pointer survives to (attrs.unreleasable) stays held past the cut; the other holds are released', () => {
    const hold = (id: number, n: number, unreleasable: boolean): PathStep =>
      ev(id, 'lock', '<pte-map>', { lock: `pte-map:${n}` }, { attrs: { lockClass: 'other', ...(unreleasable ? { unreleasable } : {}) } });
    const p = path([hold(0, 1, false), hold(1, 2, true), ctl({ kind: 'truncated', reason: 'end of fragment' })]);
    expect(ops(pathToProgram(p, { path: 'mm/x.c', ptes: 1, fragment: true }))).toEqual(['lock(lock:pte-map:1)', 'lock(lock:pte-map:2)', 'unlock(lock:pte-map:1)']);
  });

  it('set_pte_at_notify() is change_pte() with the new value, then the write', () => {
    const p = path([
      ev(0, 'pte-map-lock', 'pte_offset_map_lock', { lock: 'ptl' }, { result: 'pte' }),
      ev(1, 'pte-set', 'set_pte_at_notify', { pte: 'pte', value: 'entry' }, { attrs: { notifies: true, effects: ['wrprotect'] } }),
      ev(2, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' }),
    ]);
    const program = pathToProgram(p, { path: 'mm/ksm.c', ptes: 1 });
    expect(ops(program)).toEqual(['pte-map-lock(pte0)', 'notifier-change-pte(pte0)', 'pte-set(pte0)', 'pte-unmap-unlock(pte0)']);
    expect(program[1]).toMatchObject({ effects: ['wrprotect'] });
  });
});

describe('branch assumptions', () => {
  it('reads simple PTE tests, negations and the conjunction the path implies', () => {
    expect(branchAssumptions('pte_dirty(ptent)', true)).toEqual([{ test: 'pte-dirty', negate: false }]);
    expect(branchAssumptions('!pte_uffd_wp(*pte)', false)).toEqual([{ test: 'pte-uffd-wp', negate: false }]);
    expect(branchAssumptions('pte_none(ptep_get(pte))', true)).toEqual([{ test: 'pte-present', negate: true }]);
    // `A || B` not taken: neither holds
    expect(branchAssumptions('!pte_present(ptent) || !pte_dirty(ptent)', false)).toEqual([
      { test: 'pte-present', negate: false },
      { test: 'pte-dirty', negate: false },
    ]);
    // a taken disjunction, another variable's test or a call say nothing
    expect(branchAssumptions('!pte_present(ptent) || !pte_dirty(ptent)', true)).toEqual([]);
    expect(branchAssumptions('ret == 0', true)).toEqual([]);
    expect(branchAssumptions('pte_dirty(ptent) && page_mapcount(page) > 1', true)).toEqual([]);
  });

  it('starts the model in a state where the path is feasible, and abandons executions where it is not', () => {
    const p = path([
      ev(0, 'pte-map-lock', 'pte_offset_map_lock', { lock: 'ptl' }, { result: 'pte' }),
      ev(1, 'pte-read', 'ptep_get', { pte: 'pte' }, { result: 'oldpte' }),
      ctl({ kind: 'branch', cond: '!pte_uffd_wp(oldpte)', taken: false }),
      ctl({ kind: 'return' }),
    ]);
    const s = buildScenario({ candidate: candidate(p, {}), path: 'mm/x.c', fn: 'f' }, 'x86', ['lock-balance']);
    expect(s.threads[0]!.program[2]).toEqual({ ctl: 'assume', cond: { test: 'pte-uffd-wp', negate: false, pte: 'pte0' } });
    expect(s.init.ptes[0]).toMatchObject({ uffdWp: true, write: false });
    // the path returns holding the PTL: reachable, since the initial PTE is uffd-wp
    expect(simulate(s, { arch: 'x86' }).invariant).toBe('lock-balance');
  });
});

describe('buildScenario', () => {
  it('a PTE callback runs under its caller\'s PTL and is followed by the caller\'s flush', () => {
    const p = path([
      ev(0, 'pte-modify-start', 'ptep_modify_prot_start', { pte: 'pte' }),
      ev(1, 'pte-modify-commit', 'ptep_modify_prot_commit', { pte: 'pte' }, { attrs: { effects: ['clean'] } }),
      ctl({ kind: 'return', value: '0' }),
    ]);
    const c = candidate(p, { context: ['ptl-held-on-entry', 'flush-after-return'] });
    const s = buildScenario({ candidate: c, path: 'mm/x.c', fn: 'cb' }, 'x86', ['lock-balance']);
    expect(ops(s.threads[0]!.program)).toEqual(['lock(ptl0)', 'pte-modify-start(pte0)', 'pte-modify-commit(pte0)', 'unlock(ptl0)', 'tlb-flush']);
    expect(simulate(s, { arch: 'x86' }).verdict).toBe('ok');
  });

  it('a gather handed to a walker gets the walker\'s PTE update modelled between start and finish', () => {
    const p = path([
      ev(0, 'gather-init', 'tlb_gather_mmu_fullmm', { tlb: '&tlb', mm: 'mm' }, { attrs: { fullmm: true } }),
      ev(1, 'call', 'walk_page_range', {}, { attrs: { opaque: true } }),
      ev(2, 'gather-finish', 'tlb_finish_mmu', { tlb: '&tlb' }),
      ctl({ kind: 'return' }),
    ]);
    const c = candidate(p, { kind: 'fullmm-on-live-mm', invariants: ['write-protect-holds'], adversaries: ['user-writer'], arch: ['arm64', 'x86'], context: ['mm-live'] });
    const on = (arch: 'arm64' | 'x86') => simulate(buildScenario({ candidate: c, path: 'mm/x.c', fn: 'reset' }, arch, ['write-protect-holds']), { arch });
    expect(ops(buildScenario({ candidate: c, path: 'mm/x.c', fn: 'reset' }, 'arm64', ['write-protect-holds']).threads[0]!.program)).toEqual([
      'gather-init', 'lock(ptl0)', 'pte-wrprotect(pte0)', 'gather-remove(pte0)', 'unlock(ptl0)', 'gather-finish',
    ]);
    // arm64 skips the fullmm invalidation: the user CPU's writable entry survives the write-protect
    expect(on('arm64').invariant).toBe('write-protect-holds');
    expect(on('x86').verdict).toBe('ok');
  });

  it('the same candidate gives the same scenario', () => {
    const p = path([ev(0, 'pte-map-lock', 'pte_offset_map_lock', { lock: 'ptl' }, { result: 'pte' }), ev(1, 'pte-unmap-unlock', 'pte_unmap_unlock', { pte: 'pte', lock: 'ptl' })]);
    const c = candidate(p, { adversaries: ['fault', 'cow'] });
    expect(buildScenario({ candidate: c, path: 'mm/x.c', fn: 'f' }, 'x86', ['lock-balance'])).toEqual(
      buildScenario({ candidate: c, path: 'mm/x.c', fn: 'f' }, 'x86', ['lock-balance']),
    );
  });
});

// The five seed threads: every seed's changed functions are found with event paths in the right order.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventPath, FunctionView } from '../../src/core/events.ts';
import type { Patch } from '../../src/core/patch.ts';
import { functionsOfPatch } from '../../src/frontend/index.ts';
import { extractPatchesFromText } from '../../src/sources/index.ts';

import { SEEDS, seedsPresent } from '../helpers/shared.ts';

const have = seedsPresent();

function seedFile(prefix: string): string {
  const f = readdirSync(SEEDS).find((x) => x.startsWith(prefix));
  if (!f) throw new Error(`seed ${prefix} missing`);
  return join(SEEDS, f);
}

async function seedFunctions(prefix: string): Promise<FunctionView[]> {
  const file = seedFile(prefix);
  const { patches } = extractPatchesFromText(readFileSync(file, 'utf8'), { kind: 'patch-file', name: file });
  const out: FunctionView[] = [];
  for (const p of patches as Patch[]) out.push(...(await functionsOfPatch(p)).functions);
  return out;
}

/** Event kinds and selected control steps of a path. */
function kinds(p: EventPath): string[] {
  return p.steps.flatMap((s) => {
    if (s.step === 'event') return [s.kind];
    if (s.kind === 'branch') return [`${s.taken ? '+' : '-'}${s.cond}`];
    if (s.kind === 'loop-next') return [`next:${s.via}`];
    return [];
  });
}

function fn(fns: FunctionView[], path: string, name: string): FunctionView {
  const f = fns.find((x) => x.path === path && x.name === name);
  if (!f) throw new Error(`${path}:${name} not found in ${fns.map((x) => `${x.path}:${x.name}`).join(', ')}`);
  return f;
}

describe.skipIf(!have)('seeds', () => {
  it('000: futex fault_in_user_writeable switches gup to __get_user_pages with FOLL_WRITE|FOLL_FIXFAULT', async () => {
    const fns = await seedFunctions('000_');
    const f = fn(fns, 'kernel/futex.c', 'fault_in_user_writeable');
    const gup = (side: 'pre' | 'post') => f[side]!.events.find((e) => e.kind === 'gup')!;
    expect(gup('pre')).toMatchObject({ callee: 'get_user_pages', attrs: { write: true } });
    expect(gup('post')).toMatchObject({ callee: '__get_user_pages', attrs: { write: true } });
    expect(gup('post').args.flags).toBe('FOLL_WRITE|FOLL_FIXFAULT');
    expect(f.post!.events[0]).toMatchObject({ kind: 'mmap-lock', attrs: { mode: 'read' } });
    expect(fns.some((x) => x.path === 'mm/memory.c' && x.name === 'follow_page')).toBe(true);
  });

  it('001: notifier start/end removed around set_pte_at_notify in write_protect_page, do_wp_page, __replace_page', async () => {
    const fns = await seedFunctions('001_');
    for (const [path, name] of [
      ['mm/ksm.c', 'write_protect_page'],
      ['mm/memory.c', 'do_wp_page'],
      ['kernel/events/uprobes.c', '__replace_page'],
    ] as const) {
      const f = fn(fns, path, name);
      const pre = f.pre!.events.map((e) => e.kind);
      const post = f.post!.events.map((e) => e.kind);
      expect(pre, name).toContain('notifier-start');
      expect(post, name).not.toContain('notifier-start');
      expect(post, name).not.toContain('notifier-end');
      const set = f.post!.events.find((e) => e.callee === 'set_pte_at_notify')!;
      expect(set.attrs.notifies).toBe(true);
      // On some pre path the notifier brackets the PTE write.
      expect(f.pre!.paths.some((p) => {
        const k = kinds(p);
        const s = k.indexOf('notifier-start');
        const w = k.indexOf('pte-set');
        return s >= 0 && w > s;
      }), name).toBe(true);
    }
    const ksm = fn(fns, 'mm/ksm.c', 'write_protect_page');
    const full = ksm.pre!.paths.map(kinds).find((k) => k.includes('pte-set'))!;
    expect(full.filter((k) => !k.startsWith('+') && !k.startsWith('-'))).toEqual([
      'call',
      'notifier-start',
      'pte-map-lock',
      'pte-read',
      'pte-read',
      'page-dirty',
      'pte-set',
      'pte-read',
      'pte-unmap-unlock',
      'notifier-end',
    ]);
    const set = ksm.pre!.events.find((e) => e.kind === 'pte-set')!;
    expect(set.attrs.effects).toEqual(['wrprotect', 'clean']);
  });

  it('002: apply_pt_clean: pte-modify-start then pte-modify-commit with effects [clean]', async () => {
    const fns = await seedFunctions('002_');
    const clean = fns.find((x) => x.name === 'apply_pt_clean')!;
    expect(clean.pre).toBeUndefined();
    const ev = clean.post!.events;
    const start = ev.find((e) => e.kind === 'pte-modify-start')!;
    const commit = ev.find((e) => e.kind === 'pte-modify-commit')!;
    expect(start.id).toBeLessThan(commit.id);
    expect(commit.attrs.effects).toEqual(['clean']);
    expect(commit.args).toMatchObject({ pte: 'pte', old: 'old_pte', value: 'ptent' });
    const wp = fns.find((x) => x.name === 'apply_pt_wrprotect')!;
    expect(wp.post!.events.find((e) => e.kind === 'pte-modify-commit')!.attrs.effects).toEqual(['wrprotect']);
    expect(clean.post!.paths.some((p) => kinds(p).join(' ').includes('+pte_dirty(ptent) pte-modify-start pte-modify-commit'))).toBe(true);
  });

  it('003: change_pte_range fragment drops the PTL, copies, and continues without re-locking', async () => {
    const fns = await seedFunctions('003_');
    const frag = fns.find((x) => x.post?.events.some((e) => e.kind === 'wp-page-copy'))!;
    expect(frag).toBeDefined();
    const bad = frag.post!.paths.map(kinds).find((k) => k.includes('+ret == 0'))!;
    const tail = bad.slice(bad.indexOf('pte-unmap-unlock'));
    expect(tail).toEqual(['pte-unmap-unlock', 'wp-page-copy', '+ret == 0', 'next:continue']);
    const unlock = frag.post!.events.find((e) => e.kind === 'pte-unmap-unlock')!;
    expect(unlock.args).toEqual({ pte: 'pte', lock: 'ptl' });
    // do_wp_page's split: the uffd check and handle_userfault stay in do_wp_page.
    const dwp = fns.find((x) => x.path === 'mm/memory.c' && x.name === 'do_wp_page')!;
    expect(dwp.post!.events.map((e) => e.kind)).toContain('handle-userfault');
  });

  it('004: clear_refs_write gathers fullmm before, non-fullmm after', async () => {
    const fns = await seedFunctions('004_');
    const f = fn(fns, 'fs/proc/task_mmu.c', 'clear_refs_write');
    const g = (side: 'pre' | 'post') => f[side]!.events.find((e) => e.kind === 'gather-init')!;
    expect(g('pre')).toMatchObject({ callee: 'tlb_gather_mmu_fullmm', attrs: { fullmm: true } });
    expect(g('post')).toMatchObject({ callee: 'tlb_gather_mmu', attrs: { fullmm: false } });
    expect(g('post').loc).toMatchObject({ diff: 'add', fileLine: 1241 });
    expect(f.post!.paths.some((p) => kinds(p).includes('gather-init'))).toBe(true);
  });
});

// notifier-symmetry, simulated: windowTooSmall (a window that does not cover the whole region of the entry changed in
// it: huge_pmd_unshare()'s PUD entry, the range not widened by adjust_range_if_pmd_sharing_possible()), and a range
// zap (unmap_page_range()) left outside any window by an ignored non-blocking start.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import rule from '../../rules/notifier-symmetry.ts';
import { runRule } from '../../src/rule-tester/index.ts';
import { functionsOfSource } from '../../src/rule-tester/load-functions.ts';
import { confirm, loadSimulator } from '../../src/engine/confirm.ts';
import { readInputs } from '../../src/sources/index.ts';
import { checkPatches } from '../../src/engine/index.ts';

const DIR = join(process.cwd(), 'fixtures', 'rules', 'notifier-symmetry');

async function run(file: string): Promise<{ fn: string; c: ReturnType<typeof runRule> }> {
  const fns = await functionsOfSource(readFileSync(join(DIR, file), 'utf8'), `fixtures/rules/notifier-symmetry/${file}`);
  const fn = fns[0]!;
  return { fn: fn.name, c: runRule(rule, fn, fns) };
}

describe('notifier window too small for the entry changed in it', () => {
  beforeAll(loadSimulator);
  it('confirms a window over [start, end) around huge_pmd_unshare(), and its widened fix is refuted', async () => {
    const { fn, c } = await run('invalid-window-not-widened-for-shared-pmd.c');
    expect(c.map((x) => x.messageId)).toEqual(['windowTooSmall']);
    const cand = c[0]!;
    expect(cand.unseen).toBeUndefined();
    const r = confirm({ candidate: cand, path: 'x.c', fn }, cand.hazard.arch);
    expect(r.status).toBe('confirmed');
    expect(r.simulation?.invariant).toBe('secondary-mmu-coherent');
    const fix = confirm({ candidate: cand, path: 'x.c', fn, pathOverride: cand.suggestion!.path! }, [r.simulation!.arch]);
    expect(fix.status).toBe('refuted');
  });
  it('confirms a range zap (unmap_page_range()) after an ignored non-blocking start, as outside any window', async () => {
    const { fn, c } = await run('invalid-nonblock-ignored-before-range-zap.c');
    const zap = c.find((x) => x.messageId === 'unbracketed');
    expect(zap?.anchor.callee).toBe('unmap_page_range');
    const r = confirm({ candidate: zap!, path: 'x.c', fn }, zap!.hazard.arch);
    expect(r.status).toBe('confirmed');
    expect(r.simulation?.invariant).toBe('secondary-mmu-coherent');
  });
  it('confirms a range zap after a non-blocking start only noted with `if (!start)`, as outside any window', async () => {
    const { fn, c } = await run('invalid-nonblock-negated-note-before-range-zap.c');
    const zap = c.find((x) => x.messageId === 'unbracketed');
    expect(zap?.anchor.callee).toBe('unmap_page_range');
    const r = confirm({ candidate: zap!, path: 'x.c', fn }, zap!.hazard.arch);
    expect(r.status).toBe('confirmed');
    expect(r.simulation?.invariant).toBe('secondary-mmu-coherent');
    expect(zap!.hazard.adversaries).toContain('kvm-vcpu');
  });
  it('reports nothing once the range is widened', async () => {
    expect((await run('valid-window-widened-for-shared-pmd.c')).c).toEqual([]);
  });
  it('reports nothing for a window over the vma\'s own bounds (a shared PMD table lies wholly inside its vma)', async () => {
    expect((await run('valid-window-whole-vma-shared-pmd.c')).c).toEqual([]);
  });
});

describe('notifier window too small, in a hunk fragment', () => {
  beforeAll(loadSimulator);
  it('confirms it when the hunk shows the function from its header to the window start: a gap after the start cannot widen the window', async () => {
    const read = await readInputs([join(DIR, 'invalid-window-not-widened-gap-after-start.patch')]);
    const findings = (await checkPatches(read.patches, { rules: ['notifier-symmetry'] })).findings;
    expect(findings.map((f) => [f.function, f.status, f.introduced])).toEqual([['huge_drop_vma', 'confirmed', true]]);
    expect(findings[0]?.simulation?.invariant).toBe('secondary-mmu-coherent');
  });
});

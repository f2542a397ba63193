// flush-under-ptl on architecture flush hooks (rules/utils/arch-flush.ts): the path reader, the condition
// formulas, and the engine's verdicts on the arch fixtures (confirmed, fixed, quiet, and not confirmed when the
// verdict rests on code or conditions the tool cannot judge).
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archFunctionPaths } from '../../rules/utils/arch-c.ts';
import { evalFormula, parseFormula } from '../../rules/utils/arch-cond.ts';
import { checkPatches, isReportable } from '../../src/engine/index.ts';
import type { Finding } from '../../src/core/finding.ts';
import { readInputs } from '../../src/sources/index.ts';

const FX = join(process.cwd(), 'fixtures', 'rules', 'flush-under-ptl');
/** The arch-hook fixtures of the rule (the rule-level test lists them too, with the rest of its fixtures). */
const archFixtures = (prefix: 'invalid-arch-' | 'valid-arch-'): string[] => readdirSync(FX).filter((f) => f.startsWith(prefix)).sort();

async function findings(file: string): Promise<Finding[]> {
  const read = await readInputs([file]);
  const r = await checkPatches(read.patches);
  return r.findings.filter((f) => f.rule === 'flush-under-ptl');
}

describe('arch hook paths from the text', () => {
  it('reads conditions, #ifdef, calls and returns', () => {
    const f = archFunctionPaths(
      [
        'static inline void tlb_flush(struct mmu_gather *tlb)',
        '{',
        '	bool leaf = !tlb->freed_tables;',
        '#ifdef CONFIG_MMU',
        '	if (tlb->fullmm) {',
        '		flush_whole(tlb->mm);',
        '		return;',
        '	}',
        '	flush_part(tlb->mm, leaf); /* a comment (with parens) */',
        '#endif',
        '}',
      ].join('\n'),
    );
    expect(f?.startSeen).toBe(true);
    expect(f?.locals.get('leaf')).toBe('!tlb->freed_tables');
    const shown = f?.paths.map((p) => [p.conds.map((c) => `${c.taken ? '' : '!'}${c.cond}`).join(' '), p.calls.map((c) => c.name).join(','), p.ret ? 'ret' : '', p.cut]);
    expect(shown).toEqual([
      ['defined(CONFIG_MMU) tlb->fullmm', 'flush_whole', 'ret', false],
      ['defined(CONFIG_MMU) !tlb->fullmm', 'flush_part', '', false],
      ['!defined(CONFIG_MMU)', '', '', false],
    ]);
  });
  it('marks a path the hunk cuts', () => {
    const f = archFunctionPaths('{\n\tif (tlb->fullmm)\n\t\tflush_whole(tlb->mm);\n\telse\n\t\tflush_part(tlb->mm,');
    expect(f?.paths.find((p) => p.conds[0]?.taken === false)?.cut).toBe(true);
  });
  it('reads past comments and string contents, keeping lines; a text that starts inside a comment skips its tail', () => {
    const f = archFunctionPaths(
      [
        '	 * (the tail of a comment; the hunk starts in it) {',
        '	 */',
        '	pr_debug("flush (all; of it) {\\"%c\\"", \'"\');',
        '	// if (x) { another(); }',
        '	flush_all(tlb->mm, /* a, b */ 1);',
        '}',
      ].join('\n'),
    );
    expect(f?.paths).toHaveLength(1);
    expect(f?.paths[0]?.calls.map((c) => [c.name, c.args, c.line])).toEqual([
      ['pr_debug', ['"' + ' '.repeat(26) + '"', "'\"'"], 3],
      ['flush_all', ['tlb->mm', '1'], 5],
    ]);
  });
  it('splits arguments at depth-0 commas; a call the hunk cuts keeps only the arguments it shows', () => {
    const f = archFunctionPaths('{\n\tflush_range(vma, min(a, b), arr[i, j], {1, 2});\n\tflush_tlb_range(vma, start,');
    expect(f?.paths[0]?.calls.map((c) => [c.name, c.args, c.partial ?? false])).toEqual([
      ['flush_range', ['vma', 'min(a, b)', 'arr[i, j]', '{1, 2}'], false],
      ['min', ['a', 'b'], false],
      ['flush_tlb_range', ['vma', 'start'], true],
    ]);
  });
  it('gives up on what it does not read (switch)', () => {
    expect(archFunctionPaths('void f(int x)\n{\n\tswitch (x) { case 1: g(); }\n}')).toBeUndefined();
  });
});

describe('conditions as formulas', () => {
  it('negation, conjunction, locals, likely()', () => {
    const f = parseFormula('unlikely(!(tlb->fullmm || tlb->need_flush_all) && last)', new Map([['last', '!tlb->freed_tables']]));
    const at = (full: boolean, all: boolean, freed: boolean): boolean | undefined =>
      evalFormula(f, new Map([['tlb->fullmm', full], ['tlb->need_flush_all', all], ['tlb->freed_tables', freed]]));
    expect(at(false, false, false)).toBe(true);
    expect(at(false, false, true)).toBe(false);
    expect(at(true, false, false)).toBe(false);
    expect(evalFormula(parseFormula('x != 0'), new Map([['x', true]]))).toBe(true);
  });
});

describe('engine verdicts on arch hooks', () => {
  it.each(archFixtures('invalid-arch-'))('%s: confirmed, introduced, the broad flush removes the violation', async (file) => {
    const fs = await findings(join(FX, file));
    expect(fs.filter(isReportable)).toHaveLength(1);
    const f = fs[0]!;
    expect(f.simulation?.invariant).toBe('no-stale-access');
    expect(f.suggestion?.verdict).toBe('removes-violation');
  });
  it.each(archFixtures('valid-arch-'))('%s: nothing', async (file) => {
    expect(await findings(join(FX, file))).toEqual([]);
  });
  it('a level hint that drops the TTL when tables are freed: the patch is credited with the fix', async () => {
    const fs = await findings(join(FX, 'valid-fix-arch-level-hint-no-ttl-for-freed-tables.patch'));
    expect(fs.map((f) => [f.function, f.status, f.fixed])).toEqual([['tlb_get_level', 'confirmed', true]]);
  });
  it('a PMD collapse flush that now drops the walk caches too: the patch is credited with the fix', async () => {
    const fs = await findings(join(FX, 'valid-fix-arch-collapse-flush-walk-caches.patch'));
    expect(fs.map((f) => [f.function, f.status, f.fixed])).toEqual([['pmdp_collapse_flush', 'confirmed', true]]);
    expect(fs[0]?.message).toMatch(/walk-cache entry/);
  });
  it.each(['arch-flush-opaque-early-return.patch', 'arch-flush-opaque-gather-test.patch'])(
    '%s: an early return on a condition of unknown meaning is not confirmed',
    async (file) => {
      const fs = await findings(join(process.cwd(), 'test', 'rules', 'data', file));
      expect(fs.filter(isReportable)).toEqual([]);
      expect(fs.map((f) => f.status)).toEqual(['inconclusive']);
    },
  );
  it('a local flush when only this CPU is in mm_cpumask, on an arch that keeps the mask, is not confirmed', async () => {
    const fs = await findings(join(process.cwd(), 'test', 'rules', 'data', 'arch-flush-local-when-cpumask-exact.patch'));
    expect(fs.filter(isReportable)).toEqual([]);
    expect(fs.every((f) => f.status !== 'confirmed')).toBe(true);
  });
  it('a local flush in a definition that shows no SMP (the uniprocessor one?) is not confirmed', async () => {
    const fs = await findings(join(process.cwd(), 'test', 'rules', 'data', 'arch-flush-up-local-page.patch'));
    expect(fs.filter(isReportable)).toEqual([]);
    expect(fs.every((f) => f.status !== 'confirmed')).toBe(true);
  });
  it('a narrow flush on a path the hunk cuts is not confirmed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmr-arch-'));
    const file = join(dir, 'cut.patch');
    writeFileSync(
      file,
      [
        'From: Fixture Author <fixtures@mmreview.invalid>',
        'Subject: [PATCH] riscv: tlb: range flush',
        '',
        '---',
        'diff --git a/arch/riscv/include/asm/tlb.h b/arch/riscv/include/asm/tlb.h',
        '--- a/arch/riscv/include/asm/tlb.h',
        '+++ b/arch/riscv/include/asm/tlb.h',
        '@@ -1,4 +1,7 @@',
        ' static inline void tlb_flush(struct mmu_gather *tlb)',
        ' {',
        '-\tflush_tlb_mm(tlb->mm);',
        '+\tif (tlb->fullmm)',
        '+\t\tflush_tlb_mm(tlb->mm);',
        '+\telse',
        '+\t\tflush_tlb_mm_range(tlb->mm, tlb->start, tlb->end, PAGE_SIZE);',
        ' \tflush_tlb_account(tlb);',
        '',
      ].join('\n'),
    );
    const fs = await findings(file);
    expect(fs.filter(isReportable)).toEqual([]);
    expect(fs.every((f) => f.status !== 'confirmed')).toBe(true);
  });
});

describe('arch hooks: introduced and fixed compare the same violation over every path of both images', () => {
  it('calls a gap on a path no changed line lies on in the pre-image pre-existing, not introduced', async () => {
    const f = await findings(join(FX, 'invalid-kept-arch-gather-gap-early-return.patch'));
    expect(f.length).toBeGreaterThan(0);
    expect(f.filter(isReportable)).toEqual([]);
    expect(f.some((x) => x.side === 'RIGHT' && x.introduced === false)).toBe(true);
  });
  it('credits a fix that only adds a path, the gap of the old path gone', async () => {
    const f = await findings(join(FX, 'valid-fix-arch-gather-walk-cache-path-added.patch'));
    expect(f.map((x) => [x.status, x.fixed])).toEqual([['confirmed', true]]);
  });
});

describe('arch hooks: flag combinations only some architectures produce (src/kernel-api/gather-flag-setters.ts)', () => {
  it('drops a need_flush_all combination on an arch whose code never sets it', async () => {
    expect(await findings(join(FX, 'valid-arch-gather-flush-all-flag-never-set-here.patch'))).toEqual([]);
  });
  it('confirms it on x86, which sets need_flush_all itself', async () => {
    const f = await findings(join(FX, 'invalid-arch-gather-flush-all-flag-skips-leaves.patch'));
    expect(f.filter(isReportable)).toHaveLength(1);
  });
  it('asks about the code of the patch that now sets it', async () => {
    const f = await findings(join(FX, 'invalid-gather-flush-all-flag-set-by-patch.patch'));
    expect(f.map((x) => x.status)).toEqual(['inconclusive']);
    expect(f[0]?.dependsOn ?? '').toMatch(/finish_nested_gather\(\) of this patch/);
  });
});

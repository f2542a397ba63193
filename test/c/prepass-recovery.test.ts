// Front-end recovery of shapes seen on real mail: comments before iterator macros, unknown declaration attributes,
// hunks that start in a header's tail or with `else`, types as macro arguments.
import { describe, expect, it } from 'vitest';
import { blankComments } from '../../src/c/blank-comments.ts';
import { blankAnnotations, leadingTail, loopifyIterators, rewriteKernelConstructs } from '../../src/c/prepass.ts';
import { isTypeArgument, rewriteTypeArguments } from '../../src/c/type-args.ts';
import { analyzeFunctionSource } from '../../src/frontend/index.ts';

const mmr010 = (problems: readonly string[]) => problems.filter((p) => p.startsWith('MMR010'));
const sameShape = (a: string, b: string) => expect(a.split('\n').map((l) => l.length)).toEqual(b.split('\n').map((l) => l.length));

describe('comments blanked in place', () => {
  it('keeps offsets, skips strings, blanks a leading comment tail', () => {
    const src = ' tail of a note */\n\tx = "a // b"; /* c */ y(); // d\n';
    const out = blankComments(src);
    expect(out).toHaveLength(src.length);
    sameShape(out, src);
    expect(out).not.toMatch(/tail|note|\bc\b|\bd\b/);
    expect(out).toContain('x = "a // b";');
    expect(out).toContain('y();');
  });
});

describe('iterator macro after a comment', () => {
  it('is a loop head after a line comment or a block comment', () => {
    const a = loopifyIterators('\tmy_lock(m);\n\t// walk them\n\tlist_for_each_entry(it, &head, node) {\n\t\tgo(it);\n\t}\n');
    expect(a.text).toContain('while(list_for_each_entry(it, &head, node)) {');
    const b = loopifyIterators('\tmy_lock(m);\n\t/* walk\n\t * them */\n\tnode_tree_foreach(it, &root, 0, 9) {\n\t\tgo(it);\n\t}\n');
    expect(b.text).toContain('while(node_tree_foreach(it, &root, 0, 9)) {');
  });

  it('does not rewrite a macro named inside a comment', () => {
    const src = '\tx();\n\t/* see list_for_each_entry(a, b, c) { */\n\ty();\n';
    expect(loopifyIterators(src).text).toBe(src);
  });

  it('parses a fragment with a commented iterator loop without recovery', async () => {
    const frag = '\tspin_lock(&tbl->lock);\n\t/* every entry */\n\tlist_for_each_entry(e, &tbl->head, link) {\n\t\tflush_tlb_all();\n\t}\n\tspin_unlock(&tbl->lock);\n';
    const r = await analyzeFunctionSource(frag, { name: 'walk' });
    expect(mmr010(r.problems)).toEqual([]);
    expect(r.paths.some((p) => p.steps.some((s) => s.step === 'control' && s.kind === 'loop-enter'))).toBe(true);
  });
});

describe('unknown attribute between type and name', () => {
  it('is blanked in a definition, keeping a type spelled with underscores', () => {
    const src = 'static void __my_text do_sync(void)\n{\n}\nstatic __u64 read_val(void)\n{\n}\nstatic inline unsigned long __my_text\nlate_name(int a)\n{\n}\n';
    const out = blankAnnotations(src);
    sameShape(out, src);
    expect(out).not.toContain('__my_text');
    expect(out).toContain('__u64 read_val(void)');
    expect(out).toContain('late_name(int a)');
  });

  it('an upper-case macro before the type of a definition is blanked too', async () => {
    const src = 'MY_NOPV void my_flush_multi(const struct cpumask *mask,\n\t\t\tconst struct flush_info *info)\n{\n\tflush_tlb_all();\n}\n';
    expect(blankAnnotations(src)).toContain('        void my_flush_multi(');
    expect(blankAnnotations('PTE_TYPE *get_entry(int i);\nBIG_T val(int i);\n')).toBe('PTE_TYPE *get_entry(int i);\nBIG_T val(int i);\n');
    const r = await analyzeFunctionSource(src);
    expect(mmr010(r.problems)).toEqual([]);
    expect(r.name).toBe('my_flush_multi');
  });

  it('does not touch a struct tag or a call', () => {
    const src = 'struct __my_tag *get_tag(void);\n\treturn __my_helper(x);\n#define __my_flush_all __my_flush_range(0, ~0UL)\n';
    expect(blankAnnotations(src)).toBe(src);
  });

  it('a definition with one parses whole', async () => {
    const r = await analyzeFunctionSource('void __my_text flush_ctx(struct mm_struct *mm)\n{\n\tflush_tlb_mm(mm);\n}\n');
    expect(mmr010(r.problems)).toEqual([]);
    expect(r.name).toBe('flush_ctx');
    expect(r.complete).toBe(true);
  });
});

describe('fragment starting inside a header', () => {
  it('a one-parameter tail is wrapped, never taken for a whole definition', async () => {
    const r = await analyzeFunctionSource('\t\tint *count)\n{\n\tint ret = 0;\n\tflush_tlb_all();\n\tret++;\n}\n', { name: 'walk_range' });
    expect(mmr010(r.problems)).toEqual([]);
    expect(r.complete).toBe(false);
    expect(r.params).toEqual(['int *count']);
    expect(r.events.map((e) => `${e.kind}@${e.loc.line}`)).toEqual(['tlb-flush@4']);
  });
});

describe('fragment starting in an unbraced if head', () => {
  it('the head tail gets its if: the statement after it is its arm, not run on every path', async () => {
    const frag = '\t    ctx->rd + ctx->wr == 0)\n\t\treturn -EINVAL;\n\tflush_tlb_all();\n\treturn 0;\n}\n';
    const r = await analyzeFunctionSource(frag, { name: 'to_dist' });
    expect(mmr010(r.problems)).toEqual([]);
    expect(r.complete).toBe(false);
    const flushes = r.paths.map((p) => p.steps.some((s) => s.step === 'event' && s.callee === 'flush_tlb_all'));
    expect(flushes).toContain(true);
    expect(flushes).toContain(false);
  });

  it('a statement tail stays a statement', () => {
    expect(leadingTail('\t\t  b, c);\n\tx++;\n')).toEqual({ n: 1, kind: 'statement' });
    expect(leadingTail('\t\t  b == c)\n\t\t? x : y;\n')?.kind).toBe('statement');
    expect(leadingTail('\t\t  b == c)\n\t\tcontinue;\n')).toEqual({ n: 1, kind: 'control', unbraced: true });
  });
});

describe('fragment starting inside an initialiser', () => {
  it('an indented designator line before }; closes an invented initialiser', async () => {
    const frag = '\t\t.mask = pick_mask(area),\n\t};\n\tstruct mm_struct *mm = area->mm;\n\tflush_tlb_mm(mm);\n';
    const r = await analyzeFunctionSource(frag, { name: 'fault' });
    expect(mmr010(r.problems)).toEqual([]);
    expect(r.events.map((e) => e.callee)).toContain('flush_tlb_mm');
  });
});

describe('fragment starting with else', () => {
  it('gets an invented if: both arms are paths and the image is incomplete', async () => {
    const frag = '\telse if (p->flags & MY_FLAG)\n\t\tremap_nodes(p);\n\telse {\n\t\tflush_tlb_all();\n\t}\n\n';
    const r = await analyzeFunctionSource(frag, { name: 'rebind' });
    expect(mmr010(r.problems)).toEqual([]);
    expect(r.complete).toBe(false);
    expect(r.events.map((e) => `${e.callee}@${e.loc.line}`)).toEqual(['remap_nodes@2', 'flush_tlb_all@4']);
    const flushes = r.paths.map((p) => p.steps.some((s) => s.step === 'event' && s.callee === 'flush_tlb_all'));
    expect(flushes).toContain(true);
    expect(flushes).toContain(false);
  });

  it('after the tail of an unbraced arm: the invented if owns that statement', async () => {
    const frag = '\t\tflush_tlb_all();\n\telse if (old != static_slots &&\n\t\t old != spare_slots)\n\t\tflush_tlb_mm(mm);\n\n\tput_slots(old);\n';
    const r = await analyzeFunctionSource(frag, { name: 'grow' });
    expect(mmr010(r.problems)).toEqual([]);
    expect(r.complete).toBe(false);
    const seqs = r.paths.map((p) => p.steps.flatMap((s) => (s.step === 'event' ? [s.callee] : [])).join(' '));
    expect(seqs).toContain('flush_tlb_all put_slots');
    expect(seqs).toContain('flush_tlb_mm put_slots');
    expect(seqs.some((q) => q.includes('flush_tlb_all') && q.includes('flush_tlb_mm'))).toBe(false);
  });

  it('after a comment tail too', async () => {
    const r = await analyzeFunctionSource('\t * end of a note\n\t */\n\telse\n\t\tflush_tlb_all();\n', { name: 'g' });
    expect(mmr010(r.problems)).toEqual([]);
    expect(r.complete).toBe(false);
  });
});

describe('types as macro arguments', () => {
  it('recognises only text that cannot be an expression', () => {
    for (const t of ['unsigned long', 'unsigned int', 'const char *', 'void *', 'struct page *', 'u64 *', 'long long']) {
      expect(isTypeArgument(t)).toBe(true);
    }
    for (const t of ['unsigned long addr', 'a', 'int', 'x * y', 'sizeof x', 'struct page *page', 'a + b']) {
      expect(isTypeArgument(t)).toBe(false);
    }
  });

  it('rewrites them in place, leaving headers with named parameters alone', () => {
    const src = 'static int f(unsigned long addr, struct page *page)\n{\n\tn = min_t(unsigned long, a, b);\n\tp = alloc_percpu(void *);\n\to = offsetof(struct my_ctx, inner.limit);\n}\n';
    const out = rewriteKernelConstructs(src);
    sameShape(out, src);
    expect(out).toContain('static int f(unsigned long addr, struct page *page)');
    expect(out).toContain('min_t(unsigned_long, a, b)');
    expect(out).toContain('alloc_percpu(void__)');
    expect(out).toContain('inner_limit)');
    expect(rewriteTypeArguments('\tx = f(a, (unsigned long)b);\n')).toBe('\tx = f(a, (unsigned long)b);\n');
    expect(rewriteTypeArguments('MY_TREE_DEFINE(struct node, link,\n\t\tunsigned long, last)\n')).toContain('\t\tunsigned_long, last)');
    expect(rewriteTypeArguments('\tCHECK(offsetof(struct ctx,\n\t\t\t inner.limit) != 8);\n')).toContain('\t\t\t inner_limit) != 8');
  });

  it('parse without recovery', async () => {
    const src =
      'void f(struct mm_struct *mm)\n{\n\tunsigned long n;\n\tn = min_t(unsigned long, n, LIMIT);\n\tn = clamp_t(unsigned int, n, 1, 8);\n' +
      '\tn = offsetof(struct my_ctx, inner.limit);\n\tn += max_t(long long, n, 0);\n\tflush_tlb_mm(mm);\n}\n';
    const r = await analyzeFunctionSource(src);
    expect(mmr010(r.problems)).toEqual([]);
    expect(r.events.map((e) => e.callee)).toContain('flush_tlb_mm');
  });
});

// Tree mode parses each whole-file text once: the other side of a function changed on one side only, and a
// series' next patch starting from the text the previous one produced, reuse the definitions already found.
import { describe, expect, it, vi } from 'vitest';
import type { SourceTree } from '../../src/core/patch.ts';

const wholeFileParses = vi.hoisted(() => ({ n: 0 }));
vi.mock('../../src/c/parser.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/c/parser.ts')>();
  return {
    ...real,
    parseC: (text: string) => {
      if (text.includes('tpo_whole_file_marker')) wholeFileParses.n++;
      return real.parseC(text);
    },
  };
});

const { functionsOfPatch } = await import('../../src/frontend/index.ts');
const { extractPatchesFromText } = await import('../../src/sources/index.ts');

const fn = (name: string, extra = ''): string =>
  `static int ${name}(struct tpo_ctx *c, unsigned long addr)\n{\n${extra}\tint ret = tpo_step(c, addr);\n\n\tif (ret)\n\t\treturn ret;\n\treturn tpo_done(c);\n}\n`;
const file = (extras: Record<string, string>): string =>
  `int tpo_whole_file_marker;\n\n${['tpo_alpha', 'tpo_beta', 'tpo_gamma'].map((n) => fn(n, extras[n] ?? '')).join('\n')}`;

/** A one-line addition at the top of `name`'s body, as a patch against `before`. */
function patchAdding(before: Record<string, string>, name: string, line: string): string {
  const a = file(before).split('\n');
  const at = a.findIndex((l) => l.startsWith(`static int ${name}(`)) + 2; // after the opening brace
  const ctx = a.slice(at - 2, at + 1);
  const hunk = `@@ -${at - 1},3 +${at - 1},4 @@\n${ctx.slice(0, 2).map((l) => ` ${l}`).join('\n')}\n+${line}\n ${ctx[2]}\n`;
  return `diff --git a/mm/tpo.c b/mm/tpo.c\n--- a/mm/tpo.c\n+++ b/mm/tpo.c\n${hunk}`;
}

describe('tree mode parses each file text once', () => {
  it('one patch: the pre- and post-image texts, not the pre-image again for the added-lines-only function', async () => {
    const tree: SourceTree = { name: 'mem', read: async () => file({}) };
    const [p] = extractPatchesFromText(patchAdding({}, 'tpo_beta', '\tc->calls++;'), { kind: 'patch-file', name: 'x.patch' }).patches;
    wholeFileParses.n = 0;
    const r = await functionsOfPatch(p!, { tree });
    expect(r.functions.filter((f) => f.changed).map((f) => f.name)).toEqual(['tpo_beta']);
    const beta = r.functions.find((f) => f.name === 'tpo_beta')!;
    expect(beta.pre?.complete && beta.post?.complete).toBe(true);
    expect(wholeFileParses.n).toBe(2);
  });

  it('a series: the next patch starts from the text the previous one produced', async () => {
    const first = { tpo_alpha: '\tc->seen++;\n' };
    const tree: SourceTree = { name: 'mem', read: async () => file(first) };
    // The same tree text again (already parsed by the previous patch of this "series"), then a new post-image.
    const [p] = extractPatchesFromText(patchAdding(first, 'tpo_gamma', '\tc->late++;'), { kind: 'patch-file', name: 'y.patch' }).patches;
    await functionsOfPatch(p!, { tree });
    wholeFileParses.n = 0;
    const [again] = extractPatchesFromText(patchAdding(first, 'tpo_beta', '\tc->calls++;'), { kind: 'patch-file', name: 'z.patch' }).patches;
    const r = await functionsOfPatch(again!, { tree });
    expect(r.functions.filter((f) => f.changed).map((f) => f.name)).toEqual(['tpo_beta']);
    expect(wholeFileParses.n).toBe(1);
  });
});

// Tests for quote-depth splitting and the code/prose heuristics used on damaged diffs.

import { describe, expect, it } from 'vitest';
import { isCodeLine, isProseLine } from '../../src/diff/line-kind.ts';
import { buildQuoteViews, splitQuote } from '../../src/diff/quote.ts';

describe('splitQuote', () => {
  it.each([
    ['> +int a;', 1, '+int a;'],
    ['> > -int b;', 2, '-int b;'],
    ['>> @@ -1 +1 @@', 2, '@@ -1 +1 @@'],
    ['>+x;', 1, '+x;'],
    ['> >> > y', 4, 'y'],
    ['plain', 0, 'plain'],
    [' > not a quote', 0, ' > not a quote'],
  ])('%s', (line, depth, text) => {
    expect(splitQuote(line)).toEqual({ depth, text });
  });
});

describe('buildQuoteViews', () => {
  it('keeps the context space in ">"-without-space quoting and marks gaps', () => {
    const views = buildQuoteViews(['>@@ -1,2 +1,2 @@', '> \tint a;', 'comment', '>-\tint b;', '>+\tint c;']);
    const v1 = views.find((v) => v.depth === 1)!;
    expect(v1.lines.map((l) => l.text)).toEqual(['@@ -1,2 +1,2 @@', ' \tint a;', '-\tint b;', '+\tint c;']);
    expect(v1.lines.map((l) => l.afterGap)).toEqual([false, false, true, false]);
    expect(v1.lines.map((l) => l.inputLine)).toEqual([1, 2, 4, 5]);
  });
});

describe('line heuristics', () => {
  it('tells code from prose', () => {
    for (const c of ['pte = pte_offset_map_lock(mm, pmd, addr, &ptl);', 'if (!pte)', '} while (pte++, addr != end);', 'out_unlock:', '#ifdef CONFIG_MMU'])
      expect(isCodeLine(c), c).toBe(true);
    for (const p of ['Using a bool would be clearer.', 'the FOLL_FIXFAULT is filtered out at the following code', 'drop the helper above, it buys nothing;'])
      expect(isProseLine(p), p).toBe(true);
  });
});

// Tests for subject parsing and series assembly (threads, versions, cover letters, replies).

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleSeries, parseSubject } from '../../src/series/index.ts';
import { readInputs } from '../../src/sources/index.ts';

const FIX = join(import.meta.dirname, '../../fixtures/inputs');

describe('parseSubject', () => {
  it.each([
    ['[PATCH v3 14/28] userfaultfd: wp: handle COW', { version: 3, index: 14, total: 28, rfc: false, tags: [] }, false],
    ['[RFC PATCH] mm: x', { version: 1, index: 1, total: 1, rfc: true, tags: [] }, false],
    ['[PATCH RESEND 2/5] mm: y', { version: 1, index: 2, total: 5, rfc: false, tags: ['RESEND'] }, false],
    ['[PATCH net-next v2] net: z', { version: 2, index: 1, total: 1, rfc: false, tags: ['net-next'] }, false],
    ['Re: [PATCH V2 2/2] mm: w', { version: 2, index: 2, total: 2, rfc: false, tags: [] }, true],
    ['RE: Re: [RFC][PATCH 0/3] mm: cover', { version: 1, index: 0, total: 3, rfc: true, tags: [] }, true],
  ])('%s', (subject, tag, reply) => {
    const s = parseSubject(subject);
    expect(s.tag).toEqual(tag);
    expect(s.reply).toBe(reply);
  });

  it('has no tag for plain subjects', () => {
    expect(parseSubject('Re: lunch?')).toEqual({ title: 'lunch?', reply: true });
  });
});

describe('assembleSeries', () => {
  it('picks v2 with its cover letter, orders parts and lists v1 as superseded', async () => {
    const r = await readInputs([join(FIX, 'series-v1-v2.mbox')]);
    const series = assembleSeries(r.patches);
    expect(series).toHaveLength(1);
    const s = series[0]!;
    expect(s.version).toBe(2);
    expect(s.cover?.cover).toBe(true);
    expect(s.cover?.description).toMatch(/v2: use PAGE_SHIFT/);
    expect(s.title).toBe('mm/mprotect: close two change_pte_range races');
    expect(s.parts.map((p) => p.messageId)).toEqual(['v2-1@example.org', 'v2-2@example.org']);
    expect(s.missing).toEqual([]);
    expect(s.superseded.map((v) => [v.version, v.parts.map((p) => p.messageId)])).toEqual([[1, ['v1-1@example.org', 'v1-2@example.org']]]);
    // The quoted review of v2 2/2 is not a part.
    expect(s.parts.every((p) => !p.quoted)).toBe(true);
  });

  it('groups a multi-patch file as one series and reports missing parts', async () => {
    const r = await readInputs([join(FIX, 'format-patch-multi.patch'), join(FIX, 'plain-diff-u.diff')]);
    const all = assembleSeries(r.patches);
    const s = all.find((x) => x.total === 2)!;
    expect(s.parts.map((p) => p.series?.index)).toEqual([1, 2]);
    const partial = assembleSeries(r.patches.slice(1, 2));
    expect(partial[0]!.missing).toEqual([1]);
  });

  it('keeps replies with their own diff as followups of the series they answer', async () => {
    const r = await readInputs([join(FIX, 'series-v1-v2.mbox')]);
    const fix = structuredClone(r.patches.find((p) => p.messageId === 'v2-2@example.org')!);
    Object.assign(fix, { id: 'fixup', messageId: 'fixup@example.org', inReplyTo: 'v2-2@example.org', subject: 'Re: [PATCH v2 2/2] mm/mprotect: flush', references: ['v2-0@example.org', 'v2-2@example.org'] });
    const s = assembleSeries([...r.patches, fix]);
    expect(s).toHaveLength(1);
    expect(s[0]!.followups.map((p) => p.id)).toEqual(['fixup']);
  });

  it('is independent of input order for the chosen parts', async () => {
    const r = await readInputs([join(FIX, 'series-v1-v2.mbox')]);
    const a = assembleSeries(r.patches)[0]!;
    const b = assembleSeries([...r.patches].reverse())[0]!;
    expect(b.parts.map((p) => p.id)).toEqual(a.parts.map((p) => p.id));
    expect(b.version).toBe(a.version);
  });
});

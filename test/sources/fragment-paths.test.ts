// A quoted hunk without file headers takes its file from the patch it quotes when the same input holds it; a
// finding whose file stays unknown is located in its message, never at "?".
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputs } from '../../src/sources/index.ts';
import { findingWhere } from '../../src/render/where.ts';
import { PATCH, QUOTED_FRAGMENT, replyQuoting } from '../helpers/quoted-thread.ts';

function mbox(...mails: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'mmr-frag-'));
  const file = join(dir, 'thread.mbox');
  writeFileSync(file, mails.map((m) => `From mboxrd@z Thu Jan  1 00:00:00 1970\n${m}\n`).join(''));
  return file;
}

describe('fragment paths', () => {
  it('takes the file of a quoted header-less hunk from the patch it quotes', async () => {
    const r = await readInputs([mbox(PATCH, replyQuoting(QUOTED_FRAGMENT))]);
    const quoted = r.patches.find((p) => p.messageId === 'r1@example.org')!;
    expect(quoted.files[0]!.newPath).toBe('mm/demo.c');
    expect(quoted.damage.join('\n')).toMatch(/file mm\/demo\.c taken from <p1@example\.org>/);
  });

  it('leaves it unknown when the input does not hold the quoted patch', async () => {
    const r = await readInputs([mbox(replyQuoting(QUOTED_FRAGMENT))]);
    const quoted = r.patches.find((p) => p.messageId === 'r1@example.org')!;
    expect(quoted.files[0]!.newPath).toBeUndefined();
  });

  it('locates a finding without a file in its message and input line', () => {
    expect(findingWhere({ path: '', line: 0, location: { input: 'reply.eml', messageId: 'r1@example.org', line: 42 } })).toBe('<r1@example.org> line 42');
    expect(findingWhere({ path: '', line: 0, location: { input: 'reply.eml', line: 7 } })).toBe('reply.eml line 7');
    expect(findingWhere({ path: 'mm/demo.c', line: 13 })).toBe('mm/demo.c:13');
  });
});

/**
 * The rule registry sorts ids by code unit (rules/index.ts, to keep the ICU collator out of start-up): for kebab-case
 * ids that is the localeCompare() order it replaced.
 */
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';

describe('rule registry order', () => {
  it('ids are kebab-case and in localeCompare order', () => {
    const ids = RULES.map((r) => r.meta.id);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    expect(ids).toEqual([...ids].sort((a, b) => a.localeCompare(b)));
  });
});

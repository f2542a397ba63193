/**
 * Ratchets for figures measured over ../shared/corpus. A figure may not fall below the floor recorded in the test;
 * when it rises above, the test says so, and the floor should be raised in the same commit that earned it.
 * Hard gates (zero false positives) are plain assertions, not ratchets.
 */
import { expect } from 'vitest';

export interface Ratchet {
  name: string;
  measured: number;
  floor: number;
}

/** Assert every measured figure is at or above its floor; print each with its floor. */
export function expectRatchets(where: string, ratchets: Ratchet[]): void {
  const lines = ratchets.map((r) => {
    const tag = r.measured > r.floor ? `  (above the floor: raise it in ${where})` : r.measured < r.floor ? '  (BELOW THE FLOOR)' : '';
    return `  ${r.name.padEnd(40)} ${String(r.measured).padStart(4)}  floor ${r.floor}${tag}`;
  });
  console.log([`ratchets (${where}):`, ...lines].join('\n'));
  for (const r of ratchets) expect(r.measured, `${r.name} fell below its recorded floor ${r.floor}`).toBeGreaterThanOrEqual(r.floor);
}

/**
 * Input fuzzing extended to scenario JSON (issue 13): ground-truth scenarios with one or more fields replaced by
 * hostile values (empty lists, nulls, wrong types, huge numbers, unknown names, deleted fields). Validation never
 * throws; what it accepts the simulator and the Promela export run without throwing, within tight bounds. Bounded
 * (fixed seed, a few hundred cases, each simulation capped in states and milliseconds).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GROUND_TRUTH, parseScenario, simulateAll, toPromela } from '../../src/sim/index.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value inside `v` (arrays and objects included), root excluded. */
function paths(v: Json, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (Array.isArray(v)) v.forEach((x, i) => (out.push([...at, i]), paths(x, [...at, i], out)));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) out.push([...at, k]), paths(v[k]!, [...at, k], out);
  return out;
}

const DELETE = Symbol('delete');
const hostileValue = fc.oneof(
  fc.constantFrom<Json | typeof DELETE>([], {}, null, '', 0, -1, 1.5, 1e12, true, 'x', 'ghost', [[]], [{}], [null], DELETE),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -5, max: 1_000_000 }),
);

/** A same-type replacement (empty list, dropped element, flipped flag, zero, another name of the scenario). */
const SAME_TYPE = Symbol('same-type');

function sameType(cur: Json, names: string[], k: number): Json | typeof DELETE {
  if (Array.isArray(cur)) return k % 2 === 0 ? [] : DELETE;
  if (typeof cur === 'boolean') return !cur;
  if (typeof cur === 'number') return [0, 1, 2 ** 31][k % 3]!;
  if (typeof cur === 'string') return names[k % names.length] ?? '';
  return DELETE;
}

function names(v: Json, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => names(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => names(x, out));
  return out;
}

function mutate(base: Json, picks: Array<{ at: number; value: Json | typeof DELETE | typeof SAME_TYPE }>): Json {
  const s = structuredClone(base);
  for (const p of picks) {
    const all = paths(s);
    if (all.length === 0) break;
    const path = all[p.at % all.length]!;
    let cur: any = s;
    for (const k of path.slice(0, -1)) cur = cur[k];
    const last = path[path.length - 1]!;
    const value = p.value === SAME_TYPE ? sameType(cur[last], names(s), p.at) : p.value;
    if (value === DELETE) {
      if (Array.isArray(cur)) cur.splice(Number(last), 1);
      else delete cur[last];
    } else cur[last] = value;
  }
  return s;
}

const VERDICTS = new Set(['ok', 'violation', 'inconclusive']);

describe('scenario JSON fuzz', () => {
  it('validation never throws; accepted scenarios simulate and export without throwing', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: GROUND_TRUTH.length - 1 }),
        fc.array(fc.record({ at: fc.nat(), value: fc.oneof(hostileValue, fc.constant<typeof SAME_TYPE>(SAME_TYPE), fc.constant<typeof SAME_TYPE>(SAME_TYPE)) }), { minLength: 1, maxLength: 3 }),
        (gi, picks) => {
          const input = mutate(GROUND_TRUTH[gi]!.scenario as unknown as Json, picks);
          const r = parseScenario(input);
          if (!r.ok) {
            expect(r.errors.length).toBeGreaterThan(0);
            for (const e of r.errors) expect(e).toMatch(/^[\w.[\]()]+(: |\.)/); // names a field
            return;
          }
          accepted++;
          const res = simulateAll(r.scenario, r.scenario.arch ?? ['x86'], { maxStates: 2_000, maxMs: 150 });
          expect(VERDICTS.has(res.verdict)).toBe(true);
          expect(typeof toPromela(r.scenario, r.scenario.arch?.[0] ?? 'x86')).toBe('string');
        },
      ),
      { numRuns: 400, seed: 1913 },
    );
    expect(accepted).toBeGreaterThan(25); // the fuzz reaches the simulator, not only the validator
  }, 60_000);
});

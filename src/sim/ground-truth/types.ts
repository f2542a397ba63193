/**
 * A ground-truth case: a real bug shape from kernel history, buggy or fixed, with the verdict it must get.
 */
import type { InvariantName } from '../../core/sim-contract.ts';
import type { Scenario } from '../scenario.ts';

export interface GroundTruth {
  /** `<pair>-buggy` / `<pair>-fixed`. */
  name: string;
  /** The pair this case belongs to. */
  pair: string;
  variant: 'buggy' | 'fixed';
  expect: 'violation' | 'ok';
  /** The invariant the buggy variant violates (and the fixed one restores). */
  invariant: InvariantName;
  description: string;
  scenario: Scenario;
}

/** Build the buggy/fixed pair from one scenario factory. */
export function pair(
  id: string,
  invariant: InvariantName,
  text: { buggy: string; fixed: string },
  make: (fixed: boolean) => Scenario,
): GroundTruth[] {
  return [
    { name: `${id}-buggy`, pair: id, variant: 'buggy', expect: 'violation', invariant, description: text.buggy, scenario: make(false) },
    { name: `${id}-fixed`, pair: id, variant: 'fixed', expect: 'ok', invariant, description: text.fixed, scenario: make(true) },
  ];
}

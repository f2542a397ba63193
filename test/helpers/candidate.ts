/** A rule candidate built around a path for engine tests: anchored at the path's first event. */
import type { EventPath } from '../../src/core/events.ts';
import type { Candidate, Hazard } from '../../src/core/rule.ts';

export function candidateOn(p: EventPath, hazard: Partial<Hazard> = {}, extra: Partial<Candidate> = {}): Candidate {
  const anchor = p.steps.find((s) => s.step === 'event');
  if (!anchor || anchor.step !== 'event') throw new TypeError('path without events');
  const { step: _s, ...event } = anchor;
  return {
    rule: 'test-rule',
    messageId: 'm',
    message: 'm',
    data: {},
    side: 'post',
    anchor: event,
    related: [],
    path: p,
    hazard: { kind: 'test', invariants: ['lock-balance'], adversaries: [], arch: ['x86'], context: [], ...hazard },
    ...extra,
  };
}

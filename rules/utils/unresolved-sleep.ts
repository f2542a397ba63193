/**
 * An allocation whose GFP mask the text does not spell in GFP constants (a `gfp` parameter, a `c->gfp` field,
 * `mapping_gfp_mask(mapping)`, which allows direct reclaim for most mappings): the classifier leaves it a plain call
 * with `attrs.unresolved` (src/kernel-api/classify.ts, 'gfp' hook). Under a spinlock it may sleep or may not; a
 * finding on it is a question, never a confirmed claim, and it keeps the function from being credited with a fix
 * (a post-image finding that depends on unseen code blocks "fixed", src/engine/index.ts).
 */
import type { Event } from '../../src/core/events.ts';

/** The question an allocation with an unreadable GFP mask raises, or undefined for any other event. */
export function unresolvedSleep(ev: Event): string | undefined {
  return ev.attrs.unresolved?.what === 'gfp-mask' ? ev.attrs.unresolved.question : undefined;
}

/**
 * The binding an adversary program is instantiated with: which model objects it acts on.
 */
import type { Ref } from '../scenario.ts';

/** Objects an adversary acts on. `pte` is required; the others default as documented per adversary. */
export interface AdversaryBind {
  /** The PTE (address) under attack. */
  pte: Ref;
  /** Its PTL (default `ptl0`; only used for documentation: the PTL is the PTE's table lock). */
  ptl?: Ref;
  /** The page mapped by `pte` (required by adversaries that free, clean or copy pages). */
  page?: Ref;
  /** A free page the adversary may allocate (COW copy, migration target). */
  newPage?: Ref;
  /** Thread name (default: the adversary name). */
  name?: string;
  /** PTE index range for notifier / gather ranges (default: the whole table). */
  range?: [number, number];
  /** Threads whose return the adversary waits for (`lazyfree-reclaim`: the MADV_FREE path and its companion). */
  after?: readonly string[];
}

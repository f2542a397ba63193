/**
 * The adversary library: `buildAdversary(name, bind)` returns the thread program of a named adversary.
 */
import type { AdversaryName } from '../../core/sim-contract.ts';
import type { ThreadSpec } from '../scenario.ts';
import type { AdversaryBind } from './types.ts';
import { changeProtNuma } from './change-prot-numa.ts';
import { cleanReclaim } from './clean-reclaim.ts';
import { cow } from './cow.ts';
import { fault } from './fault.ts';
import { invalidator } from './invalidator.ts';
import { ksm } from './ksm.ts';
import { lazyfreeReclaim } from './lazyfree-reclaim.ts';
import { kvmVcpu } from './kvm-vcpu.ts';
import { madviseDontneed } from './madvise-dontneed.ts';
import { madviseFree } from './madvise-free.ts';
import { migration } from './migration.ts';
import { mremapTableMove } from './mremap-table-move.ts';
import { pmdRetract } from './pmd-retract.ts';
import { reclaimAging } from './reclaim-aging.ts';
import { uffdFill } from './uffd-fill.ts';
import { uffdMonitor } from './uffd-monitor.ts';
import { userReader } from './user-reader.ts';
import { userWriter } from './user-writer.ts';
import { writeback } from './writeback.ts';
import { zap } from './zap.ts';

export type { AdversaryBind } from './types.ts';

const LIBRARY: Record<AdversaryName, (b: AdversaryBind) => ThreadSpec> = {
  'user-writer': userWriter,
  'user-reader': userReader,
  zap,
  'madvise-dontneed': madviseDontneed,
  'madvise-free': madviseFree,
  writeback,
  ksm,
  cow,
  fault,
  migration,
  'kvm-vcpu': kvmVcpu,
  invalidator,
  'uffd-monitor': uffdMonitor,
  'reclaim-aging': reclaimAging,
  'change-prot-numa': changeProtNuma,
  'lazyfree-reclaim': lazyfreeReclaim,
  'uffd-fill': uffdFill,
  'mremap-table-move': mremapTableMove,
  'pmd-retract': pmdRetract,
  'clean-reclaim': cleanReclaim,
};

/** The thread program of adversary `name` bound to `bind`. Throws TypeError when a required object is missing. */
export function buildAdversary(name: AdversaryName, bind: AdversaryBind): ThreadSpec {
  const f = LIBRARY[name];
  if (f === undefined) throw new TypeError(`unknown adversary "${String(name)}"; known: ${Object.keys(LIBRARY).join(', ')}`);
  return f(bind);
}

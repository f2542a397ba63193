// Review patches against a tree (git repository or directory): each patch gets the pre-images of its own base, the
// series' earlier patches applied first; the base used (or why none was found) is a note in the report.
import type { Report, RunError } from '../core/finding.ts';
import type { Patch, SourceTree } from '../core/patch.ts';
import type { Arch } from '../core/sim-contract.ts';
import { resolveBases, type BaseStore } from '../diff/source-tree.ts';
import { findingOrder } from '../engine/to-finding.ts';
import { VERSION } from '../core/version.ts';

/** The engine as the channels call it (src/engine's `checkPatches`). */
export type TreeCheckFn = (patches: Patch[], opts?: { tree?: SourceTree; rules?: string[]; arch?: Arch[] }) => Promise<Report>;


/**
 * Runs `check` once per patch (in order) with that patch's own pre-images from `store`, and merges the reports:
 * findings sorted as the engine sorts them, each patch's base notes (MMR041 / MMR042) before its errors, stats
 * summed. Cover letters only lend their `base-commit:` to the series.
 */
export async function checkAgainstTree(
  check: TreeCheckFn,
  patches: Patch[],
  store: BaseStore,
  opts: { rules?: string[]; arch?: Arch[] } = {},
): Promise<Report> {
  const started = performance.now();
  const bases = await resolveBases(patches, store);
  const stats: Report['stats'] = { inputs: 0, patches: 0, files: 0, functions: 0, candidates: 0, simulations: 0, ms: 0 };
  const findings: Report['findings'] = [];
  const errors: RunError[] = [];
  for (const patch of patches) {
    const base = bases.get(patch);
    if (!base) continue;
    const r = await check([patch], { ...opts, tree: base.tree });
    findings.push(...r.findings);
    errors.push(...base.notes.map((n) => ({ code: n.code, message: n.message, input: n.input })), ...r.errors);
    for (const k of Object.keys(stats) as Array<keyof Report['stats']>) stats[k] += r.stats[k];
  }
  findings.sort(findingOrder);
  stats.ms = Math.round(performance.now() - started);
  return { tool: 'mmreview', version: VERSION, findings, errors, stats };
}

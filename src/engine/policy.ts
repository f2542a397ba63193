/**
 * The default posting policy, shared by every channel: post a finding when the simulator confirmed it and this
 * patch introduced it. Everything else (refuted, inconclusive, pre-existing, fixed) goes to summaries and --all.
 */
import type { Finding } from '../core/finding.ts';

export function isReportable(f: Finding): boolean {
  return f.status === 'confirmed' && f.introduced;
}

/**
 * Finding fingerprints: stable across rebases, line shifts and new versions of a patch, because they hash what the
 * finding is about (rule, file, function, the anchored code with whitespace normalised, the hazard and the
 * violated invariant) and never a line number.
 */
import { createHash } from 'node:crypto';

export interface FingerprintParts {
  rule: string;
  path: string;
  fn: string;
  /** Source text of the anchor event. */
  code: string;
  hazard: string;
  /** Trace signature: the invariant and the roles of the threads involved. */
  signature: string;
}

/** Collapse whitespace and drop comments so reformatting does not change the fingerprint. */
export function normaliseCode(code: string): string {
  return code
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/.*$/gm, ' ')
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),;*&=<>+-])\s*/g, '$1')
    .trim();
}

export function fingerprint(p: FingerprintParts): string {
  const h = createHash('sha256');
  for (const part of [p.rule, p.path, p.fn, normaliseCode(p.code), p.hazard, p.signature]) {
    h.update(part);
    h.update('\u0000');
  }
  return h.digest('hex').slice(0, 16);
}

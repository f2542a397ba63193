/** `s` as a literal inside a RegExp source (identifiers and expressions read from C built into patterns). */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

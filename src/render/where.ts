/**
 * Where a finding sits, in words a reader can follow: `mm/memory.c:3120` for a file line, or — for a quoted or
 * header-less fragment whose file is unknown — the message and the line of the input that holds it
 * (`<msgid> line 42`, or `reply.eml line 42`). Never a bare `?`. Pure.
 */
import type { Finding } from '../core/finding.ts';

export function findingWhere(f: Pick<Finding, 'path' | 'line' | 'location' | 'inputLine'>): string {
  if (f.path) return f.line > 0 ? `${f.path}:${f.line}` : f.path;
  const loc = f.location;
  const what = loc?.messageId ? `<${loc.messageId.replace(/^<|>$/g, '')}>` : (loc?.input ?? 'the input');
  const line = loc?.line ?? f.inputLine;
  return line ? `${what} line ${line}` : what;
}

/** `name()` of the finding's function, or '' when the fragment names none. */
export function functionLabel(f: Pick<Finding, 'function'>): string {
  return f.function ? `${f.function}()` : '';
}

/** `mm/memory.c:3120 do_wp_page()`, or the message location alone when the fragment names no function. */
export function findingHeading(f: Pick<Finding, 'path' | 'line' | 'location' | 'inputLine' | 'function'>): string {
  return f.function ? `${findingWhere(f)} ${functionLabel(f)}` : findingWhere(f);
}

/**
 * Expectation markers in rule fixtures: `/* ruleid: <id> *\/` (a candidate on the post-image at this line),
 * `/* ruleid-pre: <id> *\/` (on the pre-image), `/* ok: <id> *\/` (no candidate at this line).
 */

/** One expectation written in a fixture. */
export interface Marker {
  kind: 'ruleid' | 'ok';
  ruleId: string;
  side: 'pre' | 'post' | 'any';
  /** 1-based line of the fixture text the expectation is about. */
  line: number;
  /** 1-based line where the marker itself is written. */
  markerLine: number;
}

const MARKER = /\/[*/]\s*(ruleid-pre|ruleid|ok):\s*([a-z0-9-]+)\s*(?:\*\/)?/g;

/** Diff prefix of a patch line ('+', '-', ' ') or '' for plain C / headers. */
function diffPrefix(line: string, isPatch: boolean): string {
  if (!isPatch) return '';
  const c = line[0];
  return c === '+' || c === '-' || c === ' ' ? c : '';
}

/** The line without its diff prefix and without marker comments: is there code on it? */
function hasCode(line: string, isPatch: boolean): boolean {
  const body = isPatch && diffPrefix(line, true) !== '' ? line.slice(1) : line;
  const rest = body.replace(MARKER, '').replace(/\/\*.*?\*\//g, '').replace(/\/\/.*$/, '').trim();
  return rest !== '' && !rest.startsWith('*') && !rest.startsWith('/*');
}

/**
 * Parse the markers of a fixture. A marker that shares its line with code is about that line; a marker alone on its
 * line is about the next line with code (in a patch: the next line present on the marker's side).
 */
export function parseMarkers(text: string, isPatch: boolean): Marker[] {
  const lines = text.split('\n');
  const out: Marker[] = [];
  lines.forEach((raw, i) => {
    for (const m of raw.matchAll(MARKER)) {
      const tag = m[1] as string;
      const side: Marker['side'] = tag === 'ruleid-pre' ? 'pre' : tag === 'ruleid' ? 'post' : 'any';
      let target = i;
      if (!hasCode(raw, isPatch)) {
        target = -1;
        for (let j = i + 1; j < lines.length; j++) {
          const l = lines[j] as string;
          const p = diffPrefix(l, isPatch);
          if (isPatch && ((side === 'pre' && p === '+') || (side !== 'pre' && p === '-'))) continue;
          if (hasCode(l, isPatch)) {
            target = j;
            break;
          }
        }
        if (target < 0) throw new Error(`marker at line ${i + 1} is not followed by a line of code`);
      }
      out.push({ kind: tag === 'ok' ? 'ok' : 'ruleid', ruleId: m[2] as string, side, line: target + 1, markerLine: i + 1 });
    }
  });
  return out;
}

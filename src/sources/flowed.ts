/**
 * Decoding of `format=flowed` text (RFC 3676) that leaves diffs intact. A flowed line that ends in a space is "soft
 * broken": the reader joins it with the next line. libmime's decoder (mailparser's) joins every such line, but in a
 * patch or a quoted patch an empty context line (`" "`, or `">  "` when quoted) and a line with trailing whitespace
 * end in a space too: gluing them to the next diff line corrupts the hunk. This decoder joins like libmime except:
 * - a line that is empty but for quote marks and spaces is never joined (RFC 3676: after de-stuffing it is empty);
 * - lines of different quote depth are never joined (RFC 3676 section 4.5), and a joined line of the same depth
 *   loses its quote marks (libmime kept them in the middle of the joined line);
 * - a line is never joined with a diff header line (`diff --git`, `index`, `--- `, `+++ `, `@@ -`), nor, inside a
 *   hunk that its header's counts say is not complete yet, with a hunk line (` `, `+`, `-`, `\`) or an empty line.
 * A soft break elsewhere in a diff (a long `diff --git` line or code line wrapped by the mailer) is still joined.
 */

/** Quote marks at the start of a line, each optionally followed by one space (`>`, `> > `, `>> `). */
const QUOTE = /^(?:> ?)*/;
const DIFF_HEADER = /^(?:diff --git |index [0-9a-f]+\.\.[0-9a-f]+|--- |\+\+\+ |@@ -\d)/;
const HUNK_HEADER = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/;
const HUNK_LINE = /^[ +\-\\]/;

/** Lines still expected in the current hunk (old side, new side), or undefined outside a hunk. */
type Hunk = { old: number; new: number } | undefined;

interface Line {
  depth: number;
  /** The line after its quote marks. */
  content: string;
}

function split(line: string): Line {
  const prefix = QUOTE.exec(line)![0];
  let depth = 0;
  for (const c of prefix) if (c === '>') depth++;
  return { depth, content: line.slice(prefix.length) };
}

/** The hunk state after the complete line `content` (quote marks removed). */
function advance(hunk: Hunk, content: string): Hunk {
  const head = HUNK_HEADER.exec(content);
  if (head) return { old: Number(head[1] ?? 1), new: Number(head[2] ?? 1) };
  if (!hunk) return undefined;
  const c = content.charAt(0);
  let { old, new: nu } = hunk;
  if (c === ' ' || content === '') {
    old--;
    nu--;
  } else if (c === '-') old--;
  else if (c === '+') nu--;
  else if (c !== '\\') return undefined;
  return old > 0 || nu > 0 ? { old, new: nu } : undefined;
}

/** True when the soft-broken line `cur` must not be joined with `next`. */
function keepBreak(cur: string, next: string, hunk: Hunk): boolean {
  if (cur === '-- ') return true; // signature separator
  const a = split(cur);
  const b = split(next);
  if (a.content.trim() === '') return true;
  if (a.depth !== b.depth) return true;
  if (DIFF_HEADER.test(b.content)) return true;
  const open = advance(hunk, a.content);
  return open !== undefined && (b.content === '' || HUNK_LINE.test(b.content));
}

/**
 * `text` (a decoded text part with `format=flowed`, line ends \n or \r\n) unflowed: soft line breaks removed
 * outside diffs, with DelSp=yes the space before a soft break deleted, space-stuffing at line starts removed. The
 * result has \n line ends and, like libmime's, no trailing empty line.
 */
export function unflow(text: string, delSp: boolean): string {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  let hunk: Hunk;
  let cur: string | undefined;
  for (const line of lines) {
    if (cur !== undefined && cur.endsWith(' ') && !keepBreak(cur, line, hunk)) {
      const head = delSp ? cur.slice(0, -1) : cur;
      const b = split(line);
      cur = head + (b.depth > 0 ? b.content : line);
      continue;
    }
    if (cur !== undefined) {
      out.push(cur);
      hunk = advance(hunk, split(cur).content);
    }
    cur = line;
  }
  if (cur) out.push(cur);
  return out.join('\n').replace(/^ /gm, '');
}

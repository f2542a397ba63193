/**
 * A small C lexical scanner: finds braces, parentheses and brackets outside comments, strings, character literals
 * and preprocessor lines. Used by the pre-pass (balancing) and the hunk segmenter.
 */

/** A structural character found by the scanner. */
export interface Punct {
  ch: '{' | '}' | '(' | ')' | '[' | ']' | ';' | ':';
  /** Offset in the text. */
  at: number;
  /** 0-based line. */
  line: number;
}

/** Result of scanning a text. */
export interface ScanResult {
  puncts: Punct[];
  /** The text starts inside a block comment (`*` `/` seen before any opening `/` `*`). */
  startsInComment: boolean;
  /** The text ends inside a block comment. */
  endsInComment: boolean;
  /** Per line: true when the line is a preprocessor line or a continuation of one. */
  preproc: boolean[];
}

/** Scan C text for structure. Never throws. */
export function scanC(text: string): ScanResult {
  const puncts: Punct[] = [];
  const lines = text.split('\n');
  const preproc: boolean[] = [];
  // A fragment may start inside a comment: a `*/` appears before any `/*`.
  const firstClose = text.indexOf('*/');
  const firstOpen = text.indexOf('/*');
  const startsInComment = firstClose >= 0 && (firstOpen < 0 || firstClose < firstOpen);
  let inBlock = startsInComment;
  let cont = false;
  let offset = 0;
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln] ?? '';
    // Preprocessor lines, their continuations, and macro-body lines of a fragment that starts inside a #define.
    const isPre: boolean = cont || (!inBlock && (/^\s*#/.test(line) || /\\\s*$/.test(line)));
    preproc.push(isPre);
    cont = isPre && /\\\s*$/.test(line);
    if (isPre) {
      // Still track comments opened on preprocessor lines.
      const o = line.lastIndexOf('/*');
      if (o >= 0 && line.indexOf('*/', o) < 0) inBlock = true;
      offset += line.length + 1;
      continue;
    }
    let i = 0;
    while (i < line.length) {
      const c = line[i];
      const n = line[i + 1];
      if (inBlock) {
        if (c === '*' && n === '/') {
          inBlock = false;
          i += 2;
        } else i++;
        continue;
      }
      if (c === '/' && n === '*') {
        inBlock = true;
        i += 2;
        continue;
      }
      if (c === '/' && n === '/') break;
      if (c === '"' || c === "'") {
        i++;
        while (i < line.length && line[i] !== c) i += line[i] === '\\' ? 2 : 1;
        i++;
        continue;
      }
      if (c === '{' || c === '}' || c === '(' || c === ')' || c === '[' || c === ']' || c === ';' || c === ':') {
        puncts.push({ ch: c, at: offset + i, line: ln });
      }
      i++;
    }
    offset += line.length + 1;
  }
  return { puncts, startsInComment, endsInComment: inBlock, preproc };
}

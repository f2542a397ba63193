/**
 * Comments blanked in place: every character of a `/* … *\/` or `// …` comment (newlines excepted) becomes a space,
 * so offsets, lines and columns are kept. String and character literals are skipped (a `//` inside one is no
 * comment). A text that starts inside a block comment (a `*\/` before any `/*`, as a hunk cut below a comment's
 * start) has that tail blanked too.
 */
export function blankComments(text: string): string {
  const firstClose = text.indexOf('*/');
  const firstOpen = text.indexOf('/*');
  let inBlock = firstClose >= 0 && (firstOpen < 0 || firstClose < firstOpen);
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const n = text[i + 1];
    if (inBlock) {
      if (c === '*' && n === '/') {
        out += '  ';
        i += 2;
        inBlock = false;
      } else {
        out += c === '\n' ? '\n' : ' ';
        i++;
      }
      continue;
    }
    if (c === '/' && n === '*') {
      out += '  ';
      i += 2;
      inBlock = true;
      continue;
    }
    if (c === '/' && n === '/') {
      let e = text.indexOf('\n', i);
      if (e < 0) e = text.length;
      out += ' '.repeat(e - i);
      i = e;
      continue;
    }
    if (c === '"' || c === "'") {
      let e = i + 1;
      while (e < text.length && text[e] !== c && text[e] !== '\n') e += text[e] === '\\' ? 2 : 1;
      e = Math.min(e + 1, text.length);
      out += text.slice(i, e);
      i = e;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/**
 * Comments blanked in place: every character of a `/* … *\/` or `// …` comment (newlines excepted) becomes a space,
 * so offsets, lines and columns are kept. String and character literals are skipped (a `//` inside one is no
 * comment). A text that starts inside a block comment (a `*\/` before any `/*`, as a hunk cut below a comment's
 * start) has that tail blanked too.
 */
export function blankComments(text: string): string {
  const firstClose = text.indexOf('*/');
  const firstOpen = text.indexOf('/*');
  let head = '';
  let rest = text;
  if (firstClose >= 0 && (firstOpen < 0 || firstClose < firstOpen)) {
    head = blank(text.slice(0, firstClose + 2));
    rest = text.slice(firstClose + 2);
  }
  if (!/\/[*/]/.test(rest)) return head + rest;
  return head + rest.replace(TOKENS, (t) => (t[0] === '/' ? blank(t) : t));
}

/** Comments, string and character literals (a literal is skipped whole, so a `//` inside it is no comment). */
const TOKENS = /\/\*[\s\S]*?(?:\*\/|$)|\/\/[^\n]*|"(?:\\[\s\S]|[^"\\\n])*"?|'(?:\\[\s\S]|[^'\\\n])*'?/g;

function blank(s: string): string {
  return s.replace(/[^\n]/g, ' ');
}

// Heuristics that tell C code from prose in damaged diffs: code/comment/prose line tests and wrapped-line scoring.

const C_KEYWORD_START =
  /^(static|struct|union|enum|typedef|extern|inline|const|volatile|unsigned|signed|int|long|short|char|bool|void|u8|u16|u32|u64|s8|s16|s32|s64|size_t|ssize_t|pte_t|pmd_t|pud_t|p4d_t|pgd_t|spinlock_t|vm_fault_t|gfp_t|pgoff_t|loff_t|return|if|else|for|while|do|switch|case|default|goto|break|continue|sizeof)\b/;
const PREPROC = /^#\s*(include|define|undef|if|ifdef|ifndef|elif|else|endif|error|warning|pragma)\b/;

/** True when a line (diff sign already removed) looks like C code rather than prose or a comment. */
export function isCodeLine(raw: string): boolean {
  const t = raw.trim();
  if (t === '') return false;
  if (isCommentLine(t)) return false;
  if (PREPROC.test(t)) return true;
  if (/[;{}]$/.test(t) || /^[{}]/.test(t)) return !isProseLine(t);
  if (/^[A-Za-z_]\w*:$/.test(t)) return true; // label
  if (t.endsWith('\\')) return true; // macro continuation
  if (C_KEYWORD_START.test(t) && /[()=*;,{]/.test(t)) return true;
  if (/^[A-Za-z_][\w.>-]*\s*\(.*[,(]$/.test(t)) return true; // call or prototype continued on the next line
  if (/(->|==|!=|&&|\|\||<<|>>|\+\+|--|\+=|-=|\|=|&=)/.test(t) && !isProseLine(t)) return true;
  if (/^[\w\->.[\]*&]+\s*=\s*\S/.test(t)) return true; // assignment
  return false;
}

/** True for a C comment line (`/*`, ` * text`, `*\/`, `//`). */
export function isCommentLine(raw: string): boolean {
  const t = raw.trim();
  return t.startsWith('/*') || t.startsWith('*') || t.startsWith('//');
}

/**
 * True when an unprefixed line is English prose (a reply sentence), not a diff line whose leading space was lost:
 * four or more words, mostly letters, and no C punctuation.
 */
export function isProseLine(raw: string): boolean {
  const t = raw.trim();
  if (t === '' || isCommentLine(t) || PREPROC.test(t)) return false;
  const words = t.split(/\s+/);
  if (words.length < 4) return false;
  const plain = words.filter((w) => /^[A-Za-z][A-Za-z'’-]*[.,:;!?)]?$/.test(w)).length;
  if (plain / words.length < 0.6) return false;
  if (/(->|==|!=|&&|\|\||\[|\]|\{|\}|;\s*$|\(\s*\))/.test(t) && plain / words.length < 0.8) return false;
  if (/[{};]\s*$/.test(t) && /=|\(/.test(t)) return false;
  return true;
}

/**
 * How likely `cur` is the continuation of `prev` broken by a mail client's line wrapping (higher = more likely;
 * below 2 = not a wrap). `prevIsHeader` when prev is a hunk header's section text.
 */
export function wrapScore(prev: string, cur: string, prevIsHeader = false, prevSigned = false): number {
  const p = prev.trimEnd();
  const c = cur.trim();
  if (p === '' || c === '') return 0;
  // An added/removed line cut inside open parentheses, continued on an unsigned line that closes them: a real
  // continuation line would carry the sign too.
  const openAfterPrev = count(p, '(') - count(p, ')');
  if (prevSigned && openAfterPrev > 0 && count(c, ')') - count(c, '(') >= openAfterPrev) return 3;
  let score = 0;
  const pt = p.trim();
  const endsOpen = /[A-Za-z0-9_]$/.test(p) && !PREPROC.test(pt) && !/\b(else|do)$/.test(p) && !/^[A-Za-z_]\w*:$/.test(pt);
  if (endsOpen) score += 2;
  const opens = (p.match(/\(/g) ?? []).length - (p.match(/\)/g) ?? []).length;
  if (opens > 0 && (endsOpen || prevIsHeader)) score += 1;
  if (pt.startsWith('*') && !pt.endsWith('*/') && endsOpen && !c.startsWith('*')) score += 1; // comment text wrapped
  if (c.length <= 24) score += 1;
  if (!/[;{}]/.test(c) && !c.startsWith('*') && !c.startsWith('/*') && !c.startsWith('#') && !C_KEYWORD_START.test(c))
    score += 1;
  return endsOpen || prevIsHeader ? score : 0;
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}

/** A reviewer's elision mark inside a quoted hunk: `[...]`, `[ ... ]`, `[snip]`, `<snip>`, `...`, `…`. */
export const ELISION = /^\s*(?:\[\s*(?:\.{2,}|…|snip(?:ped)?|trimmed|cut|skip(?:ped)?)[^\]]*\]|<\s*(?:snip(?:ped)?|\.{3}|…)\s*>|\.{3,}|…)\s*$/i;

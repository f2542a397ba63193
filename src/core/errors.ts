/**
 * Error codes for problems with one input, one function or one rule. Errors are values: they are collected into
 * `Report.errors` and the run goes on. Add new codes here, with one comment each.
 */
export const ERROR_CODES = {
  /** The input file or directory could not be read (missing, permission, not a file). */
  MMR001: 'input unreadable',
  /** The input contains no diff mmreview could find. */
  MMR002: 'no diff found',
  /** A diff was found but is malformed (bad hunk header, wrong hunk line counts, truncated). */
  MMR003: 'malformed diff',
  /** A mail message could not be parsed (broken MIME, bad encoding). */
  MMR004: 'malformed message',
  /** An mbox / maildir / public-inbox archive is corrupt or truncated. */
  MMR005: 'corrupt archive',
  /** Binary or non-text content where text was expected. */
  MMR006: 'binary input',
  /** A whitespace-mangled diff that could not be fully recovered. */
  MMR007: 'damaged diff',
  /** A header of an input (Message-ID, reference, address) that is not valid and was left out of a reply. */
  MMR008: 'invalid header',
  /** C code of a function could not be parsed. */
  MMR010: 'unparsable function',
  /** Path enumeration hit its bound; analysis of the function is partial. */
  MMR011: 'path bound reached',
  /** A rule crashed on some input (rule id and location in the message). */
  MMR020: 'rule crashed',
  /** A simulation could not be run (scenario error). */
  MMR030: 'simulation error',
  /** A git range / tree problem. */
  MMR040: 'git error',
  /** A note, not a problem: which base of the `--tree` the patch's whole functions were read from. */
  MMR041: 'tree base',
  /** No base in the `--tree` for a patch's file (blob missing, no base-commit, does not apply): hunk-only. */
  MMR042: 'no tree base',
  /** A configuration problem. */
  MMR050: 'bad configuration',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** How a code is shown: `note` says what was done (no problem), `warning` says analysis was reduced, `error` is an
 *  input, function or rule problem. One table for every renderer (terminal, SARIF, b4, inspect). */
export type ErrorSeverity = 'note' | 'warning' | 'error';

const SEVERITY: Partial<Record<ErrorCode, ErrorSeverity>> = {
  MMR041: 'note',
  MMR042: 'warning',
};

export function severityOf(code: string): ErrorSeverity {
  return SEVERITY[code as ErrorCode] ?? 'error';
}

/** The per-patch tree-base codes (MMR041: base used; MMR042: no base for a file, hunk-only). */
export const BASE_NOTE_CODES: ReadonlySet<string> = new Set<ErrorCode>(['MMR041', 'MMR042']);

/**
 * Data model of what mmreview reads: patches (from any source) and their file diffs, with every line mapped back to
 * the input it came from. Data only: JSON-serialisable, no classes.
 */

/** Where a patch came from. */
export interface PatchSource {
  kind: 'patch-file' | 'mail' | 'mbox' | 'maildir' | 'public-inbox' | 'stdin' | 'text' | 'github' | 'git';
  /** File path, directory, `-`, `owner/repo#N`, or `sha` for git. */
  name: string;
  /** Index of the message inside an mbox / maildir / public-inbox archive (0-based), or of the patch in a file. */
  index?: number;
}

/** `[RFC PATCH v3 14/28]` parsed. */
export interface SeriesTag {
  /** Version, 1 when absent. */
  version: number;
  /** Position in the series (0 = cover letter), 1 when absent. */
  index: number;
  /** Series length, 1 when absent. */
  total: number;
  rfc: boolean;
  /** Other bracket words (RESEND, net-next, ...). */
  tags: string[];
}

export interface DiffLine {
  type: 'add' | 'del' | 'ctx';
  /** Text without the leading +/-/space. */
  text: string;
  /** Old-file line number (del, ctx). */
  oldLine?: number;
  /** New-file line number (add, ctx). */
  newLine?: number;
  /** 1-based line number in the input text (the message body after decoding, or the patch file). */
  inputLine?: number;
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Text after the second `@@` (usually the enclosing function's signature line). */
  header: string;
  lines: DiffLine[];
  /** 1-based input line of the `@@` header. */
  inputLine?: number;
  /**
   * A later piece of a quoted hunk after a reviewer's elision (`[...]`, reply text where lines were cut): it goes on
   * with the function the piece before it left open, whatever the `@@` line names (that names the hunk's start).
   */
  elided?: boolean;
}

export interface FileDiff {
  /** Path before (without a/ prefix); undefined for new files and GitHub bare patches. */
  oldPath?: string;
  /** Path after (without b/ prefix); undefined for deleted files. */
  newPath?: string;
  status: 'modified' | 'added' | 'deleted' | 'renamed';
  binary: boolean;
  hunks: Hunk[];
  /** Abbreviated blob ids of the `index <old>..<new>` line of a git diff (all zeros for an absent side). */
  blobs?: { old: string; new: string };
}

/** Problems found while reading one input; never fatal for the run. */
export interface InputProblem {
  /** Stable code (see src/core/errors.ts). */
  code: string;
  message: string;
  /** Input name (file, message-id, ...). */
  input: string;
  /** 1-based line in the input where known. */
  line?: number;
}

export interface Patch {
  /** Stable identity within a run: source name + index (+ message-id when present). */
  id: string;
  source: PatchSource;
  subject?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  from?: string;
  to?: string[];
  cc?: string[];
  date?: string;
  series?: SeriesTag;
  /** Commit sha for git / format-patch input (`From <sha> Mon Sep 17 ...`). */
  commit?: string;
  /** The commit message / mail body before the diff (cover letters keep their whole text here). */
  description?: string;
  /** True when the diff was found quoted in a reply (`> `, `> > `, `>`). */
  quoted: boolean;
  /** Quote depth of the diff (0 = not quoted). */
  quoteDepth: number;
  /** True when the diff had to be repaired or could not be fully recovered. */
  damaged: boolean;
  /** What was repaired or lost (human-readable, one line each). */
  damage: string[];
  /** True for a cover letter ([PATCH 0/N]): kept as context, not analysed. */
  cover: boolean;
  files: FileDiff[];
  /** `git patch-id --stable` equivalent over the diff (hex), for matching rerolls. */
  patchId?: string;
  /** Commit named by a `base-commit: <sha>` trailer (git format-patch --base, b4), when the message has one. */
  baseCommit?: string;
}

/** Files of the tree a patch applies to; used to get whole functions instead of hunk context. */
export interface SourceTree {
  /** Describes the tree in messages (directory, `owner/repo@sha`, ...). */
  readonly name: string;
  /** The file's text before the patch, or undefined if it does not exist / cannot be read. */
  read(path: string): Promise<string | undefined>;
}

// Public API of the input half of the front end: every input form → Patch[] (see docs/inputs.md).

export { readInputs, classify } from './read-inputs.ts';
export type { ReadResult } from './read-inputs.ts';
export { extractPatchesFromText } from './extract.ts';
export { parseMessage } from './message.ts';
export type { MessageHeaders } from './message.ts';
export { readMbox, readMboxChunks, unescapeMboxrd, isFromLine } from './mbox.ts';
export type { MboxMessage } from './mbox.ts';
export { readMaildir } from './maildir.ts';
export type { MaildirMessage } from './maildir.ts';
export { mayContainDiff } from './prefilter.ts';
export { parseSubject } from './subject.ts';
export { MAX_MESSAGE_BYTES, MAX_TEXT_BYTES } from './limits.ts';
export { parseUnifiedDiff } from '../diff/parse-unified.ts';
export { applyFileDiff } from '../diff/apply.ts';
export { directoryTree } from '../diff/source-tree.ts';
export { computePatchId } from '../diff/patch-id.ts';

/** Reads an mbox from a message boundary on (see mbox-checkpoint.ts): the messages at and after `start.offset`. */
import { createReadStream } from 'node:fs';
import { readMbox, readMboxChunks, type MboxMessage } from '../sources/mbox.ts';

/** Where to start: the offset of a message's `From ` line and that message's index in the whole file. */
export interface MboxStart {
  offset: number;
  index: number;
}

/** `readMbox(path)`, or from `start` on with the indexes and offsets of the whole file. */
export async function* readMboxFrom(path: string, start?: MboxStart): AsyncGenerator<MboxMessage> {
  if (!start || start.offset === 0) {
    for await (const m of readMbox(path)) yield start ? { ...m, index: m.index + start.index } : m;
    return;
  }
  const stream = createReadStream(path, { start: start.offset, highWaterMark: 1 << 20 });
  for await (const m of readMboxChunks(stream)) yield { ...m, index: m.index + start.index, offset: m.offset + start.offset };
}

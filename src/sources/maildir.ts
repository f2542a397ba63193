// Reads a maildir (cur/ and new/) message by message, in a deterministic order.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One maildir message: index in sorted order, its name relative to the maildir (`cur/…`), and its bytes. */
export interface MaildirMessage {
  index: number;
  name: string;
  raw: Buffer;
}

async function list(dir: string, sub: string): Promise<string[]> {
  try {
    const entries = await readdir(join(dir, sub), { withFileTypes: true });
    return entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => `${sub}/${e.name}`);
  } catch {
    return [];
  }
}

/** Yields the messages of `cur/` and `new/`, sorted by name (deterministic, independent of directory order). */
export async function* readMaildir(dir: string): AsyncGenerator<MaildirMessage> {
  const names = [...(await list(dir, 'cur')), ...(await list(dir, 'new'))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let index = 0;
  for (const name of names) {
    let raw: Buffer;
    try {
      raw = await readFile(join(dir, name));
    } catch {
      continue;
    }
    yield { index: index++, name, raw };
  }
}

// Reads every input the CLI is given (files, directories, maildirs, mboxes, stdin) into patches and problems.

import { hasPatchSubject, mayContainDiff } from './prefilter.ts';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { InputProblem, Patch, PatchSource } from '../core/patch.ts';
import { extractPatchesFromText, looksLikeHeaderBlock } from './extract.ts';
import { MAX_TEXT_BYTES } from './limits.ts';
import { readMaildir } from './maildir.ts';
import { isFromLine, readMbox, readMboxChunks } from './mbox.ts';
import { parseMessage, sanitizeControlBytes } from './message.ts';
import { recoverFragmentPaths } from './fragment-paths.ts';

/** Everything read from the inputs. `inputs` counts the files/streams read (each file of a directory counts). */
export interface ReadResult {
  patches: Patch[];
  problems: InputProblem[];
  inputs: number;
}

const FILE_EXT = /\.(patch|diff|eml|mbox|mbx|mail|msg|txt)$/i;

type Form = 'binary' | 'empty' | 'mbox' | 'mail' | 'text';

/** True when bytes look binary: a NUL, or more than 10% other control bytes (in the first 8 KiB). */
function binaryBytes(b: Buffer): boolean {
  let ctrl = 0;
  const n = Math.min(b.length, 8192);
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c === 0) return true;
    if (c < 9 || (c > 13 && c < 32)) ctrl++;
  }
  return n > 0 && ctrl / n > 0.1;
}

/** A line that starts a mail header, an mbox message, a diff or a hunk. */
const TEXT_MARK = /^(?:From |[A-Za-z][\w-]*: |diff --git |--- |\+\+\+ |@@ -\d)/;

/**
 * Junk confined to a few lines of otherwise readable mail or patch text: at most 5% of the lines (at least 3) carry
 * control bytes, and the clean lines include mail headers or diff markers. A real binary file has control bytes
 * spread over nearly every line.
 */
function confinedJunk(b: Buffer): boolean {
  const lines = b.subarray(0, Math.min(b.length, 65536)).toString('latin1').split('\n');
  let junk = 0;
  let marks = 0;
  for (const l of lines) {
    if (/[\x00-\x08\x0b\x0e-\x1f\x7f]/.test(l)) junk++;
    else if (TEXT_MARK.test(l)) marks++;
  }
  return marks >= 2 && junk <= Math.max(3, lines.length * 0.05);
}

/**
 * Classifies an input from its first bytes. Binary-ness is judged on the text that should hold the diff: control
 * bytes confined to a few lines of a readable mail or patch (a mangled DKIM signature) do not make it binary (they
 * are replaced before parsing, see sanitizeControlBytes); bytes spread through the input do.
 */
export function classify(head: Buffer): Form {
  if (head.length === 0) return 'empty';
  if (binaryBytes(head) && !confinedJunk(head)) return 'binary';
  const text = sanitizeControlBytes(head).toString('latin1');
  const firstLine = text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n')).replace(/\r$/, '');
  if (isFromLine(firstLine)) return 'mbox';
  const lines = text.split(/\r?\n/);
  if (looksLikeHeaderBlock(lines, 0, lines.length)) return 'mail';
  return 'text';
}

async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

function decodeText(b: Buffer): string {
  const s = b.toString('utf8');
  return s.includes('\uFFFD') ? b.toString('latin1') : s;
}

/**
 * Reads all inputs in order: `-` is stdin; a directory is a maildir when it has cur/ or new/, else its patch-like
 * files (.patch .diff .eml .mbox .mbx .mail .msg .txt) sorted by name; a file is an mbox when it starts with a
 * `From ` line, a mail when it starts with RFC 5322 headers, else patch text. Never throws: every failure is an
 * InputProblem and the other inputs are still read.
 */
export async function readInputs(inputs: string[], opts?: { stdin?: NodeJS.ReadableStream }): Promise<ReadResult> {
  const res: ReadResult = { patches: [], problems: [], inputs: 0 };
  for (const input of inputs) {
    try {
      if (input === '-') await readStdin(opts?.stdin ?? process.stdin, res);
      else await readPath(input, res);
    } catch (e) {
      res.problems.push({ code: 'MMR001', message: `cannot read: ${(e as Error).message}`, input });
    }
  }
  recoverFragmentPaths(res.patches);
  return res;
}

async function readStdin(stream: NodeJS.ReadableStream, res: ReadResult): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream as AsyncIterable<Buffer | string>) {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    size += b.length;
    if (size > MAX_TEXT_BYTES) {
      res.problems.push({ code: 'MMR001', message: `stdin larger than ${MAX_TEXT_BYTES} bytes`, input: '-' });
      return;
    }
    chunks.push(b);
  }
  res.inputs++;
  const buf = Buffer.concat(chunks);
  const source: PatchSource = { kind: 'stdin', name: '-' };
  const form = classify(buf.subarray(0, 65536));
  if (form === 'mbox') return readArchive(readMboxChunks(once(buf)), source, res, 'stdin');
  await readWhole(buf, form, source, res);
}

async function readPath(path: string, res: ReadResult): Promise<void> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    res.problems.push({ code: 'MMR001', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, input: path });
    return;
  }
  if (st.isDirectory()) return readDirectory(path, res);
  if (!st.isFile()) {
    res.problems.push({ code: 'MMR001', message: 'not a regular file', input: path });
    return;
  }
  await readFileInput(path, st.size, res);
}

async function readDirectory(dir: string, res: ReadResult): Promise<void> {
  const isMaildir = await Promise.all(['cur', 'new'].map((d) => stat(join(dir, d)).then((s) => s.isDirectory(), () => false)));
  if (isMaildir.some(Boolean)) {
    res.inputs++;
    const before = res.patches.length;
    for await (const m of readMaildir(dir)) {
      const r = await parseMessage(m.raw, { kind: 'maildir', name: dir, index: m.index });
      res.patches.push(...r.patches);
      res.problems.push(...r.problems.filter((p) => p.code !== 'MMR002'));
    }
    if (res.patches.length === before) res.problems.push({ code: 'MMR002', message: 'no diff found in maildir', input: dir });
    return;
  }
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && FILE_EXT.test(e.name))
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) {
    res.problems.push({ code: 'MMR002', message: 'directory has no patch, mail or mbox files', input: dir });
    return;
  }
  for (const name of entries) {
    const p = join(dir, name);
    try {
      const st = await stat(p);
      await readFileInput(p, st.size, res);
    } catch (e) {
      res.problems.push({ code: 'MMR001', message: `cannot read: ${(e as Error).message}`, input: p });
    }
  }
}

async function readFileInput(path: string, size: number, res: ReadResult): Promise<void> {
  res.inputs++;
  const fh = await open(path, 'r');
  let head: Buffer;
  try {
    const b = Buffer.alloc(Math.min(size, 65536));
    const { bytesRead } = await fh.read(b, 0, b.length, 0);
    head = b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const form = classify(head);
  if (form === 'mbox') {
    const formatPatch = /^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001/.test(head.toString('latin1'));
    return readArchive(readMbox(path), { kind: formatPatch ? 'patch-file' : 'mbox', name: path }, res, path);
  }
  if (size > MAX_TEXT_BYTES) {
    res.problems.push({ code: 'MMR001', message: `file larger than ${MAX_TEXT_BYTES} bytes`, input: path });
    return;
  }
  const kind: PatchSource['kind'] = form === 'mail' ? 'mail' : 'patch-file';
  await readWhole(await readFile(path), form, { kind, name: path }, res);
}

async function readWhole(buf: Buffer, form: Form, source: PatchSource, res: ReadResult): Promise<void> {
  if (form === 'binary') {
    res.problems.push({ code: 'MMR006', message: 'binary content where a patch or mail was expected', input: source.name });
    return;
  }
  if (form === 'empty') {
    res.problems.push({ code: 'MMR002', message: 'empty input', input: source.name });
    return;
  }
  buf = sanitizeControlBytes(buf);
  if (form === 'mail') {
    const r = await parseMessage(buf, source);
    res.patches.push(...r.patches);
    res.problems.push(...r.problems);
    return;
  }
  const r = extractPatchesFromText(decodeText(buf), source);
  res.patches.push(...r.patches);
  res.problems.push(...r.problems);
}

async function readArchive(
  messages: AsyncIterable<{ index: number; offset: number; raw: Buffer; fromLine?: string; oversize?: number; truncated?: boolean }>,
  source: PatchSource,
  res: ReadResult,
  input: string,
): Promise<void> {
  const before = res.patches.length;
  let count = 0;
  for await (const m of messages) {
    count++;
    const src: PatchSource = { ...source, index: m.index };
    if (m.oversize !== undefined) {
      res.problems.push({ code: 'MMR004', message: `message at byte ${m.offset} too large (${m.oversize} bytes); skipped`, input: `${input}#${m.index}` });
      continue;
    }
    if (m.truncated) {
      res.problems.push({ code: 'MMR005', message: `archive ends inside message ${m.index} (no final newline): truncated`, input });
    }
    // A message that cannot hold a diff (plain text without diff markers, no patch attachment) and is no
    // [PATCH] cover letter yields nothing: skip its MIME parse.
    if (!mayContainDiff(m.raw) && !hasPatchSubject(m.raw)) continue;
    const r = await parseMessage(m.raw, src);
    const sha = /^From ([0-9a-f]{40}) /.exec(m.fromLine ?? '');
    if (sha) for (const p of r.patches) p.commit ??= sha[1]!;
    res.patches.push(...r.patches);
    res.problems.push(...r.problems.filter((p) => p.code !== 'MMR002'));
  }
  if (count === 0) res.problems.push({ code: 'MMR005', message: 'no messages in mbox', input });
  else if (res.patches.length === before) res.problems.push({ code: 'MMR002', message: 'no diff found in any message', input });
}

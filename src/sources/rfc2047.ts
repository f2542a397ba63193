// RFC 2047 encoded words (`=?UTF-8?q?...?=`, `=?iso-8859-1?B?...?=`) in header text read without mailparser, decoded
// by libmime (the MIME library nodemailer and mailparser use). libmime is loaded on the first encoded word, not with
// this module: its charset tables cost more to load than reviewing a small patch, and most headers have none.
import { createRequire } from 'node:module';

let libmime: { decodeWords(s: string): string } | undefined;

/** Decodes all encoded words of a header value; adjacent encoded words separated by whitespace are joined. */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  try {
    libmime ??= createRequire(import.meta.url)('libmime') as { decodeWords(s: string): string };
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

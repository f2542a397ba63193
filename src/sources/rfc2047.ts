// RFC 2047 encoded words (`=?UTF-8?q?...?=`, `=?iso-8859-1?B?...?=`) in header text read without mailparser, decoded
// by libmime (the MIME library nodemailer and mailparser use).
import libmime from 'libmime';

/** Decodes all encoded words of a header value; adjacent encoded words separated by whitespace are joined. */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

// Decodes RFC 2047 encoded words (`=?UTF-8?q?...?=`, `=?iso-8859-1?B?...?=`) in header text read without mailparser.

function decodeBytes(bytes: Uint8Array, charset: string): string {
  try {
    return new TextDecoder(charset.toLowerCase(), { fatal: false }).decode(bytes);
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

/** Decodes all encoded words of a header value; adjacent encoded words separated by whitespace are joined. */
export function decodeEncodedWords(value: string): string {
  const joined = value.replace(/(\?=)\s+(=\?)/g, '$1$2');
  return joined.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_m, charset: string, enc: string, text: string) => {
    const cs = charset.split('*')[0]!;
    if (enc.toLowerCase() === 'b') return decodeBytes(Buffer.from(text, 'base64'), cs);
    const bytes: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === '_') bytes.push(0x20);
      else if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
        bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(c.charCodeAt(0) & 0xff);
    }
    return decodeBytes(Uint8Array.from(bytes), cs);
  });
}

// The part of libmime (nodemailer's MIME helpers, used by mailparser) that mmreview calls. libmime is CommonJS:
// its module.exports is the helper object, which Node's ESM loader hands over as the default export.
declare module 'libmime' {
  interface Libmime {
    /** Decodes every RFC 2047 encoded word in a header value (adjacent words joined, charsets converted). */
    decodeWords(value: string): string;
  }
  const libmime: Libmime;
  export default libmime;
}

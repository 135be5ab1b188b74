import { TokenMalformedError } from './errors.js';

// 1 marks a character of the URL-safe alphabet (RFC 4648 section 5); everything else is 0.
const ALPHABET = new Uint8Array(128);
const SYMBOLS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

for (let i = 0; i < SYMBOLS.length; i++) {
  const code = SYMBOLS.charCodeAt(i);
  ALPHABET[code] = 1;
}

/**
 * Encodes bytes, or a string as UTF-8, as base64url without padding (RFC 4648 section 5,
 * RFC 7515 section 2), the spelling itsdangerous and JWS both emit.
 *
 * Never throws.
 *
 * @example
 * encodeBase64url('hi'); // 'aGk'
 * encodeBase64url(new Uint8Array([0xfb, 0xff])); // '-_8'
 */
export function encodeBase64url(bytes: Uint8Array | string): string {
  if (typeof bytes === 'string') return Buffer.from(bytes, 'utf8').toString('base64url');

  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Decodes canonical base64url: only `A-Z a-z 0-9 - _`, no padding, and unused trailing bits
 * zero, so the result re-encodes to exactly `text`. Python's decoder forgives padding, stray
 * characters and trailing bits; refusing them gives every token a single spelling.
 *
 * @throws {TokenMalformedError} `ERR_TOKEN_MALFORMED` when `text` is not canonical base64url.
 *
 * @example
 * decodeBase64url('aGk').toString(); // 'hi'
 * decodeBase64url('aGl'); // throws ERR_TOKEN_MALFORMED: trailing bits set
 */
export function decodeBase64url(text: string): Buffer {
  const bytes = Buffer.from(text, 'base64url');

  // Node's decoder skips characters outside the alphabet and ignores trailing bits, but the
  // encoder only ever writes the canonical spelling: text that survives the round trip is
  // canonical. One native pass each way costs a fraction of a per-character loop in JS.
  if (bytes.toString('base64url') !== text) throw malformed(nonCanonicalReason(text));

  return bytes;
}

/** Names what makes `text` non-canonical; runs only on the failure path. */
function nonCanonicalReason(text: string): string {
  const length = text.length;
  const rest = length & 3;

  if (rest === 1) return 'length';

  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);

    if (code > 127 || ALPHABET[code] === 0) return 'alphabet';
  }

  // With 2 (or 3) characters left over, the last one holds 4 (or 2) bits that are not data.
  return 'trailing bits';
}

function malformed(reason: string): TokenMalformedError {
  return new TokenMalformedError('invalid base64url', { reason });
}

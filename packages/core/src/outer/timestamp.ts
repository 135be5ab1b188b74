import { decodeBase64url, encodeBase64url } from '../base64url.js';
import { TokenMalformedError } from '../errors.js';

// itsdangerous packs the timestamp as an unsigned 64-bit big-endian integer; 8 bytes take
// at most 11 base64url characters.
const MAX_TIMESTAMP_BYTES = 8;
const MAX_TIMESTAMP_CHARS = 11;
// Up to 8 characters (48 bits) add up exactly in a double: the fast path's limit.
const MAX_FAST_CHARS = 8;
const SYMBOLS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
// Six-bit value of each base64url character, -1 for any other character below 128.
const SEXTET = new Int8Array(128).fill(-1);

for (let i = 0; i < SYMBOLS.length; i++) SEXTET[SYMBOLS.charCodeAt(i)] = i;

/**
 * Encodes epoch seconds as itsdangerous `int_to_bytes` + `base64_encode` do: big-endian bytes
 * with leading zero bytes stripped, then unpadded base64url.
 */
export function encodeTimestamp(seconds: number): string {
  const bytes: number[] = [];

  for (let rest = seconds; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);

  return encodeBase64url(Uint8Array.from(bytes));
}

/**
 * Decodes a timestamp segment to epoch seconds. Only the spelling {@link encodeTimestamp}
 * produces is accepted: no leading zero byte (Python's `bytes_to_int` would pad and forgive it),
 * at least one byte, and a positive safe integer.
 */
export function decodeTimestamp(segment: string): number {
  const seconds = canonicalSeconds(segment);

  return seconds === -1 ? decodeTimestampStrictly(segment) : seconds;
}

/**
 * Reads a canonical timestamp of up to 6 bytes straight from its characters, with no buffer;
 * anything it is unsure of gives -1, for the byte-wise path to accept or name the fault.
 */
function canonicalSeconds(segment: string): number {
  const length = segment.length;

  if (length === 0 || length > MAX_FAST_CHARS || (length & 3) === 1) return -1;

  let bits = 0;

  for (let i = 0; i < length; i++) {
    const code = segment.charCodeAt(i);
    const sextet = code < 128 ? SEXTET[code]! : -1;

    if (sextet === -1) return -1;

    bits = bits * 64 + sextet;
  }

  const bytes = Math.floor((length * 6) / 8);
  const unused = 2 ** (length * 6 - bytes * 8);

  // Trailing bits set, or a leading zero byte: not the one spelling encodeTimestamp writes.
  if (bits % unused !== 0) return -1;

  const seconds = bits / unused;

  return seconds < 2 ** (8 * (bytes - 1)) ? -1 : seconds;
}

function decodeTimestampStrictly(segment: string): number {
  if (segment.length === 0) throw malformed('missing');

  if (segment.length > MAX_TIMESTAMP_CHARS) throw malformed('oversized');

  const bytes = decodeBase64url(segment);

  if (bytes.length > MAX_TIMESTAMP_BYTES) throw malformed('oversized');

  if (bytes[0] === 0) throw malformed('leading zero byte');

  let seconds = 0;

  for (const byte of bytes) seconds = seconds * 256 + byte;

  if (seconds > Number.MAX_SAFE_INTEGER) throw malformed('oversized');

  return seconds;
}

function malformed(reason: string): TokenMalformedError {
  return new TokenMalformedError('invalid outer timestamp', { claim: 'timestamp', reason });
}

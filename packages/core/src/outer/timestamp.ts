import { decodeBase64url, encodeBase64url } from '../base64url.js';
import { TokenMalformedError } from '../errors.js';

// itsdangerous packs the timestamp as an unsigned 64-bit big-endian integer; 8 bytes take
// at most 11 base64url characters.
const MAX_TIMESTAMP_BYTES = 8;
const MAX_TIMESTAMP_CHARS = 11;

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

import { deflateSync, inflateSync } from 'node:zlib';
import { decodeBase64url, encodeBase64url } from '../base64url.js';
import { ConfigError, TokenMalformedError, TokenTooLargeError } from '../errors.js';
import { parseStrictJson } from '../json.js';

/**
 * Serialises a value as itsdangerous' `_CompactJSON` does (`separators=(',', ':')`,
 * `ensure_ascii=False`): JSON.stringify writes the same bytes for strings, safe integers,
 * booleans, null, arrays and objects. Two spellings differ, though both sides verify either:
 * floats (Python writes `1e-07`, JavaScript `1e-7`) and integer-like member names, which
 * JavaScript orders first. With `compress`, zlib is used only when it saves at least two bytes,
 * the rule of `URLSafeSerializerMixin.dump_payload`, and a leading '.' marks it.
 *
 * @throws {ConfigError} `ERR_TOKEN_CONFIG` when the value has no JSON form (undefined, a function,
 *   a symbol, a BigInt, a cycle).
 * @throws {TokenTooLargeError} `ERR_TOKEN_TOO_LARGE` when the JSON is over `maxPayloadLength`.
 */
export function dumpPayload(value: unknown, compress: boolean, maxPayloadLength: number): string {
  const json = toJson(value);

  const bytes = Buffer.from(json, 'utf8');

  if (bytes.length > maxPayloadLength) throw tooLarge();

  if (compress) {
    // Python's zlib.compress defaults too (level 6, 15-bit window); Node's bundled zlib may
    // still pick other matches, so compressed bytes can differ while inflating alike.
    const deflated = deflateSync(bytes);

    if (deflated.length < bytes.length - 1) return '.' + encodeBase64url(deflated);
  }

  return encodeBase64url(bytes);
}

/**
 * Reads a payload segment (without its '.' marker) back to a value. Call it only once the MAC
 * has verified: inflating attacker bytes is exactly the work a size cap must not allow.
 *
 * @throws {TokenMalformedError} `ERR_TOKEN_MALFORMED` for bad base64url, zlib data or JSON.
 * @throws {TokenTooLargeError} `ERR_TOKEN_TOO_LARGE` when the payload is over `maxPayloadLength`.
 */
export function loadPayload(
  segment: string,
  compressed: boolean,
  maxPayloadLength: number,
): unknown {
  const raw = decodeBase64url(segment);
  const json = compressed ? inflate(raw, maxPayloadLength) : raw;

  if (json.length > maxPayloadLength) throw tooLarge();

  return parseStrictJson(json);
}

// JSON.stringify returns undefined for some values and throws for others (BigInt, cycles, a
// throwing toJSON); both are the caller's mistake, reported alike.
function toJson(value: unknown): string {
  let json: string | undefined;

  try {
    json = JSON.stringify(value) as string | undefined;
  } catch (cause) {
    throw new ConfigError('"value" has no JSON form', { cause });
  }

  if (json === undefined) throw new ConfigError('"value" has no JSON form');

  return json;
}

function inflate(raw: Buffer, maxPayloadLength: number): Buffer {
  try {
    // zlib stops as soon as the output passes the cap, so a bomb costs at most the cap.
    return inflateSync(raw, { maxOutputLength: maxPayloadLength });
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();

    throw new TokenMalformedError('invalid compressed outer payload', { reason: 'zlib' });
  }
}

function tooLarge(): TokenTooLargeError {
  return new TokenTooLargeError('outer payload over "maxPayloadLength"', { reason: 'payload' });
}

import { inflateSync } from 'node:zlib';
import { decodeBase64url, isTokenError, parseStrictJson, TokenMalformedError } from '../index.js';

/** The same inflate cap the outer layer applies by default, so a zip bomb stays harmless here. */
const MAX_INFLATED_BYTES = 65536;

/** What an outer token says about itself, before any signature is checked. */
export interface DecodedOuter {
  compressed: boolean;
  /** Signing time in epoch seconds. */
  timestamp: number;
  value: unknown;
}

/** What the inner JWT says about itself, before any signature is checked. */
export interface DecodedInner {
  header: unknown;
  claims: unknown;
}

/** A layer that could not be decoded, with the core's error code when it raised one. */
export interface DecodeFailure {
  code: string;
  message: string;
}

export type Decoded<T> = { ok: true; layer: T } | { ok: false; failure: DecodeFailure };

/**
 * Reads an itsdangerous `URLSafeTimedSerializer` token: `[.]payload.timestamp.signature`, where
 * the leading dot marks a zlib-compressed payload and the timestamp is big-endian seconds.
 */
export function decodeOuter(token: string): Decoded<DecodedOuter> {
  return attempt(() => {
    const compressed = token.startsWith('.');
    const segments = (compressed ? token.slice(1) : token).split('.');
    if (segments.length !== 3) throw new TokenMalformedError('outer layer needs 3 segments');

    const [payload, timestamp] = segments as [string, string, string];
    const raw = decodeBase64url(payload);
    const bytes = compressed ? inflateSync(raw, { maxOutputLength: MAX_INFLATED_BYTES }) : raw;

    return { compressed, timestamp: readTimestamp(timestamp), value: parseStrictJson(bytes) };
  });
}

/** Reads a compact JWS's header and claims (RFC 7515 section 7.1) without checking it. */
export function decodeInner(jwt: unknown): Decoded<DecodedInner> {
  return attempt(() => {
    if (typeof jwt !== 'string') throw new TokenMalformedError('outer value is not a JWT string');

    const segments = jwt.split('.');
    if (segments.length !== 3) throw new TokenMalformedError('JWT needs 3 segments');

    const [header, claims] = segments as [string, string, string];

    return {
      header: parseStrictJson(decodeBase64url(header)),
      claims: parseStrictJson(decodeBase64url(claims)),
    };
  });
}

function readTimestamp(segment: string): number {
  const bytes = decodeBase64url(segment);
  // Six bytes keep the value a safe integer; itsdangerous writes four until the year 2106.
  if (bytes.length === 0 || bytes.length > 6)
    throw new TokenMalformedError('timestamp segment out of range');

  return bytes.readUIntBE(0, bytes.length);
}

function attempt<T>(decode: () => T): Decoded<T> {
  try {
    return { ok: true, layer: decode() };
  } catch (error) {
    return { ok: false, failure: toFailure(error) };
  }
}

function toFailure(error: unknown): DecodeFailure {
  if (isTokenError(error)) return { code: error.code, message: error.message };

  // node:zlib reports the inflate cap (maxOutputLength) with this code.
  if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
    return { code: 'ERR_TOKEN_TOO_LARGE', message: 'payload inflates past the cap' };
  }

  return { code: 'ERR_TOKEN_MALFORMED', message: 'payload does not inflate' };
}

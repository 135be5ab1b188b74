import type { Secret, SecretList } from '../keys.js';
import type { KeyDerivation, OuterDigest } from './signer.js';

export type { KeyDerivation, OuterDigest } from './signer.js';

/**
 * Options of {@link createOuterSigner}, named after their itsdangerous counterparts. Every one is
 * checked once, at construction; a bad one throws `ConfigError` (`ERR_TOKEN_CONFIG`).
 *
 * @example
 * const options: OuterSignerOptions = {
 *   secretKeys: [process.env.OUTER_SECRET_OLD!, process.env.OUTER_SECRET!],
 *   salt: 'itsdangerous',
 *   digest: 'sha1',
 *   keyDerivation: 'django-concat',
 * };
 */
export interface OuterSignerOptions {
  /** One secret, or a list oldest -> newest: the newest signs, every one verifies. */
  secretKeys: SecretList;
  /** Separates uses of one secret. Default `'itsdangerous'`, the `Serializer` default. */
  salt?: Secret;
  /** HMAC hash. Default `'sha1'`, the itsdangerous default. */
  digest?: OuterDigest;
  /** How the HMAC key is made from secret and salt. Default `'django-concat'`. */
  keyDerivation?: KeyDerivation;
  /**
   * Deflate payloads when that makes them shorter, as Python always does. Default `false`: a
   * 200-300 character JWT shrinks by only 7-14%, while signing gets about four times slower
   * and every later verify about twice as slow. Compressed tokens are always accepted.
   */
  compress?: boolean;
  /** Milliseconds since the epoch, for signing and every time check. Default `Date.now`. */
  clock?: () => number;
  /** Seconds a timestamp may lie in the future (clock skew), 0..300. Default 0. */
  leeway?: number;
  /** Longest token accepted, in characters, checked before any other work. Default 8192. */
  maxTokenLength?: number;
  /** Largest payload in bytes, after inflating. Default 65536. */
  maxPayloadLength?: number;
}

/** Options of one verification. */
export interface OuterVerifyOptions {
  /** Largest age in seconds; a token exactly this old still passes, as in itsdangerous. */
  maxAge?: number;
}

/** A verified payload with its signing time. */
export interface OuterVerified {
  value: unknown;
  /** When the token was signed, in epoch seconds. */
  timestamp: number;
}

/** Signs and verifies itsdangerous `URLSafeTimedSerializer` tokens. */
export interface OuterSigner {
  /** Serialises `value` as compact JSON and signs it with the newest key. */
  sign(value: unknown): string;
  /** Returns the payload of a valid token. */
  verify(token: string, options?: OuterVerifyOptions): unknown;
  /** Returns the payload of a valid token and its signing time. */
  verifyWithTimestamp(token: string, options?: OuterVerifyOptions): OuterVerified;
}

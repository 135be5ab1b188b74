import type { KeyObject } from 'node:crypto';
import { ConfigError } from '../errors.js';

/**
 * JWS algorithms the inner token may be pinned to (RFC 7518 section 3.1, RFC 8037).
 *
 * @example
 * const algorithm: JwtAlgorithm = 'ES256';
 */
export type JwtAlgorithm = 'HS256' | 'HS384' | 'HS512' | 'RS256' | 'ES256' | 'EdDSA';

/** How one pinned algorithm signs: HMAC over a secret, or a signature over a key pair. */
export interface AlgorithmSpec {
  readonly name: JwtAlgorithm;
  readonly family: 'hmac' | 'rsa' | 'ec' | 'eddsa';
  /** Digest for `node:crypto`; `null` for EdDSA, which hashes internally. */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  /** Exact signature length in bytes, or 0 when it follows the key size (RSA). */
  readonly signatureBytes: number;
}

const SPECS: Readonly<Record<JwtAlgorithm, AlgorithmSpec>> = Object.freeze({
  HS256: { name: 'HS256', family: 'hmac', hash: 'sha256', signatureBytes: 32 },
  HS384: { name: 'HS384', family: 'hmac', hash: 'sha384', signatureBytes: 48 },
  HS512: { name: 'HS512', family: 'hmac', hash: 'sha512', signatureBytes: 64 },
  RS256: { name: 'RS256', family: 'rsa', hash: 'sha256', signatureBytes: 0 },
  // JWS carries ECDSA signatures as raw r || s, 32 bytes each on P-256 (RFC 7518 section 3.4).
  ES256: { name: 'ES256', family: 'ec', hash: 'sha256', signatureBytes: 64 },
  EdDSA: { name: 'EdDSA', family: 'eddsa', hash: null, signatureBytes: 0 },
});

/**
 * Every algorithm name accepted by the `algorithm` option; `none` never is.
 *
 * @example
 * JWT_ALGORITHMS.includes('HS256'); // true
 */
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = Object.freeze(
  Object.keys(SPECS) as JwtAlgorithm[],
);

// RFC 7518 section 3.3 asks for RSA keys of 2048 bits or more.
const MIN_RSA_BITS = 2048;

/** Looks up the algorithm named by the `algorithm` option. */
export function algorithmSpec(name: unknown, option = 'algorithm'): AlgorithmSpec {
  if (typeof name !== 'string' || !Object.hasOwn(SPECS, name)) {
    throw new ConfigError(`"${option}" must be one of ${JWT_ALGORITHMS.join(', ')}`);
  }

  return SPECS[name as JwtAlgorithm];
}

/** Minimum HMAC secret length: the hash output size (RFC 7518 section 3.2). */
export function minHmacSecretBytes(spec: AlgorithmSpec): number {
  return spec.signatureBytes;
}

/**
 * Binds an asymmetric key to the pinned algorithm, so a key of one kind can never be used
 * under another algorithm's rules.
 */
export function checkAsymmetricKey(spec: AlgorithmSpec, key: KeyObject, option: string): void {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};

  if (spec.family === 'rsa') {
    if (type !== 'rsa') throw new ConfigError(`"${option}" must be an RSA key for RS256`);

    if ((details.modulusLength ?? 0) < MIN_RSA_BITS) {
      throw new ConfigError(`"${option}" must be an RSA key of at least ${MIN_RSA_BITS} bits`);
    }

    return;
  }

  if (spec.family === 'ec') {
    if (type !== 'ec' || details.namedCurve !== 'prime256v1') {
      throw new ConfigError(`"${option}" must be a P-256 key for ES256`);
    }

    return;
  }

  if (spec.family === 'eddsa' && type !== 'ed25519' && type !== 'ed448') {
    throw new ConfigError(`"${option}" must be an Ed25519 or Ed448 key for EdDSA`);
  }
}

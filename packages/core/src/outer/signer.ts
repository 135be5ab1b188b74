import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { decodeBase64url } from '../base64url.js';
import { TokenSignatureError } from '../errors.js';
import { base64urlLength, createMacComparer } from '../mac.js';

/** Hash functions itsdangerous accepts as `digest_method` that we support. */
export type OuterDigest = 'sha1' | 'sha256' | 'sha512';

/** How itsdangerous turns a secret key and salt into the HMAC key (`Signer.key_derivation`). */
export type KeyDerivation = 'django-concat' | 'concat' | 'hmac' | 'none';

export const DIGEST_BYTES: Readonly<Record<OuterDigest, number>> = Object.freeze({
  sha1: 20,
  sha256: 32,
  sha512: 64,
});

const DJANGO_SIGNER = Buffer.from('signer', 'utf8');

/**
 * Derives the HMAC key the way itsdangerous `Signer.derive_key` does: `concat` hashes
 * salt + secret, `django-concat` hashes salt + "signer" + secret, `hmac` is HMAC(secret, salt),
 * and `none` uses the secret itself.
 */
export function deriveKey(
  secret: Buffer,
  salt: Buffer,
  digest: OuterDigest,
  derivation: KeyDerivation,
): Buffer {
  switch (derivation) {
    case 'concat':
      return createHash(digest).update(salt).update(secret).digest();
    case 'django-concat':
      return createHash(digest).update(salt).update(DJANGO_SIGNER).update(secret).digest();
    case 'hmac':
      return createHmac(digest, secret).update(salt).digest();
    case 'none':
      return Buffer.from(secret);
  }
}

/** Signs with the newest key and verifies against every key, as itsdangerous' `Signer`. */
export interface MacSigner {
  /** The base64url MAC of `signed` under the newest key. */
  sign(signed: string): string;
  /** Throws unless `signature` is the canonical base64url MAC of `signed` under some key. */
  verify(signed: string, signature: string): void;
}

/**
 * Derives every key once. `secrets` run oldest to newest; the newest signs and verification
 * tries newest first, as itsdangerous 2.x does with a list of secret keys.
 */
export function createMacSigner(
  secrets: readonly Buffer[],
  salt: Buffer,
  digest: OuterDigest,
  derivation: KeyDerivation,
): MacSigner {
  // A KeyObject skips re-importing raw key bytes on every createHmac call.
  const keys: KeyObject[] = secrets
    .map((secret) => createSecretKey(deriveKey(secret, salt, digest, derivation)))
    .reverse();
  const newest = keys[0]!;
  const macChars = base64urlLength(DIGEST_BYTES[digest]);
  const matches = createMacComparer(macChars);

  return {
    sign(signed) {
      return createHmac(digest, newest).update(signed).digest('base64url');
    },
    verify(signed, signature) {
      // A MAC of the wrong length cannot match: no HMAC is spent on it.
      if (signature.length !== macChars) throw mismatch();

      for (const key of keys) {
        if (matches(createHmac(digest, key).update(signed).digest('base64url'), signature)) return;
      }

      // Only the failure path looks closer, so that a non-canonical spelling of a MAC stays a
      // malformed token rather than a signature mismatch.
      decodeBase64url(signature);

      throw mismatch();
    },
  };
}

function mismatch(): TokenSignatureError {
  return new TokenSignatureError('outer signature mismatch', { reason: 'mismatch' });
}

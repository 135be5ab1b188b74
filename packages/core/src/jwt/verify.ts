import { createHmac, verify as verifyBytes, type KeyObject } from 'node:crypto';
import { decodeBase64url, encodeBase64url } from '../base64url.js';
import { TokenMalformedError, TokenSignatureError } from '../errors.js';
import { parseStrictJson } from '../json.js';
import { base64urlLength, createMacComparer } from '../mac.js';
import type { AlgorithmSpec } from './algorithms.js';
import { checkHeader, headerJson } from './header.js';

/** Verifies a compact JWS and returns its payload object. */
export type JwtVerifier = (token: string) => Record<string, unknown>;

type SignatureCheck = (input: string, signature: string) => boolean;

/**
 * Returns a verifier pinned to one algorithm. `kids[i]`, when set, is the key id of `keys[i]`.
 * A token whose header names a `kid` is checked against that one key, and refused when no key
 * has it; a token without one is checked against every key, newest first (the likeliest
 * match). Order of work: segments, header, signature, and only then the payload, so unsigned
 * bytes never reach the payload parser.
 *
 * @throws {TokenError} `ERR_TOKEN_MALFORMED`, `ERR_TOKEN_ALGORITHM`, `ERR_TOKEN_SIGNATURE`.
 */
export function createJwtVerifier(
  spec: AlgorithmSpec,
  keys: readonly KeyObject[],
  kids: readonly (string | undefined)[] = [],
): JwtVerifier {
  const candidates = createKeyLookup(spec, keys, kids);
  const signatureChars = spec.family === 'hmac' ? base64urlLength(spec.signatureBytes) : 0;

  return (token) => {
    const first = token.indexOf('.');
    const second = token.indexOf('.', first + 1);

    if (first === -1 || second === -1 || token.indexOf('.', second + 1) !== -1) {
      throw new TokenMalformedError('JWT must have three segments', { reason: 'segments' });
    }

    const checks = candidates(token.slice(0, first));
    const input = token.slice(0, second);
    const signature = token.slice(second + 1);

    // An HMAC is compared in its base64url spelling, which a match proves canonical; a
    // spelling of the wrong length costs no HMAC.
    const lengthOk = signatureChars === 0 || signature.length === signatureChars;

    if (!lengthOk || !anyKeyVerifies(checks, input, signature)) {
      refuseSignature(spec, signature);
    }

    return payloadObject(token.slice(first + 1, second));
  };
}

/**
 * Returns the signature checks a header allows: one key for a known `kid`, every key (newest
 * first) without one. The `kid` is looked up in a static map built here from configuration (a
 * `Map`, so no kid reaches `Object.prototype`); an unknown one is refused.
 */
function createKeyLookup(
  spec: AlgorithmSpec,
  keys: readonly KeyObject[],
  kids: readonly (string | undefined)[],
): (header: string) => SignatureCheck[] {
  const ownHeader = encodeBase64url(headerJson(spec));
  const checks = keys.map((key) => signatureCheck(spec, key));
  const newestFirst = [...checks].reverse();
  const byKid = new Map<string, SignatureCheck[]>();
  // The headers we write for each kid, which need no parsing.
  const byOwnHeader = new Map<string, SignatureCheck[]>([[ownHeader, newestFirst]]);

  kids.forEach((kid, i) => {
    if (kid === undefined) return;

    byKid.set(kid, [checks[i]!]);
    byOwnHeader.set(encodeBase64url(headerJson(spec, kid)), [checks[i]!]);
  });

  return (header) => {
    // A header we write ourselves (python-jose writes the plain one too) is known good.
    const own = byOwnHeader.get(header);

    if (own !== undefined) return own;

    const kid = checkHeader(parseStrictJson(decodeBase64url(header)), spec);

    if (kid === undefined) return newestFirst;

    const named = byKid.get(kid);

    if (named === undefined) {
      throw new TokenSignatureError('"kid" header names no configured key', {
        claim: 'kid',
        reason: 'unknown kid',
      });
    }

    return named;
  };
}

/**
 * Throws the reason a signature failed: a non-canonical spelling is a malformed token, then a
 * wrong length, then a mismatch. Asymmetric signatures are decoded and checked here.
 */
function refuseSignature(spec: AlgorithmSpec, signature: string): never {
  const bytes = decodeBase64url(signature);

  if (spec.signatureBytes !== 0 && bytes.length !== spec.signatureBytes) {
    throw badSignature('length');
  }

  throw badSignature('mismatch');
}

function anyKeyVerifies(checks: SignatureCheck[], input: string, signature: string): boolean {
  for (const check of checks) {
    if (check(input, signature)) return true;
  }

  return false;
}

function payloadObject(segment: string): Record<string, unknown> {
  const payload = parseStrictJson(decodeBase64url(segment));

  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new TokenMalformedError('JWT payload is not an object', { claim: 'payload' });
  }

  return payload as Record<string, unknown>;
}

function signatureCheck(spec: AlgorithmSpec, key: KeyObject): SignatureCheck {
  const hash = spec.hash;

  if (spec.family === 'hmac') {
    const matches = createMacComparer(base64urlLength(spec.signatureBytes));

    return (input, signature) => {
      return matches(createHmac(hash!, key).update(input).digest('base64url'), signature);
    };
  }

  const verifier = spec.family === 'ec' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;

  return (input, signature) => {
    const bytes = decodeBase64url(signature);

    if (spec.signatureBytes !== 0 && bytes.length !== spec.signatureBytes) return false;

    try {
      return verifyBytes(hash, Buffer.from(input, 'utf8'), verifier, bytes);
    } catch {
      // OpenSSL may throw on a signature it cannot even decode: that is a mismatch too.
      return false;
    }
  };
}

function badSignature(reason: string): TokenSignatureError {
  return new TokenSignatureError('JWT signature check failed', { reason });
}

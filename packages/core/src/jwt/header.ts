import { TokenAlgorithmError, TokenMalformedError } from '../errors.js';
import type { AlgorithmSpec } from './algorithms.js';

// Members that would let a token name its own key or key location (RFC 7515 sections
// 4.1.2-4.1.6). Keys come from configuration only, so a token carrying one is refused rather
// than silently ignored.
const KEY_LOCATORS = ['jku', 'jwk', 'x5u', 'x5c'] as const;

/**
 * The header this package writes for `spec`, with the signing key's `kid` when it has one; the
 * only values `typ` and `alg` ever take.
 */
export function headerJson(spec: AlgorithmSpec, kid?: string): string {
  return JSON.stringify(
    kid === undefined ? { alg: spec.name, typ: 'JWT' } : { alg: spec.name, kid, typ: 'JWT' },
  );
}

/**
 * Checks a parsed JOSE header against the pinned algorithm and returns its `kid`, if any.
 * `alg` must equal it exactly, so `none` (any case), another HMAC size and HMAC/asymmetric
 * swaps all fail here, before any key is touched (RFC 8725 section 3.1). The `kid` is only a
 * name to look up among the configured keys (RFC 7515 section 4.1.4); it never locates one.
 */
export function checkHeader(header: unknown, spec: AlgorithmSpec): string | undefined {
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new TokenMalformedError('JWT header is not an object', { claim: 'header' });
  }

  const members = header as Record<string, unknown>;

  if (members.alg !== spec.name) {
    const reason = members.alg === undefined ? 'missing' : 'not the pinned algorithm';

    throw new TokenAlgorithmError(`"alg" header check failed`, { claim: 'alg', reason });
  }

  // RFC 7515 section 4.1.11: a recipient must refuse extensions it does not understand, and
  // this package understands none.
  if (members.crit !== undefined) {
    throw new TokenAlgorithmError('"crit" header not supported', {
      claim: 'crit',
      reason: 'unsupported',
    });
  }

  for (const name of KEY_LOCATORS) {
    if (members[name] !== undefined) {
      throw new TokenAlgorithmError(`"${name}" header not supported`, {
        claim: name,
        reason: 'unsupported',
      });
    }
  }

  checkTyp(members.typ);

  return readKid(members.kid);
}

function readKid(kid: unknown): string | undefined {
  if (kid === undefined) return undefined;

  if (typeof kid !== 'string' || kid === '') {
    throw new TokenMalformedError('"kid" header check failed', {
      claim: 'kid',
      reason: 'not a non-empty string',
    });
  }

  return kid;
}

// RFC 7519 section 5.1: `typ` is optional; when present it is "JWT", compared as a media type,
// that is case-insensitively (RFC 2045 section 5.1).
function checkTyp(typ: unknown): void {
  if (typ === undefined) return;

  if (typeof typ !== 'string' || typ.toUpperCase() !== 'JWT') {
    throw new TokenMalformedError('"typ" header check failed', {
      claim: 'typ',
      reason: 'not JWT',
    });
  }
}

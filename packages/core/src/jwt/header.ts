import { TokenAlgorithmError, TokenMalformedError } from '../errors.js';
import type { AlgorithmSpec } from './algorithms.js';

// Members that would let a token name its own key or key location (RFC 7515 sections
// 4.1.2-4.1.6). Keys come from configuration only, so a token carrying one is refused rather
// than silently ignored.
const KEY_LOCATORS = ['jku', 'jwk', 'x5u', 'x5c'] as const;

/** The header this package writes for `spec`, and the only one `typ` and `alg` ever take. */
export function headerJson(spec: AlgorithmSpec): string {
  return JSON.stringify({ alg: spec.name, typ: 'JWT' });
}

/**
 * Checks a parsed JOSE header against the pinned algorithm. `alg` must equal it exactly, so
 * `none` (any case), another HMAC size and HMAC/asymmetric swaps all fail here, before any
 * key is touched (RFC 8725 section 3.1). `kid` is ignored: every configured key is tried.
 */
export function checkHeader(header: unknown, spec: AlgorithmSpec): void {
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

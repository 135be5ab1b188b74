import type { TokenClaims } from '@tokenized-auth/core';
import type { AuthContext } from './context.js';
import { tokenInvalidError } from './errors.js';
import type { TokenFacts } from './stores/types.js';

/**
 * Claim naming the refresh family, on both the access and the refresh tokens of a pair.
 *
 * @example
 * const family = request.user[FAMILY_CLAIM]; // same for every pair since the login
 */
export const FAMILY_CLAIM = 'fam';

/**
 * Claim holding issuance in epoch milliseconds. `iat` has whole seconds (RFC 7519 §4.1.6), too
 * coarse for a `revokeAll` cut-off that must spare a token issued later in the same second.
 *
 * @example
 * const issuedAt = new Date(request.user[ISSUED_MS_CLAIM] as number);
 */
export const ISSUED_MS_CLAIM = 'iat_ms';

/**
 * How long an entry must live, from now, to outlive every token the service could mint now: the
 * longer of the two lifetimes plus leeway, and a second for `iat` rounding. A family or subject
 * covers both kinds, and nothing stops `accessTokenTtl` from exceeding `refreshTokenTtl`.
 */
export function longestTokenLifeMs(ctx: AuthContext): number {
  const { accessTokenTtl, refreshTokenTtl, leeway } = ctx.service;

  return (Math.max(accessTokenTtl, refreshTokenTtl) + leeway + 1) * 1000;
}

/** Claims the plugin or core write: callers may not set them, rotation does not copy them. */
export function reservedClaimNames(typeClaim: string | false): ReadonlySet<string> {
  const names = ['exp', 'iat', 'jti', 'nbf', 'iss', 'aud', FAMILY_CLAIM, ISSUED_MS_CLAIM];
  if (typeClaim !== false) names.push(typeClaim);

  return new Set(names);
}

/**
 * Issuance in ms: `iat_ms` when present and inside the second `iat` names, else the start of
 * that second, so tokens from other issuers (no `iat_ms`) are handled conservatively.
 */
function issuedAtMs(claims: TokenClaims): number {
  const iat = typeof claims.iat === 'number' ? claims.iat : 0;
  const ms = claims[ISSUED_MS_CLAIM];
  if (ms === undefined) return iat * 1000;

  if (!Number.isSafeInteger(ms) || Math.floor((ms as number) / 1000) !== iat) {
    throw tokenInvalidError(`"${ISSUED_MS_CLAIM}" claim disagrees with "iat"`);
  }

  return ms as number;
}

/** The revocation-relevant facts of a token the core has verified. */
export function tokenFacts(ctx: AuthContext, claims: TokenClaims): TokenFacts {
  const subject = claims[ctx.service.subjectClaim];
  const family = claims[FAMILY_CLAIM];
  if (typeof claims.jti !== 'string' || typeof subject !== 'string') {
    throw tokenInvalidError('"jti" or subject claim missing');
  }

  if (family !== undefined && (typeof family !== 'string' || family === '')) {
    throw tokenInvalidError(`"${FAMILY_CLAIM}" claim not a string`);
  }

  const facts: TokenFacts = {
    jti: claims.jti,
    subject,
    issuedAt: issuedAtMs(claims),
    expiresAt: (claims.exp + ctx.service.leeway) * 1000,
  };
  if (family !== undefined) facts.family = family;

  return facts;
}

import { isTokenError } from '@tokenized-auth/core';
import { randomBytes } from 'node:crypto';
import { FAMILY_CLAIM, ISSUED_MS_CLAIM, longestTokenLifeMs } from './claims.js';
import { callStore, type AuthContext } from './context.js';
import { invalidClaimsError } from './errors.js';

/**
 * What `issue` and `refresh` return; `expiresIn` is the access token's lifetime in seconds,
 * shaped like an OAuth 2.0 token response (RFC 6749 §5.1) in camelCase.
 *
 * @example
 * const { accessToken, refreshToken }: TokenPair = await app.tokens.issue({ sub: 'u1' });
 */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** A new refresh family id: 128 random bits, base64url. */
export function newFamily(): string {
  return randomBytes(16).toString('base64url');
}

/** Mints both tokens of a pair at `now` (ms), with the family and ms issuance claims. */
export function mintPair(
  ctx: AuthContext,
  claims: Record<string, unknown>,
  family: string,
  now: number,
): TokenPair {
  // Object.assign, then plain stores: V8 (Node 20) makes a spread with computed keys several
  // microseconds slower.
  const full: Record<string, unknown> = Object.assign({}, claims);
  full[FAMILY_CLAIM] = family;
  full[ISSUED_MS_CLAIM] = now;

  return ctx.clock.pinned(now, () => ({
    accessToken: ctx.service.createAccessToken(full),
    refreshToken: ctx.service.createRefreshToken(full),
    tokenType: 'Bearer' as const,
    expiresIn: ctx.service.accessTokenTtl,
  }));
}

function checkIssueClaims(ctx: AuthContext, claims: unknown): Record<string, unknown> {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw invalidClaimsError('"claims" must be an object');
  }

  for (const name of Object.keys(claims)) {
    if (ctx.reservedClaims.has(name)) {
      throw invalidClaimsError(`"${name}" claim is set by the plugin`);
    }
  }

  const subject = (claims as Record<string, unknown>)[ctx.service.subjectClaim];
  if (typeof subject !== 'string' || subject === '') {
    throw invalidClaimsError(`"${ctx.service.subjectClaim}" claim must be a non-empty string`);
  }

  return claims as Record<string, unknown>;
}

/**
 * Issues a new pair in a new family. The subject's ledger entry is written first: a token
 * whose subject has no entry counts as issued before a store data loss, hence revoked.
 *
 * @throws FST_TA_INVALID_CLAIMS, FST_TA_STORE_UNAVAILABLE
 */
export async function issuePair(ctx: AuthContext, input: unknown): Promise<TokenPair> {
  const claims = checkIssueClaims(ctx, input);
  const subject = claims[ctx.service.subjectClaim] as string;
  const now = ctx.clock.now();
  const expiresAt = now + longestTokenLifeMs(ctx);

  await callStore(ctx, (store) => store.recordIssue(subject, now, expiresAt));

  try {
    return mintPair(ctx, claims, newFamily(), now);
  } catch (error) {
    // The core refuses claims it owns or cannot serialise with a ConfigError (a TypeError).
    if (error instanceof TypeError || isTokenError(error)) throw invalidClaimsError(error.message);

    throw error;
  }
}

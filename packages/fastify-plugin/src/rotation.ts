import type { TokenClaims } from '@tokenized-auth/core';
import { FAMILY_CLAIM, longestTokenLifeMs, tokenFacts } from './claims.js';
import { callStore, type AuthContext } from './context.js';
import {
  badRequestError,
  refreshReusedError,
  tokenInvalidError,
  tokenRevokedError,
} from './errors.js';
import { mintPair, type TokenPair } from './issue.js';

/** Claims a successor pair inherits: the caller's own, not the ones the plugin or core set. */
function inheritedClaims(ctx: AuthContext, claims: TokenClaims): Record<string, unknown> {
  const reserved = ctx.reservedClaims;
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (!reserved.has(name)) kept[name] = value;
  }

  return kept;
}

function parsePair(serialized: string): TokenPair {
  return JSON.parse(serialized) as TokenPair;
}

/**
 * Rotates a refresh token: it is single-use, and its successor pair stays in its family.
 * The candidate pair is minted before asking the store, so that every caller inside the grace
 * window gets byte-identical tokens (the store hands back the first candidate it recorded).
 * A redemption outside the window is a replay: the store revokes the family, which kills the
 * newest access and refresh tokens too, since they carry the same `fam`.
 *
 * @throws FST_TA_BAD_REQUEST, FST_TA_TOKEN_INVALID, FST_TA_TOKEN_EXPIRED, FST_TA_TOKEN_REVOKED,
 * FST_TA_REFRESH_REUSED, FST_TA_STORE_UNAVAILABLE
 */
export async function rotateRefreshToken(ctx: AuthContext, token: unknown): Promise<TokenPair> {
  if (typeof token !== 'string' || token === '') {
    throw badRequestError('refresh token must be a non-empty string');
  }

  const claims = ctx.service.verifyRefreshToken(token);
  const facts = tokenFacts(ctx, claims);
  if (facts.family === undefined) throw tokenInvalidError(`"${FAMILY_CLAIM}" claim missing`);

  if (await callStore(ctx, (store) => store.isRevoked(facts))) throw tokenRevokedError();

  const now = ctx.clock.now();
  const candidate = mintPair(ctx, inheritedClaims(ctx, claims), facts.family, now);
  const familyExpiresAt = now + longestTokenLifeMs(ctx);
  await callStore(ctx, (store) => store.recordIssue(facts.subject, now, familyExpiresAt));

  const result = await callStore(ctx, (store) =>
    store.redeem({
      jti: facts.jti,
      family: facts.family!,
      subject: facts.subject,
      candidate: JSON.stringify(candidate),
      graceMs: ctx.options.refreshGraceMs,
      familyExpiresAt,
      expiresAt: facts.expiresAt,
    }),
  );

  if (result.status === 'reused') throw refreshReusedError();

  return result.status === 'fresh' ? candidate : parsePair(result.successor);
}

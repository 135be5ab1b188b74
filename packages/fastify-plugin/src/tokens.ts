import { isTokenError, type TokenClaims } from '@tokenized-auth/core';
import { longestTokenLifeMs, tokenFacts } from './claims.js';
import { callStore, type AuthContext } from './context.js';
import { badRequestError, toHttpError } from './errors.js';
import { issuePair, type TokenPair } from './issue.js';
import { logRejection } from './log.js';
import { rotateRefreshToken } from './rotation.js';
import type { HealthReport } from './stores/types.js';

/** `fastify.tokens`: issue, rotate and revoke tokens. Every method returns a promise. */
export interface TokenApi {
  /**
   * Issues an access and a refresh token in a new family.
   *
   * @example
   * const pair = await app.tokens.issue({ sub: user.id, role: 'admin' });
   * @throws FST_TA_INVALID_CLAIMS (no subject claim, or a claim the plugin sets),
   * FST_TA_STORE_UNAVAILABLE
   */
  issue(claims: Record<string, unknown>): Promise<TokenPair>;
  /**
   * Redeems a refresh token for a new pair in the same family (single use).
   *
   * @example
   * reply.send(await app.tokens.refresh(request.body.refreshToken));
   * @throws FST_TA_BAD_REQUEST, FST_TA_TOKEN_INVALID, FST_TA_TOKEN_EXPIRED,
   * FST_TA_TOKEN_REVOKED, FST_TA_REFRESH_REUSED, FST_TA_STORE_UNAVAILABLE
   */
  refresh(refreshToken: string): Promise<TokenPair>;
  /**
   * Revokes an access token (its `jti`) or a refresh token (its whole family).
   *
   * @example
   * await app.tokens.revoke(request.body.refreshToken);
   * @throws FST_TA_BAD_REQUEST, FST_TA_TOKEN_INVALID, FST_TA_TOKEN_EXPIRED,
   * FST_TA_STORE_UNAVAILABLE
   */
  revoke(token: string): Promise<void>;
  /**
   * Revokes every token of `subject` issued before this call, including one minted earlier in
   * the same millisecond; tokens this instance issues afterwards stay valid.
   *
   * @example
   * await app.tokens.revokeAll(request.user.sub);
   * @throws FST_TA_BAD_REQUEST, FST_TA_STORE_UNAVAILABLE
   */
  revokeAll(subject: string): Promise<void>;
  /**
   * Asks the store for a round trip; never throws. The Redis store also reports its
   * `topology`: `'single'`, `'cluster'` (an ioredis `Cluster`) or `'sentinel'`.
   *
   * @example
   * app.get('/health', () => app.tokens.health());
   * // { store: 'redis', ok: true, latencyMs: 0.4, topology: 'cluster' }
   */
  health(): Promise<HealthReport>;
}

/** Verifies as access token, else as refresh token; the access error wins if both fail. */
function verifyEither(ctx: AuthContext, token: string): { claims: TokenClaims; access: boolean } {
  try {
    return { claims: ctx.service.verifyAccessToken(token), access: true };
  } catch (accessError) {
    if (!isTokenError(accessError)) throw accessError;

    try {
      return { claims: ctx.service.verifyRefreshToken(token), access: false };
    } catch {
      throw accessError;
    }
  }
}

async function revokeToken(ctx: AuthContext, token: unknown): Promise<void> {
  if (typeof token !== 'string' || token === '') {
    throw badRequestError('token must be a non-empty string');
  }

  const { claims, access } = verifyEither(ctx, token);
  const facts = tokenFacts(ctx, claims);
  if (access || facts.family === undefined) {
    await callStore(ctx, (store) => store.revoke(facts));

    return;
  }

  const familyExpiresAt = ctx.clock.now() + longestTokenLifeMs(ctx);
  await callStore(ctx, (store) =>
    store.revokeFamily(facts.family!, facts.subject, familyExpiresAt),
  );
}

async function revokeSubject(ctx: AuthContext, subject: unknown): Promise<void> {
  if (typeof subject !== 'string' || subject === '') {
    throw badRequestError('subject must be a non-empty string');
  }

  // The store revokes what was issued before `at`. One ms past now also catches a token minted
  // earlier in this very ms; moving this process's clock past the cut-off keeps a token minted
  // right after the call valid, even within the same ms.
  const at = ctx.clock.now() + 1;
  ctx.clock.advanceTo(at);
  await callStore(ctx, (store) => store.revokeAll(subject, at, longestTokenLifeMs(ctx)));
}

async function storeHealth(ctx: AuthContext): Promise<HealthReport> {
  try {
    return await callStore(ctx, (store) => store.health());
  } catch {
    return { store: ctx.store.kind, ok: false };
  }
}

/** Logs a failure through `fastify.log` (see `logRejection`), then throws it as an HTTP error. */
function mapped<A extends unknown[], R>(ctx: AuthContext, run: (...args: A) => Promise<R>) {
  return async (...args: A): Promise<R> => {
    try {
      return await run(...args);
    } catch (error) {
      const httpError = toHttpError(error, ctx.options.retryAfter);
      logRejection(ctx.log, httpError);

      throw httpError;
    }
  };
}

/** Builds `fastify.tokens`; every failure leaves as a plugin HTTP error. */
export function createTokenApi(ctx: AuthContext): TokenApi {
  return Object.freeze({
    issue: mapped(ctx, (claims: Record<string, unknown>) => issuePair(ctx, claims)),
    refresh: mapped(ctx, (token: string) => rotateRefreshToken(ctx, token)),
    revoke: mapped(ctx, (token: string) => revokeToken(ctx, token)),
    revokeAll: mapped(ctx, (subject: string) => revokeSubject(ctx, subject)),
    health: () => storeHealth(ctx),
  });
}

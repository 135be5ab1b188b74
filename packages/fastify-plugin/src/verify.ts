import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { tokenFacts } from './claims.js';
import { storeIsRevoked, unavailable, type AuthContext } from './context.js';
import { toHttpError, tokenRevokedError } from './errors.js';
import { extractToken } from './extract.js';
import { logRejection } from './log.js';
import type { TokenFacts } from './stores/types.js';
import type { TokenizedAuthUser } from './types.js';

/**
 * Options of `request.verifyToken`. Take a token from the body or a header, never from the URL:
 * Fastify logs every request's URL, and proxies and browser history keep it.
 *
 * @example
 * const { token } = request.body as { token: string }; // a form post, say
 * const claims = await request.verifyToken({ token });
 */
export interface VerifyTokenOptions {
  /** Verify this token instead of the one the request carries (header or cookie). */
  token?: string;
}

/**
 * Revocation check for a verified token. With `failOpen`, a store failure lets the token
 * through (its signature and claims were checked) and says so at warn on every request.
 */
async function checkRevocation(ctx: AuthContext, facts: TokenFacts, log: FastifyBaseLogger) {
  let revoked: boolean;
  try {
    revoked = await storeIsRevoked(ctx, facts);
  } catch (error) {
    if (!ctx.options.failOpen) throw unavailable(error);

    log.warn({ code: 'FST_TA_STORE_UNAVAILABLE', failOpen: true }, 'revocation check skipped');

    return;
  }

  if (revoked) throw tokenRevokedError();
}

/**
 * The single verification path behind `verifyToken`, `authenticate` and `jwtVerify`:
 * `request.verifyToken()` sets `request.user` and returns the claims. Their static type is
 * what the application declared in `TokenizedAuthUser`, as with `@fastify/jwt`'s user type.
 */
export async function verifyRequest(
  ctx: AuthContext,
  request: FastifyRequest,
  options?: VerifyTokenOptions,
): Promise<TokenizedAuthUser> {
  try {
    const token = options?.token ?? extractToken(request, ctx.extract);
    // The core checks signatures and claim policy; the store is asked about revocation on
    // every request, whatever the core said before.
    const claims = ctx.service.verifyAccessToken(token) as TokenizedAuthUser;

    await checkRevocation(ctx, tokenFacts(ctx, claims), request.log);
    request.user = claims;

    return claims;
  } catch (error) {
    const httpError = toHttpError(error, ctx.options.retryAfter);
    logRejection(request.log, httpError);

    throw httpError;
  }
}

import type { TokenClaims } from '@tokenized-auth/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TokenApi } from './tokens.js';
import type { VerifyTokenOptions } from './verify.js';

/**
 * Claims of a verified access token, as `request.user` and `verifyToken()` give them. Type your
 * own claims by augmenting this interface.
 *
 * @example
 * declare module '@tokenized-auth/fastify-plugin' {
 *   interface TokenizedAuthUser {
 *     sub: string;
 *     role: 'admin' | 'member';
 *   }
 * }
 */
export interface TokenizedAuthUser extends TokenClaims {
  /** Refresh family of the pair this token belongs to (tokens issued by the plugin). */
  fam?: string;
  /** Issuance in epoch milliseconds (tokens issued by the plugin). */
  iat_ms?: number;
}

/**
 * A route guard usable as `onRequest` or `preHandler`. It answers a rejection itself, with the
 * body and headers of the error, so the rejection reaches no error handler and Fastify does not
 * log it at info; the plugin logged it at debug (a 503 at warn). For your own error handler,
 * call `request.verifyToken()` in a hook instead: it throws.
 *
 * @example
 * app.get('/me', { onRequest: app.authenticate }, (request) => request.user);
 * @throws never; answers FST_TA_NO_TOKEN, FST_TA_BAD_REQUEST, FST_TA_TOKEN_INVALID,
 * FST_TA_TOKEN_EXPIRED, FST_TA_TOKEN_REVOKED, FST_TA_STORE_UNAVAILABLE
 */
export type AuthenticateHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * `@fastify/jwt`'s `request.jwtVerify`, in its promise and callback forms; same errors as
 * {@link AuthenticateHook}.
 *
 * @example
 * app.addHook('onRequest', (request) => request.jwtVerify());
 */
export interface JwtVerifyFunction {
  <T = TokenizedAuthUser>(options?: Record<string, unknown>): Promise<T>;
  <T = TokenizedAuthUser>(callback: (error: Error | null, user?: T) => void): void;
  <T = TokenizedAuthUser>(
    options: Record<string, unknown> | undefined,
    callback: (error: Error | null, user?: T) => void,
  ): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Issue, rotate and revoke tokens. */
    tokens: TokenApi;
    /** Route guard: `{ onRequest: app.authenticate }`. */
    authenticate: AuthenticateHook;
  }

  interface FastifyRequest {
    /**
     * Claims of the verified access token; set by `verifyToken`, `authenticate`, `jwtVerify`.
     * `null` before that. The type leaves `null` out so that a guarded route, the usual case,
     * reads claims without a check; a route without `authenticate` must check, or verify first.
     */
    user: TokenizedAuthUser;
    /** Verifies the request's access token, revocation included; sets `request.user`. */
    verifyToken(options?: VerifyTokenOptions): Promise<TokenizedAuthUser>;
    /** `@fastify/jwt` compatible verification through the same path as `verifyToken`. */
    jwtVerify: JwtVerifyFunction;
  }
}

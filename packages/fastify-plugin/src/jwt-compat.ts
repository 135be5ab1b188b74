import type { FastifyRequest } from 'fastify';
import type { AuthContext } from './context.js';
import type { JwtVerifyFunction, TokenizedAuthUser } from './types.js';
import { verifyRequest } from './verify.js';

type Callback = (error: Error | null, user?: TokenizedAuthUser) => void;

/**
 * `request.jwtVerify` for code written against `@fastify/jwt`. It runs `verifyRequest`, the
 * same path as `verifyToken`; per-call options of `@fastify/jwt` (such as `maxAge` or
 * `ignoreExpiration`) are ignored on purpose, since they would relax the one claim policy.
 */
export function createJwtVerify(ctx: AuthContext): JwtVerifyFunction {
  function jwtVerify(this: FastifyRequest, first?: unknown, second?: unknown) {
    const callback = (typeof first === 'function' ? first : second) as Callback | undefined;
    const result = verifyRequest(ctx, this);
    if (typeof callback !== 'function') return result;

    result.then(
      (user) => callback(null, user),
      (error: Error) => callback(error),
    );

    return undefined;
  }

  return jwtVerify as JwtVerifyFunction;
}

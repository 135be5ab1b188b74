import fp from 'fastify-plugin';
import { tokenizedAuthPlugin } from './plugin.js';
import './types.js';

/**
 * The Fastify plugin: `fastify.tokens`, `fastify.authenticate`, `request.verifyToken()`,
 * `request.user` and `request.jwtVerify()`.
 *
 * @example
 * import tokenizedAuth from '@tokenized-auth/fastify-plugin';
 *
 * await app.register(tokenizedAuth, { secret: process.env.TOKEN_SECRET! });
 * app.get('/me', { onRequest: app.authenticate }, (request) => request.user);
 * @throws FST_TA_INVALID_OPTION or the core's ERR_TOKEN_CONFIG at `register` for a bad option
 */
export const tokenizedAuth = fp(tokenizedAuthPlugin, {
  fastify: '5.x',
  name: '@tokenized-auth/fastify-plugin',
});

export default tokenizedAuth;

export { errorCodes, type TokenizedAuthErrorCode } from './errors.js';
export type { TokenPair } from './issue.js';
export type { RedisClusterConfig, TokenizedAuthOptions } from './options.js';
export type { TokenApi } from './tokens.js';
export type { AuthenticateHook, JwtVerifyFunction, TokenizedAuthUser } from './types.js';
export type { VerifyTokenOptions } from './verify.js';
export { FAMILY_CLAIM, ISSUED_MS_CLAIM } from './claims.js';
export { createMemoryStore } from './stores/memory.js';
export { clusterClientOptions, createRedisStore, redisClientOptions } from './stores/redis.js';
export {
  StoreUnavailableError,
  type HealthReport,
  type RevocationStore,
  type TokenFacts,
} from './stores/types.js';

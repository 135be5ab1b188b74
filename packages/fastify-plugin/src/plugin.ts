import { createTokenService } from '@tokenized-auth/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { reservedClaimNames } from './claims.js';
import { createPinnableClock, type AuthContext } from './context.js';
import { invalidOptionError, sendRejection, type HttpAuthError } from './errors.js';
import { createJwtVerify } from './jwt-compat.js';
import { resolveOptions, type ResolvedOptions, type TokenizedAuthOptions } from './options.js';
import { setupStore } from './store-setup.js';
import { createTokenApi } from './tokens.js';
import type { AuthenticateHook } from './types.js';
import { verifyRequest } from './verify.js';

// Every request still asks the store about revocation, so remembering verified tokens costs
// no correctness; 10,000 entries hold about 10 MB.
const ACCESS_TOKEN_CACHE = 10_000;

/** Refuses set-ups that would silently not work, before anything is decorated. */
function checkEnvironment(fastify: FastifyInstance, options: ResolvedOptions): void {
  if (options.cookieName !== undefined && !fastify.hasRequestDecorator('cookies')) {
    throw invalidOptionError('"cookie" needs @fastify/cookie registered before this plugin');
  }

  if (options.jwtCompat && fastify.hasRequestDecorator('jwtVerify')) {
    throw invalidOptionError(
      '"jwtCompat" cannot decorate "jwtVerify": @fastify/jwt is registered; remove it or ' +
        'set "jwtCompat" to false',
    );
  }
}

async function createContext(
  fastify: FastifyInstance,
  options: ResolvedOptions,
): Promise<AuthContext> {
  const clock = createPinnableClock(options.clock);
  const service = createTokenService({
    ...options.service,
    accessTokenCache: options.service.accessTokenCache ?? ACCESS_TOKEN_CACHE,
    clock: clock.now,
  });
  const { store, owned, warning } = await setupStore(fastify, options);
  if (warning !== undefined) fastify.log.warn({ store: store.kind }, warning);

  if (owned) fastify.addHook('onClose', () => store.close());

  return {
    service,
    store,
    options,
    clock,
    reservedClaims: reservedClaimNames(service.typeClaim),
    extract: { maxTokenLength: service.maxTokenLength, cookieName: options.cookieName },
    storeDeadline: options.store.kind !== 'memory',
    log: fastify.log,
  };
}

// Answers a rejection itself: thrown, it would reach Fastify's default error handler, which logs
// every 4xx at info, and one line per unauthenticated request is noise an attacker controls.
// No async wrapper: `.then` costs one promise only. The rejection branch must resolve to the
// reply `sendRejection` returns: that is how Fastify knows a hook answered, and without it the
// route handler runs unauthenticated whenever sending takes a tick (an async onSend hook).
function createAuthenticate(ctx: AuthContext): AuthenticateHook {
  return function authenticate(request, reply) {
    return verifyRequest(ctx, request).then(undefined, (error: HttpAuthError) =>
      sendRejection(reply, error),
    ) as Promise<unknown> as Promise<void>;
  };
}

/**
 * Wiring only: checks options, builds the token service and store, and decorates. Logic lives
 * in the modules imported above.
 */
export async function tokenizedAuthPlugin(
  fastify: FastifyInstance,
  input: TokenizedAuthOptions,
): Promise<void> {
  const options = resolveOptions(input);
  checkEnvironment(fastify, options);
  const ctx = await createContext(fastify, options);

  fastify.decorate('tokens', createTokenApi(ctx));
  fastify.decorate('authenticate', createAuthenticate(ctx));
  if (!fastify.hasRequestDecorator('user')) fastify.decorateRequest('user', null as never);

  fastify.decorateRequest('verifyToken', function (this: FastifyRequest, verifyOptions?) {
    return verifyRequest(ctx, this, verifyOptions);
  });
  if (options.jwtCompat) fastify.decorateRequest('jwtVerify', createJwtVerify(ctx));
}

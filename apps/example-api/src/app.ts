import { STATUS_CODES } from 'node:http';
import rateLimit from '@fastify/rate-limit';
import swagger, { type SwaggerTransformObject } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import tokenizedAuth from '@tokenized-auth/fastify-plugin';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { AppConfig } from './config.js';
import { HttpError } from './errors.js';
import { loggerOptions, type LogDestination } from './logging.js';
import { authRoutes } from './routes/auth.js';
import { healthRoutes } from './routes/health.js';
import { meRoutes } from './routes/me.js';
import { UserStore } from './users.js';
import { formatValidationErrors } from './validation.js';

export interface BuildAppOptions {
  /** Log destination instead of stdout (tests read the lines back). */
  logStream?: LogDestination;
  /** Share one user store between instances (tests of two API nodes on one Redis). */
  users?: UserStore;
}

// Nothing here accepts more than a token or a pair of credentials; auth routes set less.
const BODY_LIMIT = 16 * 1024;

// Milliseconds before a revocation-store call counts as down (the plugin's default). The
// plugin sets its Redis clients' command timeout to it, so a dead master answers within it.
const STORE_TIMEOUT_MS = 500;

/**
 * Builds the example API, ready for `listen` or `inject`. Registers the auth plugin with the
 * configured secrets and store, the routes, rate limiting on login and the docs at `/docs`.
 *
 * @example
 * const app = await buildApp(loadConfig(process.env));
 * await app.listen({ port: 3000 });
 */
export async function buildApp(
  config: AppConfig,
  options: BuildAppOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config.logLevel, options.logStream),
    trustProxy: config.trustProxy,
    bodyLimit: BODY_LIMIT,
    ajv: {
      customOptions: {
        // Fastify's defaults would silently drop unknown members and turn 123 into "123";
        // a client sending either has a bug it should hear about.
        removeAdditional: false,
        coerceTypes: false,
        formats: { password: true },
      },
    },
    schemaErrorFormatter: formatValidationErrors,
  });

  app.setErrorHandler(hideInternalErrors);

  if (config.generatedSecrets) {
    app.log.warn(
      'JWT_SECRET, JWT_REFRESH_SECRET and OUTER_SECRET are not set: using random secrets, ' +
        'so tokens will not survive a restart',
    );
  }

  try {
    await registerDocs(app);
    await app.register(rateLimit, { global: false, errorResponseBuilder: rateLimited });
    // The plugin builds, waits for (a bounded time, warning when Redis is unreachable) and
    // closes on shutdown the Redis or Redis Cluster client of this configuration.
    await app.register(tokenizedAuth, {
      accessSecret: config.accessSecret,
      refreshSecret: config.refreshSecret,
      outerSecret: config.outerSecret,
      accessTokenTtl: config.accessTokenTtl,
      refreshTokenTtl: config.refreshTokenTtl,
      refreshGrace: config.refreshGrace,
      storeTimeout: STORE_TIMEOUT_MS,
      ...redisStore(config),
    });

    const users = options.users ?? new UserStore();
    const loginRateLimit = config.loginRateLimit;
    await app.register(authRoutes, { prefix: '/auth', users, loginRateLimit });
    await app.register(meRoutes, { users });
    await app.register(healthRoutes);
  } catch (err) {
    // The app never comes up, so nobody else closes it: the Redis client the plugin opened
    // would keep the process alive.
    await app.close().catch(() => undefined);
    throw err;
  }

  return app;
}

function redisStore(config: AppConfig) {
  if (config.redisClusterNodes) {
    // Names the API's connections in CLIENT LIST on every node.
    const options = { redisOptions: { connectionName: 'example-api' } };

    return { store: 'redis' as const, redis: { cluster: config.redisClusterNodes, options } };
  }

  return config.redisUrl ? { store: 'redis' as const, redis: config.redisUrl } : {};
}

async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Tokenized Auth example API',
        description:
          'Register, log in, refresh and revoke double-signed tokens ' +
          '(@tokenized-auth/fastify-plugin). Users live in memory.',
        version: '0.0.0',
      },
      tags: [
        { name: 'auth', description: 'Tokens: issue, rotate, revoke' },
        { name: 'users', description: 'The signed-in user' },
        { name: 'health', description: 'Liveness and store state' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'The accessToken from /auth/login or /auth/refresh',
          },
        },
      },
    },
    transformObject: markOptionalBodies,
  });

  await app.register(swaggerUi, { routePrefix: '/docs' });
}

interface DocumentedOperation {
  requestBody?: {
    required?: boolean;
    content?: Record<string, { schema?: { required?: unknown } }>;
  };
}

// @fastify/swagger calls every request body required. A body schema that requires no member
// belongs to a route that also takes no body at all (logout and logout-all default it to `{}`),
// so say that in the document instead.
const markOptionalBodies: SwaggerTransformObject = (document) => {
  if (!('openapiObject' in document)) return document.swaggerObject;

  const items = Object.values(document.openapiObject.paths ?? {}) as Array<
    Record<string, DocumentedOperation>
  >;
  for (const operation of items.flatMap((item) => Object.values(item))) {
    const body = operation.requestBody;
    const schemas = Object.values(body?.content ?? {});
    if (body && schemas.every(({ schema }) => schema?.required === undefined)) {
      body.required = false;
    }
  }

  return document.openapiObject;
};

// The default 429 carries no `code`; give it one like every other error the API returns.
function rateLimited(_request: FastifyRequest, context: { statusCode: number; after: string }) {
  return new HttpError(
    context.statusCode,
    'APP_RATE_LIMITED',
    `too many attempts, retry in ${context.after}`,
  );
}

// A client error keeps its status and message; anything unexpected becomes a bare 500 so an
// internal message (a Redis address, a stack) never reaches the client. 503 is the plugin's
// deliberate "store unavailable" answer and passes through with its Retry-After header.
// Throwing hands the error to Fastify's default handler (the parent of this one).
function hideInternalErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode ?? 500;
  if (status < 500 || status === 503) throw error;

  request.log.error({ err: error }, 'request failed');

  return reply.code(500).send({
    statusCode: 500,
    code: 'APP_INTERNAL_ERROR',
    error: STATUS_CODES[500],
    message: 'internal error',
  });
}

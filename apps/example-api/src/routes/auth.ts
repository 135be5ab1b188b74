import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidCredentials, usernameTaken } from '../errors.js';
import {
  authErrors,
  bearerSecurity,
  CREDENTIALS_BODY_LIMIT,
  credentialsBody,
  EMPTY_BODY_LIMIT,
  emptyBody,
  errorResponse,
  logoutBody,
  noContent,
  refreshBody,
  TOKEN_BODY_LIMIT,
  tokenPairResponse,
  userResponse,
} from '../schemas.js';
import { UsernameTakenError, type UserStore } from '../users.js';

export interface AuthRoutesOptions {
  users: UserStore;
  /** Login attempts per client per minute. */
  loginRateLimit: number;
}

interface Credentials {
  username: string;
  password: string;
}

const tags = ['auth'];

const registerSchema = {
  tags,
  summary: 'Create a user',
  body: credentialsBody,
  response: { 201: userResponse, 400: errorResponse, 409: errorResponse },
};

function loginSchema(limit: number) {
  return {
    tags,
    summary: 'Exchange a username and password for a token pair',
    description: `Rate-limited to ${limit} attempts per client per minute.`,
    body: credentialsBody,
    response: {
      200: tokenPairResponse,
      400: errorResponse,
      401: errorResponse,
      429: errorResponse,
    },
  };
}

const refreshSchema = {
  tags,
  summary: 'Trade a refresh token for a new pair (the old one stops working)',
  description:
    'Presenting a spent refresh token again, after the grace window, revokes its whole ' +
    'family: the pair issued from it stops working too.',
  body: refreshBody,
  response: { 200: tokenPairResponse, ...authErrors },
};

const logoutSchema = {
  tags,
  summary: 'Revoke this access token and, when given, the refresh token family',
  security: bearerSecurity,
  body: logoutBody,
  response: { 204: noContent, ...authErrors },
};

const logoutAllSchema = {
  tags,
  summary: 'Revoke every token of the current user, on every device',
  security: bearerSecurity,
  body: emptyBody,
  response: { 204: noContent, ...authErrors },
};

/**
 * `/auth/*`: register, login, refresh, logout, logout-all. Needs the token plugin and
 * `@fastify/rate-limit` registered first.
 *
 * @example
 * await app.register(authRoutes, { prefix: '/auth', users: new UserStore(), loginRateLimit: 10 });
 */
export async function authRoutes(app: FastifyInstance, options: AuthRoutesOptions): Promise<void> {
  const { users, loginRateLimit } = options;
  const rateLimit = { max: loginRateLimit, timeWindow: '1 minute' };

  app.post<{ Body: Credentials }>(
    '/register',
    { bodyLimit: CREDENTIALS_BODY_LIMIT, schema: registerSchema },
    async (request, reply) => reply.code(201).send(await register(users, request.body)),
  );

  app.post<{ Body: Credentials }>(
    '/login',
    {
      bodyLimit: CREDENTIALS_BODY_LIMIT,
      config: { rateLimit },
      schema: loginSchema(loginRateLimit),
    },
    async (request) => {
      const { username, password } = request.body;
      const user = await users.authenticate(username, password);
      if (!user) throw invalidCredentials();

      return app.tokens.issue({ sub: user.id });
    },
  );

  app.post<{ Body: { refreshToken: string } }>(
    '/refresh',
    { bodyLimit: TOKEN_BODY_LIMIT, schema: refreshSchema },
    async (request) => app.tokens.refresh(request.body.refreshToken),
  );

  app.post<{ Body: { refreshToken?: string } }>(
    '/logout',
    {
      bodyLimit: TOKEN_BODY_LIMIT,
      onRequest: app.authenticate,
      preValidation: defaultToEmptyBody,
      schema: logoutSchema,
    },
    async (request, reply) => {
      // The access token first: a client sending a bad refresh token still ends up logged out
      // on this device, and hears about the bad token through the 401.
      await app.tokens.revoke(bearerToken(request));

      const { refreshToken } = request.body;
      if (refreshToken !== undefined) await app.tokens.revoke(refreshToken);

      return reply.code(204).send();
    },
  );

  app.post(
    '/logout-all',
    {
      bodyLimit: EMPTY_BODY_LIMIT,
      onRequest: app.authenticate,
      preValidation: defaultToEmptyBody,
      schema: logoutAllSchema,
    },
    async (request, reply) => {
      await app.tokens.revokeAll(String(request.user.sub));

      return reply.code(204).send();
    },
  );
}

async function register(users: UserStore, { username, password }: Credentials) {
  try {
    return await users.register(username, password);
  } catch (err) {
    if (err instanceof UsernameTakenError) throw usernameTaken();
    throw err;
  }
}

// The logout and logout-all bodies are optional; an absent one validates as `{}` rather than
// "body must be object".
async function defaultToEmptyBody(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  if (request.body === undefined) request.body = {};
}

// `authenticate` already accepted the header, so it holds exactly one well-formed Bearer token.
function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';

  return header.slice(header.indexOf(' ') + 1).trim();
}

import type { FastifyInstance } from 'fastify';
import { userNotFound } from '../errors.js';
import { authErrors, bearerSecurity, errorResponse, userResponse } from '../schemas.js';
import type { UserStore } from '../users.js';

export interface MeRoutesOptions {
  users: UserStore;
}

/**
 * `GET /me`: the user the access token was issued to; 404 `APP_USER_NOT_FOUND` when that user
 * is gone.
 *
 * @example
 * await app.register(meRoutes, { users });
 */
export async function meRoutes(app: FastifyInstance, options: MeRoutesOptions): Promise<void> {
  app.get(
    '/me',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['users'],
        summary: 'The current user',
        security: bearerSecurity,
        response: { 200: userResponse, ...authErrors, 404: errorResponse },
      },
    },
    async (request) => {
      // Users live in memory: a token can outlive its user when Redis and the secrets persist
      // across a restart.
      const user = options.users.findById(String(request.user.sub));
      if (!user) throw userNotFound();

      return user;
    },
  );
}

// Compiled by test/types.test.ts. Augments the claims type through the package name, as the
// README tells users to; `paths` maps the name to src, so no build is needed. It lives in a dot
// directory so the package's own tsconfig, which includes test/, leaves it out: there the name
// resolves to dist, and two copies of the `fastify` augmentation would clash.
import Fastify from 'fastify';
import tokenizedAuth, { type TokenizedAuthUser } from '@tokenized-auth/fastify-plugin';

declare module '@tokenized-auth/fastify-plugin' {
  interface TokenizedAuthUser {
    sub: string;
    tenant: string;
  }
}

function expectType<T>(value: T): T {
  return value;
}

const app = Fastify();
await app.register(tokenizedAuth, { secret: 'x'.repeat(32) });

app.get('/me', { onRequest: app.authenticate }, async (request) => {
  expectType<TokenizedAuthUser>(request.user);
  expectType<string>(request.user.tenant);
  // @ts-expect-error the augmented claim keeps its declared type
  expectType<number>(request.user.tenant);

  return request.user.sub;
});

app.get('/verify', async (request) => {
  const claims = await request.verifyToken();
  expectType<string>(claims.tenant);

  return claims.sub;
});

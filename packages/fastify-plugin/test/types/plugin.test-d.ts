// Compiled by test/types.test.ts with `tsc --noEmit`; every `@ts-expect-error` must hold.
import Fastify from 'fastify';
import tokenizedAuth, {
  errorCodes,
  type HealthReport,
  type TokenPair,
  type TokenizedAuthUser,
} from '../../src/index.js';

declare module '../../src/types.js' {
  interface TokenizedAuthUser {
    sub: string;
    role: 'admin' | 'member';
  }
}

function expectType<T>(value: T): T {
  return value;
}

const app = Fastify();
await app.register(tokenizedAuth, { secret: 'x'.repeat(32), store: 'memory', refreshGrace: 5 });
// @ts-expect-error "storeTimeout" is a number of ms
await app.register(tokenizedAuth, { secret: 'x'.repeat(32), storeTimeout: '500' });
// @ts-expect-error "store" is 'memory', 'redis' or a store object
await app.register(tokenizedAuth, { secret: 'x'.repeat(32), store: 'mongo' });
await app.register(tokenizedAuth, {
  secret: 'x'.repeat(32),
  store: 'redis',
  redis: { cluster: ['10.0.0.1:6379', { host: '10.0.0.2', port: 6379 }], options: {} },
});
await app.register(tokenizedAuth, {
  secret: 'x'.repeat(32),
  // @ts-expect-error "redis.cluster" seed nodes are "host:port" strings or { host, port }
  redis: { cluster: [6379] },
});
await app.register(tokenizedAuth, {
  secret: 'x'.repeat(32),
  redis: { sentinels: [{ host: '10.0.0.1', port: 26379 }], name: 'mymaster' },
});

app.get('/me', { onRequest: app.authenticate }, async (request) => {
  expectType<TokenizedAuthUser>(request.user);
  expectType<'admin' | 'member'>(request.user.role);
  expectType<number>(request.user.exp);
  expectType<string | undefined>(request.user.fam);
  // @ts-expect-error augmented claims keep their declared type
  expectType<number>(request.user.role);

  return request.user.sub;
});

app.get('/verify', { preHandler: app.authenticate }, async (request) => {
  const claims = await request.verifyToken();
  expectType<string>(claims.sub);
  await request.verifyToken({ token: 'abc' });
  // @ts-expect-error "token" must be a string
  await request.verifyToken({ token: 1 });

  const viaJwt = await request.jwtVerify();
  expectType<TokenizedAuthUser>(viaJwt);
  const custom = await request.jwtVerify<{ id: number }>();
  expectType<number>(custom.id);
  request.jwtVerify((error, user) => {
    expectType<Error | null>(error);
    expectType<TokenizedAuthUser | undefined>(user);
  });

  return claims;
});

const pair = await app.tokens.issue({ sub: 'a', role: 'admin' });
expectType<TokenPair>(pair);
expectType<'Bearer'>(pair.tokenType);
expectType<TokenPair>(await app.tokens.refresh(pair.refreshToken));
expectType<void>(await app.tokens.revoke(pair.accessToken));
expectType<void>(await app.tokens.revokeAll('a'));
expectType<HealthReport>(await app.tokens.health());
expectType<'single' | 'cluster' | 'sentinel' | undefined>((await app.tokens.health()).topology);
// @ts-expect-error revokeAll takes the subject as a string
await app.tokens.revokeAll({ sub: 'a' });
// @ts-expect-error issue returns a promise
expectType<TokenPair>(app.tokens.issue({ sub: 'a' }));

expectType<number | undefined>(new errorCodes.FST_TA_TOKEN_EXPIRED().statusCode);
// @ts-expect-error unknown codes are not in the table
void errorCodes.FST_TA_NOPE;

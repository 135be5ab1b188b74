import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import t from 'tap';
import tokenizedAuth, { createMemoryStore } from '../src/index.js';
import { SECRET } from './helpers/app.js';

async function registerWith(t: { teardown(fn: () => unknown): void }, options: object) {
  const app = Fastify();
  t.teardown(() => app.close());
  await app.register(tokenizedAuth, { secret: SECRET, ...options } as never);

  return app;
}

const badOptions: [string, object, string][] = [
  ['a string "store"', { store: 'mongo' }, '"store"'],
  ['an object "store" without store methods', { store: { kind: 'x' } }, '"store"'],
  ['"redis" with "store" memory', { store: 'memory', redis: 'redis://x' }, '"redis"'],
  ['a "redis" URL of another scheme', { redis: 'http://localhost' }, '"redis"'],
  ['a numeric "redis"', { redis: 6379 }, '"redis"'],
  ['"redis" with a store object', { store: createMemoryStore(), redis: 'redis://x' }, '"redis"'],
  ['an empty "redis.cluster"', { redis: { cluster: [] } }, '"redis.cluster"'],
  ['a "redis.cluster" that is a string', { redis: { cluster: 'a:1' } }, '"redis.cluster"'],
  ['a "redis.cluster" node without a port', { redis: { cluster: ['a'] } }, '"redis.cluster"'],
  [
    'a "redis.cluster" node with port 0',
    { redis: { cluster: [{ host: 'a', port: 0 }] } },
    '"redis.cluster"',
  ],
  [
    'a "redis.cluster" node with no host',
    { redis: { cluster: [{ port: 7000 }] } },
    '"redis.cluster"',
  ],
  ['a "redis.options" array', { redis: { cluster: ['a:1'], options: [] } }, '"redis.options"'],
  ['"redis" mixing cluster and node options', { redis: { cluster: ['a:1'], port: 1 } }, '"redis"'],
  ['an empty "redis.sentinels"', { redis: { sentinels: [], name: 'm' } }, '"redis.sentinels"'],
  ['"redis.sentinels" without a name', { redis: { sentinels: [{ port: 1 }] } }, '"redis.name"'],
  ['an array "redis"', { redis: ['a:1'] }, '"redis"'],
  ['a zero "storeTimeout"', { storeTimeout: 0 }, '"storeTimeout"'],
  ['a fractional "storeTimeout"', { storeTimeout: 1.5 }, '"storeTimeout"'],
  ['a string "storeTimeout"', { storeTimeout: '500' }, '"storeTimeout"'],
  ['a string "failOpen"', { failOpen: 'yes' }, '"failOpen"'],
  ['a negative "refreshGrace"', { refreshGrace: -1 }, '"refreshGrace"'],
  ['an infinite "refreshGrace"', { refreshGrace: Infinity }, '"refreshGrace"'],
  ['a "refreshGrace" over a minute', { refreshGrace: 61 }, '"refreshGrace"'],
  ['a "cookie" without a name', { cookie: {} }, '"cookie.name"'],
  ['a "cookie" name with a space', { cookie: { name: 'a b' } }, '"cookie.name"'],
  ['a numeric "jwtCompat"', { jwtCompat: 1 }, '"jwtCompat"'],
  ['a zero "retryAfter"', { retryAfter: 0 }, '"retryAfter"'],
  ['a "clock" that is not a function', { clock: 5 }, '"clock"'],
  ['a misspelt "redis" that would give the memory store', { redisUrl: 'redis://x' }, '"redisUrl"'],
  ['a misspelt core option', { acessTokenTtl: 60 }, '"acessTokenTtl"'],
];

for (const [what, options, name] of badOptions) {
  t.test(`fails registration for ${what}`, async (t) => {
    const error = await registerWith(t, options).then(
      () => undefined,
      (err: unknown) => err as { code: string; message: string },
    );

    t.equal(error?.code, 'FST_TA_INVALID_OPTION');
    t.ok(error?.message.includes(name), `${error?.message} names ${name}`);
  });
}

t.test('accepts every core option and the options of fastify.register', async (t) => {
  const app = await registerWith(t, {
    accessTokenTtl: 600,
    refreshTokenTtl: 3600,
    leeway: 2,
    issuer: 'auth.example',
    audience: ['api'],
    subjectClaim: 'uid',
    typeClaim: 'kind',
    requireIat: true,
    requireJti: true,
    outer: { salt: 'app.tokens' },
    maxTokenLength: 4096,
    accessTokenCache: 0,
    prefix: '/auth',
    logLevel: 'info',
  });
  const pair = await app.tokens.issue({ uid: 'u1' });

  t.equal(pair.expiresIn, 600, 'core options reach the core');
});

t.test('fails registration when the core refuses a short secret', async (t) => {
  const app = Fastify();
  t.teardown(() => app.close());
  const error = await app.register(tokenizedAuth, { secret: 'short' }).then(
    () => undefined,
    (err: unknown) => err as { code: string; message: string },
  );

  t.equal(error?.code, 'ERR_TOKEN_CONFIG');
  t.match(error?.message, /"secret"/);
});

t.test('fails registration for "store" redis with no client anywhere', async (t) => {
  await t.rejects(registerWith(t, { store: 'redis' }), {
    code: 'FST_TA_INVALID_OPTION',
    message: /"store" is "redis"/,
  });
});

t.test('fails registration for "cookie" without @fastify/cookie', async (t) => {
  await t.rejects(registerWith(t, { cookie: { name: 'token' } }), {
    code: 'FST_TA_INVALID_OPTION',
    message: /"cookie" needs @fastify\/cookie/,
  });
});

t.test('accepts "cookie" once @fastify/cookie is registered', async (t) => {
  const app = Fastify();
  t.teardown(() => app.close());
  await app.register(cookie);
  await app.register(tokenizedAuth, { secret: SECRET, cookie: { name: 'token' } });
  await app.ready();

  t.equal(typeof app.tokens.issue, 'function');
});

t.test('warns once at start-up that the default store is per process', async (t) => {
  const lines: string[] = [];
  const app = Fastify({
    logger: { level: 'warn', stream: { write: (l: string) => lines.push(l) } },
  });
  t.teardown(() => app.close());
  await app.register(tokenizedAuth, { secret: SECRET });
  app.get('/x', { onRequest: app.authenticate }, () => 'ok');
  await app.ready();
  const pair = await app.tokens.issue({ sub: 'a' });
  await app.inject({ url: '/x', headers: { authorization: `Bearer ${pair.accessToken}` } });

  const warnings = lines.filter((line) => line.includes('per process'));
  t.equal(warnings.length, 1);
  t.match(JSON.parse(warnings[0]!), { level: 40, store: 'memory' });
});

t.test('does not warn about a store object the caller supplies', async (t) => {
  const lines: string[] = [];
  const app = Fastify({
    logger: { level: 'warn', stream: { write: (l: string) => lines.push(l) } },
  });
  t.teardown(() => app.close());
  await app.register(tokenizedAuth, { secret: SECRET, store: createMemoryStore() });
  await app.ready();

  t.same(lines, []);
});

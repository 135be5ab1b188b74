import fastifyRedis from '@fastify/redis';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import tokenizedAuth from '../src/index.js';
import { bearer, buildApp, SECRET } from './helpers/app.js';
import {
  faultSkipReason,
  redisSkipReason,
  startRedisServer,
  type RedisServer,
} from './helpers/redis-server.js';

const skip = redisSkipReason();
let server: RedisServer;

// No t.plan(0) here: the subtests below are declared either way, and each reports the skip
// with its reason; a plan of 0 would turn every one into "test count exceeds plan".
if (!skip) {
  t.before(async () => {
    server = await startRedisServer();
  });
  t.teardown(() => server.stop());
  t.afterEach(async () => {
    if (server.managed) await server.start();
  });
}

async function connectionCount(): Promise<number> {
  const probe = new Redis(server.url);
  const list = (await probe.client('LIST')) as string;
  await probe.quit();

  return list.trim().split('\n').length - 1;
}

/** Requests `/me` until it answers `status`, for at most `ms`. */
async function waitForStatus(
  inject: () => Promise<{ statusCode: number }>,
  status: number,
  ms: number,
) {
  const until = Date.now() + ms;
  let last = 0;
  while (Date.now() < until) {
    last = (await inject()).statusCode;
    if (last === status) return last;
    await sleep(100);
  }

  return last;
}

t.test('creates a client from a URL and closes it with Fastify', { skip }, async (t) => {
  const before = await connectionCount();
  const { app } = await buildApp({ teardown: () => {} }, { redis: server.url });
  t.equal(await connectionCount(), before + 1);
  t.match(await app.tokens.health(), { store: 'redis', ok: true, topology: 'single' });
  t.type((await app.tokens.health()).latencyMs, 'number');

  await app.close();
  t.equal(await connectionCount(), before);
});

t.test('accepts ioredis options', { skip }, async (t) => {
  const { app } = await buildApp(t, { redis: { host: server.host, port: server.port } });

  t.match(await app.tokens.health(), { store: 'redis', ok: true });
});

t.test('reuses a client passed in and leaves it open', { skip }, async (t) => {
  const client = new Redis(server.url);
  t.teardown(() => client.quit());
  const { app, logs } = await buildApp({ teardown: () => {} }, { redis: client });
  t.match(logs.join(''), /"level":40.*queues commands while offline/, 'offline queue warned');
  const pair = await app.tokens.issue({ sub: 'shared' });
  t.equal((await app.inject({ url: '/me', headers: bearer(pair.accessToken) })).statusCode, 200);
  await app.close();

  t.equal(client.status, 'ready');
  t.equal(await client.ping(), 'PONG');
});

t.test('reuses fastify.redis from @fastify/redis', { skip }, async (t) => {
  const client = new Redis(server.url);
  t.teardown(() => client.quit());
  const { app } = await buildApp({ teardown: () => {} }, { store: 'redis' }, async (app) => {
    await app.register(fastifyRedis, { client });
  });
  const pair = await app.tokens.issue({ sub: 'registered' });
  await app.tokens.revoke(pair.accessToken);
  const res = await app.inject({ url: '/me', headers: bearer(pair.accessToken) });
  t.equal(res.json().code, 'FST_TA_TOKEN_REVOKED');
  t.match(await client.keys('*'), [/./], 'state lives in that Redis');
  await app.close();

  t.equal(client.status, 'ready');
});

t.test('names the namespaces when fastify.redis holds namespaced clients', { skip }, async (t) => {
  const app = Fastify();
  t.teardown(() => app.close());
  await app.register(fastifyRedis, { url: server.url, namespace: 'cache' });
  await app.register(fastifyRedis, { url: server.url, namespace: 'queue' });

  await t.rejects(async () => app.register(tokenizedAuth, { secret: SECRET, store: 'redis' }), {
    code: 'FST_TA_INVALID_OPTION',
    message:
      '"store" is "redis" but fastify.redis holds namespaced clients ("cache", "queue"): ' +
      'pass one as "redis"',
  });
});

t.test('uses a namespaced fastify.redis client passed as "redis"', { skip }, async (t) => {
  const app = Fastify();
  t.teardown(() => app.close());
  await app.register(fastifyRedis, { url: server.url, namespace: 'sessions' });
  await app.register(tokenizedAuth, { secret: SECRET, redis: app.redis['sessions'] });
  const pair = await app.tokens.issue({ sub: 'namespaced' });
  await app.tokens.revoke(pair.accessToken);

  t.match(await app.tokens.health(), { store: 'redis', ok: true });
  const keys = await app.redis['sessions']!.keys('*');
  t.ok(
    keys.some((key) => key.includes('{namespaced}')),
    'state lives in that client',
  );
});

t.test('shares revocations between two instances on one Redis', { skip }, async (t) => {
  const a = await buildApp(t, { redis: server.url });
  const b = await buildApp(t, { redis: server.url });
  const pair = await a.app.tokens.issue({ sub: 'two-nodes' });
  t.equal((await b.app.inject({ url: '/me', headers: bearer(pair.accessToken) })).statusCode, 200);
  await a.app.tokens.revoke(pair.accessToken);
  const res = await b.app.inject({ url: '/me', headers: bearer(pair.accessToken) });

  t.equal(res.json().code, 'FST_TA_TOKEN_REVOKED');
});

t.test('answers 503 promptly while Redis is stopped, then recovers', { skip }, async (t) => {
  const why = faultSkipReason(server);
  if (why) return t.plan(0, why);

  const { app } = await buildApp(t, { redis: server.url, storeTimeout: 200 });
  const pair = await app.tokens.issue({ sub: 'fault-stop' });
  const me = () => app.inject({ url: '/me', headers: bearer(pair.accessToken) });
  t.equal((await me()).statusCode, 200);

  await server.stop();
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const res = await me();
    const elapsed = performance.now() - started;
    t.equal(res.statusCode, 503, 'never 200 with the store down');
    t.equal(res.json().code, 'FST_TA_STORE_UNAVAILABLE');
    t.equal(res.headers['retry-after'], '5');
    t.ok(elapsed < 1000, `answered in ${Math.round(elapsed)} ms`);
  }
  t.match(await app.tokens.health(), { store: 'redis', ok: false, topology: 'single' });
  await t.rejects(app.tokens.issue({ sub: 'fault-stop' }), { code: 'FST_TA_STORE_UNAVAILABLE' });

  await server.start();
  t.equal(await waitForStatus(me, 401, 5000), 401, 'the restart lost the ledger');
  const fresh = await app.tokens.issue({ sub: 'fault-stop' });
  const res = await app.inject({ url: '/me', headers: bearer(fresh.accessToken) });
  t.equal(res.statusCode, 200, 'recovers without restarting Fastify');
});

t.test('starts with Redis down and serves once it is up', { skip }, async (t) => {
  const why = faultSkipReason(server);
  if (why) return t.plan(0, why);

  await server.stop();
  const started = performance.now();
  const { app, logs } = await buildApp(t, { redis: server.url, storeTimeout: 200 });
  t.ok(performance.now() - started < 3000, 'registration does not hang');
  t.match(logs.join(''), /"level":40.*unreachable at start-up/);
  await t.rejects(app.tokens.issue({ sub: 'late' }), { code: 'FST_TA_STORE_UNAVAILABLE' });

  await server.start();
  const issue = async () => {
    try {
      return { statusCode: 200, pair: await app.tokens.issue({ sub: 'late' }) };
    } catch {
      return { statusCode: 503 };
    }
  };
  t.equal(await waitForStatus(issue, 200, 5000), 200);
});

t.test('never answers 200 or 500 under load once Redis stops', { skip }, async (t) => {
  const why = faultSkipReason(server);
  if (why) return t.plan(0, why);

  const { app } = await buildApp(t, { redis: server.url, storeTimeout: 200 });
  const pair = await app.tokens.issue({ sub: 'fault-load' });
  const batch = () =>
    Promise.all(
      Array.from({ length: 20 }, () =>
        app.inject({ url: '/me', headers: bearer(pair.accessToken) }).then((r) => r.statusCode),
      ),
    );
  const during = batch();
  await server.stop();
  const inFlight = await during;
  const after = (await Promise.all([batch(), batch(), batch()])).flat();

  t.ok(
    inFlight.every((status) => status === 200 || status === 503),
    `in flight: ${inFlight}`,
  );
  t.same(new Set(after), new Set([503]), 'every request after the stop is refused');
});

t.test('answers 503 promptly while Redis is wedged', { skip }, async (t) => {
  const why = faultSkipReason(server);
  if (why) return t.plan(0, why);

  const { app } = await buildApp(t, { redis: server.url, storeTimeout: 150 });
  const pair = await app.tokens.issue({ sub: 'fault-pause' });
  server.pause();
  t.teardown(() => server.resume());
  const started = performance.now();
  const res = await app.inject({ url: '/me', headers: bearer(pair.accessToken) });
  const elapsed = performance.now() - started;
  server.resume();

  t.equal(res.statusCode, 503);
  t.ok(elapsed < 1000, `answered in ${Math.round(elapsed)} ms`);
});

t.test('keeps revoked tokens dead after a flush', { skip }, async (t) => {
  const why = faultSkipReason(server);
  if (why) return t.plan(0, why);

  const { app } = await buildApp(t, { redis: server.url });
  const revoked = await app.tokens.issue({ sub: 'flushed' });
  const kept = await app.tokens.issue({ sub: 'flushed' });
  await app.tokens.revoke(revoked.accessToken);
  await app.tokens.revoke(revoked.refreshToken);

  await server.flushall();
  const access = await app.inject({ url: '/me', headers: bearer(revoked.accessToken) });
  t.equal(access.statusCode, 401, 'revoked access token stays dead');
  t.equal(access.json().code, 'FST_TA_TOKEN_REVOKED');
  await t.rejects(app.tokens.refresh(revoked.refreshToken), { code: 'FST_TA_TOKEN_REVOKED' });
  const other = await app.inject({ url: '/me', headers: bearer(kept.accessToken) });
  t.equal(other.json().code, 'FST_TA_TOKEN_REVOKED', 'tokens from before the loss are refused');

  const fresh = await app.tokens.issue({ sub: 'flushed' });
  const res = await app.inject({ url: '/me', headers: bearer(fresh.accessToken) });
  t.equal(res.statusCode, 200, 'a new login works');
});

t.test('fails open on a stopped Redis only when asked', { skip }, async (t) => {
  const why = faultSkipReason(server);
  if (why) return t.plan(0, why);

  const { app, logs } = await buildApp(t, { redis: server.url, failOpen: true, storeTimeout: 150 });
  const pair = await app.tokens.issue({ sub: 'fail-open' });
  await server.stop();
  const res = await app.inject({ url: '/me', headers: bearer(pair.accessToken) });

  t.equal(res.statusCode, 200);
  t.match(logs.join(''), /"level":40.*revocation check skipped/);
});

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import t from 'tap';
import tokenizedAuth, { type TokenizedAuthOptions, type TokenPair } from '../../src/index.js';
import { SECRET } from '../helpers/app.js';
import { redisSkipReason, startRedisServer } from '../helpers/redis-server.js';

interface Reply {
  status: number;
  body: { code?: string; [name: string]: unknown };
}

/** One API instance as a load balancer would see it: only its address. */
interface Instance {
  name: string;
  call(method: 'GET' | 'POST', path: string, body?: unknown, token?: string): Promise<Reply>;
}

const GRACE_S = 0.2;

/**
 * A separate Fastify app with its own plugin registration and its own Redis connection (the
 * plugin opens it from the URL), listening on a real socket: nothing is shared but Redis.
 */
async function startInstance(
  name: string,
  redisUrl: string,
  extra: Partial<TokenizedAuthOptions> = {},
): Promise<Instance & { app: FastifyInstance }> {
  const app = Fastify();
  await app.register(tokenizedAuth, {
    secret: SECRET,
    store: 'redis',
    redis: redisUrl,
    refreshGrace: GRACE_S,
    ...extra,
  });
  app.post('/login', (request) => app.tokens.issue({ sub: (request.body as { sub: string }).sub }));
  app.get('/me', { onRequest: app.authenticate }, (request) => request.user);
  app.post('/refresh', (request) =>
    app.tokens.refresh((request.body as { refreshToken: string }).refreshToken),
  );
  app.post('/revoke', async (request) => {
    await app.tokens.revoke((request.body as { token: string }).token);

    return { ok: true };
  });
  app.post('/revoke-all', async (request) => {
    await app.tokens.revokeAll((request.body as { sub: string }).sub);

    return { ok: true };
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });

  const call: Instance['call'] = async (method, path, body, token) => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(`${address}${path}`, init);

    return { status: res.status, body: (await res.json()) as Reply['body'] };
  };

  return { name, app, call };
}

const skip = redisSkipReason();

if (skip) {
  t.plan(0, skip);
} else {
  const redis = await startRedisServer();
  t.teardown(() => redis.stop());
  const instances = await Promise.all(['a', 'b', 'c'].map((n) => startInstance(n, redis.url)));
  t.teardown(() => Promise.all(instances.map((instance) => instance.app.close())));
  const [a, b, c] = [instances[0]!, instances[1]!, instances[2]!];

  const login = async (via: Instance, sub = `user-${randomUUID()}`) => {
    const res = await via.call('POST', '/login', { sub });
    if (res.status !== 200) throw new Error(`login answered ${res.status}`);

    return { sub, pair: res.body as unknown as TokenPair };
  };

  /** Status and code of GET /me with `token` on every instance, in order a, b, c. */
  const meEverywhere = (token: string) =>
    Promise.all(
      instances.map(async (instance) => {
        const res = await instance.call('GET', '/me', undefined, token);

        return `${instance.name}:${res.status}:${res.body.code ?? 'ok'}`;
      }),
    );

  const revoked = [
    'a:401:FST_TA_TOKEN_REVOKED',
    'b:401:FST_TA_TOKEN_REVOKED',
    'c:401:FST_TA_TOKEN_REVOKED',
  ];
  const accepted = ['a:200:ok', 'b:200:ok', 'c:200:ok'];

  t.test('a token issued by one instance is accepted by all three', async (t) => {
    const { pair } = await login(a);

    t.same(await meEverywhere(pair.accessToken), accepted);
  });

  t.test('a revoke through one instance is refused by all three on the next request', async (t) => {
    const { sub, pair } = await login(a);
    const sibling = (await login(c, sub)).pair;
    t.same(await meEverywhere(pair.accessToken), accepted, 'accepted before the revoke');

    t.equal((await b.call('POST', '/revoke', { token: pair.accessToken })).status, 200);
    t.same(await meEverywhere(pair.accessToken), revoked);
    t.same(await meEverywhere(sibling.accessToken), accepted, 'the sibling token is untouched');
  });

  t.test('revoking a refresh token through one instance ends its family on all', async (t) => {
    const { pair } = await login(b);

    t.equal((await c.call('POST', '/revoke', { token: pair.refreshToken })).status, 200);
    t.same(await meEverywhere(pair.accessToken), revoked, 'the access token of the family');
    const rotate = await a.call('POST', '/refresh', { refreshToken: pair.refreshToken });
    t.equal(rotate.status, 401);
    t.equal(rotate.body.code, 'FST_TA_TOKEN_REVOKED');
  });

  t.test('revoke-all through one instance refuses every earlier token on all three', async (t) => {
    const { sub, pair } = await login(a);
    const second = (await login(b, sub)).pair;
    const bystander = (await login(c)).pair;

    t.equal((await c.call('POST', '/revoke-all', { sub })).status, 200);
    t.same(await meEverywhere(pair.accessToken), revoked);
    t.same(await meEverywhere(second.accessToken), revoked);
    t.same(await meEverywhere(bystander.accessToken), accepted, 'another subject is untouched');
    const after = (await login(b, sub)).pair;
    t.same(await meEverywhere(after.accessToken), accepted, 'a token issued after the cut-off');
  });

  t.test('refresh reuse on one instance kills the family on all three', async (t) => {
    const { pair } = await login(a);
    const rotated = await a.call('POST', '/refresh', { refreshToken: pair.refreshToken });
    t.equal(rotated.status, 200);
    const next = rotated.body as unknown as TokenPair;
    t.same(await meEverywhere(next.accessToken), accepted, 'the successor works everywhere');

    await sleep(GRACE_S * 1000 + 100);
    const replay = await b.call('POST', '/refresh', { refreshToken: pair.refreshToken });
    t.equal(replay.status, 401);
    t.equal(replay.body.code, 'FST_TA_REFRESH_REUSED');
    t.same(await meEverywhere(next.accessToken), revoked, 'the successor access token died');
    const successor = await c.call('POST', '/refresh', { refreshToken: next.refreshToken });
    t.equal(successor.body.code, 'FST_TA_TOKEN_REVOKED', 'the successor refresh token died');
  });

  t.test('concurrent refreshes of one token on three instances share one pair', async (t) => {
    const { pair } = await login(c);
    const results = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        instances[i % 3]!.call('POST', '/refresh', { refreshToken: pair.refreshToken }),
      ),
    );

    t.same(
      results.map((res) => res.status),
      Array(9).fill(200),
    );
    t.equal(new Set(results.map((res) => JSON.stringify(res.body))).size, 1, 'one successor');
  });

  t.test('revoke-all refuses a token issued earlier in the same millisecond', async (t) => {
    // Instances on one host share a clock, and a login answered less than a millisecond
    // before "log out everywhere" is processed is a real sequence under a fast load balancer
    // (the fault drill hit it). Freezing every instance's clock at one ms makes it certain.
    const frozen = Date.now();
    const names = ['d', 'e', 'f'];
    const fleet = await Promise.all(
      names.map((n) => startInstance(n, redis.url, { clock: () => frozen })),
    );
    t.teardown(() => Promise.all(fleet.map((instance) => instance.app.close())));
    const [d, e, f] = [fleet[0]!, fleet[1]!, fleet[2]!];
    const sub = `same-ms-${randomUUID()}`;
    const pair = (await d.call('POST', '/login', { sub })).body as unknown as TokenPair;
    t.equal((await f.call('GET', '/me', undefined, pair.accessToken)).status, 200);

    t.equal((await e.call('POST', '/revoke-all', { sub })).status, 200);
    const me = await f.call('GET', '/me', undefined, pair.accessToken);
    t.equal(me.status, 401, 'the token was issued before the revoke-all call');
    t.equal(me.body.code, 'FST_TA_TOKEN_REVOKED');

    // The revoking instance's clock moved past the cut-off: a login right after it, in the
    // same frozen ms, is valid everywhere.
    const fresh = (await e.call('POST', '/login', { sub })).body as unknown as TokenPair;
    t.equal((await d.call('GET', '/me', undefined, fresh.accessToken)).status, 200);
  });
}

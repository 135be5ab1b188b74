import { createTokenService } from '@tokenized-auth/core';
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TokenizedAuthOptions } from '../src/index.js';
import { bearer, buildApp, manualClock, SECRET } from './helpers/app.js';
import {
  clusterSkipReason,
  startRedisCluster,
  type RedisCluster,
} from './helpers/redis-cluster.js';
import { redisSkipReason, startRedisServer, type RedisServer } from './helpers/redis-server.js';

interface Variant {
  name: string;
  skip?: string | undefined;
  /** Options for one app, and a way to move past the grace window. */
  setup(): { options: Partial<TokenizedAuthOptions>; pastGrace(): Promise<void> };
}

let server: RedisServer | undefined;
let cluster: RedisCluster | undefined;
const redisSkip = redisSkipReason();
const clusterSkip = clusterSkipReason();

t.before(async () => {
  if (!redisSkip) server = await startRedisServer();
  // The rotation script touches a family's keys together: on a cluster they must share a slot.
  if (!clusterSkip) cluster = await startRedisCluster();
});
t.teardown(async () => {
  await server?.stop();
  await cluster?.stop();
});

const variants: Variant[] = [
  {
    name: 'memory store',
    setup() {
      const clock = manualClock();

      return {
        options: { clock: clock.now },
        pastGrace: async () => clock.advance(5001),
      };
    },
  },
  {
    name: 'redis store',
    skip: redisSkip,
    setup() {
      // Redis measures the window with its own TIME, so real time has to pass; a second is
      // wide enough for a loaded machine to fit two requests in.
      return {
        options: { redis: server!.url, refreshGrace: 1 },
        pastGrace: () => sleep(1100),
      };
    },
  },
  {
    name: 'redis cluster',
    skip: clusterSkip,
    setup() {
      return {
        options: { store: 'redis', redis: { cluster: cluster!.nodes }, refreshGrace: 1 },
        pastGrace: () => sleep(1100),
      };
    },
  },
];

async function refresh(app: Awaited<ReturnType<typeof buildApp>>['app'], refreshToken: string) {
  return app.inject({ method: 'POST', url: '/refresh', body: { refreshToken } });
}

for (const variant of variants) {
  t.test(variant.name, { skip: variant.skip }, async (t) => {
    t.test('refresh returns a new pair in the same family', async (t) => {
      const { options } = variant.setup();
      const { app } = await buildApp(t, options);
      const first = await app.tokens.issue({ sub: 'rot-1', plan: 'pro' });
      const res = await refresh(app, first.refreshToken);

      t.equal(res.statusCode, 200);
      const next = res.json();
      t.not(next.accessToken, first.accessToken);
      t.not(next.refreshToken, first.refreshToken);
      const me = await app.inject({ url: '/me', headers: bearer(next.accessToken) });
      const before = await app.inject({ url: '/me', headers: bearer(first.accessToken) });
      t.equal(me.json().fam, before.json().fam);
      t.equal(me.json().plan, 'pro', 'custom claims carry over');
    });

    t.test('reuse after the grace window revokes the family with its own code', async (t) => {
      const { options, pastGrace } = variant.setup();
      const { app } = await buildApp(t, options);
      const first = await app.tokens.issue({ sub: 'rot-2' });
      const next = (await refresh(app, first.refreshToken)).json();
      await pastGrace();
      const replay = await refresh(app, first.refreshToken);

      t.equal(replay.statusCode, 401);
      t.equal(replay.json().code, 'FST_TA_REFRESH_REUSED');
      t.equal(replay.headers['www-authenticate'], 'Bearer error="invalid_token"');
      const access = await app.inject({ url: '/me', headers: bearer(next.accessToken) });
      t.equal(access.json().code, 'FST_TA_TOKEN_REVOKED', 'newest access token is dead');
      const newest = await refresh(app, next.refreshToken);
      t.equal(newest.statusCode, 401, 'newest refresh token is dead');
      t.equal(newest.json().code, 'FST_TA_TOKEN_REVOKED');
    });

    t.test('a second refresh inside the grace window gets the same pair', async (t) => {
      const { options } = variant.setup();
      const { app } = await buildApp(t, options);
      const first = await app.tokens.issue({ sub: 'rot-3' });
      const a = await refresh(app, first.refreshToken);
      const b = await refresh(app, first.refreshToken);

      t.equal(b.statusCode, 200);
      t.same(b.json(), a.json());
      const me = await app.inject({ url: '/me', headers: bearer(a.json().accessToken) });
      t.equal(me.statusCode, 200, 'family stays alive');
    });

    t.test('grace covers only the immediate predecessor', async (t) => {
      const { options } = variant.setup();
      const { app } = await buildApp(t, options);
      const first = await app.tokens.issue({ sub: 'rot-4' });
      const second = (await refresh(app, first.refreshToken)).json();
      const third = await refresh(app, second.refreshToken);
      t.equal(third.statusCode, 200);
      const late = await refresh(app, first.refreshToken);

      t.equal(late.json().code, 'FST_TA_REFRESH_REUSED');
    });

    t.test('ten concurrent refreshes of one token all get the same pair', async (t) => {
      const { options } = variant.setup();
      const { app } = await buildApp(t, options);
      const first = await app.tokens.issue({ sub: 'rot-5' });
      const results = await Promise.all(
        Array.from({ length: 10 }, () => refresh(app, first.refreshToken)),
      );

      t.same(
        results.map((res) => res.statusCode),
        Array(10).fill(200),
      );
      const pairs = new Set(results.map((res) => res.body));
      t.equal(pairs.size, 1, 'one successor pair');
      const pair = results[0]!.json();
      t.equal(
        (await app.inject({ url: '/me', headers: bearer(pair.accessToken) })).statusCode,
        200,
      );
      t.equal((await refresh(app, pair.refreshToken)).statusCode, 200, 'successor redeemable');
    });

    t.test('an access token is refused where a refresh token is expected', async (t) => {
      const { options } = variant.setup();
      const { app } = await buildApp(t, options);
      const first = await app.tokens.issue({ sub: 'rot-6' });
      const res = await refresh(app, first.accessToken);

      t.equal(res.statusCode, 401);
      t.equal(res.json().code, 'FST_TA_TOKEN_INVALID');
    });

    t.test('the family revoked through a refresh token cannot rotate', async (t) => {
      const { options } = variant.setup();
      const { app } = await buildApp(t, options);
      const first = await app.tokens.issue({ sub: 'rot-7' });
      const logout = await app.inject({
        method: 'POST',
        url: '/logout',
        body: { token: first.refreshToken },
      });
      t.equal(logout.statusCode, 200);
      const res = await refresh(app, first.refreshToken);

      t.equal(res.json().code, 'FST_TA_TOKEN_REVOKED');
    });
  });
}

t.test('refuses to rotate a refresh token that has no family', async (t) => {
  const { app } = await buildApp(t);
  await app.tokens.issue({ sub: 'no-family' });
  // Same secret, so the core accepts it; only the plugin's own claims are missing.
  const core = createTokenService({ secret: SECRET });
  const res = await app.inject({
    method: 'POST',
    url: '/refresh',
    body: { refreshToken: core.createRefreshToken({ sub: 'no-family' }) },
  });

  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'FST_TA_TOKEN_INVALID');
});

import t, { type Test } from 'tap';
import { bearer, buildApp, manualClock } from './helpers/app.js';

// The plugin turns the core's verified-token cache on. These show that a token it has seen
// still answers to revocation, expiry and the request's own copy of the claims.

async function seenOnce(t: Test) {
  const clock = manualClock();
  const test = await buildApp(t, { clock: clock.now, accessTokenTtl: 60 });
  const pair = await test.app.tokens.issue({ sub: 'alice', roles: ['reader'] });
  const first = await test.app.inject({ url: '/me', headers: bearer(pair.accessToken) });
  t.equal(first.statusCode, 200, 'the first request verifies in full and fills the cache');

  return {
    ...test,
    clock,
    pair,
    me: () => test.app.inject({ url: '/me', headers: bearer(pair.accessToken) }),
  };
}

t.test('a token seen before is refused once revoked, by jti, family or subject', async (t) => {
  for (const revoke of ['access', 'refresh', 'all'] as const) {
    const { app, pair, me } = await seenOnce(t);
    t.equal((await me()).statusCode, 200, 'served from the cache');

    if (revoke === 'access') await app.tokens.revoke(pair.accessToken);
    if (revoke === 'refresh') await app.tokens.revoke(pair.refreshToken);
    if (revoke === 'all') await app.tokens.revokeAll('alice');

    const res = await me();
    t.equal(res.statusCode, 401, `revoked through ${revoke}`);
    t.equal(res.json().code, 'FST_TA_TOKEN_REVOKED');
  }
});

t.test('a token seen before still expires', async (t) => {
  const { clock, me } = await seenOnce(t);
  clock.advance(64_000);
  t.equal((await me()).statusCode, 200, 'inside the 5 s leeway');
  clock.advance(1_000);
  const res = await me();
  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'FST_TA_TOKEN_EXPIRED');
});

t.test('what one request does to request.user never reaches the next', async (t) => {
  const { app } = await buildApp(t, {}, (app) => {
    app.get('/mutate', { onRequest: app.authenticate }, (request) => {
      const user = request.user as unknown as { roles: string[]; sub: string };
      user.roles.push('admin');
      user.sub = 'mallory';

      return user;
    });
  });
  const pair = await app.tokens.issue({ sub: 'alice', roles: ['reader'] });

  await app.inject({ url: '/mutate', headers: bearer(pair.accessToken) });
  await app.inject({ url: '/mutate', headers: bearer(pair.accessToken) });
  const res = await app.inject({ url: '/me', headers: bearer(pair.accessToken) });
  t.same([res.json().sub, res.json().roles], ['alice', ['reader']]);
});

t.test('the cache is on by default and accessTokenCache: 0 turns it off', async (t) => {
  const reads: Record<string, number> = {};

  for (const [name, options] of [
    ['default', {}],
    ['off', { accessTokenCache: 0 }],
  ] as const) {
    let count = 0;
    const now = Date.now();
    const { app } = await buildApp(t, { ...options, clock: () => (count++, now) });
    const pair = await app.tokens.issue({ sub: 'alice' });
    await app.inject({ url: '/me', headers: bearer(pair.accessToken) });
    count = 0;
    t.equal((await app.inject({ url: '/me', headers: bearer(pair.accessToken) })).statusCode, 200);
    reads[name] = count;
  }

  // A hit skips the outer layer's own clock read; nothing else in a request differs.
  t.ok(reads.default! < reads.off!, `clock reads per request: ${JSON.stringify(reads)}`);
});

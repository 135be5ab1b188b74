import Fastify from 'fastify';
import t from 'tap';
import tokenizedAuth from '../src/index.js';
import { bearer, buildApp, manualClock, SECRET } from './helpers/app.js';

t.test('the memory store warns that a restart signs every user out', async (t) => {
  const { logs } = await buildApp(t);
  const warnings = logs.map((line) => JSON.parse(line)).filter((line) => line.level === 40);

  t.equal(warnings.length, 1);
  t.match(warnings[0], { store: 'memory', msg: /a restart signs every user out/ });
  t.match(warnings[0].msg, /other instances refuse this one's tokens/);
});

t.test('a restart on the memory store refuses every token issued before it', async (t) => {
  const clock = manualClock();
  const before = await buildApp({ teardown: () => {} }, { clock: clock.now });
  const pair = await before.app.tokens.issue({ sub: 'restarted' });
  await before.app.close();

  clock.advance(1000);
  const { app } = await buildApp(t, { clock: clock.now });
  const res = await app.inject({ url: '/me', headers: bearer(pair.accessToken) });
  t.equal(res.json().code, 'FST_TA_TOKEN_REVOKED', 'not revoked, but signed out');
  await t.rejects(app.tokens.refresh(pair.refreshToken), { code: 'FST_TA_TOKEN_REVOKED' });
});

t.test(
  'two instances on their own memory stores refuse each other and miss revocations',
  async (t) => {
    const clock = manualClock();
    const a = await buildApp(t, { clock: clock.now });
    const b = await buildApp(t, { clock: clock.now });
    const fromA = await a.app.tokens.issue({ sub: 'balanced' });
    const me = (app: typeof a.app, token: string) =>
      app.inject({ url: '/me', headers: bearer(token) });
    t.equal((await me(b.app, fromA.accessToken)).json().code, 'FST_TA_TOKEN_REVOKED');

    // Once the subject logged in on B too, B accepts A's later tokens, but not A's revocations.
    await b.app.tokens.issue({ sub: 'balanced' });
    clock.advance(1000);
    const later = await a.app.tokens.issue({ sub: 'balanced' });
    await a.app.tokens.revoke(later.accessToken);
    t.equal((await me(a.app, later.accessToken)).json().code, 'FST_TA_TOKEN_REVOKED');
    t.equal((await me(b.app, later.accessToken)).statusCode, 200, 'the revocation stayed on A');
  },
);

t.test('says so when fastify.redis is something other than a client', async (t) => {
  const app = Fastify();
  t.teardown(() => app.close());
  // A mistake such as decorating the connection options instead of a client.
  app.decorate('redis', { url: 'redis://localhost' } as never);

  await t.rejects(async () => app.register(tokenizedAuth, { secret: SECRET, store: 'redis' }), {
    code: 'FST_TA_INVALID_OPTION',
    message: '"store" is "redis" but fastify.redis is not an ioredis client',
  });
});

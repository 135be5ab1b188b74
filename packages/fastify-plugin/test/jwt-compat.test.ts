import fastifyJwt from '@fastify/jwt';
import Fastify from 'fastify';
import t from 'tap';
import tokenizedAuth from '../src/index.js';
import { bearer, buildApp, manualClock, SECRET } from './helpers/app.js';

t.test('jwtVerify accepts our tokens and sets request.user', async (t) => {
  const { app } = await buildApp(t);
  const pair = await app.tokens.issue({ sub: 'jwt-user' });
  const res = await app.inject({ url: '/jwt', headers: bearer(pair.accessToken) });

  t.equal(res.statusCode, 200);
  t.equal(res.json().sub, 'jwt-user');
});

t.test('jwtVerify applies the revocation check', async (t) => {
  const { app } = await buildApp(t);
  const pair = await app.tokens.issue({ sub: 'jwt-user' });
  await app.tokens.revoke(pair.accessToken);
  const res = await app.inject({ url: '/jwt', headers: bearer(pair.accessToken) });

  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'FST_TA_TOKEN_REVOKED');
});

t.test('jwtVerify applies the same claim policy as verifyToken', async (t) => {
  const { app } = await buildApp(t);
  const pair = await app.tokens.issue({ sub: 'jwt-user' });
  for (const token of [pair.refreshToken, `${pair.accessToken}x`, 'a.b.c']) {
    const viaJwt = await app.inject({ url: '/jwt', headers: bearer(token) });
    const viaVerify = await app.inject({ url: '/verify', headers: bearer(token) });
    t.equal(viaJwt.statusCode, 401);
    t.same(viaJwt.json(), viaVerify.json());
  }
});

t.test('jwtVerify ignores per-call options that would relax the policy', async (t) => {
  const clock = manualClock();
  const { app } = await buildApp(t, { clock: clock.now, accessTokenTtl: 60 }, (app) => {
    app.get('/lenient', (request) => request.jwtVerify({ ignoreExpiration: true, maxAge: 1e9 }));
  });
  const pair = await app.tokens.issue({ sub: 'jwt-user' });
  const lenient = () => app.inject({ url: '/lenient', headers: bearer(pair.accessToken) });
  t.equal((await lenient()).statusCode, 200, 'the token is valid but for its age');

  clock.advance(120_000);
  const res = await lenient();
  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'FST_TA_TOKEN_EXPIRED', '"ignoreExpiration" did not apply');
});

t.test('jwtVerify supports the callback style', async (t) => {
  const { app } = await buildApp(t, {}, (app) => {
    app.get('/callback', (request, reply) => {
      request.jwtVerify((error, user) => {
        if (error) return reply.send(error);

        return reply.send({ user, same: user === request.user });
      });
    });
  });
  const pair = await app.tokens.issue({ sub: 'cb-user' });
  const ok = await app.inject({ url: '/callback', headers: bearer(pair.accessToken) });
  t.equal(ok.json().user.sub, 'cb-user');
  t.equal(ok.json().same, true);
  const missing = await app.inject({ url: '/callback' });
  t.equal(missing.json().code, 'FST_TA_NO_TOKEN');
});

t.test('refuses registration next to @fastify/jwt unless jwtCompat is off', async (t) => {
  const clash = Fastify();
  t.teardown(() => clash.close());
  await clash.register(fastifyJwt, { secret: SECRET });
  await t.rejects(async () => clash.register(tokenizedAuth, { secret: SECRET }), {
    code: 'FST_TA_INVALID_OPTION',
    message: /"jwtCompat"/,
  });

  const side = Fastify();
  t.teardown(() => side.close());
  await side.register(fastifyJwt, { secret: SECRET });
  await side.register(tokenizedAuth, { secret: SECRET, jwtCompat: false });
  await side.ready();
  t.equal(typeof side.tokens.issue, 'function');
});

t.test('does not decorate jwtVerify when jwtCompat is off', async (t) => {
  const app = Fastify();
  t.teardown(() => app.close());
  await app.register(tokenizedAuth, { secret: SECRET, jwtCompat: false });
  await app.ready();

  t.equal(app.hasRequestDecorator('jwtVerify'), false);
  t.equal(app.hasRequestDecorator('verifyToken'), true);
});

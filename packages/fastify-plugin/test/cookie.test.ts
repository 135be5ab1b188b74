import cookie from '@fastify/cookie';
import t from 'tap';
import { bearer, buildApp } from './helpers/app.js';

async function cookieApp(t: { teardown(fn: () => unknown): void }) {
  const built = await buildApp(t, { cookie: { name: 'access' } }, async (app) => {
    await app.register(cookie);
  });
  const pair = await built.app.tokens.issue({ sub: 'cookie-user' });

  return { ...built, token: pair.accessToken };
}

t.test('reads the token from the configured cookie', async (t) => {
  const { app, token } = await cookieApp(t);
  const res = await app.inject({ url: '/me', cookies: { access: token } });

  t.equal(res.statusCode, 200);
  t.equal(res.json().sub, 'cookie-user');
});

t.test('lets a bearer header win over the cookie', async (t) => {
  const { app, token } = await cookieApp(t);
  const headerWins = await app.inject({
    url: '/me',
    headers: bearer(`${token.slice(0, -2)}AA`),
    cookies: { access: token },
  });
  t.equal(headerWins.statusCode, 401, 'a bad header is not rescued by a good cookie');
  t.equal(headerWins.json().code, 'FST_TA_TOKEN_INVALID');

  const goodHeader = await app.inject({
    url: '/me',
    headers: bearer(token),
    cookies: { access: 'garbage' },
  });
  t.equal(goodHeader.statusCode, 200, 'a bad cookie is ignored when the header is good');
});

t.test('a revoked or unreadable bearer header is never rescued by a valid cookie', async (t) => {
  const { app, token } = await cookieApp(t);
  const revoked = (await app.tokens.issue({ sub: 'cookie-user' })).accessToken;
  await app.tokens.revoke(revoked);

  const revokedHeader = await app.inject({
    url: '/me',
    headers: bearer(revoked),
    cookies: { access: token },
  });
  t.equal(revokedHeader.json().code, 'FST_TA_TOKEN_REVOKED', 'the header decides');

  const twoTokens = await app.inject({
    url: '/me',
    headers: { authorization: `Bearer ${token} ${token}` },
    cookies: { access: token },
  });
  t.equal(twoTokens.statusCode, 400);
  t.equal(twoTokens.json().code, 'FST_TA_BAD_REQUEST');

  const emptyBearer = await app.inject({
    url: '/me',
    headers: { authorization: 'Bearer' },
    cookies: { access: token },
  });
  t.equal(emptyBearer.json().code, 'FST_TA_BAD_REQUEST');
});

t.test('reads the cookie when the header uses another scheme', async (t) => {
  const { app, token } = await cookieApp(t);
  const res = await app.inject({
    url: '/me',
    headers: { authorization: 'Basic YTpi' },
    cookies: { access: token },
  });

  t.equal(res.statusCode, 200);
});

t.test('treats an empty cookie as no credentials', async (t) => {
  const { app } = await cookieApp(t);
  const res = await app.inject({ url: '/me', cookies: { access: '' } });

  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'FST_TA_NO_TOKEN');
});

t.test('applies the length cap and character rules to the cookie', async (t) => {
  const { app } = await cookieApp(t);
  const long = await app.inject({ url: '/me', cookies: { access: 'a'.repeat(9000) } });
  t.equal(long.json().code, 'FST_TA_TOKEN_INVALID');
  const spaced = await app.inject({ url: '/me', headers: { cookie: 'access="a b"' } });
  t.equal(spaced.statusCode, 400);
  t.equal(spaced.json().code, 'FST_TA_BAD_REQUEST');
});

t.test('ignores cookies unless the option is set', async (t) => {
  const { app } = await buildApp(t, {}, async (app) => {
    await app.register(cookie);
  });
  const pair = await app.tokens.issue({ sub: 'no-cookie' });
  const res = await app.inject({ url: '/me', cookies: { access: pair.accessToken } });

  t.equal(res.json().code, 'FST_TA_NO_TOKEN');
});

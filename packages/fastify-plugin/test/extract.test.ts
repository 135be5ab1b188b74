import t, { type Test } from 'tap';
import { bearer, buildApp } from './helpers/app.js';

async function issued(t: Test) {
  const built = await buildApp(t);
  const pair = await built.app.tokens.issue({ sub: 'alice' });

  return { ...built, token: pair.accessToken };
}

t.test('accepts the bearer scheme in any letter case', async (t) => {
  const { app, token } = await issued(t);
  for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
    const res = await app.inject({ url: '/me', headers: { authorization: `${scheme} ${token}` } });
    t.equal(res.statusCode, 200, scheme);
    t.equal(res.json().sub, 'alice');
  }
});

t.test('accepts several spaces between the scheme and the token', async (t) => {
  const { app, token } = await issued(t);
  const res = await app.inject({ url: '/me', headers: { authorization: `Bearer    ${token}` } });

  t.equal(res.statusCode, 200);
});

t.test('answers 401 with a bare challenge when no credentials are sent', async (t) => {
  const { app } = await buildApp(t);
  const res = await app.inject({ url: '/me' });

  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'FST_TA_NO_TOKEN');
  t.equal(res.headers['www-authenticate'], 'Bearer');
  t.same(Object.keys(res.json()).sort(), ['code', 'error', 'message', 'statusCode']);
});

t.test('treats another scheme as no bearer credentials', async (t) => {
  const { app } = await buildApp(t);
  const res = await app.inject({ url: '/me', headers: { authorization: 'Basic YWxpY2U6cHc=' } });

  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'FST_TA_NO_TOKEN');
});

t.test('rejects two tokens in one header as a bad request', async (t) => {
  const { app, token } = await issued(t);
  const res = await app.inject({
    url: '/me',
    headers: { authorization: `Bearer ${token} ${token}` },
  });

  t.equal(res.statusCode, 400);
  t.equal(res.json().code, 'FST_TA_BAD_REQUEST');
  t.equal(res.headers['www-authenticate'], 'Bearer error="invalid_request"');
});

t.test('rejects a bearer header without a token', async (t) => {
  const { app } = await buildApp(t);
  for (const authorization of ['Bearer', 'Bearer ', 'bearer    ']) {
    const res = await app.inject({ url: '/me', headers: { authorization } });
    t.equal(res.statusCode, 400, JSON.stringify(authorization));
    t.equal(res.json().code, 'FST_TA_BAD_REQUEST');
  }
});

t.test('rejects a tab or characters outside b64token', async (t) => {
  const { app, token } = await issued(t);
  for (const authorization of [`Bearer\t${token}`, `Bearer ${token}$`, `Bearer ${token}=x`]) {
    const res = await app.inject({ url: '/me', headers: { authorization } });
    t.equal(res.statusCode, 400, JSON.stringify(authorization.slice(0, 8)));
    t.equal(res.json().code, 'FST_TA_BAD_REQUEST');
  }
});

t.test('rejects duplicate authorization values handed over as an array', async (t) => {
  const { app, token } = await issued(t);
  const res = await app.inject({
    url: '/me',
    headers: { authorization: [`Bearer ${token}`, `Bearer ${token}`] as unknown as string },
  });

  t.equal(res.statusCode, 400);
  t.equal(res.json().code, 'FST_TA_BAD_REQUEST');
});

t.test('refuses a token over the length cap before decoding it', async (t) => {
  const { app, logs } = await buildApp(t, { maxTokenLength: 200 });
  const res = await app.inject({ url: '/me', headers: bearer('a'.repeat(201)) });

  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'FST_TA_TOKEN_INVALID');
  t.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"');
  t.match(logs.join(''), /"reason":"token too large"/);
});

t.test('refuses a huge authorization header before parsing it', async (t) => {
  const { app, logs } = await buildApp(t, { maxTokenLength: 200 });
  const res = await app.inject({
    url: '/me',
    headers: { authorization: `Bearer ${'a b'.repeat(200)}` },
  });

  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'FST_TA_TOKEN_INVALID');
  t.match(logs.join(''), /"reason":"token too large"/);
});

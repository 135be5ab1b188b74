import t, { type Test } from 'tap';
import { request } from 'undici';
import { startApi, testConfig, type CallOptions, type RunningApi } from './helpers/http.js';

const PASSWORD = 'correct horse battery';

let api: RunningApi;
let accessToken: string;

t.before(async () => {
  api = await startApi(testConfig({ LOGIN_RATE_LIMIT: '1000' }));
  await api.call('POST', '/auth/register', { json: { username: 'alice', password: PASSWORD } });
  const login = await api.call('POST', '/auth/login', {
    json: { username: 'alice', password: PASSWORD },
  });
  accessToken = login.body.accessToken;
});

t.teardown(() => api.close());

async function expect400(t: Test, path: string, options: CallOptions, message: RegExp) {
  const response = await api.call('POST', path, options);

  t.equal(response.status, 400, `${path} ${JSON.stringify(options.json ?? options.raw)}`);
  t.match(response.body.code, /^FST_ERR_(VALIDATION|CTP_)/);
  t.match(response.body.message, message);
}

for (const path of ['/auth/register', '/auth/login']) {
  t.test(`${path} refuses wrong types, missing and unknown fields`, async (t) => {
    const cases: Array<[unknown, RegExp]> = [
      [{ username: 'alice' }, /^body must have required property "password"$/],
      [{ password: PASSWORD }, /^body must have required property "username"$/],
      [{ username: 42, password: PASSWORD }, /^body\.username must be string$/],
      [{ username: 'alice', password: 12345678 }, /^body\.password must be string$/],
      [{ username: 'alice', password: PASSWORD, admin: true }, /unknown property "admin"/],
      [{ username: 'al', password: PASSWORD }, /^body\.username must NOT have fewer than 3/],
      [{ username: 'al ice', password: PASSWORD }, /^body\.username must match pattern/],
      [{ username: 'alice', password: 'short' }, /^body\.password must NOT have fewer than 8/],
      [[{ username: 'alice', password: PASSWORD }], /^body must be object$/],
      ['alice', /^body must be object$/],
      [null, /^body must be object$/],
    ];

    for (const [json, message] of cases) await expect400(t, path, { json }, message);
  });

  t.test(`${path} refuses bodies that are not JSON`, async (t) => {
    const garbage = { raw: '{"username": "alice", "password": ', contentType: 'application/json' };

    await expect400(t, path, garbage, /not valid JSON/);
    await expect400(t, path, { raw: '', contentType: 'application/json' }, /cannot be empty/);
    await expect400(t, path, { raw: 'username=alice', contentType: 'text/plain' }, /object/);
    await expect400(t, path, {}, /^body must be object$/);

    const form = await api.call('POST', path, {
      raw: 'username=alice&password=x',
      contentType: 'application/x-www-form-urlencoded',
    });

    t.equal(form.status, 415);
    t.equal(form.body.code, 'FST_ERR_CTP_INVALID_MEDIA_TYPE');
  });

  t.test(`${path} answers 413 to an oversized body`, async (t) => {
    const response = await api.call('POST', path, {
      json: { username: 'alice', password: 'x'.repeat(2000) },
    });

    t.equal(response.status, 413);
    t.equal(response.body.code, 'FST_ERR_CTP_BODY_TOO_LARGE');
  });
}

t.test('/auth/refresh refuses bad bodies and bad tokens', async (t) => {
  await expect400(t, '/auth/refresh', { json: {} }, /required property "refreshToken"/);
  await expect400(t, '/auth/refresh', { json: { refreshToken: 7 } }, /must be string/);
  await expect400(t, '/auth/refresh', { json: { refreshToken: '' } }, /fewer than 1/);
  await expect400(
    t,
    '/auth/refresh',
    { json: { refreshToken: 'x', accessToken: 'y' } },
    /unknown property "accessToken"/,
  );
  await expect400(t, '/auth/refresh', { raw: '{', contentType: 'application/json' }, /JSON/);

  const tooLong = await api.call('POST', '/auth/refresh', {
    json: { refreshToken: 'x'.repeat(8500) },
  });

  t.equal(tooLong.status, 400);
  t.match(tooLong.body.message, /must NOT have more than 8192/);

  const oversized = await api.call('POST', '/auth/refresh', {
    json: { refreshToken: 'x'.repeat(20_000) },
  });

  t.equal(oversized.status, 413);
  t.equal(oversized.body.code, 'FST_ERR_CTP_BODY_TOO_LARGE');

  const forged = await api.call('POST', '/auth/refresh', { json: { refreshToken: 'abc.def' } });

  t.equal(forged.status, 401);
  t.match(forged.body.code, /^FST_TA_TOKEN_/);

  const access = await api.call('POST', '/auth/refresh', { json: { refreshToken: accessToken } });

  t.equal(access.status, 401, 'an access token is not a refresh token');
});

t.test('/auth/logout wants a bearer token and a well-formed optional body', async (t) => {
  const anonymous = await api.call('POST', '/auth/logout', { json: {} });

  t.equal(anonymous.status, 401);
  t.equal(anonymous.body.code, 'FST_TA_NO_TOKEN');

  const token = accessToken;
  await expect400(t, '/auth/logout', { token, json: { refreshToken: 1 } }, /must be string/);
  await expect400(t, '/auth/logout', { token, json: { all: true } }, /unknown property "all"/);
  await expect400(t, '/auth/logout', { token, raw: 'x', contentType: 'application/json' }, /JSON/);

  const oversized = await api.call('POST', '/auth/logout', {
    token,
    json: { refreshToken: 'x'.repeat(20_000) },
  });

  t.equal(oversized.status, 413);

  const forged = await api.call('POST', '/auth/logout', {
    token,
    json: { refreshToken: 'abc.def' },
  });

  t.equal(forged.status, 401);
  t.match(forged.body.code, /^FST_TA_TOKEN_/);

  const after = await api.call('GET', '/me', { token });

  t.equal(after.status, 401, 'the access token was revoked before the bad refresh token');
  t.equal(after.body.code, 'FST_TA_TOKEN_REVOKED');
});

t.test('/auth/logout-all takes no body or an empty object, nothing else', async (t) => {
  // Its own user: the 204s below revoke every token of the user they belong to.
  const json = { username: 'bob', password: PASSWORD };
  await api.call('POST', '/auth/register', { json });
  const signIn = async (): Promise<string> =>
    (await api.call('POST', '/auth/login', { json })).body.accessToken;

  const token = await signIn();
  const cases: Array<[CallOptions, RegExp]> = [
    [{ json: { all: true } }, /^body has unknown property "all"$/],
    [{ json: { refreshToken: 'x' } }, /^body has unknown property "refreshToken"$/],
    [{ json: [] }, /^body must be object$/],
    [{ json: null }, /^body must be object$/],
    [{ json: 'everything' }, /^body must be object$/],
    [{ raw: '{', contentType: 'application/json' }, /not valid JSON/],
    [{ raw: 'all', contentType: 'text/plain' }, /^body must be object$/],
  ];

  for (const [options, message] of cases) {
    await expect400(t, '/auth/logout-all', { token, ...options }, message);
  }

  const oversized = await api.call('POST', '/auth/logout-all', {
    token,
    json: { pad: 'x'.repeat(2000) },
  });

  t.equal(oversized.status, 413);
  t.equal(oversized.body.code, 'FST_ERR_CTP_BODY_TOO_LARGE');
  t.equal((await api.call('GET', '/me', { token })).status, 200, 'no refused call logged out');

  const bare = await api.call('POST', '/auth/logout-all', { token });

  t.equal(bare.status, 204, 'no body');
  t.equal((await api.call('GET', '/me', { token })).status, 401);

  const empty = await api.call('POST', '/auth/logout-all', { token: await signIn(), json: {} });

  t.equal(empty.status, 204, 'an empty object');
});

t.test('/auth/logout-all and /me refuse requests without a usable bearer token', async (t) => {
  const cases: Array<['GET' | 'POST', string, CallOptions]> = [
    ['POST', '/auth/logout-all', {}],
    ['POST', '/auth/logout-all', { headers: { authorization: 'Basic YWxpY2U6eA==' } }],
    ['GET', '/me', {}],
    ['GET', '/me', { token: `${accessToken}x` }],
    ['GET', '/me', { headers: { authorization: `Token ${accessToken}` } }],
  ];

  for (const [method, path, options] of cases) {
    const response = await api.call(method, path, options);

    t.ok([400, 401].includes(response.status), `${path}: ${response.status}`);
    t.match(response.body.code, /^FST_TA_/);
  }
});

t.test('refuses two authorization headers, which only a real socket can carry', async (t) => {
  const bearer = `Bearer ${accessToken}`;
  const response = await request(`${api.url}/me`, {
    headers: ['authorization', bearer, 'authorization', bearer],
  });
  const body = (await response.body.json()) as { code: string };

  t.equal(response.statusCode, 400);
  t.equal(body.code, 'FST_TA_BAD_REQUEST');
});

t.test('the 400 message never echoes the value sent', async (t) => {
  const secret = 'hunter2-but-longer-than-256'.repeat(10);
  const response = await api.call('POST', '/auth/login', {
    json: { username: 'alice', password: secret },
  });

  t.equal(response.status, 400);
  t.notMatch(response.text, 'hunter2');
});

t.test('answers 429 once a client exceeds the login limit', async (t) => {
  const limited = await startApi(testConfig({ LOGIN_RATE_LIMIT: '3' }));
  t.teardown(() => limited.close());

  const json = { username: 'nobody', password: PASSWORD };
  const statuses: number[] = [];
  for (let attempt = 0; attempt < 4; attempt++) {
    statuses.push((await limited.call('POST', '/auth/login', { json })).status);
  }

  t.same(statuses, [401, 401, 401, 429]);

  const blocked = await limited.call('POST', '/auth/login', { json });

  t.equal(blocked.status, 429);
  t.equal(blocked.body.code, 'APP_RATE_LIMITED');
  t.match(blocked.body.message, /^too many attempts, retry in/);
  t.ok(Number(blocked.headers['retry-after']) > 0);

  const register = await limited.call('POST', '/auth/register', { json });

  t.equal(register.status, 201, 'other routes are not limited');
});

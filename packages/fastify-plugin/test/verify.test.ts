import { createOuterSigner, createTokenService } from '@tokenized-auth/core';
import fc from 'fast-check';
import t from 'tap';
import { createMemoryStore, type RevocationStore } from '../src/index.js';
import { bearer, buildApp, manualClock, SECRET } from './helpers/app.js';

t.test(
  'sets request.user from a valid token, with the family and ms issuance claims',
  async (t) => {
    const { app } = await buildApp(t);
    const pair = await app.tokens.issue({ sub: 'alice', role: 'admin' });
    const res = await app.inject({ url: '/me', headers: bearer(pair.accessToken) });

    t.equal(res.statusCode, 200);
    const user = res.json();
    t.match(user, { sub: 'alice', role: 'admin', typ: 'access' });
    t.type(user.fam, 'string');
    t.equal(Math.floor(user.iat_ms / 1000), user.iat);
    t.same(Object.keys(pair).sort(), ['accessToken', 'expiresIn', 'refreshToken', 'tokenType']);
    t.equal(pair.tokenType, 'Bearer');
    t.equal(pair.expiresIn, 900);
  },
);

t.test('verifyToken returns the claims and can verify a token given explicitly', async (t) => {
  const { app } = await buildApp(t, {}, (app) => {
    app.post('/explicit', async (request) => {
      const claims = await request.verifyToken({ token: (request.body as { t: string }).t });

      return { claims, user: request.user };
    });
  });
  const pair = await app.tokens.issue({ sub: 'bob' });
  const res = await app.inject({ method: 'POST', url: '/explicit', body: { t: pair.accessToken } });

  t.equal(res.statusCode, 200);
  t.equal(res.json().claims.sub, 'bob');
  t.same(res.json().claims, res.json().user);
});

t.test('rejects a revoked access token with its own code', async (t) => {
  const { app } = await buildApp(t);
  const pair = await app.tokens.issue({ sub: 'alice' });
  await app.tokens.revoke(pair.accessToken);
  const res = await app.inject({ url: '/me', headers: bearer(pair.accessToken) });

  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'FST_TA_TOKEN_REVOKED');
  t.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"');
});

t.test('refuses other spellings of a revoked token: same JWT, another outer layer', async (t) => {
  const keys = {
    accessSecret: 'access-secret-for-the-respelling-test-0123456789',
    refreshSecret: 'refresh-secret-for-the-respelling-test-0123456789',
    outerSecret: 'outer-secret-for-the-respelling-test-0123456789ab',
  };
  const clock = manualClock(Date.UTC(2026, 11, 3, 12, 0, 0, 0));
  const { app } = await buildApp(t, { secret: undefined, ...keys, clock: clock.now });
  const pair = await app.tokens.issue({ sub: 'respelled' });
  clock.advance(2000);
  // What an attacker holding the outer key, or a second issuer sharing it, could produce.
  const outer = (compress: boolean) =>
    createOuterSigner({ secretKeys: keys.outerSecret, clock: clock.now, compress });
  const jwt = outer(false).verify(pair.accessToken) as string;
  const spellings = [outer(false).sign(jwt), outer(true).sign(jwt)];
  const me = (token: string) => app.inject({ url: '/me', headers: bearer(token) });

  t.equal(new Set([pair.accessToken, ...spellings]).size, 3, 'three spellings of one JWT');
  for (const token of spellings) {
    t.equal((await me(token)).statusCode, 200, 'a valid spelling while not revoked');
  }

  await app.tokens.revoke(pair.accessToken);
  for (const token of spellings) {
    t.equal((await me(token)).json().code, 'FST_TA_TOKEN_REVOKED', 'revoked by jti, not by text');
  }
});

t.test('revoking an access token leaves its refresh token usable', async (t) => {
  const { app } = await buildApp(t);
  const pair = await app.tokens.issue({ sub: 'alice' });
  await app.tokens.revoke(pair.accessToken);
  const res = await app.inject({
    method: 'POST',
    url: '/refresh',
    body: { refreshToken: pair.refreshToken },
  });

  t.equal(res.statusCode, 200);
});

t.test('revoking a refresh token kills its family, access token included', async (t) => {
  const { app } = await buildApp(t);
  const pair = await app.tokens.issue({ sub: 'alice' });
  const other = await app.tokens.issue({ sub: 'alice' });
  await app.tokens.revoke(pair.refreshToken);

  const access = await app.inject({ url: '/me', headers: bearer(pair.accessToken) });
  t.equal(access.json().code, 'FST_TA_TOKEN_REVOKED');
  await t.rejects(app.tokens.refresh(pair.refreshToken), { code: 'FST_TA_TOKEN_REVOKED' });
  const untouched = await app.inject({ url: '/me', headers: bearer(other.accessToken) });
  t.equal(untouched.statusCode, 200);
});

t.test(
  'revokeAll kills earlier tokens and spares one issued later in the same second',
  async (t) => {
    const start = Date.UTC(2026, 11, 3, 12, 0, 0, 100);
    const clock = manualClock(start);
    const { app } = await buildApp(t, { clock: clock.now });
    const before = await app.tokens.issue({ sub: 'carol' });
    const otherSubject = await app.tokens.issue({ sub: 'dave' });
    clock.advance(10);
    await app.tokens.revokeAll('carol');
    clock.advance(10);
    const after = await app.tokens.issue({ sub: 'carol' });

    const old = await app.inject({ url: '/me', headers: bearer(before.accessToken) });
    t.equal(old.json().code, 'FST_TA_TOKEN_REVOKED');
    await t.rejects(app.tokens.refresh(before.refreshToken), { code: 'FST_TA_TOKEN_REVOKED' });
    const fresh = await app.inject({ url: '/me', headers: bearer(after.accessToken) });
    t.equal(fresh.statusCode, 200);
    t.equal(fresh.json().iat, Math.floor(start / 1000), 'issued in the same second as the cut-off');
    const dave = await app.inject({ url: '/me', headers: bearer(otherSubject.accessToken) });
    t.equal(dave.statusCode, 200);
  },
);

t.test('a rejected request never reaches its handler, even with an async onSend', async (t) => {
  let reached = 0;
  // An async onSend keeps the rejection's reply open across a tick: only the guard's returned
  // reply stops Fastify from going on to the route's later hooks and its handler meanwhile.
  const { app } = await buildApp(t, {}, (app) => {
    app.addHook('onSend', async (_request, _reply, payload) => {
      await new Promise((resolve) => setTimeout(resolve, 5));

      return payload;
    });
    app.addHook('preHandler', async () => {
      reached++;
    });
  });
  const pair = await app.tokens.issue({ sub: 'guarded' });
  const ok = await app.inject({ url: '/me', headers: bearer(pair.accessToken) });
  t.equal(ok.statusCode, 200);
  t.equal(reached, 1, 'an accepted request goes on, so the counter can count');
  await app.tokens.revoke(pair.accessToken);

  for (const headers of [{}, bearer(pair.accessToken), bearer('not-a-token')]) {
    const res = await app.inject({ url: '/me', headers });
    t.equal(res.statusCode, 401);
  }
  t.equal(reached, 1, 'no rejected request went past the guard');
});

t.test('answers an expired token with the expired code', async (t) => {
  const clock = manualClock();
  const { app } = await buildApp(t, { clock: clock.now, accessTokenTtl: 60 });
  const pair = await app.tokens.issue({ sub: 'alice' });
  clock.advance(3600_000);
  const res = await app.inject({ url: '/me', headers: bearer(pair.accessToken) });

  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'FST_TA_TOKEN_EXPIRED');
  t.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"');
});

t.test('rejects a refresh token presented as an access token', async (t) => {
  const { app } = await buildApp(t);
  const pair = await app.tokens.issue({ sub: 'alice' });
  const res = await app.inject({ url: '/me', headers: bearer(pair.refreshToken) });

  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'FST_TA_TOKEN_INVALID');
});

t.test('rejects a token of another secret', async (t) => {
  const { app } = await buildApp(t);
  const other = await buildApp(t, { secret: 'another-secret-for-the-plugin-suite-0123456789' });
  const pair = await other.app.tokens.issue({ sub: 'alice' });
  const res = await app.inject({ url: '/me', headers: bearer(pair.accessToken) });

  t.equal(res.statusCode, 401);
  t.equal(res.json().code, 'FST_TA_TOKEN_INVALID');
});

t.test('never answers a mutated token with anything but 400 or 401', async (t) => {
  const { app } = await buildApp(t);
  const { accessToken } = await app.tokens.issue({ sub: 'alice' });
  const alphabet = 'ABCabc019-_.=+/ $';
  const mutation = fc.record({
    at: fc.nat({ max: accessToken.length - 1 }),
    char: fc.constantFrom(...alphabet.split('')),
    cut: fc.boolean(),
  });

  await fc.assert(
    fc.asyncProperty(mutation, async ({ at, char, cut }) => {
      const token = cut
        ? accessToken.slice(0, at)
        : accessToken.slice(0, at) + char + accessToken.slice(at + 1);
      if (token === accessToken) return;
      const res = await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } });
      t.ok([400, 401].includes(res.statusCode), `status ${res.statusCode}`);
    }),
    { numRuns: 150 },
  );
});

t.test('issue refuses claims without a subject or with claims the plugin sets', async (t) => {
  const { app } = await buildApp(t);

  await t.rejects(app.tokens.issue({ role: 'x' }), {
    code: 'FST_TA_INVALID_CLAIMS',
    message: /"sub"/,
  });
  await t.rejects(app.tokens.issue({ sub: 'a', fam: 'x' }), { code: 'FST_TA_INVALID_CLAIMS' });
  await t.rejects(app.tokens.issue({ sub: 'a', iat_ms: 1 }), { code: 'FST_TA_INVALID_CLAIMS' });
  await t.rejects(app.tokens.issue({ sub: 'a', exp: 1 }), { code: 'FST_TA_INVALID_CLAIMS' });
});

t.test('refresh and revoke answer non-string input with 400', async (t) => {
  const { app } = await buildApp(t);
  const refresh = await app.inject({ method: 'POST', url: '/refresh', body: { refreshToken: 5 } });
  t.equal(refresh.statusCode, 400);
  t.equal(refresh.json().code, 'FST_TA_BAD_REQUEST');
  const logout = await app.inject({ method: 'POST', url: '/logout', body: {} });
  t.equal(logout.statusCode, 400);
  t.equal(logout.json().code, 'FST_TA_BAD_REQUEST');
  const notJson = await app.inject({
    method: 'POST',
    url: '/refresh',
    headers: { 'content-type': 'application/json' },
    body: '{"refreshToken":',
  });
  t.equal(notJson.statusCode, 400);
});

t.test('health reports the memory store', async (t) => {
  const { app } = await buildApp(t);

  t.match(await app.tokens.health(), { store: 'memory', ok: true });
});

function failingStore(mode: 'throw' | 'hang'): RevocationStore {
  const store = createMemoryStore();

  return Object.assign(Object.create(store) as RevocationStore, {
    kind: 'memory' as const,
    recordIssue: store.recordIssue.bind(store),
    isRevoked: () =>
      mode === 'throw'
        ? Promise.reject(new Error('connection refused'))
        : new Promise<boolean>(() => {}),
  });
}

t.test('fails closed with 503 and Retry-After when the store errors', async (t) => {
  const { app, logs } = await buildApp(t, { store: failingStore('throw'), retryAfter: 7 });
  const pair = await app.tokens.issue({ sub: 'alice' });
  const res = await app.inject({ url: '/me', headers: bearer(pair.accessToken) });

  t.equal(res.statusCode, 503);
  t.equal(res.json().code, 'FST_TA_STORE_UNAVAILABLE');
  t.equal(res.headers['retry-after'], '7');
  t.match(logs.join(''), /"level":40.*"code":"FST_TA_STORE_UNAVAILABLE"/);
});

t.test('fails closed promptly when the store never answers', async (t) => {
  const { app } = await buildApp(t, { store: failingStore('hang'), storeTimeout: 50 });
  const pair = await app.tokens.issue({ sub: 'alice' });
  const started = performance.now();
  const res = await app.inject({ url: '/me', headers: bearer(pair.accessToken) });

  t.equal(res.statusCode, 503);
  t.ok(performance.now() - started < 1000, 'answered within a second');
});

t.test('fails open only when asked, with a warning every time', async (t) => {
  const { app, logs } = await buildApp(t, { store: failingStore('throw'), failOpen: true });
  const pair = await app.tokens.issue({ sub: 'alice' });
  const first = await app.inject({ url: '/me', headers: bearer(pair.accessToken) });
  const second = await app.inject({ url: '/me', headers: bearer(pair.accessToken) });
  const forged = await app.inject({
    url: '/me',
    headers: bearer(`${pair.accessToken.slice(0, -2)}AA`),
  });

  t.equal(first.statusCode, 200);
  t.equal(second.statusCode, 200);
  t.equal(forged.statusCode, 401, 'verification still runs in full');
  t.equal(logs.filter((line) => line.includes('revocation check skipped')).length, 2);
});

t.test('never writes a token or the secret to a log line', async (t) => {
  const { app, logs } = await buildApp(t);
  const pair = await app.tokens.issue({ sub: 'alice' });
  const revoked = await app.tokens.issue({ sub: 'alice' });
  await app.tokens.revoke(revoked.accessToken);
  const tampered = `${pair.accessToken.slice(0, -3)}abc`;
  for (const token of [pair.accessToken, revoked.accessToken, tampered, pair.refreshToken]) {
    await app.inject({ url: '/me', headers: bearer(token) });
    await app.inject({ method: 'POST', url: '/refresh', body: { refreshToken: token } });
  }

  const text = logs.join('');
  t.match(text, /"reason":"ERR_TOKEN_SIGNATURE/, 'rejections are logged with their reason');
  t.match(text, /"level":20.*"code":"FST_TA_TOKEN_REVOKED"/, 'rejections are logged at debug');
  for (const token of [pair.accessToken, revoked.accessToken, tampered, pair.refreshToken]) {
    t.notOk(text.includes(token), 'token absent from logs');
    t.notOk(text.includes(token.split('.')[0]!), 'token segment absent from logs');
  }
  t.notOk(text.includes('test-secret'), 'secret absent from logs');
  t.notOk(text.includes('    at '), 'no stack trace in logs');
});

t.test('refuses a token minted elsewhere for a subject the store has no ledger for', async (t) => {
  const clock = manualClock(Date.UTC(2026, 11, 3, 12, 0, 0, 0));
  const { app } = await buildApp(t, { clock: clock.now });
  const core = createTokenService({ secret: SECRET, clock: clock.now });
  const unknown = await app.inject({
    url: '/me',
    headers: bearer(core.createAccessToken({ sub: 'elsewhere' })),
  });
  t.equal(unknown.json().code, 'FST_TA_TOKEN_REVOKED', 'treated as issued before a data loss');

  await app.tokens.issue({ sub: 'elsewhere' });
  clock.advance(1000);
  const later = await app.inject({
    url: '/me',
    headers: bearer(core.createAccessToken({ sub: 'elsewhere' })),
  });
  t.equal(later.statusCode, 200, 'accepted once the subject has a ledger entry');
});

import type { Test } from 'tap';
import type { AppConfig } from '../../src/config.js';
import { cheapUsers, startApi, type RunningApi } from './http.js';

const PASSWORD = 'correct horse battery';

interface Pair {
  accessToken: string;
  refreshToken: string;
}

/**
 * The whole register -> login -> refresh -> logout story over a real socket. Runs once per
 * revocation store; `config(env)` returns the configuration for that store.
 */
export function flowSuite(t: Test, config: (env?: NodeJS.ProcessEnv) => AppConfig): void {
  const open = async (t: Test, env?: NodeJS.ProcessEnv): Promise<RunningApi> => {
    const api = await startApi(config(env));
    t.teardown(() => api.close());

    return api;
  };

  t.test('registers, logs in and reads the current user', async (t) => {
    const api = await open(t);
    const registered = await api.call('POST', '/auth/register', { json: credentials('alice') });

    t.equal(registered.status, 201);
    t.match(registered.body, { id: String, username: 'alice' });
    t.same(Object.keys(registered.body).sort(), ['id', 'username']);

    const login = await api.call('POST', '/auth/login', { json: credentials('alice') });

    t.equal(login.status, 200);
    t.match(login.body, { accessToken: String, refreshToken: String, tokenType: 'Bearer' });
    t.equal(login.body.expiresIn, config().accessTokenTtl);
    t.not(login.body.accessToken, login.body.refreshToken);

    const me = await api.call('GET', '/me', { token: login.body.accessToken });

    t.equal(me.status, 200);
    t.same(me.body, registered.body);
  });

  t.test('answers 409 to a taken username and 401 to bad credentials', async (t) => {
    const api = await open(t);
    await register(api, 'alice');

    const taken = await api.call('POST', '/auth/register', { json: credentials('alice') });
    const wrong = await api.call('POST', '/auth/login', {
      json: { username: 'alice', password: `${PASSWORD}!` },
    });
    const unknown = await api.call('POST', '/auth/login', { json: credentials('nobody') });

    t.equal(taken.status, 409);
    t.equal(taken.body.code, 'APP_USERNAME_TAKEN');
    t.equal(wrong.status, 401);
    t.equal(wrong.body.code, 'APP_INVALID_CREDENTIALS');
    t.same(unknown.body, wrong.body);
  });

  t.test('refuses /me without a valid access token', async (t) => {
    const api = await open(t);
    const pair = await signUp(api, 'alice');

    const none = await api.call('GET', '/me');
    const garbage = await api.call('GET', '/me', { token: 'not-a-token' });
    const refreshAsAccess = await api.call('GET', '/me', { token: pair.refreshToken });

    for (const response of [none, garbage, refreshAsAccess]) {
      t.equal(response.status, 401);
      t.match(response.body.code, /^FST_TA_/);
      t.match(response.headers['www-authenticate'], /^Bearer/);
    }
  });

  t.test(
    'rotates the refresh token and kills the family when an old one is replayed',
    async (t) => {
      const api = await open(t, { REFRESH_GRACE: '0' });
      const first = await signUp(api, 'alice');

      const rotated = await refresh(api, first.refreshToken);

      t.equal(rotated.status, 200);
      t.match(rotated.body, { accessToken: String, refreshToken: String, tokenType: 'Bearer' });
      t.not(rotated.body.refreshToken, first.refreshToken);
      t.equal((await me(api, rotated.body.accessToken)).status, 200);

      const replay = await refresh(api, first.refreshToken);

      t.equal(replay.status, 401);
      t.equal(replay.body.code, 'FST_TA_REFRESH_REUSED');
      t.equal((await me(api, rotated.body.accessToken)).status, 401, 'newest access token dead');

      const newest = await refresh(api, rotated.body.refreshToken);

      t.equal(newest.status, 401, 'newest refresh token dead');
      t.equal((await signUpAgain(api, 'alice')).status, 200, 'a fresh login still works');
    },
  );

  t.test('hands the same pair to a replay inside the grace window', async (t) => {
    const api = await open(t, { REFRESH_GRACE: '30' });
    const first = await signUp(api, 'alice');
    const rotated = await refresh(api, first.refreshToken);
    const retried = await refresh(api, first.refreshToken);

    t.equal(rotated.status, 200);
    t.equal(retried.status, 200);
    t.same(retried.body, rotated.body);
  });

  t.test(
    'logs out the access token only, or the whole session with the refresh token',
    async (t) => {
      const api = await open(t);
      const first = await signUp(api, 'alice');

      const out = await api.call('POST', '/auth/logout', { token: first.accessToken });

      t.equal(out.status, 204);
      t.equal(out.text, '');
      t.equal((await me(api, first.accessToken)).status, 401);

      const stillRefreshes = await refresh(api, first.refreshToken);

      t.equal(stillRefreshes.status, 200, 'the refresh token outlives an access-only logout');

      const second = stillRefreshes.body as Pair;
      const full = await logout(api, second);

      t.equal(full.status, 204);
      t.equal((await me(api, second.accessToken)).status, 401);

      const refused = await refresh(api, second.refreshToken);

      t.equal(refused.status, 401);
      t.match(refused.body.code, /^FST_TA_/);
    },
  );

  t.test('logs out every session at once and lets the user log in right after', async (t) => {
    const api = await open(t);
    await register(api, 'alice');
    await register(api, 'bob');
    const laptop = await login(api, 'alice');
    const phone = await login(api, 'alice');
    const bob = await login(api, 'bob');

    const all = await api.call('POST', '/auth/logout-all', { token: phone.accessToken });

    t.equal(all.status, 204);

    for (const session of [laptop, phone]) {
      t.equal((await me(api, session.accessToken)).status, 401);
      t.equal((await refresh(api, session.refreshToken)).status, 401);
    }

    t.equal((await me(api, bob.accessToken)).status, 200, 'other users keep their sessions');

    const again = await login(api, 'alice');

    t.equal((await me(api, again.accessToken)).status, 200, 'a login in the same second works');
  });

  t.test('reports the store in use on /health', async (t) => {
    const api = await open(t);
    // A store ping over the 500 ms store timeout counts as down; on a loaded test machine the
    // first ping after connecting can be that slow, so allow a few tries.
    let health = await api.call('GET', '/health');
    for (let attempt = 0; attempt < 5 && health.body?.storeOk === false; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      health = await api.call('GET', '/health');
    }

    const { redisClusterNodes, redisUrl } = config();
    const topology = redisClusterNodes ? 'redis-cluster' : redisUrl ? 'redis' : 'memory';

    t.equal(health.status, 200);
    t.match(health.body, {
      status: 'ok',
      store: topology === 'memory' ? 'memory' : 'redis',
      topology,
      storeOk: true,
    });
  });
}

/** Two API nodes behind one load balancer: users are shared here, as a database would be. */
export function sharedStoreSuite(t: Test, config: (env?: NodeJS.ProcessEnv) => AppConfig): void {
  t.test('refuses on one instance a token logged out on the other', async (t) => {
    const users = cheapUsers();
    const east = await startApi(config(), { users });
    const west = await startApi(config(), { users });
    t.teardown(() => Promise.all([east.close(), west.close()]));

    const pair = await signUp(east, 'alice');

    t.equal((await me(west, pair.accessToken)).status, 200);

    const out = await logout(west, pair);

    t.equal(out.status, 204);
    t.equal((await me(east, pair.accessToken)).status, 401);

    t.equal((await refresh(east, pair.refreshToken)).status, 401);
  });

  t.test('refuses on one instance a refresh token already rotated on the other', async (t) => {
    const users = cheapUsers();
    const env = { REFRESH_GRACE: '0' };
    const east = await startApi(config(env), { users });
    const west = await startApi(config(env), { users });
    t.teardown(() => Promise.all([east.close(), west.close()]));

    const pair = await signUp(east, 'alice');
    t.equal((await refresh(east, pair.refreshToken)).status, 200);

    const replay = await refresh(west, pair.refreshToken);

    t.equal(replay.status, 401);
    t.equal(replay.body.code, 'FST_TA_REFRESH_REUSED');
  });

  t.test('answers 404 from /me when the user lives only in the other instance', async (t) => {
    const east = await startApi(config());
    const west = await startApi(config());
    t.teardown(() => Promise.all([east.close(), west.close()]));

    const pair = await signUp(east, 'alice');
    const elsewhere = await me(west, pair.accessToken);

    t.equal(elsewhere.status, 404, 'the token is valid, the in-memory user is not there');
    t.equal(elsewhere.body.code, 'APP_USER_NOT_FOUND');
  });

  t.test('logs out every session on both instances at once', async (t) => {
    const users = cheapUsers();
    const east = await startApi(config(), { users });
    const west = await startApi(config(), { users });
    t.teardown(() => Promise.all([east.close(), west.close()]));

    await register(east, 'alice');
    const onEast = await login(east, 'alice');
    const onWest = await login(west, 'alice');

    t.equal(
      (await east.call('POST', '/auth/logout-all', { token: onEast.accessToken })).status,
      204,
    );
    t.equal((await me(west, onWest.accessToken)).status, 401);
    t.equal((await me(west, onEast.accessToken)).status, 401);
  });
}

const OLD_SECRETS = {
  JWT_SECRET: 'old-access-secret-0123456789abcdef',
  JWT_REFRESH_SECRET: 'old-refresh-secret-0123456789abcdef',
  OUTER_SECRET: 'old-outer-secret-0123456789abcdef',
};

const NEW_SECRETS = {
  JWT_SECRET: 'new-access-secret-0123456789abcdef',
  JWT_REFRESH_SECRET: 'new-refresh-secret-0123456789abcdef',
  OUTER_SECRET: 'new-outer-secret-0123456789abcdef',
};

type SecretName = keyof typeof OLD_SECRETS;

const SECRET_NAMES = Object.keys(OLD_SECRETS) as SecretName[];

// Mid-rotation every variable lists the old secret, then the new one: newest last.
const ROTATING_SECRETS = Object.fromEntries(
  SECRET_NAMES.map((name) => [name, `${OLD_SECRETS[name]},${NEW_SECRETS[name]}`]),
);

/**
 * A secret rotation as the README tells it, one restart per step, seen as three instances on
 * one store: before (old), during ("old,new") and after (new). The store must be shared: it
 * holds the subject's issuance ledger, without which a token counts as revoked.
 */
export function rotationSuite(t: Test, config: (env?: NodeJS.ProcessEnv) => AppConfig): void {
  t.test('"old,new" accepts tokens of the old secrets and signs with the new', async (t) => {
    const users = cheapUsers();
    const before = await startApi(config(OLD_SECRETS), { users });
    const during = await startApi(config(ROTATING_SECRETS), { users });
    const after = await startApi(config(NEW_SECRETS), { users });
    t.teardown(() => Promise.all([before.close(), during.close(), after.close()]));

    const old = await signUp(before, 'alice');

    t.equal((await me(during, old.accessToken)).status, 200, 'old access token, mid-rotation');

    const exchanged = await refresh(during, old.refreshToken);

    t.equal(exchanged.status, 200, 'old refresh token, mid-rotation');

    const issued: Array<[string, Pair]> = [
      ['refreshed', exchanged.body],
      ['logged in', await login(during, 'alice')],
    ];
    for (const [how, pair] of issued) {
      const unknown = await me(before, pair.accessToken);

      t.equal(unknown.status, 401, `${how}: not signed with the old secrets`);
      t.equal(unknown.body.code, 'FST_TA_TOKEN_INVALID');
      t.equal((await me(after, pair.accessToken)).status, 200, `${how}: new secrets verify it`);
      t.equal((await refresh(after, pair.refreshToken)).status, 200, `${how}: and its refresh`);
    }

    const dropped = [await me(after, old.accessToken), await refresh(after, old.refreshToken)];

    t.same(
      dropped.map((response) => [response.status, response.body.code]),
      [
        [401, 'FST_TA_TOKEN_INVALID'],
        [401, 'FST_TA_TOKEN_INVALID'],
      ],
      'with the old secrets dropped, their tokens are refused',
    );
  });

  t.test('dropping the old secret of one variable refuses only what it signed', async (t) => {
    const users = cheapUsers();
    const before = await startApi(config(OLD_SECRETS), { users });
    t.teardown(() => before.close());

    await register(before, 'alice');

    // [old access token on /me, old refresh token on /auth/refresh] once `name` holds only its
    // new secret and the other two still list both. The outer secret covers both tokens.
    const expected: Record<SecretName, [number, number]> = {
      JWT_SECRET: [401, 200],
      JWT_REFRESH_SECRET: [200, 401],
      OUTER_SECRET: [401, 401],
    };

    for (const name of SECRET_NAMES) {
      const api = await startApi(config({ ...ROTATING_SECRETS, [name]: NEW_SECRETS[name] }), {
        users,
      });
      t.teardown(() => api.close());

      const old = await login(before, 'alice');
      const statuses = [
        (await me(api, old.accessToken)).status,
        (await refresh(api, old.refreshToken)).status,
      ];

      t.same(statuses, expected[name], name);
    }
  });
}

function credentials(username: string) {
  return { username, password: PASSWORD };
}

async function register(api: RunningApi, username: string): Promise<void> {
  const response = await api.call('POST', '/auth/register', { json: credentials(username) });
  if (response.status !== 201) throw new Error(`register failed: ${response.status}`);
}

async function login(api: RunningApi, username: string): Promise<Pair> {
  const response = await signUpAgain(api, username);
  if (response.status !== 200) throw new Error(`login failed: ${response.status}`);

  return response.body as Pair;
}

function signUpAgain(api: RunningApi, username: string) {
  return api.call('POST', '/auth/login', { json: credentials(username) });
}

async function signUp(api: RunningApi, username: string): Promise<Pair> {
  await register(api, username);

  return login(api, username);
}

function refresh(api: RunningApi, refreshToken: string) {
  return api.call('POST', '/auth/refresh', { json: { refreshToken } });
}

/** Logs out the whole session: the access token and the refresh token's family. */
function logout(api: RunningApi, pair: Pair) {
  return api.call('POST', '/auth/logout', {
    token: pair.accessToken,
    json: { refreshToken: pair.refreshToken },
  });
}

function me(api: RunningApi, token: string) {
  return api.call('GET', '/me', { token });
}

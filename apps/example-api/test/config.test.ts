import t from 'tap';
import { AppConfigError, loadConfig } from '../src/config.js';

const SECRET_A = 'a'.repeat(32);
const SECRET_B = 'b'.repeat(40);
const SECRET_C = 'c'.repeat(48);

const secrets = { JWT_SECRET: SECRET_A, JWT_REFRESH_SECRET: SECRET_B, OUTER_SECRET: SECRET_C };

function configError(env: NodeJS.ProcessEnv): AppConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof AppConfigError) return err;
    throw err;
  }

  throw new Error('loadConfig accepted the environment');
}

t.test('applies the documented defaults to an empty environment', async (t) => {
  const config = loadConfig({});

  t.equal(config.port, 3000);
  t.equal(config.host, '127.0.0.1');
  t.equal(config.logLevel, 'info');
  t.equal(config.redisUrl, undefined);
  t.equal(config.redisClusterNodes, undefined);
  t.equal(config.accessTokenTtl, 900);
  t.equal(config.refreshTokenTtl, 1209600);
  t.equal(config.refreshGrace, 5);
  t.equal(config.loginRateLimit, 10);
  t.equal(config.trustProxy, false);
});

t.test('makes three distinct random secrets when none is configured', async (t) => {
  const first = loadConfig({});
  const second = loadConfig({});
  const all = [...first.accessSecret, ...first.refreshSecret, ...first.outerSecret];

  t.equal(first.generatedSecrets, true);
  t.equal(all.length, 3);
  t.equal(new Set(all).size, 3);
  t.ok(all.every((secret) => Buffer.from(secret, 'base64url').length === 32));
  t.not(second.accessSecret[0], first.accessSecret[0]);
});

t.test('reads numbers, booleans and the redis url from strings', async (t) => {
  const config = loadConfig({
    ...secrets,
    PORT: '8080',
    HOST: '0.0.0.0',
    LOG_LEVEL: 'warn',
    REDIS_URL: 'redis://127.0.0.1:6379/2',
    ACCESS_TOKEN_TTL: '60',
    REFRESH_TOKEN_TTL: '3600',
    REFRESH_GRACE: '0',
    LOGIN_RATE_LIMIT: '3',
    TRUST_PROXY: 'true',
  });

  t.match(config, {
    port: 8080,
    host: '0.0.0.0',
    logLevel: 'warn',
    redisUrl: 'redis://127.0.0.1:6379/2',
    accessTokenTtl: 60,
    refreshTokenTtl: 3600,
    refreshGrace: 0,
    loginRateLimit: 3,
    trustProxy: true,
    generatedSecrets: false,
  });
});

t.test('reads redis cluster seed nodes from a comma-separated host:port list', async (t) => {
  const config = loadConfig({
    REDIS_CLUSTER_NODES: '127.0.0.1:7000, redis-b.internal:7001 ,[::1]:7002',
  });

  t.same(config.redisClusterNodes, [
    { host: '127.0.0.1', port: 7000 },
    { host: 'redis-b.internal', port: 7001 },
    { host: '::1', port: 7002 },
  ]);
  t.equal(config.redisUrl, undefined);
});

t.test('refuses redis url and cluster nodes together, naming both', async (t) => {
  const err = configError({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: 'a:7000' });

  t.equal(err.code, 'ERR_APP_CONFIG');
  t.match(err.message, '"REDIS_URL"');
  t.match(err.message, '"REDIS_CLUSTER_NODES"');
});

t.test('names the cluster node entry that is not host:port', async (t) => {
  const cases: Array<[string, string]> = [
    ['127.0.0.1', '"REDIS_CLUSTER_NODES" must be host:port'],
    ['redis://127.0.0.1:7000', '"REDIS_CLUSTER_NODES" must be host:port'],
    ['a:7000,b:0', '"REDIS_CLUSTER_NODES" entry 2 must be host:port'],
    ['a:7000,b:70000', '"REDIS_CLUSTER_NODES" entry 2 must be host:port'],
    ['a:7000,,b:7001', '"REDIS_CLUSTER_NODES" entry 2 must be host:port'],
    ['::1:7000', '"REDIS_CLUSTER_NODES" must be host:port'],
  ];

  for (const [value, message] of cases) {
    const err = configError({ REDIS_CLUSTER_NODES: value });

    t.equal(err.code, 'ERR_APP_CONFIG', value);
    t.equal(err.message, message, value);
  }
});

// What the order means (the newest signs, every entry verifies) is shown end to end by
// rotationSuite in helpers/flow.ts, on Redis: only a shared store lets a token outlive a restart.
t.test('splits comma-separated secrets keeping the oldest first', async (t) => {
  const old = 'o'.repeat(32);
  const config = loadConfig({ ...secrets, JWT_SECRET: `${old}, ${SECRET_A}` });

  t.same(config.accessSecret, [old, SECRET_A]);
  t.same(config.refreshSecret, [SECRET_B]);
  t.same(config.outerSecret, [SECRET_C]);
});

t.test('treats empty variables as unset', async (t) => {
  const config = loadConfig({
    PORT: '',
    REDIS_URL: '  ',
    REDIS_CLUSTER_NODES: ' ',
    JWT_SECRET: '',
  });

  t.equal(config.port, 3000);
  t.equal(config.redisUrl, undefined);
  t.equal(config.redisClusterNodes, undefined);
  t.equal(config.generatedSecrets, true);
});

t.test('names the variable and the expectation for a bad value', async (t) => {
  const cases: Array<[NodeJS.ProcessEnv, RegExp]> = [
    [{ PORT: 'abc' }, /"PORT" must be integer/],
    [{ PORT: '70000' }, /"PORT" must be <= 65535/],
    [{ LOG_LEVEL: 'loud' }, /"LOG_LEVEL" must be one of fatal, error, warn, info/],
    [{ REDIS_URL: 'localhost:6379' }, /"REDIS_URL" must match pattern/],
    [{ ACCESS_TOKEN_TTL: '0' }, /"ACCESS_TOKEN_TTL" must be >= 1/],
    [{ REFRESH_TOKEN_TTL: '1.5' }, /"REFRESH_TOKEN_TTL" must be integer/],
    [{ LOGIN_RATE_LIMIT: '-1' }, /"LOGIN_RATE_LIMIT" must be >= 1/],
    [{ REFRESH_GRACE: '61' }, /"REFRESH_GRACE" must be <= 60/],
    [{ TRUST_PROXY: 'maybe' }, /"TRUST_PROXY" must be boolean/],
  ];

  for (const [env, message] of cases) {
    const err = configError(env);

    t.equal(err.code, 'ERR_APP_CONFIG');
    t.match(err.message, message);
  }
});

t.test('reports every bad variable at once', async (t) => {
  const err = configError({ PORT: 'x', LOGIN_RATE_LIMIT: 'y' });

  t.equal(err.code, 'ERR_APP_CONFIG');
  t.match(err.message, /"PORT"/);
  t.match(err.message, /"LOGIN_RATE_LIMIT"/);
});

t.test('refuses some secrets without the others', async (t) => {
  const err = configError({ JWT_SECRET: SECRET_A });

  t.equal(err.code, 'ERR_APP_CONFIG');
  t.match(err.message, '"JWT_REFRESH_SECRET", "OUTER_SECRET" must be set with the other secrets');
});

t.test('refuses a secret shorter than 32 bytes and names the list entry', async (t) => {
  const single = configError({ ...secrets, OUTER_SECRET: 'short' });
  const listed = configError({ ...secrets, JWT_REFRESH_SECRET: `${SECRET_B},,` });

  t.equal(single.code, 'ERR_APP_CONFIG');
  t.equal(single.message, '"OUTER_SECRET" must be at least 32 bytes');
  t.equal(listed.code, 'ERR_APP_CONFIG');
  t.equal(listed.message, '"JWT_REFRESH_SECRET" entry 2 must be at least 32 bytes');
});

t.test('refuses an access token lifetime longer than the refresh token lifetime', async (t) => {
  const err = configError({ ACCESS_TOKEN_TTL: '7200', REFRESH_TOKEN_TTL: '3600' });

  t.equal(err.code, 'ERR_APP_CONFIG');
  t.match(err.message, '"ACCESS_TOKEN_TTL" must not exceed "REFRESH_TOKEN_TTL"');
});

t.test('never puts a secret in an error message', async (t) => {
  const secret = 'not-long-enough-but-secret';
  const err = configError({ ...secrets, JWT_SECRET: secret });

  t.equal(err.code, 'ERR_APP_CONFIG');
  t.notMatch(err.message, secret);
});

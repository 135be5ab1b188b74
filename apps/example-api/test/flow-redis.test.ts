import t from 'tap';
import {
  faultSkipReason,
  redisSkipReason,
  startRedisServer,
} from '../../../packages/fastify-plugin/test/helpers/redis-server.js';
import { flowSuite, rotationSuite, sharedStoreSuite } from './helpers/flow.js';
import { startApi, testConfig, type Response } from './helpers/http.js';

async function eventually(
  call: () => Promise<Response>,
  done: (response: Response) => boolean,
): Promise<Response> {
  const deadline = Date.now() + 10_000;
  let response = await call();
  while (!done(response) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    response = await call();
  }

  return response;
}

const skip = redisSkipReason();

if (skip) {
  t.plan(0, skip);
} else {
  const redis = await startRedisServer();
  t.teardown(() => (redis.managed ? redis.stop() : undefined));

  const config = (env?: NodeJS.ProcessEnv) => testConfig({ REDIS_URL: redis.url, ...env });

  t.test('the whole flow on redis', async (t) => flowSuite(t, config));
  t.test('two api instances sharing one redis', async (t) => sharedStoreSuite(t, config));
  t.test('rotating the secrets across restarts', async (t) => rotationSuite(t, config));

  t.test(
    'fails closed with 503 while redis is down and recovers when it is back',
    { skip: faultSkipReason(redis) },
    async (t) => {
      const api = await startApi(config());
      t.teardown(() => api.close());

      const credentials = { username: 'alice', password: 'correct horse battery' };
      await api.call('POST', '/auth/register', { json: credentials });
      const pair = (await api.call('POST', '/auth/login', { json: credentials })).body;

      await redis.stop();
      const me = await api.call('GET', '/me', { token: pair.accessToken });
      const health = await api.call('GET', '/health');

      t.equal(me.status, 503);
      t.equal(me.body.code, 'FST_TA_STORE_UNAVAILABLE');
      t.ok(Number(me.headers['retry-after']) > 0, 'says when to retry');
      t.notMatch(me.text, String(redis.port), 'does not reveal the store address');
      t.equal(health.status, 200);
      t.match(health.body, { status: 'degraded', store: 'redis', storeOk: false });

      // Nothing persisted: the restarted Redis has no record of the token's issuance, and the
      // store counts such tokens as revoked rather than trusting them.
      await redis.start();
      const back = await eventually(
        () => api.call('GET', '/health'),
        (r) => r.body.storeOk,
      );
      const again = await api.call('GET', '/me', { token: pair.accessToken });
      const login = await api.call('POST', '/auth/login', { json: credentials });

      t.match(back.body, { status: 'ok', storeOk: true });
      t.equal(again.status, 401);
      t.equal(login.status, 200);
      t.equal((await api.call('GET', '/me', { token: login.body.accessToken })).status, 200);
    },
  );
}

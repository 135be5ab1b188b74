import t from 'tap';
import {
  redisSkipReason,
  startRedisServer,
} from '../../../packages/fastify-plugin/test/helpers/redis-server.js';
import { flowSuite, sharedStoreSuite } from './helpers/flow.js';
import { testConfig } from './helpers/http.js';

const skip = redisSkipReason();

if (skip) {
  t.plan(0, skip);
} else {
  const redis = await startRedisServer();
  t.teardown(() => (redis.managed ? redis.stop() : undefined));

  const config = (env?: NodeJS.ProcessEnv) => testConfig({ REDIS_URL: redis.url, ...env });

  t.test('the whole flow on redis', async (t) => flowSuite(t, config));
  t.test('two api instances sharing one redis', async (t) => sharedStoreSuite(t, config));
}

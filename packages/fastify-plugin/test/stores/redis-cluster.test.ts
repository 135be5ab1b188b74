import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { Cluster } from 'ioredis';
import { createRedisStore, redisClientOptions } from '../../src/stores/redis.js';
import { redisSkipReason, startRedisCluster } from '../helpers/redis-server.js';
import { storeContract } from './contract.js';

const skip = redisSkipReason();
if (skip) {
  t.plan(0, skip);
} else {
  const cluster = await startRedisCluster();
  t.teardown(() => cluster.stop());
  const { enableOfflineQueue, enableAutoPipelining, ...redisOptions } = redisClientOptions(500);
  const client = new Cluster(cluster.nodes, {
    enableOfflineQueue,
    enableAutoPipelining,
    redisOptions,
    clusterRetryStrategy: (attempt) => Math.min(50 * attempt, 1000),
  });
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve);
    client.once('error', reject);
  });
  t.teardown(() => client.disconnect());

  t.test('redis cluster store contract', async (t) => {
    storeContract(t, {
      create: async () => createRedisStore({ client }),
      now: () => Date.now(),
      elapse: (ms) => sleep(ms),
      shortMs: 150,
    });
  });

  t.test('spreads subjects over more than one master', async (t) => {
    const store = createRedisStore({ client, keyPrefix: 'spread:' });
    const now = Date.now();
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => store.recordIssue(`user-${i}`, now, now + 60_000)),
    );
    const counts = await Promise.all(client.nodes('master').map((node) => node.dbsize()));

    t.ok(counts.filter((count) => count > 0).length > 1, `keys per master: ${counts.join(', ')}`);
  });
}

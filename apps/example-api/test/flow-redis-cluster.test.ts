import t from 'tap';
import { Redis } from 'ioredis';
import {
  clusterSkipReason,
  startRedisCluster,
  type ClusterNode,
} from '../../../packages/fastify-plugin/test/helpers/redis-cluster.js';
import { flowSuite, sharedStoreSuite } from './helpers/flow.js';
import { startApi, testConfig } from './helpers/http.js';

/** How many connections named `example-api` each node has (the app's client names them). */
async function apiConnections(nodes: ClusterNode[]): Promise<number[]> {
  return Promise.all(
    nodes.map(async ({ host, port }) => {
      const probe = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await probe.connect();
        const list = String(await probe.call('CLIENT', 'LIST'));

        return list.split('\n').filter((line) => / name=\S*example-api /.test(line)).length;
      } finally {
        probe.disconnect();
      }
    }),
  );
}

const skip = clusterSkipReason();

if (skip) {
  t.plan(0, skip);
} else {
  const cluster = await startRedisCluster();
  t.teardown(() => cluster.stop());
  const nodes = cluster.nodes.map(({ host, port }) => `${host}:${port}`).join(',');

  const config = (env?: NodeJS.ProcessEnv) => testConfig({ REDIS_CLUSTER_NODES: nodes, ...env });

  t.test('the whole flow on a three-master redis cluster', async (t) => flowSuite(t, config));
  t.test('two api instances sharing one redis cluster', async (t) => sharedStoreSuite(t, config));

  t.test('says redis-cluster on /health and closes its cluster client on close', async (t) => {
    const api = await startApi(config());
    let closed = false;
    t.teardown(() => (closed ? undefined : api.close()));

    const health = await api.call('GET', '/health');

    t.equal(health.status, 200);
    t.match(health.body, { store: 'redis', topology: 'redis-cluster' });
    t.ok(
      (await apiConnections(cluster.nodes)).some((count) => count > 0),
      'connected',
    );

    await api.close();
    closed = true;
    // QUIT is answered before the server drops the connection: give it a moment to go.
    let counts = await apiConnections(cluster.nodes);
    for (let i = 0; i < 20 && counts.some((count) => count > 0); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      counts = await apiConnections(cluster.nodes);
    }

    t.same(
      counts,
      counts.map(() => 0),
      'no connection of the api left on any node',
    );
  });
}

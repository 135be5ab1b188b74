import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import t from 'tap';
import { bearer, buildApp } from '../helpers/app.js';
import { redisCommand } from '../helpers/processes.js';
import {
  clusterSkipReason,
  startRedisCluster,
  type ClusterNode,
  type RedisCluster,
} from '../helpers/redis-cluster.js';

/** Connections carrying `name` on each node, read with a plain client per node. */
async function namedConnections(nodes: ClusterNode[], name: string): Promise<number[]> {
  return Promise.all(
    nodes.map(async ({ host, port }) => {
      const probe = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await probe.connect();
        const list = String(await probe.call('CLIENT', 'LIST'));

        return list.split('\n').filter((line) => line.includes(` name=${name} `)).length;
      } finally {
        probe.disconnect();
      }
    }),
  );
}

/** Which node holds `key`, by asking each master whether it owns the key's slot. */
async function slotOwners(nodes: ClusterNode[], key: string): Promise<number> {
  const slot = Number((await redisCommand(nodes[0]!.port, `CLUSTER KEYSLOT ${key}`)).slice(1));
  const owners = await Promise.all(
    nodes.map(async ({ port }) => {
      const reply = await redisCommand(port, `CLUSTER COUNTKEYSINSLOT ${slot}`);

      return Number(reply.slice(1)) > 0;
    }),
  );

  return owners.filter(Boolean).length;
}

const skip = clusterSkipReason();
let cluster: RedisCluster;

// No t.plan(0) here: the subtests below are declared either way, and each reports the skip
// with its reason; a plan of 0 would turn every one into "test count exceeds plan".
if (!skip) {
  t.before(async () => {
    cluster = await startRedisCluster();
  });
  t.teardown(() => cluster?.stop());
}

t.test(
  'issues, verifies, revokes and rotates over a cluster it connects to',
  { skip },
  async (t) => {
    const nodes = cluster.nodes.map(({ host, port }, i) =>
      i === 0 ? `${host}:${port}` : { host, port },
    );
    const { app } = await buildApp(t, {
      store: 'redis',
      redis: { cluster: nodes },
      refreshGrace: 0,
    });
    const me = (token: string) => app.inject({ url: '/me', headers: bearer(token) });

    const subjects = Array.from({ length: 6 }, () => `user-${randomUUID()}`);
    const pairs = await Promise.all(subjects.map((sub) => app.tokens.issue({ sub })));
    for (const pair of pairs) t.equal((await me(pair.accessToken)).statusCode, 200);
    t.equal(await slotOwners(cluster.nodes, `ta:{${subjects[0]}}:l`), 1, 'ledger written');

    await app.tokens.revoke(pairs[0]!.accessToken);
    const revoked = await me(pairs[0]!.accessToken);
    t.equal(revoked.statusCode, 401);
    t.equal(revoked.json().code, 'FST_TA_TOKEN_REVOKED');
    t.equal((await me(pairs[1]!.accessToken)).statusCode, 200, 'other subjects unaffected');

    const next = await app.tokens.refresh(pairs[2]!.refreshToken);
    t.equal((await me(next.accessToken)).statusCode, 200);
    await t.rejects(app.tokens.refresh(pairs[2]!.refreshToken), { code: 'FST_TA_REFRESH_REUSED' });
    t.equal((await me(next.accessToken)).statusCode, 401, 'reuse revoked the family');

    await app.tokens.revokeAll(subjects[3]!);
    t.equal((await me(pairs[3]!.accessToken)).statusCode, 401);
    const after = await app.tokens.issue({ sub: subjects[3]! });
    t.equal((await me(after.accessToken)).statusCode, 200, 'a token issued after revokeAll works');

    t.match(await app.tokens.health(), { store: 'redis', ok: true, topology: 'cluster' });
  },
);

t.test('closes the cluster client it created when fastify closes', { skip }, async (t) => {
  const name = `ta-own-${process.pid}`;
  const redis = { cluster: cluster.nodes, options: { redisOptions: { connectionName: name } } };
  let closed = false;
  const { app } = await buildApp(
    { teardown: (fn) => t.teardown(() => (closed ? undefined : fn())) },
    { store: 'redis', redis },
  );
  await app.tokens.issue({ sub: 'closing' });

  const open = await namedConnections(cluster.nodes, name);
  t.ok(
    open.some((count) => count > 0),
    `connected with the given node options (${open})`,
  );

  await app.close();
  closed = true;
  // QUIT is answered before the server drops the connection: give it a moment to go.
  let counts = await namedConnections(cluster.nodes, name);
  for (let i = 0; i < 20 && counts.some((count) => count > 0); i++) {
    await sleep(50);
    counts = await namedConnections(cluster.nodes, name);
  }
  t.same(
    counts,
    counts.map(() => 0),
    'no connection of the plugin left on any node',
  );
});

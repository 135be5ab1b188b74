import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import type { TokenPair } from '../../src/index.js';
import { bearer, buildApp } from '../helpers/app.js';
import { clusterSkipReason, connectCluster, startRedisCluster } from '../helpers/redis-cluster.js';

const STORE_TIMEOUT_MS = 500;
const RECOVERY_LIMIT_MS = 10_000;
const skip = clusterSkipReason();

interface Session {
  sub: string;
  pair: TokenPair;
}

async function me(app: FastifyInstance, token: string) {
  const started = performance.now();
  const res = await app.inject({ url: '/me', headers: bearer(token) });

  return { status: res.statusCode, code: res.json().code, ms: performance.now() - started };
}

if (skip) {
  t.plan(0, skip);
} else {
  const cluster = await startRedisCluster();
  t.teardown(() => cluster.stop());

  const title = 'a master crash refuses only its subjects, and they come back logged out';
  const unmanaged = cluster.managed ? false : 'REDIS_CLUSTER_NODES given: nodes cannot crash';
  t.test(title, { skip: unmanaged }, async (t) => {
    const client = await connectCluster(cluster.nodes, STORE_TIMEOUT_MS);
    t.teardown(() => client.disconnect());
    const { app } = await buildApp(t, { store: 'redis', redis: client });
    const sessions: Session[] = [];
    for (let i = 0; i < 24; i++) {
      const sub = `crash-${i}-${randomUUID()}`;
      sessions.push({ sub, pair: await app.tokens.issue({ sub }) });
    }
    const crashed = client
      .nodes('master')
      .find((node) => node.options.port === cluster.nodes[0]!.port);
    const onCrashed = new Set<string>();
    for (const { sub } of sessions) {
      if ((await crashed!.keys(`*{${sub}}*`)).length > 0) onCrashed.add(sub);
    }
    const victims = sessions.filter(({ sub }) => onCrashed.has(sub));
    const survivors = sessions.filter(({ sub }) => !onCrashed.has(sub));
    t.ok(victims.length > 0 && survivors.length > 0, `${victims.length} subjects on the node`);
    await app.tokens.revoke(survivors[0]!.pair.accessToken);

    await cluster.crash(0);
    const during = await Promise.all(victims.map(({ pair }) => me(app, pair.accessToken)));
    t.same(
      [...new Set(during.map(({ status, code }) => `${status} ${code}`))],
      ['503 FST_TA_STORE_UNAVAILABLE'],
      'subjects on the crashed master fail closed',
    );
    const slowest = Math.max(...during.map(({ ms }) => ms));
    t.ok(slowest < STORE_TIMEOUT_MS + 1000, `slowest 503 took ${Math.round(slowest)} ms`);
    const others = await Promise.all(
      survivors.slice(1).map(({ pair }) => me(app, pair.accessToken)),
    );
    t.same(
      [...new Set(others.map(({ status }) => status))],
      [200],
      'subjects on the other masters are served',
    );

    const restarted = Date.now();
    await cluster.restart(0);
    let answer = await me(app, victims[0]!.pair.accessToken);
    while (answer.status === 503 && Date.now() - restarted < RECOVERY_LIMIT_MS) {
      await sleep(100);
      answer = await me(app, victims[0]!.pair.accessToken);
    }
    t.comment(`recovered ${Date.now() - restarted} ms after the restart began`);

    t.equal(answer.code, 'FST_TA_TOKEN_REVOKED', 'its data went with it: old tokens refused');
    const after = await Promise.all(victims.map(({ pair }) => me(app, pair.accessToken)));
    t.same([...new Set(after.map(({ code }) => code))], ['FST_TA_TOKEN_REVOKED']);
    t.equal((await me(app, survivors[0]!.pair.accessToken)).code, 'FST_TA_TOKEN_REVOKED');
    t.equal((await me(app, survivors[1]!.pair.accessToken)).status, 200, 'others kept theirs');
    const again = await app.tokens.issue({ sub: victims[0]!.sub });
    t.equal((await me(app, again.accessToken)).status, 200, 'a victim can log in again');
  });
}

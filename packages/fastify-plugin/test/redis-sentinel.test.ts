import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { bearer, buildApp } from './helpers/app.js';
import { redisCommand } from './helpers/processes.js';
import {
  sentinelSkipReason,
  startRedisSentinel,
  type RedisSentinel,
} from './helpers/redis-sentinel.js';

/** Client connections the master sees, its own CLIENT LIST one included. */
async function masterConnections(sentinel: RedisSentinel): Promise<number> {
  const reply = await redisCommand(sentinel.master.port, 'CLIENT LIST');

  return reply.split('\n').filter((line) => line.startsWith('id=')).length;
}

const skip = sentinelSkipReason();
let sentinel: RedisSentinel;

// No t.plan(0) here: the subtests below are declared either way, and each reports the skip
// with its reason; a plan of 0 would turn every one into "test count exceeds plan".
if (!skip) {
  t.before(async () => {
    sentinel = await startRedisSentinel();
  });
  t.teardown(() => sentinel?.stop());
}

const options = () => ({
  store: 'redis' as const,
  redis: { sentinels: sentinel.sentinels, name: sentinel.name },
});

t.test('issues, verifies and revokes through the master sentinel names', { skip }, async (t) => {
  const { app } = await buildApp(t, options());
  const pair = await app.tokens.issue({ sub: 'sentinel-user' });
  const me = () => app.inject({ url: '/me', headers: bearer(pair.accessToken) });

  t.equal((await me()).statusCode, 200);
  const ledger = await redisCommand(sentinel.master.port, 'EXISTS ta:{sentinel-user}:l');
  t.equal(ledger, ':1\r\n', 'the ledger is on the master sentinel named');

  await app.tokens.revoke(pair.accessToken);
  const revoked = await me();
  t.equal(revoked.statusCode, 401);
  t.equal(revoked.json().code, 'FST_TA_TOKEN_REVOKED');

  const next = await app.tokens.refresh(pair.refreshToken);
  t.equal((await app.inject({ url: '/me', headers: bearer(next.accessToken) })).statusCode, 200);
  t.match(await app.tokens.health(), { store: 'redis', ok: true, topology: 'sentinel' });
});

t.test('fails fast while the master is down and recovers by itself', { skip }, async (t) => {
  const { app } = await buildApp(t, { ...options(), storeTimeout: 200 });
  const pair = await app.tokens.issue({ sub: 'sentinel-fault' });
  const me = (token: string) => app.inject({ url: '/me', headers: bearer(token) });

  await sentinel.crashMaster();
  t.teardown(() => sentinel.startMaster());
  const started = performance.now();
  const down = await me(pair.accessToken);
  const elapsed = performance.now() - started;
  t.equal(down.statusCode, 503, 'never 200 with the master down');
  t.equal(down.json().code, 'FST_TA_STORE_UNAVAILABLE');
  t.ok(elapsed < 1000, `answered in ${Math.round(elapsed)} ms`);
  t.match(await app.tokens.health(), { ok: false, topology: 'sentinel' });

  await sentinel.startMaster();
  let fresh: Awaited<ReturnType<typeof app.tokens.issue>> | undefined;
  for (let i = 0; i < 50 && !fresh; i++) {
    fresh = await app.tokens.issue({ sub: 'sentinel-fault' }).catch(() => undefined);
    if (!fresh) await sleep(100);
  }
  t.ok(fresh, 'issues again once the master is back');
  if (fresh) t.equal((await me(fresh.accessToken)).statusCode, 200);
  t.equal((await me(pair.accessToken)).statusCode, 401, 'the restart lost the ledger');
});

t.test('closes the sentinel client it created when fastify closes', { skip }, async (t) => {
  const before = await masterConnections(sentinel);
  let closed = false;
  const { app } = await buildApp(
    { teardown: (fn) => t.teardown(() => (closed ? undefined : fn())) },
    options(),
  );
  await app.tokens.issue({ sub: 'sentinel-close' });
  t.equal(await masterConnections(sentinel), before + 1, 'one connection to the master');

  await app.close();
  closed = true;
  let after = await masterConnections(sentinel);
  for (let i = 0; i < 20 && after !== before; i++) {
    await sleep(50);
    after = await masterConnections(sentinel);
  }
  t.equal(after, before, 'closed on app.close()');
});

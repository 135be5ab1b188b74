import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { Redis, type RedisOptions } from 'ioredis';
import { createRedisStore, redisClientOptions } from '../../src/stores/redis.js';
import type { RevocationStore, TokenFacts } from '../../src/stores/types.js';
import {
  faultSkipReason,
  redisSkipReason,
  startRedisServer,
  type RedisServer,
} from '../helpers/redis-server.js';

const HOUR = 3_600_000;
const TIMEOUT_MS = 300;
/** How late past `timeoutMs` a refusal may come on a loaded two-core machine. */
const SLACK_MS = 100;

interface Settled {
  outcome: 'resolved' | 'rejected';
  value?: unknown;
  code?: unknown;
  ms: number;
}

async function settle(promise: Promise<unknown>): Promise<Settled> {
  const started = performance.now();
  try {
    const value = await promise;

    return { outcome: 'resolved', value, ms: performance.now() - started };
  } catch (error) {
    const code = (error as { code?: unknown }).code;

    return { outcome: 'rejected', code, ms: performance.now() - started };
  }
}

async function storeOn(server: RedisServer, t: Test, options: RedisOptions) {
  const client = new Redis(server.url, { ...options, lazyConnect: true });
  client.on('error', () => undefined);
  await client.connect();
  t.teardown(() => client.disconnect());

  return createRedisStore({ client, timeoutMs: TIMEOUT_MS });
}

async function issued(store: RevocationStore, subject = `fault-${randomUUID()}`) {
  const now = Date.now();
  const facts: TokenFacts = { jti: randomUUID(), subject, issuedAt: now, expiresAt: now + HOUR };
  await store.recordIssue(subject, now, facts.expiresAt);

  return facts;
}

/** Polls until the store answers again; returns how long that took. */
async function recovery(store: RevocationStore, facts: TokenFacts, limitMs: number) {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    const attempt = await settle(store.isRevoked(facts));
    if (attempt.outcome === 'resolved') return performance.now() - started;
    await sleep(25);
  }

  return Infinity;
}

function assertRefusedPromptly(t: Test, results: Settled[], what: string) {
  for (const result of results) {
    t.equal(result.outcome, 'rejected', `${what}: never answers while down`);
    t.equal(result.code, 'ERR_STORE_UNAVAILABLE');
    t.ok(result.ms < TIMEOUT_MS + SLACK_MS, `${what}: refused in ${result.ms.toFixed(0)} ms`);
  }
}

const skip = redisSkipReason();
if (skip) {
  t.plan(0, skip);
} else {
  const server = await startRedisServer();
  const faults = { skip: faultSkipReason(server) ?? false };
  t.teardown(() => (server.managed ? server.stop() : undefined));
  const recommended = redisClientOptions(TIMEOUT_MS);
  const clients: [string, RedisOptions][] = [
    ['recommended client options', recommended],
    ['ioredis defaults (offline queue, long retries)', {}],
  ];

  for (const [name, options] of clients) {
    t.test(`a stopped server is refused within the timeout (${name})`, faults, async (t) => {
      const store = await storeOn(server, t, options);
      const revoked = await issued(store);
      await store.revoke(revoked);
      t.teardown(() => server.start());

      await server.stop();
      const results = await Promise.all([
        settle(store.isRevoked(revoked)),
        settle(store.isRevoked(revoked)),
        settle(
          store.redeem({
            ...revoked,
            family: 'f',
            candidate: 'c',
            graceMs: 1,
            familyExpiresAt: revoked.expiresAt,
          }),
        ),
        settle(store.revokeAll(revoked.subject, Date.now(), HOUR)),
      ]);
      const worst = Math.max(...results.map((result) => result.ms));
      t.comment(`${name}: time to StoreUnavailable with the server stopped ${worst.toFixed(1)} ms`);

      assertRefusedPromptly(t, results, 'stopped');
      if (options === recommended) {
        t.ok(worst < 100, 'no offline queue: refused at once, not at the timeout');
      }
      t.same((await store.health()).ok, false);
    });

    t.test(`a wedged server is refused within the timeout (${name})`, faults, async (t) => {
      const store = await storeOn(server, t, options);
      const revoked = await issued(store);
      await store.revoke(revoked);
      t.teardown(() => server.resume());

      server.pause();
      const results = await Promise.all([
        settle(store.isRevoked(revoked)),
        settle(store.recordIssue(revoked.subject, Date.now(), revoked.expiresAt)),
      ]);
      const worst = Math.max(...results.map((result) => result.ms));
      t.comment(`${name}: time to StoreUnavailable with the server paused ${worst.toFixed(1)} ms`);
      server.resume();

      assertRefusedPromptly(t, results, 'paused');
      t.ok(worst >= TIMEOUT_MS - 5, 'the refusal came from the timeout, not a closed socket');
      t.equal(await store.isRevoked(revoked), true, 'answers again once the server resumes');
    });
  }

  t.test('a killed server never lets a revoked token through mid-load', faults, async (t) => {
    const store = await storeOn(server, t, recommended);
    const revoked = await issued(store);
    await store.revoke(revoked);
    t.teardown(() => server.start());

    const load = Array.from({ length: 200 }, async (_, i) => {
      await sleep(i % 20);

      return settle(store.isRevoked(revoked));
    });
    await sleep(8);
    await server.kill();
    const results = await Promise.all(load);
    const answered = results.filter((result) => result.outcome === 'resolved');
    const refused = results.filter((result) => result.outcome === 'rejected');

    t.ok(refused.length > 0, `${refused.length} calls refused after the kill`);
    t.ok(
      answered.every((result) => result.value === true),
      'every answer said revoked',
    );
    t.ok(refused.every((result) => result.code === 'ERR_STORE_UNAVAILABLE'));
    t.ok(Math.max(...results.map((result) => result.ms)) < TIMEOUT_MS + SLACK_MS);
  });

  t.test('a restarted server is used again by the same store object', faults, async (t) => {
    const store = await storeOn(server, t, recommended);
    const before = await issued(store);

    await server.stop();
    t.equal((await settle(store.isRevoked(before))).outcome, 'rejected');
    await server.start();
    const recoveredIn = await recovery(store, before, 5000);
    t.comment(`recovered ${recoveredIn.toFixed(0)} ms after the restart`);

    t.ok(recoveredIn < 3000, 'recovered by itself');
    t.equal(await store.isRevoked(before), true, 'tokens from before the data loss are refused');
    const after = await issued(store, before.subject);
    t.equal(await store.isRevoked(after), false, 'tokens issued after the restart work');
  });

  t.test('a flushed server keeps revoked tokens revoked', faults, async (t) => {
    const store = await storeOn(server, t, recommended);
    const subject = `flush-${randomUUID()}`;
    const revoked = await issued(store, subject);
    const bystander = await issued(store, subject);
    await store.revoke(revoked);
    await store.revokeAll(`${subject}-all`, Date.now(), HOUR);
    const family = { ...(await issued(store, subject)), family: 'fam' };
    await store.revokeFamily('fam', subject, family.expiresAt);

    await server.flushall();
    await sleep(2);

    t.equal(await store.isRevoked(revoked), true, 'revoked by jti, still refused');
    t.equal(await store.isRevoked(family), true, 'revoked by family, still refused');
    t.equal(await store.isRevoked(bystander), true, 'the cost: unrevoked older tokens too');
    const after = await issued(store, subject);
    t.equal(await store.isRevoked(after), false, 'tokens issued after the flush work');
  });
}

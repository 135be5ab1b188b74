import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { Redis } from 'ioredis';
import { createRedisStore, redisClientOptions } from '../../src/stores/redis.js';
import type { RevocationStore, TokenFacts } from '../../src/stores/types.js';
import { redisSkipReason, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { storeContract } from '../helpers/store-contract.js';

const HOUR = 3_600_000;

async function connect(server: RedisServer, t: Test): Promise<Redis> {
  const client = new Redis(server.url, { ...redisClientOptions(500), lazyConnect: true });
  await client.connect();
  t.teardown(() => client.disconnect());

  return client;
}

function facts(subject: string, lifeMs = HOUR, family?: string): TokenFacts {
  const now = Date.now();
  const result: TokenFacts = { jti: randomUUID(), subject, issuedAt: now, expiresAt: now + lifeMs };
  if (family !== undefined) result.family = family;

  return result;
}

/** Names of the commands clients send from now on, leaving out those a script runs. */
async function watchCommands(server: RedisServer, t: Test): Promise<string[]> {
  const admin = new Redis(server.url);
  t.teardown(() => admin.disconnect());
  const monitor = await admin.monitor();
  t.teardown(() => monitor.disconnect());
  const seen: string[] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source !== 'lua') seen.push(args[0]!.toLowerCase());
  });

  return seen;
}

/** PTTL is within `slack` ms below the expected life (and at most a clock tick above it). */
function near(t: Test, actual: number, expected: number, slack: number, what: string) {
  t.ok(
    actual <= expected + 2 && actual > expected - slack,
    `${what}: ${actual} ms within ${slack} ms below ${expected}`,
  );
}

const skip = redisSkipReason();
if (skip) {
  t.plan(0, skip);
} else {
  const server = await startRedisServer();
  t.teardown(() => (server.managed ? server.stop() : undefined));

  t.test('redis store contract', async (t) => {
    const client = await connect(server, t);
    storeContract(t, {
      create: async () => createRedisStore({ client }),
      now: () => Date.now(),
      elapse: (ms) => sleep(ms),
      shortMs: 150,
    });
  });

  t.test('every key expires with what it affects', async (t) => {
    const client = await connect(server, t);
    const store = createRedisStore({ client });
    const subject = `pttl-${randomUUID()}`;
    const token = facts(subject, 60_000, 'fam-1');
    await store.recordIssue(subject, token.issuedAt, token.issuedAt + 120_000);
    await store.revoke(token);
    await store.revokeFamily('fam-1', subject, token.issuedAt + 90_000);
    await store.revokeAll(subject, Date.now(), 30_000);
    const redeem = { jti: token.jti, family: 'fam-2', subject, candidate: 'pair', graceMs: 5000 };
    const familyExpiresAt = token.issuedAt + 100_000;
    await store.redeem({ ...redeem, familyExpiresAt, expiresAt: token.expiresAt });
    const base = `ta:{${subject}}:`;
    const elapsed = Date.now() - token.issuedAt;

    near(t, await client.pttl(`${base}j:${token.jti}`), 60_000 - elapsed, 200, 'jti');
    near(t, await client.pttl(`${base}f:fam-1`), 90_000 - elapsed, 200, 'family');
    near(t, await client.pttl(`${base}l`), 120_000 - elapsed, 200, 'ledger');
    near(t, await client.pttl(`${base}c`), 30_000, 200, 'cut-off');
    near(t, await client.pttl(`${base}r:${token.jti}`), 60_000 - elapsed, 200, 'redemption');
    near(t, await client.pttl(`${base}g:fam-2`), 100_000 - elapsed, 200, 'newest redemption');
  });

  t.test('the ledger keeps its first time and only extends its expiry', async (t) => {
    const client = await connect(server, t);
    const store = createRedisStore({ client });
    const subject = `ledger-${randomUUID()}`;
    const now = Date.now();
    await store.recordIssue(subject, now, now + 60_000);
    await store.recordIssue(subject, now + 5, now + 10_000);
    const key = `ta:{${subject}}:l`;

    t.equal(await client.get(key), String(now));
    near(t, await client.pttl(key), now + 60_000 - Date.now(), 200, 'ledger');
  });

  t.test('an unreadable cut-off or ledger counts as revoked', async (t) => {
    const client = await connect(server, t);
    const store = createRedisStore({ client });
    const token = facts(`junk-${randomUUID()}`);
    await store.recordIssue(token.subject, token.issuedAt, token.expiresAt);
    await client.set(`ta:{${token.subject}}:c`, 'junk');

    t.equal(await store.isRevoked(token), true, 'cut-off');
    await client.del(`ta:{${token.subject}}:c`);
    t.equal(await store.isRevoked(token), false);
    await client.set(`ta:{${token.subject}}:l`, 'junk');
    t.equal(await store.isRevoked(token), true, 'ledger');
  });

  t.test('keys of one subject share one hash tag whatever the subject holds', async (t) => {
    const client = await connect(server, t);
    const keyPrefix = `tag-${randomUUID()}:`;
    const store = createRedisStore({ client, keyPrefix });
    const subjects = ['a}b{c', 'a%7db{c', '', 'é\ud800 x', '{}', '\u0100a', '\u100a'];
    for (const subject of subjects) {
      const token = facts(subject, HOUR, 'fam');
      await store.recordIssue(subject, token.issuedAt, token.expiresAt);
      await store.revoke(token);
      await store.revokeFamily('fam', subject, token.expiresAt);
      await store.revokeAll(subject, token.issuedAt, 1000);
    }
    const keys = await client.keys(`${keyPrefix}*`);
    const tags = new Set(keys.map((key) => /^[^{]*(\{[^{}]+\}):/.exec(key)?.[1]));

    t.equal(keys.length, subjects.length * 4);
    t.notOk(tags.has(undefined), 'every key starts with a non-empty brace-free tag');
    t.equal(tags.size, subjects.length, 'one tag a subject, no two subjects share one');
  });

  t.test('isRevoked is one command and redeem one script call', async (t) => {
    const client = await connect(server, t);
    const store = createRedisStore({ client });
    const token = facts(`rtt-${randomUUID()}`, HOUR, 'fam');
    await store.recordIssue(token.subject, token.issuedAt, token.expiresAt);
    const request = { ...token, family: 'fam', candidate: 'pair', graceMs: 1000 };
    await store.redeem({ ...request, familyExpiresAt: token.expiresAt });
    const seen = await watchCommands(server, t);

    await store.isRevoked(token);
    await store.redeem({ ...request, familyExpiresAt: token.expiresAt });
    await sleep(50);

    t.same(seen, ['mget', 'evalsha'], 'commands sent by the client, script internals aside');
  });

  t.test('measures the isRevoked round trip', async (t) => {
    const client = await connect(server, t);
    const store = createRedisStore({ client });
    const token = facts(`bench-${randomUUID()}`);
    await store.recordIssue(token.subject, token.issuedAt, token.expiresAt);
    const rounds = 2000;
    const started = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) await store.isRevoked(token);
    const micros = Number(process.hrtime.bigint() - started) / 1000 / rounds;
    t.comment(`isRevoked round trip: ${micros.toFixed(1)} µs mean, ${rounds} sequential calls`);

    t.ok(micros < 5000, `${micros.toFixed(1)} µs`);
  });

  t.test('a redis error becomes a store error that names no key', async (t) => {
    const client = await connect(server, t);
    const store = createRedisStore({ client });
    const subject = `secret-subject-${randomUUID()}`;
    await client.hset(`ta:{${subject}}:l`, 'not', 'a string');
    const error = await store.recordIssue(subject, Date.now(), Date.now() + HOUR).then(
      () => undefined,
      (caught: unknown) => caught as Error & { code: string; cause: Error },
    );

    t.equal(error?.code, 'ERR_STORE_UNAVAILABLE');
    t.equal(error?.name, 'StoreUnavailableError');
    t.notMatch(`${error?.message} ${error?.cause.message}`, subject);
    t.match(error?.cause.message, /WRONGTYPE/);
  });

  t.test('warns when redis may evict keys under memory pressure', async (t) => {
    const admin = await connect(server, t);
    const warnings: string[] = [];
    const onWarning = (warning: Error & { code?: string }) => warnings.push(warning.code ?? '');
    process.on('warning', onWarning);
    t.teardown(() => void process.off('warning', onWarning));
    await createRedisStore({ client: await connect(server, t) }).health();
    await admin.config('SET', 'maxmemory', '100mb');
    await admin.config('SET', 'maxmemory-policy', 'volatile-lru');
    t.teardown(() => admin.config('SET', 'maxmemory', '0'));
    t.teardown(() => admin.config('SET', 'maxmemory-policy', 'noeviction'));
    t.equal(warnings.length, 0, 'no warning with no memory limit');

    await createRedisStore({ client: await connect(server, t) }).health();
    await sleep(20);

    t.same(warnings, ['TA_REDIS_EVICTION_POLICY']);
  });

  t.test('health reports a measured ping', async (t) => {
    const client = await connect(server, t);
    const report = await createRedisStore({ client }).health();

    t.equal(report.store, 'redis');
    t.equal(report.ok, true);
    t.type(report.latencyMs, 'number');
  });

  t.test('close runs onClose once and leaves the client to its owner', async (t) => {
    const client = await connect(server, t);
    let closed = 0;
    const store: RevocationStore = createRedisStore({
      client,
      onClose: async () => {
        closed += 1;
      },
    });
    await Promise.all([store.close(), store.close()]);

    t.equal(closed, 1);
    t.equal(await client.ping(), 'PONG');
  });

  t.test('refuses bad options at construction', async (t) => {
    const client = await connect(server, t);
    const bad = [
      [{ client, keyPrefix: 'a{b}:' }, /"keyPrefix"/],
      [{ client, timeoutMs: 0 }, /"timeoutMs"/],
      [{ client: {} }, /"client"/],
    ] as const;
    for (const [options, message] of bad) {
      t.throws(() => createRedisStore(options as never), { name: 'TypeError', message });
    }
  });
}

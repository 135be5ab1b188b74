import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import type { Cluster } from 'ioredis';
import { createRedisStore } from '../../src/stores/redis.js';
import type { RevocationStore, TokenFacts } from '../../src/stores/types.js';
import { bearer, buildApp } from '../helpers/app.js';
import { clusterSkipReason, connectCluster, startRedisCluster } from '../helpers/redis-cluster.js';
import { redeemOf, storeContract } from '../helpers/store-contract.js';

const HOUR = 3_600_000;
const skip = clusterSkipReason();

function facts(subject: string, family: string): TokenFacts {
  const now = Date.now();

  return { jti: randomUUID(), subject, issuedAt: now, expiresAt: now + HOUR, family };
}

async function issued(store: RevocationStore, subject: string, family: string) {
  const token = facts(subject, family);
  await store.recordIssue(subject, token.issuedAt, token.expiresAt);

  return token;
}

/** Every key under `prefix` on every master, each with the slot Redis computes for it. */
async function slotsOf(client: Cluster, prefix: string): Promise<Map<string, number>> {
  const slots = new Map<string, number>();
  for (const node of client.nodes('master')) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) slots.set(key, Number(await node.cluster('KEYSLOT', key)));
    } while (cursor !== '0');
  }

  return slots;
}

/** Writes every kind of key the store has for `subject`: ledger, jti, cut-off, family, redeem. */
async function writeEveryKey(store: RevocationStore, subject: string): Promise<boolean> {
  const family = `fam-${randomUUID()}`;
  const refresh = await issued(store, subject, family);
  await store.revoke(facts(subject, family));
  await store.revokeAll(subject, Date.now() - 1000, HOUR);
  await store.redeem(redeemOf(refresh, 'pair', 5000));
  await store.revokeFamily(`fam-${randomUUID()}`, subject, Date.now() + HOUR);

  return store.isRevoked(refresh);
}

/** The hash tag of a key written under `prefix`: the subject part up to its closing brace. */
function tagOf(key: string, prefix: string): string {
  return key.slice(prefix.length, key.indexOf('}', prefix.length) + 1);
}

if (skip) {
  t.plan(0, skip);
} else {
  const cluster = await startRedisCluster();
  t.teardown(() => cluster.stop());
  const client = await connectCluster(cluster.nodes);
  t.teardown(() => client.disconnect());

  t.test('the store contract holds on a three-master cluster', async (t) => {
    storeContract(t, {
      create: async () => createRedisStore({ client, keyPrefix: 'contract:' }),
      now: () => Date.now(),
      elapse: (ms) => sleep(ms),
      shortMs: 150,
    });
  });

  t.test('writes every kind of key a subject has under its hash tag', async (t) => {
    const prefix = `kinds-${randomUUID()}:`;
    const store = createRedisStore({ client, keyPrefix: prefix });

    t.equal(await writeEveryKey(store, 'alice'), false, 'the redeemed token is still alive');
    const keys = [...(await slotsOf(client, prefix)).keys()];
    const kinds = keys.map((key) => key.slice(`${prefix}{alice}:`.length).split(':')[0]);
    t.same([...new Set(kinds)].sort(), ['c', 'f', 'g', 'j', 'l', 'r']);
    t.same(new Set(keys.map((key) => tagOf(key, prefix))), new Set(['{alice}']));
  });

  t.test('every key of one subject lands in one slot, whatever the subject', async (t) => {
    const prefix = `slot-${randomUUID()}:`;
    const store = createRedisStore({ client, keyPrefix: prefix });
    const subjects = [
      'alice',
      '',
      'a{b}c',
      '}{',
      'ü-ñ',
      '%7b',
      ...Array.from({ length: 8 }, randomUUID),
    ];
    for (const subject of subjects) await writeEveryKey(store, subject);
    const bySubject = new Map<string, Set<number>>();
    for (const [key, slot] of await slotsOf(client, prefix)) {
      const slots = bySubject.get(tagOf(key, prefix)) ?? new Set<number>();
      bySubject.set(tagOf(key, prefix), slots.add(slot));
    }

    t.equal(bySubject.size, subjects.length, 'one hash tag per subject');
    for (const [tag, slots] of bySubject) t.equal(slots.size, 1, `keys of ${tag} share one slot`);
    const used = new Set([...bySubject.values()].flatMap((slots) => [...slots]));
    t.ok(used.size > 1, 'different subjects do not all share one slot');
  });

  t.test('spreads subjects over more than one master', async (t) => {
    const prefix = `spread-${randomUUID()}:`;
    const store = createRedisStore({ client, keyPrefix: prefix });
    const now = Date.now();
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => store.recordIssue(`user-${i}`, now, now + HOUR)),
    );
    const counts = await Promise.all(
      client.nodes('master').map(async (node) => {
        const [, keys] = await node.scan('0', 'MATCH', `${prefix}*`, 'COUNT', 10_000);

        return keys.length;
      }),
    );

    t.ok(counts.filter((count) => count > 0).length > 1, `keys per master: ${counts.join(', ')}`);
  });

  t.test('ten concurrent redeems from three clients: one fresh, nine grace', async (t) => {
    const clients = [
      client,
      await connectCluster(cluster.nodes),
      await connectCluster(cluster.nodes),
    ];
    t.teardown(() => clients.slice(1).forEach((extra) => extra.disconnect()));
    const stores = clients.map((each) => createRedisStore({ client: each }));
    const refresh = await issued(stores[0]!, `trent-${randomUUID()}`, `fam-${randomUUID()}`);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        stores[i % 3]!.redeem(redeemOf(refresh, `pair-${i}`, 5000)),
      ),
    );
    const fresh = results.filter((result) => result.status === 'fresh');
    const successors = new Set(results.map((result) => 'successor' in result && result.successor));

    t.equal(fresh.length, 1);
    t.equal(results.filter((result) => result.status === 'grace').length, 9);
    t.equal(successors.size, 1, 'every caller got the same successor');
    t.same([...successors], [fresh[0] && fresh[0].successor], 'the fresh caller’s candidate');
  });

  t.test('reuse after the grace window revokes the whole family', async (t) => {
    const store = createRedisStore({ client });
    const subject = `victor-${randomUUID()}`;
    const family = `fam-${randomUUID()}`;
    const first = await issued(store, subject, family);
    t.equal((await store.redeem(redeemOf(first, 'pair-1', 150))).status, 'fresh');
    const access = await issued(store, subject, family);
    const second = await issued(store, subject, family);
    await sleep(250);

    t.same(await store.redeem(redeemOf(first, 'pair-2', 150)), { status: 'reused' });
    t.equal(await store.isRevoked(access), true, 'the successor access token is revoked');
    t.equal(await store.isRevoked(second), true, 'the successor refresh token is revoked');
    t.same(await store.redeem(redeemOf(second, 'pair-3', 150)), { status: 'reused' });
  });

  t.test('the plugin rotates, revokes and reports health over the cluster', async (t) => {
    const { app } = await buildApp(t, { store: 'redis', redis: client, refreshGrace: 0.2 });
    const refresh = (token: string) =>
      app.inject({ method: 'POST', url: '/refresh', body: { refreshToken: token } });

    t.match(await app.tokens.health(), { store: 'redis', ok: true, latencyMs: Number });
    const first = await app.tokens.issue({ sub: `cl-${randomUUID()}` });
    const rotated = await Promise.all(
      Array.from({ length: 10 }, () => refresh(first.refreshToken)),
    );
    t.same(
      rotated.map((res) => res.statusCode),
      Array(10).fill(200),
    );
    t.equal(new Set(rotated.map((res) => res.body)).size, 1, 'one successor pair');
    const next = rotated[0]!.json();
    t.equal((await app.inject({ url: '/me', headers: bearer(next.accessToken) })).statusCode, 200);

    await sleep(300);
    const replay = await refresh(first.refreshToken);
    t.equal(replay.statusCode, 401);
    t.equal(replay.json().code, 'FST_TA_REFRESH_REUSED');
    const dead = await app.inject({ url: '/me', headers: bearer(next.accessToken) });
    t.equal(dead.json().code, 'FST_TA_TOKEN_REVOKED', 'the family died with the replay');
  });

  t.test('the plugin revokes one token and every token of a subject on the cluster', async (t) => {
    const { app } = await buildApp(t, { store: 'redis', redis: client });
    const subject = `cl-${randomUUID()}`;
    const one = await app.tokens.issue({ sub: subject });
    const two = await app.tokens.issue({ sub: subject });
    const me = (token: string) => app.inject({ url: '/me', headers: bearer(token) });

    await app.tokens.revoke(one.accessToken);
    t.equal((await me(one.accessToken)).json().code, 'FST_TA_TOKEN_REVOKED');
    t.equal((await me(two.accessToken)).statusCode, 200, 'a sibling stays valid');
    await app.tokens.revokeAll(subject);
    t.equal((await me(two.accessToken)).json().code, 'FST_TA_TOKEN_REVOKED');
    const three = await app.tokens.issue({ sub: subject });
    t.equal((await me(three.accessToken)).statusCode, 200, 'issued after revoke-all');
  });
}

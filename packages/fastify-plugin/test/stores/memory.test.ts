import { randomUUID } from 'node:crypto';
import t from 'tap';
import { createMemoryStore } from '../../src/stores/memory.js';
import type { TokenFacts } from '../../src/stores/types.js';
import { storeContract } from '../helpers/store-contract.js';

const HOUR = 3_600_000;

function fakeClock(start = Date.now()) {
  let now = start;

  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function facts(subject: string, issuedAt: number, lifeMs = HOUR): TokenFacts {
  return { jti: randomUUID(), subject, issuedAt, expiresAt: issuedAt + lifeMs };
}

t.test('memory store contract', async (t) => {
  const clock = fakeClock();
  storeContract(t, {
    create: async () => createMemoryStore({ clock: clock.now }),
    now: clock.now,
    elapse: async (ms) => clock.advance(ms),
    shortMs: 1000,
  });
});

t.test('forgets expired entries on read and on later writes', async (t) => {
  const clock = fakeClock();
  const store = createMemoryStore({ clock: clock.now });
  t.teardown(() => store.close());
  const start = clock.now();
  for (let i = 0; i < 50; i++) await store.revoke(facts('sam', start, 1000));
  await store.recordIssue('sam', start, start + HOUR);

  t.equal(store.size, 51);
  clock.advance(1001);
  for (let i = 0; i < 20; i++) await store.revoke(facts('sam', clock.now()));

  t.ok(store.size < 51, `writes swept expired entries (${store.size} left)`);
});

t.test('fails closed when full: tokens older than the eviction count as revoked', async (t) => {
  const clock = fakeClock();
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on('warning', onWarning);
  t.teardown(() => void process.off('warning', onWarning));
  const store = createMemoryStore({ maxEntries: 3, clock: clock.now });
  t.teardown(() => store.close());
  const start = clock.now();
  await store.recordIssue('victor', start, start + HOUR);
  const soonest = facts('victor', start, 10_000);
  const older = facts('victor', start);
  await store.revoke(soonest);
  await store.revoke(facts('victor', start));

  clock.advance(5);
  await store.revoke(facts('victor', start));
  const newer = facts('victor', clock.now());
  await new Promise((resolve) => setImmediate(resolve));

  t.equal(store.size, 3, 'never holds more than maxEntries');
  t.equal(await store.isRevoked(soonest), true, 'the forgotten revocation still holds');
  t.equal(await store.isRevoked(older), true, 'the cost: every older token is refused');
  t.equal(await store.isRevoked(newer), false, 'tokens issued after the eviction work');
  t.equal(
    warnings.filter((w) => (w as { code?: string }).code === 'TA_MEMORY_STORE_FULL').length,
    1,
  );

  clock.advance(10_000);
  t.equal(await store.isRevoked(older), false, 'the floor lifts once the forgotten entry expired');
});

t.test('refuses a maxEntries that is not a positive integer', async (t) => {
  for (const maxEntries of [0, -1, 1.5, Number.NaN, Infinity]) {
    t.throws(() => createMemoryStore({ maxEntries }), {
      name: 'TypeError',
      message: /"maxEntries"/,
    });
  }
});

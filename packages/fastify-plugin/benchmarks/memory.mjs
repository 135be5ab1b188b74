// One million revocations that then expire must leave the memory store near its baseline heap
// and Redis with no token keys. Runs with --expose-gc (it re-launches itself with the flag).
//
//   node benchmarks/memory.mjs              1,000,000 revocations in each store
//   BENCH_REVOCATIONS=100000 node benchmarks/memory.mjs   a shorter run
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { machine, packageVersions, round, saveResult } from '../../../benchmarks/lib/report.mjs';
import { startRedis } from './redis-server.mjs';

if (typeof globalThis.gc !== 'function') {
  const file = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, ['--expose-gc', file], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const COUNT = Number(process.env.BENCH_REVOCATIONS ?? 1_000_000);
const TTL_MS = 60_000;
const DRAIN_TIMEOUT_MS = 120_000;

/** 22-character base64url jtis, as the token service makes them, drawn from one buffer. */
function jtiFactory() {
  const pool = Buffer.alloc(16 * 4096);
  let offset = pool.length;

  return () => {
    if (offset === pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    offset += 16;

    return pool.toString('base64url', offset - 16, offset);
  };
}

function heapMB() {
  globalThis.gc();
  globalThis.gc();

  return round(process.memoryUsage().heapUsed / 2 ** 20, 1);
}

async function until(condition, timeoutMs) {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) return false;
    await sleep(100);
  }

  return true;
}

function facts(nextJti, i, now, ttlMs) {
  return {
    jti: nextJti(),
    subject: `user-${i % 10_000}`,
    issuedAt: now,
    expiresAt: now + ttlMs,
  };
}

async function memoryCheck(createMemoryStore) {
  let now = Date.now();
  const nextJti = jtiFactory();
  const baselineMB = heapMB();
  // Room for every revocation: at the default cap (100,000) the store fails closed instead.
  const store = createMemoryStore({ maxEntries: COUNT + 1000, clock: () => now });

  const started = performance.now();
  for (let i = 0; i < COUNT; i++) await store.revoke(facts(nextJti, i, now, TTL_MS));
  const insertSeconds = (performance.now() - started) / 1000;
  const peakMB = heapMB();
  const peakEntries = store.size;

  // Jump the store's clock past every expiry and let its background sweep drain it.
  now += TTL_MS + 1;
  const drainStarted = performance.now();
  const drained = await until(() => store.size === 0, DRAIN_TIMEOUT_MS);
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  const afterMB = heapMB();
  const afterEntries = store.size;
  await store.close();
  const afterCloseMB = heapMB();

  return {
    revocations: COUNT,
    baselineMB,
    peakMB,
    afterMB,
    afterCloseMB,
    peakEntries,
    afterEntries,
    drained,
    insertSeconds: round(insertSeconds, 2),
    drainSeconds: round(drainSeconds, 2),
    bytesPerEntryAtPeak: Math.round(((peakMB - baselineMB) * 2 ** 20) / COUNT),
    // "Near" = what is left after expiry is under a tenth of what the entries took at peak.
    nearBaseline: drained && afterMB - baselineMB < (peakMB - baselineMB) / 10,
  };
}

async function usedMemoryMB(client) {
  const info = await client.info('memory');

  return round(Number(/used_memory:(\d+)/.exec(info)[1]) / 2 ** 20, 1);
}

async function redisCheck(createRedisStore) {
  const { default: Redis } = await import('ioredis');
  const redis = await startRedis();
  const client = new Redis(redis.url, { enableAutoPipelining: true });
  // A bulk fill on a busy shared machine, not a latency test: allow slow answers.
  const store = createRedisStore({ client, timeoutMs: 10_000 });
  const nextJti = jtiFactory();
  const ttlMs = 5000;
  try {
    const baselineUsedMB = await usedMemoryMB(client);
    const started = performance.now();
    let peakKeys = 0;
    let peakUsedMB = 0;
    // Each key lives ttlMs past its own write, so the earliest may be gone before the fill
    // ends: the peak is sampled during the fill.
    for (let i = 0; i < COUNT; i += 500) {
      const now = Date.now();
      const batch = [];
      for (let j = i; j < Math.min(i + 500, COUNT); j++) {
        batch.push(store.revoke(facts(nextJti, j, now, ttlMs)));
      }
      await Promise.all(batch);
      if ((i + 500) % 50_000 === 0 || i + 500 >= COUNT) {
        peakKeys = Math.max(peakKeys, await client.dbsize());
        peakUsedMB = Math.max(peakUsedMB, await usedMemoryMB(client));
      }
    }
    const insertSeconds = (performance.now() - started) / 1000;

    const drainStarted = performance.now();
    const drained = await until(async () => (await client.dbsize()) === 0, DRAIN_TIMEOUT_MS);
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    const leftKeys = await client.keys('*');
    const afterUsedMB = await usedMemoryMB(client);

    return {
      revocations: COUNT,
      ttlMs,
      baselineUsedMB,
      peakKeys,
      peakUsedMB,
      afterKeys: leftKeys.length,
      afterUsedMB,
      leftKeys: leftKeys.slice(0, 10),
      drained,
      insertSeconds: round(insertSeconds, 2),
      drainSeconds: round(drainSeconds, 2),
    };
  } finally {
    await store.close();
    client.disconnect();
    await redis.stop();
  }
}

async function main() {
  const plugin = await import('../dist/index.js');
  const out = {};
  if (typeof plugin.createMemoryStore === 'function') {
    out.memory = await memoryCheck(plugin.createMemoryStore);
    const m = out.memory;
    console.log(
      `memory store: ${m.revocations} revocations, heap ${m.baselineMB} MB before, ` +
        `${m.peakMB} MB at peak (${m.peakEntries} entries, ${m.bytesPerEntryAtPeak} B each), ` +
        `${m.afterMB} MB after expiry (${m.afterEntries} entries, ` +
        `drained in ${m.drainSeconds} s), ${m.afterCloseMB} MB after close`,
    );
  } else {
    console.error('memory check skipped: createMemoryStore is not exported');
  }

  if (typeof plugin.createRedisStore === 'function') {
    out.redis = await redisCheck(plugin.createRedisStore);
    const r = out.redis;
    console.log(
      `redis store: ${r.revocations} revocations in ${r.insertSeconds} s, ${r.peakKeys} keys ` +
        `(${r.peakUsedMB} MB) at peak, DBSIZE ${r.afterKeys} (${r.afterUsedMB} MB) after ` +
        `expiry (drained in ${r.drainSeconds} s)`,
    );
  } else {
    console.error('redis check skipped: createRedisStore is not exported');
  }

  const file = await saveResult('memory', {
    benchmark: 'revocations that expire: memory store heap and Redis DBSIZE',
    machine: machine(),
    versions: packageVersions(import.meta.url, ['ioredis']),
    ...out,
  });
  if (file) console.log(`saved ${file}`);

  const failed = (out.memory && !out.memory.nearBaseline) || (out.redis && out.redis.afterKeys > 0);
  if (failed) process.exitCode = 1;
}

await main();

import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import { createMemoryStore } from '../../src/stores/memory.js';

/** 2e5 keeps the suite quick on shared cores; `TA_HEAP_COUNT=1000000` runs the full million. */
const COUNT = Number(process.env.TA_HEAP_COUNT ?? 200_000);
const MB = 1024 * 1024;

// Full collections make heap numbers comparable; tap gives no per-file node flags.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function settledHeap(): number {
  gc();
  gc();

  return process.memoryUsage().heapUsed;
}

t.test(`${COUNT} revocations that expire leave the heap near its baseline`, async (t) => {
  const baseline = settledHeap();
  let now = Date.now();
  const store = createMemoryStore({ maxEntries: COUNT + 1, clock: () => now });
  t.teardown(() => store.close());
  const started = Date.now();
  const facts = { subject: 'heap', issuedAt: now, expiresAt: now + 1000 };
  for (let i = 0; i < COUNT; i++) await store.revoke({ ...facts, jti: `jti-${i}` });
  const inserted = Date.now() - started;
  const peak = settledHeap();
  t.comment(`inserted ${COUNT} in ${inserted} ms, heap +${((peak - baseline) / MB).toFixed(1)} MB`);

  t.equal(store.size, COUNT, 'all held before expiry');
  now += 1001;
  const expired = Date.now();
  while (store.size > 0 && Date.now() - expired < 15_000) await sleep(100);
  const after = settledHeap();
  const swept = Date.now() - expired;
  t.comment(`swept in ${swept} ms, heap after +${((after - baseline) / MB).toFixed(2)} MB`);

  t.equal(store.size, 0, 'the background sweep removed every expired entry');
  t.ok(after - baseline < 2 * MB, 'heap back within 2 MB of baseline');
});

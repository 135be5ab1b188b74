import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { Redis } from 'ioredis';
import { bearer, buildApp } from '../helpers/app.js';
import { findBinary, freePort, waitForExit } from '../helpers/processes.js';
import { redisSkipReason } from '../helpers/redis-server.js';

/**
 * How Redis persistence decides what a crash does to revocations. The store refuses every
 * token issued before its subject's ledger entry, so losing ALL data is safe (everyone logs
 * in again). Losing only the newest writes is not: a snapshot taken before a revocation
 * brings back the ledger without the revocation, and the revoked token passes again.
 */

const skip = redisSkipReason() ?? (process.env.REDIS_URL ? 'REDIS_URL given' : undefined);

/** A redis-server with the given persistence flags that can crash (SIGKILL) and restart. */
async function persistentRedis(t: Test, flags: string[]) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ta-persist-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...flags];
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(findBinary('redis-server')!, args, { stdio: 'ignore' });
    const probe = new Redis({ port, lazyConnect: true, retryStrategy: () => null });
    probe.on('error', () => {});
    for (let i = 0; i < 100; i++) {
      try {
        await probe.connect();
        // Loading an RDB or AOF file answers LOADING until done.
        if ((await probe.ping()) === 'PONG') break;
      } catch {
        probe.disconnect();
        await sleep(50);
      }
    }
    probe.disconnect();
  };
  const crash = async () => {
    child!.kill('SIGKILL');
    await waitForExit(child!);
  };
  t.teardown(async () => {
    await crash();
    rmSync(dir, { recursive: true, force: true });
  });
  await start();

  return { url: `redis://127.0.0.1:${port}`, start, crash };
}

/** Waits until the plugin's client reconnected and answers for `token` (not 503). */
async function statusAfterRestart(app: Awaited<ReturnType<typeof buildApp>>['app'], token: string) {
  for (let i = 0; i < 100; i++) {
    const res = await app.inject({ url: '/me', headers: bearer(token) });
    if (res.statusCode !== 503) return res;
    await sleep(100);
  }

  throw new Error('store did not come back');
}

t.test('with no persistence a crash refuses every earlier token', { skip }, async (t) => {
  const redis = await persistentRedis(t, ['--save', '', '--appendonly', 'no']);
  const { app } = await buildApp(t, { store: 'redis', redis: redis.url });
  const pair = await app.tokens.issue({ sub: `none-${randomUUID()}` });
  t.equal((await app.inject({ url: '/me', headers: bearer(pair.accessToken) })).statusCode, 200);

  await redis.crash();
  await redis.start();
  const res = await statusAfterRestart(app, pair.accessToken);
  t.equal(res.json().code, 'FST_TA_TOKEN_REVOKED', 'its ledger went too: logged out, not let in');
});

t.test('with appendfsync always a crash keeps every revocation', { skip }, async (t) => {
  const flags = ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always'];
  const redis = await persistentRedis(t, flags);
  const { app } = await buildApp(t, { store: 'redis', redis: redis.url });
  const sub = `aof-${randomUUID()}`;
  const revoked = await app.tokens.issue({ sub });
  const kept = await app.tokens.issue({ sub });
  await app.tokens.revoke(revoked.accessToken);

  await redis.crash();
  await redis.start();
  const res = await statusAfterRestart(app, revoked.accessToken);
  t.equal(res.json().code, 'FST_TA_TOKEN_REVOKED');
  const other = await app.inject({ url: '/me', headers: bearer(kept.accessToken) });
  t.equal(other.statusCode, 200, 'and the sessions that were never revoked survive');
});

t.test(
  'an RDB snapshot older than a revocation lets the revoked token back in',
  { skip },
  async (t) => {
    // A known hazard, asserted so it stays visible: RDB-only persistence (or anything else that
    // can lose the newest writes) restores the ledger without the revocation.
    const redis = await persistentRedis(t, ['--save', '', '--appendonly', 'no']);
    const { app } = await buildApp(t, { store: 'redis', redis: redis.url });
    const pair = await app.tokens.issue({ sub: `rdb-${randomUUID()}` });
    const admin = new Redis(redis.url);
    await admin.save();
    admin.disconnect();
    await app.tokens.revoke(pair.accessToken);
    const before = await app.inject({ url: '/me', headers: bearer(pair.accessToken) });
    t.equal(before.json().code, 'FST_TA_TOKEN_REVOKED');

    await redis.crash();
    await redis.start();
    const res = await statusAfterRestart(app, pair.accessToken);
    t.equal(res.statusCode, 200, 'the revoked token is accepted again after the restore');
  },
);

import type { FastifyInstance } from 'fastify';
import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { invalidOptionError } from './errors.js';
import { isRedisClient, type ResolvedOptions } from './options.js';
import { createMemoryStore } from './stores/memory.js';
import { createRedisStore } from './stores/redis.js';
import type { RevocationStore } from './stores/types.js';

/** The store to use, and whether the plugin must close it on `onClose`. */
export interface StoreSetup {
  store: RevocationStore;
  owned: boolean;
  /** Something to tell the operator once, at start-up. */
  warning?: string;
}

/**
 * Fail fast: with no offline queue and one retry, a command to a Redis that is down errors at
 * once instead of waiting, so the request gets its 503 inside `storeTimeout`.
 */
export function failFastRedisOptions(storeTimeout: number): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: storeTimeout,
    connectTimeout: Math.max(storeTimeout, 1000),
    enableAutoPipelining: true,
    // Keep reconnecting for ever, at most 1 s apart, so a restarted Redis is picked up
    // without restarting Fastify.
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
  };
}

function createClient(redis: string | RedisOptions, storeTimeout: number): Redis {
  const failFast = failFastRedisOptions(storeTimeout);

  return typeof redis === 'string'
    ? new Redis(redis, failFast)
    : new Redis({ ...redis, ...failFast });
}

async function quit(client: Redis): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

function sharedClientWarning(client: Redis | Cluster): string | undefined {
  const options = (client as { options?: { enableOfflineQueue?: boolean } }).options;
  if (options?.enableOfflineQueue === false) return undefined;

  return 'shared Redis client queues commands while offline: requests wait for "storeTimeout"';
}

function sharedRedisStore(client: Redis | Cluster, options: ResolvedOptions): StoreSetup {
  const store = createRedisStore({ client, timeoutMs: options.storeTimeout });
  const warning = sharedClientWarning(client);

  return { store, owned: false, ...(warning === undefined ? {} : { warning }) };
}

/**
 * With no offline queue, commands sent before the first connection fail, so start-up waits
 * for it, a bounded time: a Redis that is down at boot gives 503s until it is back.
 */
async function waitForReady(client: Redis, ms: number): Promise<boolean> {
  if (client.status === 'ready') return true;

  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    client.on('ready', onReady);
  });
}

async function redisStore(
  fastify: FastifyInstance,
  options: ResolvedOptions,
  redis: unknown,
): Promise<StoreSetup> {
  if (isRedisClient(redis)) return sharedRedisStore(redis, options);

  if (redis === undefined) {
    const registered = (fastify as { redis?: unknown }).redis;
    if (!isRedisClient(registered)) {
      throw invalidOptionError(
        '"store" is "redis" but neither "redis" is set nor fastify.redis registered',
      );
    }

    return sharedRedisStore(registered, options);
  }

  const client = createClient(redis as string | RedisOptions, options.storeTimeout);
  // A refused connection is reported by each command as a 503; an unhandled 'error' event
  // would otherwise crash the process.
  client.on('error', () => {});
  const store = createRedisStore({
    client,
    timeoutMs: options.storeTimeout,
    onClose: () => quit(client),
  });
  const ready = await waitForReady(
    client,
    failFastRedisOptions(options.storeTimeout).connectTimeout!,
  );
  const warning = ready ? undefined : 'Redis unreachable at start-up: requests get 503 until it is';

  return { store, owned: true, ...(warning === undefined ? {} : { warning }) };
}

/** Picks the revocation store from the resolved options. */
export async function setupStore(
  fastify: FastifyInstance,
  options: ResolvedOptions,
): Promise<StoreSetup> {
  const choice = options.store;
  if (choice.kind === 'custom') return { store: choice.store, owned: false };

  if (choice.kind === 'redis') return redisStore(fastify, options, choice.redis);

  return {
    store: createMemoryStore({ clock: options.clock }),
    owned: true,
    warning: 'memory revocation store is per process: revocations are not shared or kept',
  };
}

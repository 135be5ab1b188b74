import type { FastifyInstance } from 'fastify';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { invalidOptionError } from './errors.js';
import {
  isClusterConfig,
  isRedisClient,
  type RedisClusterConfig,
  type ResolvedOptions,
} from './options.js';
import { createMemoryStore } from './stores/memory.js';
import {
  clusterClientOptions,
  createRedisStore,
  redisClientOptions,
  redisTopology,
} from './stores/redis.js';
import type { RevocationStore } from './stores/types.js';

/** The store to use, and whether the plugin must close it on `onClose`. */
export interface StoreSetup {
  store: RevocationStore;
  owned: boolean;
  /** Something to tell the operator once, at start-up. */
  warning?: string;
}

/**
 * Builds the client the plugin owns, with the fail-fast options (they win over the caller's):
 * a command to a Redis that is down errors at once, so the request gets its 503 inside
 * `storeTimeout`. Sentinel options (`sentinels` + `name`) go through `new Redis` too; the
 * fail-fast options bind the connection to whichever master Sentinel names.
 */
function createClient(redis: string | RedisOptions | RedisClusterConfig, timeout: number) {
  if (isClusterConfig(redis)) {
    const failFast = clusterClientOptions(timeout);
    const given = redis.options ?? {};

    return new Cluster(redis.cluster, {
      ...given,
      ...failFast,
      redisOptions: { ...given.redisOptions, ...failFast.redisOptions },
    });
  }

  const failFast = redisClientOptions(timeout);

  return typeof redis === 'string'
    ? new Redis(redis, failFast)
    : new Redis({ ...redis, ...failFast });
}

async function quit(client: Redis | Cluster): Promise<void> {
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
async function waitForReady(client: Redis | Cluster, ms: number): Promise<boolean> {
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

/** The names `@fastify/redis` keyed its clients by, given a `namespace`; [] for anything else. */
function namespaces(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];

  const entries = Object.entries(value);
  if (!entries.every(([, client]) => isRedisClient(client))) return [];

  return entries.map(([name]) => name);
}

/**
 * The client `@fastify/redis` registered as `fastify.redis`. With a `namespace`, that plugin
 * decorates an object of clients instead; which one holds revocations is the caller's choice.
 */
function registeredClient(fastify: FastifyInstance): Redis | Cluster {
  const registered = (fastify as { redis?: unknown }).redis;
  if (isRedisClient(registered)) return registered;

  if (registered === undefined || registered === null) {
    throw invalidOptionError(
      '"store" is "redis" but neither "redis" is set nor fastify.redis registered',
    );
  }

  const names = namespaces(registered);
  if (names.length === 0) {
    throw invalidOptionError('"store" is "redis" but fastify.redis is not an ioredis client');
  }

  throw invalidOptionError(
    `"store" is "redis" but fastify.redis holds namespaced clients ` +
      `(${names.map((name) => `"${name}"`).join(', ')}): pass one as "redis"`,
  );
}

async function redisStore(
  fastify: FastifyInstance,
  options: ResolvedOptions,
  redis: unknown,
): Promise<StoreSetup> {
  if (isRedisClient(redis)) return sharedRedisStore(redis, options);

  if (redis === undefined) return sharedRedisStore(registeredClient(fastify), options);

  const client = createClient(
    redis as string | RedisOptions | RedisClusterConfig,
    options.storeTimeout,
  );
  // A refused connection is reported by each command as a 503; an unhandled 'error' event
  // would otherwise crash the process.
  client.on('error', () => {});
  const store = createRedisStore({
    client,
    timeoutMs: options.storeTimeout,
    onClose: () => quit(client),
  });
  if (await waitForReady(client, startupWaitMs(client, options.storeTimeout))) {
    return { store, owned: true };
  }
  const name = { single: 'Redis', cluster: 'Redis Cluster', sentinel: 'Redis via Sentinel' };

  return {
    store,
    owned: true,
    warning: `${name[redisTopology(client)]} unreachable at start-up: requests get 503 until it is`,
  };
}

/**
 * How long start-up waits for the first connection: one connect timeout for a single node;
 * twice that where a seed or sentinel must be asked first (cluster slots, master address).
 */
function startupWaitMs(client: Redis | Cluster, storeTimeout: number): number {
  const connect = redisClientOptions(storeTimeout).connectTimeout!;

  return redisTopology(client) === 'single' ? connect : connect * 2;
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
    warning:
      'memory revocation store is per process: a restart signs every user out, and other ' +
      "instances refuse this one's tokens and miss its revocations",
  };
}

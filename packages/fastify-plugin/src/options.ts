import type { TokenServiceOptions } from '@tokenized-auth/core';
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { invalidOptionError } from './errors.js';
import type { RevocationStore } from './stores/types.js';

/**
 * A Redis Cluster for the plugin to connect to, own and close: seed nodes (`{ host, port }` or
 * `'host:port'`) and extra ioredis `ClusterOptions`. The fail-fast settings
 * (`clusterClientOptions`) win over yours.
 *
 * @example
 * await app.register(tokenizedAuth, { secret, store: 'redis',
 *   redis: { cluster: ['10.0.0.1:6379', { host: '10.0.0.2', port: 6379 }] } });
 */
export interface RedisClusterConfig {
  cluster: Array<{ host: string; port: number } | string>;
  options?: ClusterOptions;
}

/**
 * Registration options: the core's token options plus the store and HTTP policy.
 *
 * @example
 * await app.register(tokenizedAuth, { secret: process.env.TOKEN_SECRET!, store: 'redis',
 *   redis: 'redis://127.0.0.1:6379' });
 */
export interface TokenizedAuthOptions extends TokenServiceOptions {
  /** `'memory'` (default, per process), `'redis'`, or a store object you built and own. */
  store?: 'memory' | 'redis' | RevocationStore;
  /**
   * A URL, ioredis options (Sentinel: `{ sentinels, name }`) or `{ cluster }` (the plugin
   * connects, then closes on `onClose`), or an existing client (reused, never closed).
   */
  redis?: string | RedisOptions | RedisClusterConfig | Redis | Cluster;
  /** Milliseconds before a store call counts as failed (default 500). */
  storeTimeout?: number;
  /** Accept tokens when the store is down, logging a warning each time (default false). */
  failOpen?: boolean;
  /** Seconds a redeemed refresh token still yields the same successor (default 5). */
  refreshGrace?: number;
  /** Also read the access token from this cookie; needs `@fastify/cookie` registered first. */
  cookie?: { name: string };
  /** Decorate `request.jwtVerify` as `@fastify/jwt` does (default true). */
  jwtCompat?: boolean;
  /** Seconds sent in `Retry-After` with a 503 (default 5). */
  retryAfter?: number;
}

export type StoreChoice =
  | { kind: 'memory' }
  | { kind: 'redis'; redis: TokenizedAuthOptions['redis'] }
  | { kind: 'custom'; store: RevocationStore };

/** Plugin options after checks, with defaults applied. */
export interface ResolvedOptions {
  store: StoreChoice;
  storeTimeout: number;
  failOpen: boolean;
  refreshGraceMs: number;
  cookieName: string | undefined;
  jwtCompat: boolean;
  retryAfter: number;
  clock: () => number;
  /** What is left for the core's `createTokenService`. */
  service: TokenServiceOptions;
}

const PLUGIN_KEYS = [
  'store',
  'redis',
  'storeTimeout',
  'failOpen',
  'refreshGrace',
  'cookie',
  'jwtCompat',
  'retryAfter',
] as const;

/**
 * Every option the core reads. `satisfies` makes a core option added, renamed or dropped fail
 * this file's typecheck until the list follows, so a valid option is never refused here.
 */
const CORE_KEYS = Object.keys({
  secret: true,
  accessSecret: true,
  refreshSecret: true,
  outerSecret: true,
  accessKeys: true,
  refreshKeys: true,
  algorithm: true,
  accessTokenTtl: true,
  refreshTokenTtl: true,
  leeway: true,
  issuer: true,
  audience: true,
  subjectClaim: true,
  typeClaim: true,
  requireIat: true,
  requireJti: true,
  outer: true,
  maxTokenLength: true,
  clock: true,
  accessTokenCache: true,
} satisfies Record<keyof TokenServiceOptions, true>);

/**
 * Options of `fastify.register` itself, which Fastify hands to the plugin too. They are no
 * concern of ours (and have no effect on a plugin that does not encapsulate), so they pass.
 */
const REGISTER_KEYS = ['prefix', 'logLevel', 'logSerializers'];

const KNOWN_KEYS: ReadonlySet<string> = new Set([...PLUGIN_KEYS, ...CORE_KEYS, ...REGISTER_KEYS]);

// RFC 6265 §4.1.1 cookie-name is an RFC 9110 token.
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const STORE_METHODS = ['recordIssue', 'isRevoked', 'revoke', 'revokeAll', 'revokeFamily'] as const;

function fail(message: string): never {
  throw invalidOptionError(message);
}

function integerIn(value: unknown, name: string, min: number, max: number, unit: string) {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    fail(`"${name}" must be an integer from ${min} to ${max} (${unit})`);
  }

  return value as number;
}

function booleanOption(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;

  if (typeof value !== 'boolean') fail(`"${name}" must be a boolean`);

  return value;
}

function isStoreObject(value: unknown): value is RevocationStore {
  if (typeof value !== 'object' || value === null) return false;

  return STORE_METHODS.every(
    (name) => typeof (value as Record<string, unknown>)[name] === 'function',
  );
}

/** Duck-typed so a client from another ioredis copy is recognised too. */
export function isRedisClient(value: unknown): value is Redis | Cluster {
  if (typeof value !== 'object' || value === null) return false;

  const client = value as Record<string, unknown>;

  return typeof client.sendCommand === 'function' && typeof client.status === 'string';
}

/** `host:port` (an IPv6 host in brackets) or a redis URL, as ioredis parses a seed node. */
const NODE_STRING = /^(?:rediss?:\/\/\S+|(?:\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5})$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validPort(port: unknown): boolean {
  return Number.isSafeInteger(port) && (port as number) >= 1 && (port as number) <= 65535;
}

function checkClusterNode(node: unknown, index: number): void {
  const valid =
    typeof node === 'string'
      ? NODE_STRING.test(node)
      : isPlainObject(node) &&
        typeof node.host === 'string' &&
        node.host !== '' &&
        validPort(node.port);
  if (!valid) fail(`"redis.cluster" entry ${index + 1} must be "host:port" or { host, port }`);
}

export function isClusterConfig(redis: unknown): redis is RedisClusterConfig {
  return isPlainObject(redis) && 'cluster' in redis;
}

function checkClusterConfig(redis: Record<string, unknown>): void {
  const extra = Object.keys(redis).filter((key) => key !== 'cluster' && key !== 'options');
  if (extra.length > 0) fail(`"redis" with "cluster" takes only "options", not "${extra[0]}"`);

  const { cluster, options } = redis;
  if (!Array.isArray(cluster) || cluster.length === 0) {
    fail('"redis.cluster" must be a non-empty array of seed nodes');
  }
  cluster.forEach(checkClusterNode);
  if (options !== undefined && !isPlainObject(options)) {
    fail('"redis.options" must be ioredis Cluster options');
  }
}

/** ioredis would only fail at connect time, and then only in an 'error' event. */
function checkSentinelOptions(redis: Record<string, unknown>): void {
  if (redis.sentinels === undefined) return;

  if (!Array.isArray(redis.sentinels) || redis.sentinels.length === 0) {
    fail('"redis.sentinels" must be a non-empty array of { host, port }');
  }
  if (typeof redis.name !== 'string' || redis.name === '') {
    fail('"redis.name" must name the Sentinel master group when "sentinels" is set');
  }
}

function checkRedisOption(redis: unknown): void {
  if (redis === undefined || isRedisClient(redis)) return;

  if (typeof redis === 'string') {
    if (!/^rediss?:\/\/./.test(redis)) fail('"redis" URL must start with redis:// or rediss://');

    return;
  }

  if (!isPlainObject(redis)) {
    fail('"redis" must be a URL, ioredis options, { cluster } or an ioredis client');
  }
  if (isClusterConfig(redis)) checkClusterConfig(redis);
  else checkSentinelOptions(redis);
}

function resolveStore(store: unknown, redis: unknown): StoreChoice {
  checkRedisOption(redis);

  if (store === undefined)
    return redis === undefined ? { kind: 'memory' } : { kind: 'redis', redis: redis as never };

  if (store === 'memory') {
    if (redis !== undefined) fail('"redis" is set but "store" is "memory"');

    return { kind: 'memory' };
  }

  if (store === 'redis') return { kind: 'redis', redis: redis as never };

  if (isStoreObject(store)) {
    if (redis !== undefined) fail('"redis" is set but "store" is a store object');

    return { kind: 'custom', store };
  }

  return fail('"store" must be "memory", "redis" or a revocation store object');
}

function resolveCookie(cookie: unknown): string | undefined {
  if (cookie === undefined) return undefined;

  const name = (cookie as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || !COOKIE_NAME.test(name)) {
    fail('"cookie.name" must be a non-empty cookie name');
  }

  return name;
}

function resolveGrace(value: unknown): number {
  if (value === undefined) return 5000;

  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 60) {
    fail('"refreshGrace" must be a number of seconds from 0 to 60');
  }

  return Math.round(value * 1000);
}

/** A misspelt option would otherwise be dropped in silence: `redisUrl` gives the memory store. */
function checkKnownKeys(options: Record<string, unknown>): void {
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) fail(`unknown option "${key}"`);
  }
}

function serviceOptions(options: Record<string, unknown>): TokenServiceOptions {
  const rest: Record<string, unknown> = {};
  for (const key of CORE_KEYS) {
    if (options[key] !== undefined) rest[key] = options[key];
  }

  return rest as TokenServiceOptions;
}

/**
 * Checks every plugin option once, at `register`, and refuses a key that is neither the
 * plugin's nor the core's; the core checks its own values when the token service is built.
 *
 * @throws FST_TA_INVALID_OPTION naming the option in double quotes
 */
export function resolveOptions(input: unknown): ResolvedOptions {
  if (typeof input !== 'object' || input === null) fail('options must be an object');

  const options = input as Record<string, unknown>;
  checkKnownKeys(options);
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') fail('"clock" must be a function returning epoch ms');

  return {
    store: resolveStore(options.store, options.redis),
    storeTimeout:
      options.storeTimeout === undefined
        ? 500
        : integerIn(options.storeTimeout, 'storeTimeout', 1, 60_000, 'ms'),
    failOpen: booleanOption(options.failOpen, 'failOpen', false),
    refreshGraceMs: resolveGrace(options.refreshGrace),
    cookieName: resolveCookie(options.cookie),
    jwtCompat: booleanOption(options.jwtCompat, 'jwtCompat', true),
    retryAfter:
      options.retryAfter === undefined
        ? 5
        : integerIn(options.retryAfter, 'retryAfter', 1, 3600, 's'),
    clock: clock as () => number,
    service: serviceOptions(options),
  };
}

import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { CUTOFF_SCRIPT, LEDGER_SCRIPT, MARK_SCRIPT, REDEEM_SCRIPT } from './redis.lua.js';
import {
  StoreUnavailableError,
  type HealthReport,
  type RedeemRequest,
  type RedeemResult,
  type RevocationStore,
  type TokenFacts,
} from './types.js';

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** A connected (or connecting) ioredis client or cluster; the store never closes it. */
  client: Redis | Cluster;
  /** Milliseconds before a call counts as failed, whatever the client's own settings (500). */
  timeoutMs?: number;
  /** Prefix of every key (default `'ta:'`); must not contain `{` or `}`. */
  keyPrefix?: string;
  /** Called once by `close()`, e.g. to quit a client the caller created for the store. */
  onClose?: () => Promise<void>;
}

type Script = (...args: (string | number)[]) => Promise<unknown>;

/** Commands `defineCommand` adds; prefixed names cannot clash on a shared client. */
interface ScriptedClient {
  tokenizedAuthMark: Script;
  tokenizedAuthLedger: Script;
  tokenizedAuthCutoff: Script;
  tokenizedAuthRedeem: Script;
}

const DEFAULT_TIMEOUT_MS = 500;
const DEFAULT_PREFIX = 'ta:';

/**
 * Escapes `%`, braces and everything outside printable ASCII (UTF-16 units, so lone
 * surrogates survive), making the subject one injective, brace-free hash tag.
 */
function hashTag(subject: string): string {
  // '%' alone is never produced by the escaping below, so it can stand for the empty subject
  // (an empty `{}` would make Redis hash the whole key and scatter a subject over slots).
  if (subject === '') return '{%}';

  const escaped = subject.replace(/[^\x21-\x24\x26-\x7a|~]/g, (char) => {
    const unit = char.charCodeAt(0);

    return unit < 0x100
      ? `%${unit.toString(16).padStart(2, '0')}`
      : `%u${unit.toString(16).padStart(4, '0')}`;
  });

  return `{${escaped}}`;
}

/** Keeps only what is safe to log from a client error: its name and first line. */
function safeCause(error: unknown): Error {
  if (!(error instanceof Error)) return new Error('non-error rejection');

  const safe = new Error(error.message.split('\n', 1)[0]!.slice(0, 200));
  safe.name = error.name;

  return safe;
}

function toMs(time: number): number {
  return Math.ceil(time);
}

class RedisStore implements RevocationStore {
  readonly kind = 'redis' as const;
  private readonly client: Redis | Cluster;
  private readonly scripts: ScriptedClient;
  private readonly timeoutMs: number;
  private readonly prefix: string;
  private readonly onClose: (() => Promise<void>) | undefined;
  private readonly topology: 'single' | 'cluster' | 'sentinel';
  private closing: Promise<void> | undefined;

  constructor(options: RedisStoreOptions) {
    this.client = options.client;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.prefix = options.keyPrefix ?? DEFAULT_PREFIX;
    this.onClose = options.onClose;
    this.topology = redisTopology(options.client);
    this.client.defineCommand('tokenizedAuthMark', { numberOfKeys: 1, lua: MARK_SCRIPT });
    this.client.defineCommand('tokenizedAuthLedger', { numberOfKeys: 1, lua: LEDGER_SCRIPT });
    this.client.defineCommand('tokenizedAuthCutoff', { numberOfKeys: 1, lua: CUTOFF_SCRIPT });
    this.client.defineCommand('tokenizedAuthRedeem', { numberOfKeys: 3, lua: REDEEM_SCRIPT });
    this.scripts = this.client as unknown as ScriptedClient;
    if (this.client.status === 'ready') void this.checkEviction();
    else this.client.once('ready', () => void this.checkEviction());
  }

  recordIssue(subject: string, at: number, expiresAt: number): Promise<void> {
    const key = this.key(subject, 'l');

    return this.exec(() => this.scripts.tokenizedAuthLedger(key, toMs(at), toMs(expiresAt)));
  }

  isRevoked(facts: TokenFacts): Promise<boolean> {
    // Escaping the subject is the costly part of a key: once per request, not once per key.
    const base = this.subjectKeys(facts.subject);
    const keys = [`${base}j:${facts.jti}`, `${base}c`, `${base}l`];
    if (facts.family !== undefined) keys.push(`${base}f:${facts.family}`);

    // One MGET: every key shares the subject's hash tag, so this is one slot, one round trip.
    return this.call(async () => {
      const [revoked, cutoff, ledger, family] = await this.client.mget(keys);
      if (revoked != null || family != null) return true;
      // Written as "not at or after" so that an unreadable number counts as revoked.
      if (cutoff != null && !(facts.issuedAt >= Number(cutoff))) return true;

      // No ledger, or one newer than the token: Redis lost data since the token was issued,
      // and with it perhaps this token's revocation.
      return ledger == null || !(facts.issuedAt >= Number(ledger));
    });
  }

  revoke(facts: TokenFacts): Promise<void> {
    const key = this.key(facts.subject, `j:${facts.jti}`);

    return this.exec(() => this.scripts.tokenizedAuthMark(key, toMs(facts.expiresAt)));
  }

  revokeAll(subject: string, at: number, ttlMs: number): Promise<void> {
    const key = this.key(subject, 'c');

    return this.exec(() => this.scripts.tokenizedAuthCutoff(key, toMs(at), toMs(ttlMs)));
  }

  revokeFamily(family: string, subject: string, expiresAt: number): Promise<void> {
    const key = this.key(subject, `f:${family}`);

    return this.exec(() => this.scripts.tokenizedAuthMark(key, toMs(expiresAt)));
  }

  redeem(request: RedeemRequest): Promise<RedeemResult> {
    const { subject, jti, family } = request;
    const keys = [
      this.key(subject, `r:${jti}`),
      this.key(subject, `f:${family}`),
      this.key(subject, `g:${family}`),
    ];
    const args = [
      jti,
      request.candidate,
      toMs(request.graceMs),
      toMs(request.familyExpiresAt),
      toMs(request.expiresAt),
    ];

    return this.call(async () => {
      const reply = (await this.scripts.tokenizedAuthRedeem(...keys, ...args)) as string[];

      return toRedeemResult(reply);
    });
  }

  async health(): Promise<HealthReport> {
    const started = performance.now();
    try {
      await this.call(() => this.client.ping());
    } catch {
      return { store: 'redis', ok: false, topology: this.topology };
    }
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;

    return { store: 'redis', ok: true, latencyMs, topology: this.topology };
  }

  close(): Promise<void> {
    this.closing ??= this.onClose ? this.onClose() : Promise.resolve();

    return this.closing;
  }

  /**
   * A Redis that evicts keys under memory pressure can drop a revocation while keeping the
   * subject's ledger, and the revoked token would pass again: only `noeviction` is safe.
   */
  private async checkEviction(): Promise<void> {
    let info: string;
    try {
      info = await this.call(() => this.client.info('memory'));
    } catch {
      return;
    }
    const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
    const limit = Number(/^maxmemory:(\d+)/m.exec(info)?.[1] ?? 0);
    if (limit === 0 || policy === undefined || policy === 'noeviction') return;

    process.emitWarning(
      `Redis "maxmemory-policy" is "${policy}": evicted revocations would let tokens through`,
      { code: 'TA_REDIS_EVICTION_POLICY' },
    );
  }

  private async exec(work: () => Promise<unknown>): Promise<void> {
    await this.call(work);
  }

  private key(subject: string, suffix: string): string {
    return this.subjectKeys(subject) + suffix;
  }

  /** What every key of `subject` starts with: the prefix and the subject's hash tag. */
  private subjectKeys(subject: string): string {
    return `${this.prefix}${hashTag(subject)}:`;
  }

  /**
   * Bounds every call by `timeoutMs` on our own timer, since a caller-supplied client may
   * queue commands offline or retry for much longer, and maps every failure to
   * `StoreUnavailableError` so the plugin can answer 503.
   */
  private async call<T>(work: () => Promise<T>): Promise<T> {
    if (this.closing) throw new StoreUnavailableError('redis store closed');

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new StoreUnavailableError(`redis store did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([work(), timeout]);
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;

      throw new StoreUnavailableError('redis store unavailable', { cause: safeCause(error) });
    } finally {
      clearTimeout(timer);
    }
  }
}

function toRedeemResult(reply: string[]): RedeemResult {
  const [status, successor] = reply;
  if (status === 'reused') return { status };
  if ((status === 'fresh' || status === 'grace') && typeof successor === 'string') {
    return { status, successor };
  }

  throw new Error('unexpected redeem reply');
}

/**
 * ioredis options for a single-node or Sentinel client of the store: commands fail at once
 * while disconnected instead of queueing (a prompt 503), at most one resend after a dropped
 * connection, the client's own command timeout matching the store's, and reconnection for ever
 * with capped backoff so the store recovers by itself. `READONLY` (the master we talk to was
 * demoted, as in a Sentinel failover) reconnects, which asks Sentinel for the new master, and
 * resends. The plugin uses exactly these for a client it creates; pass them to your own.
 *
 * @example
 * ```ts
 * const client = new Redis(url, redisClientOptions(500));
 * await app.register(tokenizedAuth, { secret, store: 'redis', redis: client });
 * ```
 * @throws nothing
 */
export function redisClientOptions(timeoutMs = DEFAULT_TIMEOUT_MS): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: timeoutMs,
    // A fresh TCP (or TLS) handshake on a busy host takes longer than one command.
    connectTimeout: Math.max(1000, timeoutMs * 2),
    enableAutoPipelining: true,
    // Soon after a restart, yet no more than once a second while Redis stays away.
    retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
    reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
  };
}

/**
 * ioredis `Cluster` options matching {@link redisClientOptions}. The offline queue and
 * auto-pipelining belong to the cluster, which routes every command; the rest goes to each
 * node connection. Reads go to masters only: a replica lags, and a revocation read from one
 * could let a revoked token pass.
 *
 * @example
 * ```ts
 * const cluster = new Cluster([{ host: '10.0.0.1', port: 6379 }], clusterClientOptions(500));
 * ```
 * @throws nothing
 */
export function clusterClientOptions(timeoutMs = DEFAULT_TIMEOUT_MS): ClusterOptions {
  // The cluster reconnects its nodes itself: ioredis refuses a per-node offline queue or
  // retry strategy.
  const { enableOfflineQueue, enableAutoPipelining, retryStrategy, ...redisOptions } =
    redisClientOptions(timeoutMs);

  return {
    enableOfflineQueue,
    enableAutoPipelining,
    scaleReads: 'master',
    clusterRetryStrategy: retryStrategy as (attempt: number) => number,
    redisOptions,
  };
}

/** Which deployment a client talks to, as {@link HealthReport} `topology` says it. */
export function redisTopology(client: Redis | Cluster): 'single' | 'cluster' | 'sentinel' {
  if ((client as { isCluster?: boolean }).isCluster === true) return 'cluster';

  const sentinels = (client as { options?: { sentinels?: unknown } }).options?.sentinels;

  return Array.isArray(sentinels) && sentinels.length > 0 ? 'sentinel' : 'single';
}

function checkOptions(options: RedisStoreOptions): void {
  const { client, timeoutMs, keyPrefix, onClose } = options;
  if (typeof client?.defineCommand !== 'function') {
    throw new TypeError('"client" must be an ioredis Redis or Cluster instance');
  }
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new TypeError('"timeoutMs" must be a positive number');
  }
  if (keyPrefix !== undefined && (typeof keyPrefix !== 'string' || /[{}]/.test(keyPrefix))) {
    throw new TypeError('"keyPrefix" must be a string without braces');
  }
  if (onClose !== undefined && typeof onClose !== 'function') {
    throw new TypeError('"onClose" must be a function');
  }
}

/**
 * Creates the Redis revocation store. Keys of one subject share a hash tag
 * (`ta:{<subject>}:j:<jti>`, `:f:<family>`, `:c`, `:l`, `:r:<jti>`, `:g:<family>`), so
 * every call is one slot on Redis Cluster; `isRevoked` is one MGET and `redeem` one Lua
 * script. Every key expires with the longest-lived token it affects. Needs Redis 7.
 *
 * Every call rejects with `StoreUnavailableError` (`ERR_STORE_UNAVAILABLE`) when Redis fails
 * or does not answer within `timeoutMs`. Throws `TypeError` on bad options.
 *
 * @example
 * ```ts
 * const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
 * const store = createRedisStore({ client, onClose: async () => void (await client.quit()) });
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): RevocationStore {
  checkOptions(options);

  return new RedisStore(options);
}

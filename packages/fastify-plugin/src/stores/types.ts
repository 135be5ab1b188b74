/**
 * What the plugin needs from a revocation store. Both stores (memory, Redis) implement it and
 * run the same contract suite. Every time is epoch milliseconds; every entry expires on its
 * own when the longest-lived token it could affect has expired, so nothing needs sweeping.
 */

/** The facts about a verified token that decide whether it was revoked. */
export interface TokenFacts {
  /** The token's `jti`. */
  jti: string;
  /** The subject (identity claim) as a string. */
  subject: string;
  /** Issuance in epoch milliseconds (finer than `iat`, so a cut-off in the same second works). */
  issuedAt: number;
  /** Expiry in epoch milliseconds, leeway included: entries about this token may go after it. */
  expiresAt: number;
  /** Refresh family the token belongs to, when it came from `issue` or `refresh`. */
  family?: string;
}

/** Outcome of presenting a refresh token for rotation. */
export type RedeemResult =
  /** First redemption: the caller's candidate successor was recorded and is to be returned. */
  | { status: 'fresh'; successor: string }
  /** A redemption within the grace window: the successor recorded by the first one. */
  | { status: 'grace'; successor: string }
  /** Redeemed before and outside the grace window: the family is now revoked. */
  | { status: 'reused' };

export interface RedeemRequest {
  /** `jti` of the refresh token being redeemed. */
  jti: string;
  family: string;
  subject: string;
  /** Opaque successor (the serialized new token pair) to hand to every caller in the window. */
  candidate: string;
  /** Grace window in milliseconds. */
  graceMs: number;
  /** When the family's newest token expires (ms): how long a family revocation must live. */
  familyExpiresAt: number;
  /** When the redeemed refresh token itself expires (ms): how long the redemption mark lives. */
  expiresAt: number;
}

export interface HealthReport {
  store: 'memory' | 'redis';
  ok: boolean;
  /** Round-trip in milliseconds, when measured. */
  latencyMs?: number;
  /** The Redis store's deployment: one node, a Redis Cluster, or a master found via Sentinel. */
  topology?: 'single' | 'cluster' | 'sentinel';
}

export interface RevocationStore {
  readonly kind: 'memory' | 'redis';

  /**
   * Record that `subject` was issued a token at `at` that lives until `expiresAt`. The store
   * keeps a per-subject ledger entry (created once, its expiry only ever extended). A token
   * whose subject has no ledger entry, or one created after the token's issuance, was issued
   * before the store lost its data and counts as revoked.
   */
  recordIssue(subject: string, at: number, expiresAt: number): Promise<void>;

  /**
   * True when the token was revoked by jti, by its family, by a subject cut-off later than its
   * issuance, or issued before the store last lost its data (see {@link recordIssue}).
   */
  isRevoked(facts: TokenFacts): Promise<boolean>;

  /** Revoke one token by jti until `facts.expiresAt`. */
  revoke(facts: TokenFacts): Promise<void>;

  /** Revoke every token of `subject` issued before `at`; kept for `ttlMs`. */
  revokeAll(subject: string, at: number, ttlMs: number): Promise<void>;

  /** Revoke every token carrying `family` until `expiresAt`. */
  revokeFamily(family: string, subject: string, expiresAt: number): Promise<void>;

  /** Atomically record a refresh token's redemption; see {@link RedeemResult}. */
  redeem(request: RedeemRequest): Promise<RedeemResult>;

  health(): Promise<HealthReport>;

  /** Release what the store created (a Redis client it opened); idempotent. */
  close(): Promise<void>;
}

/** Raised by a store that cannot answer in time; the plugin turns it into 503. */
export class StoreUnavailableError extends Error {
  readonly code = 'ERR_STORE_UNAVAILABLE';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

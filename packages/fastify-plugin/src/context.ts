import type { TokenService } from '@tokenized-auth/core';
import type { FastifyBaseLogger } from 'fastify';
import type { ExtractOptions } from './extract.js';
import type { ResolvedOptions } from './options.js';
import { StoreUnavailableError, type RevocationStore, type TokenFacts } from './stores/types.js';

/** Everything a request-time function needs, built once at registration. */
export interface AuthContext {
  readonly service: TokenService;
  readonly store: RevocationStore;
  readonly options: ResolvedOptions;
  /** Epoch ms; pinned while a pair is minted so `iat` and `iat_ms` agree (see claims.ts). */
  readonly clock: PinnableClock;
  /** Claims callers may not set and rotation does not copy. */
  readonly reservedClaims: ReadonlySet<string>;
  readonly extract: ExtractOptions;
  /**
   * False for the plugin's own memory store: it settles within the call that starts it, so a
   * deadline timer per call would cost time and never fire.
   */
  readonly storeDeadline: boolean;
  /** `fastify.log`, for `fastify.tokens`, which has no request to log through. */
  readonly log: FastifyBaseLogger;
}

export interface PinnableClock {
  now(): number;
  /** Runs `mint` with `now()` fixed at `at`; `mint` must be synchronous. */
  pinned<T>(at: number, mint: () => T): T;
  /** From now on, `now()` never answers less than `at` (see `revokeSubject`). */
  advanceTo(at: number): void;
}

/**
 * The core reads its clock inside `createAccessToken`; pinning it for the duration of a
 * synchronous mint lets the plugin know the exact second the core wrote into `iat`.
 */
export function createPinnableClock(base: () => number): PinnableClock {
  let pin: number | undefined;
  let floor = 0;

  return {
    now: () => pin ?? Math.max(base(), floor),
    advanceTo(at) {
      floor = Math.max(floor, at);
    },
    pinned(at, mint) {
      pin = at;
      try {
        return mint();
      } finally {
        pin = undefined;
      }
    },
  };
}

/**
 * Runs one store call under a deadline. The Redis store has its own command timeout; this is
 * the backstop that keeps a request from hanging whatever a store does, so any failure or
 * overrun becomes {@link StoreUnavailableError} and, later, a 503.
 */
export async function callStore<T>(ctx: AuthContext, call: (store: RevocationStore) => Promise<T>) {
  if (!ctx.storeDeadline) {
    try {
      return await call(ctx.store);
    } catch (error) {
      throw unavailable(error);
    }
  }

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StoreUnavailableError('store call over deadline')),
      ctx.options.storeTimeout * 2 + 50,
    );
  });

  try {
    return await Promise.race([call(ctx.store), deadline]);
  } catch (error) {
    throw unavailable(error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `store.isRevoked(facts)`, the one store call of every authenticated request. The memory
 * store's promise is returned as is, with no closure or async frame around it; callers pass
 * any rejection through {@link unavailable}, as {@link callStore} does.
 */
export function storeIsRevoked(ctx: AuthContext, facts: TokenFacts): Promise<boolean> {
  if (!ctx.storeDeadline) return ctx.store.isRevoked(facts);

  return callStore(ctx, (store) => store.isRevoked(facts));
}

/** Any store failure as {@link StoreUnavailableError}, which maps to a 503. */
export function unavailable(error: unknown): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;

  return new StoreUnavailableError('store call failed', { cause: error });
}

import type { TokenClaims } from './claims.js';

/**
 * Remembers access tokens that passed every check, so a client presenting the same token on
 * request after request pays two HMACs and two strict parses once, not each time.
 *
 * Only exact token text that verified is stored, so no mutation of it can hit. The time checks
 * are not skipped: each entry keeps the span of seconds in which the full verification passes,
 * and outside it the entry is dropped and the token verified in full again, which then throws
 * the precise error. Revocation is not the cache's business: callers that revoke still ask
 * their store on every request.
 */
export interface VerifiedCache {
  /** A fresh copy of the claims when `token` is cached and valid at `now` (seconds). */
  get(token: string, now: number): TokenClaims | undefined;
  /** Stores a token that verified at `now`, with its outer timestamp. */
  set(token: string, claims: TokenClaims, timestamp: number): void;
}

interface Entry {
  /** The claims as JSON: each hit parses its own copy, so callers may mutate theirs. */
  readonly json: string;
  /** First and last second (inclusive) in which every time check passes. */
  readonly from: number;
  readonly until: number;
}

/** Bounds that `checkClaims` and the outer layer's age check apply, as one span. */
export interface CacheTimes {
  readonly leeway: number;
  /** The outer layer's `maxAge` for this token kind, in seconds. */
  readonly maxAge: number;
}

/**
 * A cache of at most `size` tokens. When full, the oldest insertion makes room: a token pushed
 * out is simply verified in full on its next use.
 */
export function createVerifiedCache(size: number, times: CacheTimes): VerifiedCache {
  const entries = new Map<string, Entry>();
  const { leeway, maxAge } = times;

  return {
    get(token, now) {
      const entry = entries.get(token);

      if (entry === undefined) return undefined;

      if (now < entry.from || now > entry.until) {
        entries.delete(token);

        return undefined;
      }

      return JSON.parse(entry.json) as TokenClaims;
    },
    set(token, claims, timestamp) {
      if (entries.size >= size) entries.delete(entries.keys().next().value as string);

      // The mirror of checkTimes and checkAge: `now >= exp + leeway` expires, a timestamp,
      // `nbf` or `iat` more than `leeway` ahead of now is not valid yet, and so is an outer
      // signature older than `maxAge`.
      let from = timestamp;
      if (typeof claims.nbf === 'number') from = Math.max(from, claims.nbf);
      if (typeof claims.iat === 'number') from = Math.max(from, claims.iat);

      entries.set(token, {
        json: JSON.stringify(claims),
        from: from - leeway,
        until: Math.min(claims.exp + leeway - 1, timestamp + maxAge),
      });
    },
  };
}

import { createOuterSigner } from '../../src/outer/index.js';
import type { Secret } from '../../src/keys.js';
import { seedTokens } from './fixtures.js';

/** A fixed instant (ms) for deterministic tests: 2027-01-15T08:00:00Z. */
export const NOW_MS = 1_800_000_000_000;
export const NOW = NOW_MS / 1000;

/** 32 bytes of a repeated character, enough for every HMAC option. */
export function secretOf(char: string, length = 32): string {
  return char.repeat(length);
}

/** Wraps any value in the outer layer, as an attacker holding the outer key could. */
export function wrapOuter(value: unknown, outerSecret: Secret, nowMs = NOW_MS): string {
  return createOuterSigner({ secretKeys: outerSecret, clock: () => nowMs }).sign(value);
}

/** The Python reference service's three secrets, from its own seed tokens. */
export const pythonSecrets = {
  accessSecret: seedTokens.find((seed) => seed.kind === 'access')!.jwt_secret,
  refreshSecret: seedTokens.find((seed) => seed.kind === 'refresh')!.jwt_secret,
  outerSecret: seedTokens[0]!.outer_secret,
};

/** The documented Python-profile options, without secrets or clock. */
export const pythonProfile = {
  subjectClaim: 'id',
  typeClaim: false,
  requireIat: false,
  requireJti: false,
  accessTokenTtl: 3600,
  refreshTokenTtl: 3600,
} as const;

import { randomFillSync } from 'node:crypto';
import {
  ConfigError,
  TokenClaimError,
  TokenExpiredError,
  TokenNotYetValidError,
  TokenTypeError,
} from './errors.js';

/**
 * Which of the two token kinds a token is.
 *
 * @example
 * const kind: TokenType = 'refresh';
 */
export type TokenType = 'access' | 'refresh';

/**
 * Claims of a verified token: `exp` always, `iat` and `jti` unless the policy relaxed them,
 * the subject claim, the type claim, and every extra claim the token was minted with.
 *
 * @example
 * const claims: TokenClaims = tokens.verifyAccessToken(token);
 * const expiresAt = new Date(claims.exp * 1000);
 */
export interface TokenClaims {
  [claim: string]: unknown;
  exp: number;
  iat?: number;
  jti?: string;
}

/** Claim rules shared by minting and verifying, fixed at construction. */
export interface ClaimPolicy {
  readonly typeClaim: string | false;
  readonly subjectClaim: string;
  readonly issuer: string | undefined;
  readonly audience: string | readonly string[] | undefined;
  /** Seconds of clock skew tolerated on `exp`, `nbf`, `iat` and the lifetime bound. */
  readonly leeway: number;
  readonly requireIat: boolean;
  readonly requireJti: boolean;
}

/** What one verification expects: the token kind and its configured lifetime. */
export interface ClaimExpectation {
  readonly type: TokenType;
  readonly ttl: number;
}

// A `jti` is ours when 22 characters; others' may be longer, but never unbounded.
const MAX_JTI_LENGTH = 256;
const JTI_BYTES = 16;
const POOL_SIZE = JTI_BYTES * 256;

// One randomFillSync call serves 256 `jti`s: the per-call cost of randomBytes dominates
// minting otherwise. Every slice is used exactly once.
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** A fresh token id: 128 random bits, base64url (22 characters). */
export function newJti(): string {
  if (poolOffset === POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }

  const start = poolOffset;

  poolOffset += JTI_BYTES;

  return pool.toString('base64url', start, poolOffset);
}

/** Claim names a caller may not set, because the service owns them. */
export function reservedClaims(policy: ClaimPolicy): ReadonlySet<string> {
  const names = ['exp', 'iat', 'jti', 'nbf', 'iss', 'aud', '__proto__', 'constructor'];

  if (policy.typeClaim !== false) names.push(policy.typeClaim);

  return new Set(names);
}

/** Writes the JSON payload of a new token from the caller's claims and the time (seconds). */
export type ClaimWriter = (input: unknown, now: number) => string;

/**
 * Returns a writer for one token kind. The payload is the caller's claims, then the type claim,
 * `iss`, `aud`, `iat`, `exp` and `jti`. The fixed members are serialised once, here, and the
 * rest appended as text, so minting copies no claim object.
 *
 * The writer throws `ConfigError` (`ERR_TOKEN_CONFIG`) when `input` is not an object, sets a
 * reserved claim, holds a `__proto__` or `constructor` member at any depth, or lacks a
 * non-empty string subject claim.
 */
export function createClaimWriter(expectation: ClaimExpectation, policy: ClaimPolicy): ClaimWriter {
  const reserved = reservedClaims(policy);
  const fixed: Record<string, unknown> = {};

  if (policy.typeClaim !== false) fixed[policy.typeClaim] = expectation.type;
  if (policy.issuer !== undefined) fixed.iss = policy.issuer;
  if (policy.audience !== undefined) fixed.aud = policy.audience;

  // `{"typ":"access","iss":"x"}` becomes `"typ":"access","iss":"x",`, ready to append.
  const fixedJson = JSON.stringify(fixed).slice(1, -1);
  const head = fixedJson === '' ? '' : `${fixedJson},`;
  const ttl = expectation.ttl;

  return (input, now) => {
    const callerJson = callerClaimsJson(input, policy.subjectClaim, reserved);
    const joiner = callerJson.length === 2 ? '' : ',';

    // `jti` is base64url, so it needs no JSON escaping.
    return (
      `${callerJson.slice(0, -1)}${joiner}${head}` +
      `"iat":${now},"exp":${now + ttl},"jti":"${newJti()}"}`
    );
  };
}

function callerClaimsJson(input: unknown, subjectClaim: string, reserved: ReadonlySet<string>) {
  if (typeof input !== 'object' || input === null) {
    throw new ConfigError('"claims" must be an object');
  }

  const prototype: unknown = Object.getPrototypeOf(input);

  // Class instances, arrays and own `toJSON` methods could serialise to other members than
  // the ones checked below.
  if ((prototype !== Object.prototype && prototype !== null) || Object.hasOwn(input, 'toJSON')) {
    throw new ConfigError('"claims" must be a plain object');
  }

  for (const name of Object.keys(input)) {
    if (reserved.has(name)) throw new ConfigError(`"${name}" claim is set by the token service`);
  }

  const subject = (input as Record<string, unknown>)[subjectClaim];

  if (typeof subject !== 'string' || subject === '') {
    throw new ConfigError(`"${subjectClaim}" claim must be a non-empty string`);
  }

  const json = JSON.stringify(input);

  // Guards against a `toJSON` planted on Object.prototype.
  if (json.charCodeAt(0) !== 0x7b) throw new ConfigError('"claims" must serialise to an object');

  // The verifier refuses these members at any depth, so a token carrying one nested would be
  // minted dead. In stringify output a quote followed by the name, a quote and a colon can only
  // be a member name: quotes inside strings come out escaped.
  if (json.includes('"__proto__":') || json.includes('"constructor":')) {
    throw new ConfigError('"claims" must not hold a "__proto__" or "constructor" member');
  }

  return json;
}

/**
 * Applies the claim policy of `shared/THREATS.md` to a verified payload. `issuedAt` stands in
 * for a missing `iat` when the policy allows one (the outer timestamp, signed by another key).
 *
 * @throws {TokenError} `ERR_TOKEN_CLAIM`, `ERR_TOKEN_TYPE`, `ERR_TOKEN_EXPIRED`,
 * `ERR_TOKEN_NOT_YET_VALID`.
 */
export function checkClaims(
  payload: Record<string, unknown>,
  expectation: ClaimExpectation,
  policy: ClaimPolicy,
  now: number,
  issuedAt: number,
): TokenClaims {
  const exp = timeClaim(payload, 'exp', true);
  const iat = timeClaim(payload, 'iat', policy.requireIat);
  const nbf = timeClaim(payload, 'nbf', false);

  checkJti(payload.jti, policy.requireJti);
  checkType(payload, expectation.type, policy.typeClaim);
  checkSubject(payload, policy.subjectClaim);
  checkIssuer(payload.iss, policy.issuer);
  checkAudience(payload.aud, policy.audience);
  checkLifetime(exp, iat ?? issuedAt, expectation.ttl + policy.leeway);
  checkTimes(now, policy.leeway, exp, iat, nbf);

  return payload as TokenClaims;
}

function timeClaim(payload: Record<string, unknown>, name: string, required: true): number;
function timeClaim(
  payload: Record<string, unknown>,
  name: string,
  required: boolean,
): number | undefined;
function timeClaim(
  payload: Record<string, unknown>,
  name: string,
  required: boolean,
): number | undefined {
  const value = payload[name];

  if (value === undefined) {
    if (required) throw claimError(name, 'missing');

    return undefined;
  }

  // RFC 7519 section 2 allows fractional NumericDate; refusing it, negatives and anything past
  // 2^53 leaves one spelling per instant and no float rounding in comparisons.
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw claimError(name, 'not a safe integer');
  }

  return value;
}

function checkJti(jti: unknown, required: boolean): void {
  if (jti === undefined) {
    if (required) throw claimError('jti', 'missing');

    return;
  }

  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
    throw claimError('jti', 'not a valid id');
  }
}

function checkType(payload: Record<string, unknown>, type: TokenType, claim: string | false): void {
  if (claim === false) return;

  const value = payload[claim];

  if (value === undefined) throw claimError(claim, 'missing');

  if (value !== type) {
    throw new TokenTypeError(`"${claim}" claim is not "${type}"`, { claim, reason: 'wrong type' });
  }
}

function checkSubject(payload: Record<string, unknown>, claim: string): void {
  const value = payload[claim];

  if (value === undefined) throw claimError(claim, 'missing');
  if (typeof value !== 'string' || value === '') throw claimError(claim, 'not a string');
}

function checkIssuer(iss: unknown, issuer: string | undefined): void {
  if (issuer === undefined || iss === issuer) return;

  throw claimError('iss', iss === undefined ? 'missing' : 'unexpected value');
}

// RFC 7519 section 4.1.3: `aud` is one string or an array; one of ours must appear in it.
function checkAudience(aud: unknown, audience: string | readonly string[] | undefined): void {
  if (audience === undefined) return;

  if (aud === undefined) throw claimError('aud', 'missing');

  const wanted: readonly string[] = typeof audience === 'string' ? [audience] : audience;
  const given: readonly unknown[] = Array.isArray(aud) ? aud : [aud];

  if (!given.some((value) => typeof value === 'string' && wanted.includes(value))) {
    throw claimError('aud', 'unexpected value');
  }
}

function checkLifetime(exp: number, issuedAt: number, maxLifetime: number): void {
  if (exp <= issuedAt) throw claimError('exp', 'not after issuance');
  if (exp - issuedAt > maxLifetime) throw claimError('exp', 'lifetime too long');
}

function checkTimes(
  now: number,
  leeway: number,
  exp: number,
  iat: number | undefined,
  nbf: number | undefined,
): void {
  // RFC 7519 section 4.1.4: the current time must be before `exp`.
  if (now >= exp + leeway) {
    throw new TokenExpiredError('"exp" claim timestamp check failed', {
      claim: 'exp',
      reason: 'expired',
    });
  }

  if (nbf !== undefined && nbf > now + leeway) throw notYetValid('nbf');
  if (iat !== undefined && iat > now + leeway) throw notYetValid('iat');
}

function notYetValid(claim: string): TokenNotYetValidError {
  return new TokenNotYetValidError(`"${claim}" claim timestamp check failed`, {
    claim,
    reason: 'in the future',
  });
}

function claimError(claim: string, reason: string): TokenClaimError {
  return new TokenClaimError(`"${claim}" claim check failed`, { claim, reason });
}

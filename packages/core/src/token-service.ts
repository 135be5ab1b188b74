import {
  checkClaims,
  createClaimWriter,
  type ClaimExpectation,
  type ClaimPolicy,
  type TokenClaims,
} from './claims.js';
import { ConfigError, TokenMalformedError } from './errors.js';
import { algorithmSpec, type AlgorithmSpec, type JwtAlgorithm } from './jwt/algorithms.js';
import { createJwtSigner, type JwtSigner } from './jwt/sign.js';
import { createJwtVerifier } from './jwt/verify.js';
import {
  resolveKeys,
  type JwtKeyPair,
  type JwtKeySet,
  type JwtSecretList,
  type KeyedSecret,
  type OuterKeys,
  type Secret,
  type SecretList,
} from './keys.js';
import type { OuterSigner, OuterSignerOptions } from './outer/index.js';
import { readOuterOptions } from './outer/options.js';
import { outerSignerFrom } from './outer/timed-serializer.js';
import { createVerifiedCache } from './verified-cache.js';

export type { TokenClaims, TokenType } from './claims.js';

/**
 * Options of the itsdangerous-compatible outer layer; the same meanings as there.
 *
 * @example
 * createTokenService({ secret, outer: { salt: 'my-app.tokens', digest: 'sha256' } });
 */
export type TokenServiceOuterOptions = Pick<
  OuterSignerOptions,
  'salt' | 'digest' | 'keyDerivation' | 'compress'
>;

/**
 * Options of {@link createTokenService}. Every one is checked once, at construction; a bad one
 * throws `ConfigError` (`ERR_TOKEN_CONFIG`) naming it.
 *
 * @example
 * const options: TokenServiceOptions = { secret, accessTokenTtl: 600, issuer: 'auth.example' };
 */
export interface TokenServiceOptions {
  /**
   * Master secret (>= 32 bytes, or a rotation list oldest -> newest). HKDF-SHA256 derives the
   * outer, access-JWT and refresh-JWT keys from it. Explicit per-layer options win over it.
   */
  secret?: SecretList;
  /**
   * HMAC secret(s) of access JWTs (>= hash size, 32 bytes for HS256); an entry may be
   * `{ secret, kid }` to write and look up a `kid` header.
   */
  accessSecret?: JwtSecretList;
  /** HMAC secret(s) of refresh JWTs, plain or `{ secret, kid }`. */
  refreshSecret?: JwtSecretList;
  /** Secret(s) of the outer itsdangerous-compatible layer (>= 32 bytes). */
  outerSecret?: SecretList;
  /** Key pair(s) of access JWTs for RS256, ES256 and EdDSA, oldest -> newest. */
  accessKeys?: JwtKeyPair | readonly JwtKeyPair[];
  /** Key pair(s) of refresh JWTs for RS256, ES256 and EdDSA. */
  refreshKeys?: JwtKeyPair | readonly JwtKeyPair[];
  /** The only JWS algorithm accepted and used. Default `'HS256'`. */
  algorithm?: JwtAlgorithm;
  /** Access token lifetime in seconds. Default 900. */
  accessTokenTtl?: number;
  /** Refresh token lifetime in seconds. Default 1209600 (14 days). */
  refreshTokenTtl?: number;
  /** Clock skew tolerated, in whole seconds, 0..300. Default 5. */
  leeway?: number;
  /** `iss` written and required when set. */
  issuer?: string;
  /** `aud` written and required (any one of them) when set. */
  audience?: string | readonly string[];
  /** Claim holding the identity, a non-empty string. Default `'sub'`. */
  subjectClaim?: string;
  /** Claim holding `'access'` or `'refresh'`, or `false` for none. Default `'typ'`. */
  typeClaim?: string | false;
  /** Refuse tokens without `iat`. Default `true`. */
  requireIat?: boolean;
  /** Refuse tokens without `jti`. Default `true`. */
  requireJti?: boolean;
  /** Outer layer settings; defaults match itsdangerous' `URLSafeTimedSerializer`. */
  outer?: TokenServiceOuterOptions;
  /** Longest token accepted, in characters, refused before any work. Default 8192. */
  maxTokenLength?: number;
  /** Current time in milliseconds. Default `Date.now`. */
  clock?: () => number;
  /**
   * How many verified access tokens to remember, so that the same token presented again skips
   * both signature checks and both parses; its expiry and not-before times are still checked
   * on every call, and each call returns its own copy of the claims. Refresh tokens are never
   * cached. Nothing here knows about revocation: check that on every use. Default 0 (off).
   */
  accessTokenCache?: number;
}

/**
 * Mints and verifies access and refresh tokens. Every method is synchronous. Verification
 * throws `TokenError` (`ERR_TOKEN_MALFORMED`, `ERR_TOKEN_TOO_LARGE`, `ERR_TOKEN_SIGNATURE`,
 * `ERR_TOKEN_ALGORITHM`, `ERR_TOKEN_EXPIRED`, `ERR_TOKEN_NOT_YET_VALID`, `ERR_TOKEN_CLAIM`,
 * `ERR_TOKEN_TYPE`); minting throws `ConfigError` (`ERR_TOKEN_CONFIG`) for bad claims.
 *
 * @example
 * const pair = {
 *   accessToken: tokens.createAccessToken({ sub: user.id }),
 *   refreshToken: tokens.createRefreshToken({ sub: user.id }),
 * };
 * tokens.verifyRefreshToken(pair.refreshToken).sub === user.id; // true
 */
export interface TokenService {
  /** Mints an access token carrying `claims` plus type, `iss`, `aud`, `iat`, `exp`, `jti`. */
  createAccessToken(claims: Record<string, unknown>): string;
  /** Mints a refresh token; see {@link TokenService.createAccessToken}. */
  createRefreshToken(claims: Record<string, unknown>): string;
  /** Verifies an access token and returns its claims, or throws a `TokenError`. */
  verifyAccessToken(token: string): TokenClaims;
  /** Verifies a refresh token and returns its claims, or throws a `TokenError`. */
  verifyRefreshToken(token: string): TokenClaims;
  readonly algorithm: JwtAlgorithm;
  readonly accessTokenTtl: number;
  readonly refreshTokenTtl: number;
  readonly leeway: number;
  readonly subjectClaim: string;
  readonly typeClaim: string | false;
  readonly maxTokenLength: number;
}

const DEFAULTS = Object.freeze({
  accessTokenTtl: 900,
  refreshTokenTtl: 1_209_600,
  leeway: 5,
  maxTokenLength: 8192,
  subjectClaim: 'sub',
  typeClaim: 'typ',
});

// Leeway covers clock skew between hosts; minutes of it would quietly extend every token.
const MAX_LEEWAY = 300;

// Claims the service writes or checks itself; neither configurable claim may take one.
const REGISTERED = new Set(['exp', 'iat', 'jti', 'nbf', 'iss', 'aud', '__proto__', 'constructor']);

const OUTER_OPTIONS = new Set(['salt', 'digest', 'keyDerivation', 'compress']);

interface KindWorker {
  create(claims: Record<string, unknown>): string;
  verify(token: string): TokenClaims;
}

/**
 * Creates a token service. A token is a JWT (HS256 unless `algorithm` says otherwise) wrapped
 * in an itsdangerous `URLSafeTimedSerializer`-compatible signature. Keys are resolved and
 * derived here, once; minting and verifying are synchronous.
 *
 * Verification methods throw `TokenError` with code `ERR_TOKEN_MALFORMED`,
 * `ERR_TOKEN_TOO_LARGE`, `ERR_TOKEN_SIGNATURE`, `ERR_TOKEN_ALGORITHM`, `ERR_TOKEN_EXPIRED`,
 * `ERR_TOKEN_NOT_YET_VALID`, `ERR_TOKEN_CLAIM` or `ERR_TOKEN_TYPE`. Minting throws
 * `ConfigError` for claims the service owns (`exp`, `iat`, `jti`, `nbf`, `iss`, `aud`, the
 * type claim) or a missing subject claim.
 *
 * @throws {ConfigError} `ERR_TOKEN_CONFIG` for a bad option, naming it.
 *
 * @example
 * const tokens = createTokenService({ secret: process.env.TOKEN_SECRET! });
 * const token = tokens.createAccessToken({ sub: 'user-42', scope: ['read'] });
 * tokens.verifyAccessToken(token).sub; // 'user-42'
 */
export function createTokenService(options: TokenServiceOptions): TokenService {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('"options" must be an object');
  }

  const spec = algorithmSpec(options.algorithm ?? 'HS256');
  const clock = readClock(options.clock);
  const accessTokenTtl = readTtl(options.accessTokenTtl, 'accessTokenTtl');
  const refreshTokenTtl = readTtl(options.refreshTokenTtl, 'refreshTokenTtl');
  const maxTokenLength = readPositiveInteger(
    options.maxTokenLength ?? DEFAULTS.maxTokenLength,
    'maxTokenLength',
  );
  const policy = readPolicy(options);
  const keys = resolveKeys(options, spec, policy.typeClaim === false);
  const outerOptions = {
    ...readOuter(options.outer),
    clock,
    leeway: policy.leeway,
    maxTokenLength,
  };
  const outer = outerSigners(outerOptions, keys.outer);
  const shared = { spec, clock, policy };
  const cacheSize = readCacheSize(options.accessTokenCache);
  const access = kindWorker(
    shared,
    { type: 'access', ttl: accessTokenTtl },
    { jwt: keys.access, outer: outer.access },
    cacheSize,
  );
  const refresh = kindWorker(
    shared,
    { type: 'refresh', ttl: refreshTokenTtl },
    { jwt: keys.refresh, outer: outer.refresh },
    0,
  );

  return Object.freeze({
    createAccessToken: access.create,
    createRefreshToken: refresh.create,
    verifyAccessToken: access.verify,
    verifyRefreshToken: refresh.verify,
    algorithm: spec.name,
    accessTokenTtl,
    refreshTokenTtl,
    leeway: policy.leeway,
    subjectClaim: policy.subjectClaim,
    typeClaim: policy.typeClaim,
    maxTokenLength,
  });
}

interface SharedParts {
  spec: AlgorithmSpec;
  clock: () => number;
  policy: ClaimPolicy;
}

/** The keys of one token type: its JWT keys and its outer signer. */
interface KindKeys {
  jwt: JwtKeySet;
  outer: OuterSigner;
}

// Built once here, so a call never derives or imports a key. One explicit `outerSecret` is
// one signer shared by both types, as on the Python side.
function outerSigners(
  options: Omit<OuterSignerOptions, 'secretKeys'>,
  keys: OuterKeys,
): { access: OuterSigner; refresh: OuterSigner } {
  const signer = (secretKeys: Buffer[]) => {
    return outerSignerFrom(readOuterOptions({ ...options, secretKeys }, serviceOptionName));
  };
  const access = signer(keys.access);
  const refresh = keys.refresh === keys.access ? access : signer(keys.refresh);

  return { access, refresh };
}

// Errors name the option as the caller wrote it: "outer.digest", not "digest".
function serviceOptionName(option: keyof OuterSignerOptions): string {
  if (option === 'secretKeys') return 'outerSecret';

  return OUTER_OPTIONS.has(option) ? `outer.${option}` : option;
}

function kindWorker(
  shared: SharedParts,
  expectation: ClaimExpectation,
  { jwt: keys, outer }: KindKeys,
  cacheSize: number,
): KindWorker {
  const { spec, clock, policy } = shared;
  const signJwt = keys.signKey
    ? createJwtSigner(spec, keys.signKey, keys.signKid)
    : cannotSign(keys.option);
  // With derived keys a token of the other kind already fails the outer MAC. With one explicit
  // outer secret it fails here when the two kinds have different JWT keys
  // (ERR_TOKEN_SIGNATURE), and at the type claim otherwise (ERR_TOKEN_TYPE).
  const verifyJwt = createJwtVerifier(spec, keys.verifyKeys, keys.kids);
  const writeClaims = createClaimWriter(expectation, policy);
  // The outer timestamp is the signing time, so its age never exceeds the token lifetime.
  const verifyOptions = Object.freeze({ maxAge: expectation.ttl + policy.leeway });
  const cache =
    cacheSize === 0
      ? undefined
      : createVerifiedCache(cacheSize, { leeway: policy.leeway, maxAge: verifyOptions.maxAge });

  return {
    create(claims) {
      const now = nowSeconds(clock);

      return outer.sign(signJwt(writeClaims(claims, now)));
    },
    verify(token) {
      if (typeof token !== 'string') {
        throw new TokenMalformedError('token must be a string', { reason: 'not a string' });
      }

      const now = nowSeconds(clock);
      const cached = cache?.get(token, now);

      if (cached !== undefined) return cached;

      const { value, timestamp } = outer.verifyWithTimestamp(token, verifyOptions);

      if (typeof value !== 'string') {
        throw new TokenMalformedError('outer payload is not a JWT', { reason: 'not a string' });
      }

      const payload = verifyJwt(value);
      const claims = checkClaims(payload, expectation, policy, now, timestamp);

      cache?.set(token, claims, timestamp);

      return claims;
    },
  };
}

// A clock returning NaN would make every expiry comparison false, and so pass: fail closed.
function nowSeconds(clock: () => number): number {
  const now = clock();

  if (!Number.isFinite(now) || now < 0) throw new ConfigError('"clock" must return epoch ms');

  return Math.floor(now / 1000);
}

function cannotSign(option: string): JwtSigner {
  return () => {
    throw new ConfigError(`"${option}" has no private key for the newest entry`);
  };
}

function readPolicy(options: TokenServiceOptions): ClaimPolicy {
  const subjectClaim = readClaimName(options.subjectClaim ?? DEFAULTS.subjectClaim, 'subjectClaim');
  const typeClaim =
    options.typeClaim === false
      ? false
      : readClaimName(options.typeClaim ?? DEFAULTS.typeClaim, 'typeClaim');

  if (typeClaim === subjectClaim) {
    throw new ConfigError('"typeClaim" must differ from "subjectClaim"');
  }

  return Object.freeze({
    subjectClaim,
    typeClaim,
    issuer: readOptionalString(options.issuer, 'issuer'),
    audience: readAudience(options.audience),
    leeway: readLeeway(options.leeway),
    requireIat: readBoolean(options.requireIat, 'requireIat'),
    requireJti: readBoolean(options.requireJti, 'requireJti'),
  });
}

function readClaimName(value: unknown, option: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError(`"${option}" must be a non-empty string`);
  }

  if (REGISTERED.has(value)) throw new ConfigError(`"${option}" must not be "${value}"`);

  return value;
}

function readOptionalString(value: unknown, option: string): string | undefined {
  if (value === undefined) return undefined;

  if (typeof value !== 'string' || value === '') {
    throw new ConfigError(`"${option}" must be a non-empty string`);
  }

  return value;
}

function readAudience(value: unknown): string | readonly string[] | undefined {
  if (value === undefined || typeof value === 'string') {
    return readOptionalString(value, 'audience');
  }

  const valid =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((item) => typeof item === 'string' && item !== '');

  if (!valid) throw new ConfigError('"audience" must be a string or a list of strings');

  return Object.freeze([...(value as string[])]);
}

function readBoolean(value: unknown, option: string): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'boolean') throw new ConfigError(`"${option}" must be a boolean`);

  return value;
}

function readLeeway(value: unknown): number {
  if (value === undefined) return DEFAULTS.leeway;

  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > MAX_LEEWAY) {
    throw new ConfigError(`"leeway" must be a whole number of seconds from 0 to ${MAX_LEEWAY}`);
  }

  return value as number;
}

function readTtl(value: unknown, option: 'accessTokenTtl' | 'refreshTokenTtl'): number {
  return readPositiveInteger(value ?? DEFAULTS[option], option);
}

function readPositiveInteger(value: unknown, option: string): number {
  if (!Number.isSafeInteger(value) || (value as number) <= 0) {
    throw new ConfigError(`"${option}" must be a positive integer`);
  }

  return value as number;
}

// Each entry holds a token and its claims, about 1 KB: a million is a gigabyte.
const MAX_CACHE_SIZE = 1_000_000;

function readCacheSize(value: unknown): number {
  if (value === undefined) return 0;

  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > MAX_CACHE_SIZE) {
    throw new ConfigError(`"accessTokenCache" must be an integer from 0 to ${MAX_CACHE_SIZE}`);
  }

  return value as number;
}

function readClock(value: unknown): () => number {
  if (value === undefined) return Date.now;
  if (typeof value !== 'function') throw new ConfigError('"clock" must be a function');

  return value as () => number;
}

function readOuter(value: unknown): TokenServiceOuterOptions {
  if (value === undefined) return {};

  if (typeof value !== 'object' || value === null) {
    throw new ConfigError('"outer" must be an object');
  }

  // Keys, clock, leeway and caps of the outer layer come from the service's own options.
  for (const name of Object.keys(value)) {
    if (!OUTER_OPTIONS.has(name)) throw new ConfigError(`unknown option "outer.${name}"`);
  }

  const { salt, digest, keyDerivation, compress } = value as TokenServiceOuterOptions;
  const picked: TokenServiceOuterOptions = {};

  if (salt !== undefined) picked.salt = salt;
  if (digest !== undefined) picked.digest = digest;
  if (keyDerivation !== undefined) picked.keyDerivation = keyDerivation;
  if (compress !== undefined) picked.compress = compress;

  return picked;
}

export type { JwtAlgorithm, JwtKeyPair, JwtSecretList, KeyedSecret, Secret, SecretList };

import { randomBytes } from 'node:crypto';
import {
  createOuterSigner,
  createTokenService,
  isTokenError,
  type JwtSecretList,
  type TokenClaims,
  type TokenService,
  type TokenServiceOptions,
} from '../index.js';
import { UsageError } from '../errors.js';
import type { Settings, TokenKind } from './settings.js';

/** The outcome of one verification: the token kind and claims, or the core's error code. */
export type Verdict =
  | { ok: true; kind?: TokenKind; claims?: TokenClaims }
  | { ok: false; code: string; message: string };

/**
 * Checks only the outer MAC and timestamp, without a max age: the age is reported beside it and
 * judged by {@link verifyWhole}. Undefined when no outer key was given.
 */
export function verifyOuter(token: string, settings: Settings): Verdict | undefined {
  const { keys } = settings;
  const secretKeys = keys.kind === 'explicit' ? keys.outer : undefined;
  if (secretKeys === undefined) return undefined;

  return judge(() => {
    createOuterSigner({ ...outerOptions(settings), secretKeys }).verify(token);

    return { ok: true };
  });
}

/**
 * Checks the inner JWT on its own by re-wrapping it under a throwaway outer key, so its verdict
 * does not depend on the outer secret being known. Undefined when no JWT key was given.
 */
export function verifyInner(jwt: string, settings: Settings): Verdict | undefined {
  const { keys } = settings;
  if (keys.kind !== 'explicit' || (keys.access ?? keys.refresh) === undefined) return undefined;

  const throwaway = randomBytes(32);
  const token = configured(() =>
    createOuterSigner({ ...outerOptions(settings), secretKeys: throwaway }).sign(jwt),
  );

  return verifyAsAnyKind(token, settings, { ...jwtKeys(keys), outerSecret: throwaway });
}

/**
 * Checks the whole token the way a server would. Undefined unless a master secret, or an outer
 * key and a JWT key, were given.
 */
export function verifyWhole(token: string, settings: Settings): Verdict | undefined {
  const { keys } = settings;
  if (keys.kind === 'none') return undefined;
  if (keys.kind === 'master') return verifyAsAnyKind(token, settings, { secret: keys.secret });
  if (keys.outer === undefined || (keys.access ?? keys.refresh) === undefined) return undefined;

  return verifyAsAnyKind(token, settings, { ...jwtKeys(keys), outerSecret: keys.outer });
}

type KeyOptions = Pick<
  TokenServiceOptions,
  'secret' | 'accessSecret' | 'refreshSecret' | 'outerSecret'
>;

function verifyAsAnyKind(token: string, settings: Settings, keys: KeyOptions): Verdict {
  const kinds = kindsWithKeys(settings);
  if (kinds.length === 0) {
    throw new UsageError(`no key for ${settings.kinds.join(' or ')} tokens was given`);
  }

  const service = buildService(settings, keys);
  const verdicts = kinds.map((kind) => verifyAs(service, kind, token));

  return verdicts.find((verdict) => verdict.ok) ?? mostTelling(verdicts);
}

function verifyAs(service: TokenService, kind: TokenKind, token: string): Verdict {
  return judge(() => {
    const claims =
      kind === 'access' ? service.verifyAccessToken(token) : service.verifyRefreshToken(token);

    return { ok: true, kind, claims };
  });
}

// A wrong-type or wrong-key answer may only mean the token is of the other kind; any other
// code came from the attempt that got further, so that is the one worth showing.
const INCONCLUSIVE_CODES: readonly string[] = ['ERR_TOKEN_TYPE', 'ERR_TOKEN_SIGNATURE'];

function mostTelling(verdicts: readonly Verdict[]): Verdict {
  const weight = (verdict: Verdict): number => {
    const rank = verdict.ok ? -1 : INCONCLUSIVE_CODES.indexOf(verdict.code);

    return rank === -1 ? INCONCLUSIVE_CODES.length : rank;
  };

  return verdicts.reduce((best, verdict) => (weight(verdict) > weight(best) ? verdict : best));
}

function buildService(settings: Settings, keys: KeyOptions): TokenService {
  return configured(() =>
    createTokenService({
      ...settings.policy,
      ...keys,
      outer: settings.outer,
      clock: () => settings.now,
    }),
  );
}

// The service needs both JWT keys; a kind whose key was not given gets a throwaway one and is
// not tried, so a lone --jwt-secret still verifies access tokens.
function jwtKeys(keys: { access?: JwtSecretList; refresh?: JwtSecretList }): KeyOptions {
  return {
    accessSecret: keys.access ?? randomBytes(64),
    refreshSecret: keys.refresh ?? randomBytes(64),
  };
}

function kindsWithKeys(settings: Settings): readonly TokenKind[] {
  const { keys } = settings;
  if (keys.kind !== 'explicit') return settings.kinds;

  return settings.kinds.filter((kind) => (kind === 'access' ? keys.access : keys.refresh));
}

// The same clock and leeway the service hands its own outer signer.
function outerOptions(settings: Settings) {
  const { leeway } = settings.policy;

  return {
    ...settings.outer,
    ...(leeway === undefined ? {} : { leeway }),
    clock: () => settings.now,
  };
}

function judge(check: () => Verdict): Verdict {
  try {
    return check();
  } catch (error) {
    if (isTokenError(error)) return { ok: false, code: error.code, message: error.message };

    throw asUsageError(error);
  }
}

// A bad option (ERR_TOKEN_CONFIG) is the caller's mistake, reported like any other usage error.
function configured<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    throw asUsageError(error);
  }
}

function asUsageError(error: unknown): unknown {
  const { code, message } = error as { code?: unknown; message?: unknown };

  return code === 'ERR_TOKEN_CONFIG' ? new UsageError(`${code}: ${String(message)}`) : error;
}

import type { OuterSignerOptions, Secret, SecretList, TokenServiceOptions } from '../index.js';
import { UsageError } from '../errors.js';

/** Options shared by `inspect` and `verify`, in `node:util` `parseArgs` form. */
export const verificationOptions = {
  secret: { type: 'string' },
  'jwt-secret': { type: 'string', multiple: true },
  'refresh-secret': { type: 'string', multiple: true },
  'outer-secret': { type: 'string', multiple: true },
  salt: { type: 'string' },
  digest: { type: 'string' },
  'key-derivation': { type: 'string' },
  algorithm: { type: 'string' },
  type: { type: 'string' },
  'subject-claim': { type: 'string' },
  'type-claim': { type: 'string' },
  'no-type-claim': { type: 'boolean' },
  'no-require-iat': { type: 'boolean' },
  'no-require-jti': { type: 'boolean' },
  issuer: { type: 'string' },
  audience: { type: 'string', multiple: true },
  leeway: { type: 'string' },
  'access-ttl': { type: 'string' },
  'refresh-ttl': { type: 'string' },
  now: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Help lines for {@link verificationOptions}, shared by both commands' `--help`. */
export const VERIFICATION_HELP = `Secrets (flags win over the environment; to list rotated keys,
oldest first, repeat a flag or comma-separate the variable):
  --secret <s>            master secret (env TOKENIZED_AUTH_SECRET); derives every layer's key
  --jwt-secret <s>        access-token JWT key (env JWT_SECRET)
  --refresh-secret <s>    refresh-token JWT key (env JWT_REFRESH_SECRET)
  --outer-secret <s>      outer itsdangerous key (env OUTER_SECRET)

Outer layer (defaults match itsdangerous):
  --salt <s>              default "itsdangerous"
  --digest <d>            sha1 | sha256 | sha512, default sha1
  --key-derivation <k>    django-concat | concat | hmac | none, default django-concat

Policy:
  --type <t>              access | refresh; default: whichever the token is
  --algorithm <a>         pinned HMAC algorithm: HS256 (default), HS384 or HS512
  --subject-claim <name>  default "sub" (the Python service uses "id")
  --type-claim <name>     claim holding the token type, default "typ"
  --no-type-claim         tokens carry no type claim (access and refresh keys must differ)
  --no-require-iat        accept tokens without "iat" (the Python service omits it)
  --no-require-jti        accept tokens without "jti" (the Python service omits it)
  --issuer <iss>          required "iss"
  --audience <aud>        accepted "aud", repeatable
  --leeway <seconds>      clock skew allowed
  --access-ttl <seconds>  longest access-token lifetime accepted
  --refresh-ttl <seconds> longest refresh-token lifetime accepted
  --now <time>            judge times as of this instant (epoch seconds or ISO 8601)`;

type Values = { [K in keyof typeof verificationOptions]?: unknown };

/** Which keys were given, and how: a master secret, explicit per-layer keys, or nothing. */
export type Keys =
  | { kind: 'none' }
  | { kind: 'master'; secret: Secret }
  | { kind: 'explicit'; access?: SecretList; refresh?: SecretList; outer?: SecretList };

export type TokenKind = 'access' | 'refresh';

export interface Settings {
  keys: Keys;
  /** Salt, digest and key derivation of the outer layer. */
  outer: Omit<OuterSignerOptions, 'secretKeys'>;
  /** Token-service options other than secrets and the clock. */
  policy: Omit<TokenServiceOptions, 'secret' | 'accessSecret' | 'refreshSecret' | 'outerSecret'>;
  kinds: readonly TokenKind[];
  /** Milliseconds since the epoch. */
  now: number;
}

/** Turns parsed flags and the environment into settings; a bad value is a {@link UsageError}. */
export function readSettings(
  values: Values,
  env: Readonly<Record<string, string | undefined>>,
  now: number,
): Settings {
  return {
    keys: readKeys(values, env),
    outer: pickDefined({
      salt: values.salt as string | undefined,
      digest: values.digest as OuterSignerOptions['digest'],
      keyDerivation: values['key-derivation'] as OuterSignerOptions['keyDerivation'],
    }),
    policy: readPolicy(values),
    kinds: readKinds(values.type),
    now: values.now === undefined ? now : readInstant(values.now as string),
  };
}

function readKeys(values: Values, env: Readonly<Record<string, string | undefined>>): Keys {
  const layerFlags = [values['jwt-secret'], values['refresh-secret'], values['outer-secret']];
  if (values.secret !== undefined) {
    if (layerFlags.some((flag) => flag !== undefined)) {
      throw new UsageError('"--secret" cannot be combined with per-layer secrets');
    }

    return { kind: 'master', secret: values.secret as string };
  }

  const explicit = pickDefined({
    access: secretList(values['jwt-secret'], env.JWT_SECRET),
    refresh: secretList(values['refresh-secret'], env.JWT_REFRESH_SECRET),
    outer: secretList(values['outer-secret'], env.OUTER_SECRET),
  });
  if (Object.keys(explicit).length > 0) return { kind: 'explicit', ...explicit };

  const master = nonEmpty(env.TOKENIZED_AUTH_SECRET);

  return master === undefined ? { kind: 'none' } : { kind: 'master', secret: master };
}

// The environment lists rotated keys comma-separated, oldest first, as the example API reads them.
function secretList(flags: unknown, fromEnv: string | undefined): SecretList | undefined {
  const list = (flags as string[] | undefined) ?? splitList(fromEnv);
  if (list.length === 0) return undefined;

  return list.length === 1 ? list[0] : list;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function readPolicy(values: Values): Settings['policy'] {
  if (values['type-claim'] !== undefined && values['no-type-claim'] === true) {
    throw new UsageError('"--type-claim" and "--no-type-claim" exclude each other');
  }

  const audience = values.audience as string[] | undefined;

  return pickDefined({
    algorithm: values.algorithm as TokenServiceOptions['algorithm'],
    subjectClaim: values['subject-claim'] as string | undefined,
    typeClaim: values['no-type-claim'] === true ? false : (values['type-claim'] as string),
    requireIat: values['no-require-iat'] === true ? false : undefined,
    requireJti: values['no-require-jti'] === true ? false : undefined,
    issuer: values.issuer as string | undefined,
    audience: audience?.length === 1 ? audience[0] : audience,
    leeway: readSeconds('--leeway', values.leeway),
    accessTokenTtl: readSeconds('--access-ttl', values['access-ttl']),
    refreshTokenTtl: readSeconds('--refresh-ttl', values['refresh-ttl']),
  });
}

function readKinds(type: unknown): readonly TokenKind[] {
  if (type === undefined) return ['access', 'refresh'];
  if (type === 'access' || type === 'refresh') return [type];

  throw new UsageError('"--type" must be access or refresh');
}

function readSeconds(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;

  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0 || String(value).trim() === '') {
    throw new UsageError(`"${flag}" must be a number of seconds`);
  }

  return seconds;
}

function readInstant(value: string): number {
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (!Number.isFinite(ms)) throw new UsageError('"--now" must be epoch seconds or ISO 8601');

  return ms;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function pickDefined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

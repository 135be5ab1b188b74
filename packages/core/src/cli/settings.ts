import type {
  JwtSecretList,
  KeyedSecret,
  OuterSignerOptions,
  Secret,
  SecretList,
  TokenServiceOptions,
} from '../index.js';
import { UsageError } from '../errors.js';

/** Options shared by `inspect` and `verify`, in `node:util` `parseArgs` form. */
export const verificationOptions = {
  secret: { type: 'string' },
  'jwt-secret': { type: 'string', multiple: true },
  'refresh-secret': { type: 'string', multiple: true },
  'jwt-kid-secret': { type: 'string', multiple: true },
  'refresh-kid-secret': { type: 'string', multiple: true },
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
export const VERIFICATION_HELP = `Secrets (a layer's flags win over its variables; to list rotated
keys, oldest first, repeat a flag or comma-separate the variable):
  --secret <s>            master secret (env TOKENIZED_AUTH_SECRET); derives every layer's key
  --jwt-secret <s>        access-token JWT key (env JWT_SECRET)
  --refresh-secret <s>    refresh-token JWT key (env JWT_REFRESH_SECRET)
  --outer-secret <s>      outer itsdangerous key (env OUTER_SECRET)

JWT keys with a "kid" (a token whose header names a kid is checked against that key only):
  --jwt-kid-secret <kid>:<s>      access-token JWT key and its kid (env JWT_KID_SECRET)
  --refresh-kid-secret <kid>:<s>  refresh-token JWT key and kid (env JWT_REFRESH_KID_SECRET)
  The kid ends at the first ":", so it cannot contain one; the rest, colons too, is the secret.
  These add to --jwt-secret and --refresh-secret, so a rotation may mix both.

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
  | { kind: 'explicit'; access?: JwtSecretList; refresh?: JwtSecretList; outer?: SecretList };

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
  const layerFlags = [
    values['jwt-secret'],
    values['refresh-secret'],
    values['outer-secret'],
    values['jwt-kid-secret'],
    values['refresh-kid-secret'],
  ];
  if (values.secret !== undefined) {
    if (layerFlags.some((flag) => flag !== undefined)) {
      throw new UsageError('"--secret" cannot be combined with per-layer secrets');
    }

    return { kind: 'master', secret: values.secret as string };
  }

  const explicit = pickDefined({
    access: jwtSecretList(values['jwt-secret'], env.JWT_SECRET, {
      flag: '--jwt-kid-secret',
      variable: 'JWT_KID_SECRET',
      values: values['jwt-kid-secret'],
      env: env.JWT_KID_SECRET,
    }),
    refresh: jwtSecretList(values['refresh-secret'], env.JWT_REFRESH_SECRET, {
      flag: '--refresh-kid-secret',
      variable: 'JWT_REFRESH_KID_SECRET',
      values: values['refresh-kid-secret'],
      env: env.JWT_REFRESH_KID_SECRET,
    }),
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

/** Where one layer's keyed secrets come from, and the names to quote when one is malformed. */
interface KeyedSource {
  flag: string;
  variable: string;
  values: unknown;
  env: string | undefined;
}

/**
 * One JWT layer's plain and keyed secrets. A keyed entry has a flag and variable of its own, so a
 * plain secret that happens to contain a colon is never mistaken for a kid. Either flag replaces
 * both variables: a layer's keys then come from the command line alone, as with the other flags.
 * Plain secrets come first; the order only decides which key a token without a kid tries first.
 */
function jwtSecretList(
  plainFlags: unknown,
  plainEnv: string | undefined,
  keyed: KeyedSource,
): JwtSecretList | undefined {
  const fromFlags = plainFlags !== undefined || keyed.values !== undefined;
  const plainList = fromFlags ? ((plainFlags as string[] | undefined) ?? []) : splitList(plainEnv);
  const keyedList = fromFlags
    ? ((keyed.values as string[] | undefined) ?? []).map((entry) => keyedSecret(entry, keyed.flag))
    : splitList(keyed.env).map((entry) => keyedSecret(entry, keyed.variable));
  const list = [...plainList, ...keyedList];
  if (list.length === 0) return undefined;

  return list.length === 1 ? list[0] : list;
}

// Split at the first colon: a kid rarely needs one, a secret may well contain one. The message
// names only the flag or variable, never the entry, which holds a secret.
function keyedSecret(entry: string, source: string): KeyedSecret {
  const colon = entry.indexOf(':');
  if (colon <= 0 || colon === entry.length - 1) {
    throw new UsageError(`"${source}" must be <kid>:<secret>`);
  }

  return { kid: entry.slice(0, colon), secret: entry.slice(colon + 1) };
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

import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  hkdfSync,
  KeyObject,
} from 'node:crypto';
import { ConfigError } from './errors.js';
import { checkAsymmetricKey, minHmacSecretBytes, type AlgorithmSpec } from './jwt/algorithms.js';

/**
 * A shared secret. Strings are taken as UTF-8, as Python `str` secrets are.
 *
 * @example
 * const secret: Secret = process.env.TOKEN_SECRET!; // or randomBytes(32)
 */
export type Secret = string | Uint8Array;

/**
 * One secret, or a list from oldest to newest: the newest signs, every one verifies.
 *
 * @example
 * const outerSecret: SecretList = [previousSecret, currentSecret];
 */
export type SecretList = Secret | readonly Secret[];

/**
 * A JWT secret with the key id its tokens carry as the `kid` header. On verify, a token whose
 * header names a `kid` is checked against that one key only.
 *
 * @example
 * const accessSecret: KeyedSecret = { kid: '2025-06', secret: process.env.JWT_SECRET! };
 */
export interface KeyedSecret {
  secret: Secret;
  kid: string;
}

/**
 * One JWT secret, plain or with a `kid`, or a list from oldest to newest.
 *
 * @example
 * const accessSecret: JwtSecretList = [oldSecret, { kid: '2025-06', secret: newSecret }];
 */
export type JwtSecretList = Secret | KeyedSecret | readonly (Secret | KeyedSecret)[];

/**
 * An asymmetric key: a `KeyObject`, or PEM text (string or bytes).
 *
 * @example
 * const key: KeyInput = readFileSync('access-key.pem', 'utf8');
 */
export type KeyInput = KeyObject | string | Uint8Array;

/**
 * One asymmetric key pair for RS256, ES256 or EdDSA. `privateKey` is needed only to sign;
 * `publicKey` defaults to the one derived from `privateKey`. A key of the wrong type for the
 * pinned algorithm is a `ConfigError` (`ERR_TOKEN_CONFIG`) at construction. With `kid`, tokens
 * signed by this pair carry it as their `kid` header, and a token naming it is checked against
 * this pair only.
 *
 * @example
 * const accessKeys: JwtKeyPair = generateKeyPairSync('ed25519'); // { privateKey, publicKey }
 * const verifyOnly: JwtKeyPair = { publicKey: accessPublicPem, kid: 'auth-2025' };
 */
export interface JwtKeyPair {
  privateKey?: KeyInput;
  publicKey?: KeyInput;
  kid?: string;
}

/** Smallest secret accepted anywhere: 256 bits, the HS256 key size of RFC 7518 section 3.2. */
export const MIN_SECRET_BYTES = 32;

// A `kid` is written into every token header: long enough for a UUID or a date stamp with a
// name, short enough not to bloat the token.
const MAX_KID_LENGTH = 256;

// Fixed HKDF salt (RFC 5869 section 3.1): it only separates this scheme from other uses of
// the same master secret; the `info` labels below separate the keys from each other.
const HKDF_SALT = Buffer.from('tokenized-auth/v1', 'utf8');

/**
 * The `info` label of every key derived from the master `secret`. Each token type gets its own
 * outer key too, so a token of the wrong type already fails the outer MAC, before its JWT is
 * even decoded.
 */
export const KEY_LABELS = Object.freeze({
  accessOuter: 'tokenized-auth access outer signer',
  refreshOuter: 'tokenized-auth refresh outer signer',
  access: 'tokenized-auth access jwt',
  refresh: 'tokenized-auth refresh jwt',
});

/**
 * Turns one secret into bytes, refusing anything but a non-empty string or byte array of at
 * least `minBytes` bytes.
 */
export function secretBytes(secret: unknown, option: string, minBytes: number): Buffer {
  let bytes: Buffer;

  if (typeof secret === 'string') bytes = Buffer.from(secret, 'utf8');
  else if (secret instanceof Uint8Array) bytes = Buffer.from(secret);
  else throw new ConfigError(`"${option}" must be a string or a Uint8Array`);

  if (bytes.length < minBytes) {
    throw new ConfigError(`"${option}" must be at least ${minBytes} bytes`);
  }

  return bytes;
}

/** Normalises a {@link SecretList} to byte arrays, oldest first. */
export function secretList(value: unknown, option: string, minBytes: number): Buffer[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];

  if (list.length === 0) throw new ConfigError(`"${option}" must not be an empty list`);

  return list.map((secret, i) => {
    return secretBytes(secret, list.length === 1 ? option : `${option}[${i}]`, minBytes);
  });
}

/** Derives one key from the master secret with HKDF-SHA256 (RFC 5869). */
export function deriveKey(master: Buffer, label: string, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', master, HKDF_SALT, label, length));
}

/** A secret as a `KeyObject`, so `createHmac` skips copying raw bytes on every call. */
export function hmacKey(bytes: Buffer): KeyObject {
  return createSecretKey(bytes);
}

/** Parses an asymmetric private key, refusing secrets and public keys. */
export function privateKey(input: unknown, option: string): KeyObject {
  const key = toKeyObject(input, option, 'private');

  if (key.type !== 'private') throw new ConfigError(`"${option}" must be a private key`);

  return key;
}

/** Parses an asymmetric public key; a private key yields its public half. */
export function publicKey(input: unknown, option: string): KeyObject {
  const key = toKeyObject(input, option, 'public');

  if (key.type === 'secret') throw new ConfigError(`"${option}" must be a public key`);

  return key.type === 'private' ? createPublicKey(key) : key;
}

function toKeyObject(input: unknown, option: string, kind: 'private' | 'public'): KeyObject {
  if (input instanceof KeyObject) return input;

  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new ConfigError(`"${option}" must be a KeyObject or PEM text`);
  }

  try {
    const key = typeof input === 'string' ? input : Buffer.from(input);

    return kind === 'private' ? createPrivateKey(key) : createPublicKey(key);
  } catch {
    throw new ConfigError(`"${option}" is not a valid ${kind} key`);
  }
}

/** The options {@link resolveKeys} reads. */
export interface KeyOptions {
  secret?: SecretList;
  accessSecret?: JwtSecretList;
  refreshSecret?: JwtSecretList;
  outerSecret?: SecretList;
  accessKeys?: JwtKeyPair | readonly JwtKeyPair[];
  refreshKeys?: JwtKeyPair | readonly JwtKeyPair[];
}

/** Keys of one JWT kind: the newest signs (when it can), every one verifies. */
export interface JwtKeySet {
  signKey: KeyObject | undefined;
  /** The `kid` written into the header of every token `signKey` signs. */
  signKid: string | undefined;
  verifyKeys: KeyObject[];
  /** The `kid` of each of `verifyKeys`, in the same order; undefined where none was given. */
  kids: (string | undefined)[];
  /** The option the keys came from, to name it in errors. */
  option: string;
}

/** Outer-layer secrets of each token type; one list for both when `outerSecret` is given. */
export interface OuterKeys {
  access: Buffer[];
  refresh: Buffer[];
}

/** Every key a token service needs, resolved once at construction. */
export interface ResolvedKeys {
  outer: OuterKeys;
  access: JwtKeySet;
  refresh: JwtKeySet;
}

/**
 * Resolves the outer, access and refresh keys from explicit options, or derives them from the
 * master `secret`. An explicit `outerSecret` serves both types, as the Python service's one
 * `URLSafeTimedSerializer` does; derived outer keys differ per type. With `requireDistinct`
 * (no type claim), access and refresh JWT keys must differ, since the key is then the only
 * thing telling the two kinds apart.
 *
 * @throws {ConfigError} `ERR_TOKEN_CONFIG` naming the missing or invalid option.
 */
export function resolveKeys(
  options: KeyOptions,
  spec: AlgorithmSpec,
  requireDistinct: boolean,
): ResolvedKeys {
  const master =
    options.secret === undefined
      ? undefined
      : secretList(options.secret, 'secret', MIN_SECRET_BYTES);
  const outer = outerKeys(options.outerSecret, master);
  const access = jwtKeySet(options, spec, master, 'access');
  const refresh = jwtKeySet(options, spec, master, 'refresh');

  if (requireDistinct && sharesKey(access, refresh)) {
    throw new ConfigError('"typeClaim" false requires different access and refresh keys');
  }

  warnOnSharedOuterKey(outer, access, refresh);

  return { outer, access, refresh };
}

function outerKeys(outerSecret: SecretList | undefined, master: Buffer[] | undefined): OuterKeys {
  if (outerSecret !== undefined) {
    const shared = secretList(outerSecret, 'outerSecret', MIN_SECRET_BYTES);

    return { access: shared, refresh: shared };
  }

  return {
    access: derived(master, KEY_LABELS.accessOuter, MIN_SECRET_BYTES, 'outerSecret'),
    refresh: derived(master, KEY_LABELS.refreshOuter, MIN_SECRET_BYTES, 'outerSecret'),
  };
}

function jwtKeySet(
  options: KeyOptions,
  spec: AlgorithmSpec,
  master: Buffer[] | undefined,
  kind: 'access' | 'refresh',
): JwtKeySet {
  const secretOption = `${kind}Secret` as const;
  const keysOption = `${kind}Keys` as const;

  if (spec.family !== 'hmac') {
    if (options[secretOption] !== undefined) {
      throw new ConfigError(`"${secretOption}" is for HMAC; ${spec.name} needs "${keysOption}"`);
    }

    return keyPairSet(options[keysOption], spec, keysOption);
  }

  if (options[keysOption] !== undefined) {
    throw new ConfigError(`"${keysOption}" is for asymmetric algorithms; use "${secretOption}"`);
  }

  const size = minHmacSecretBytes(spec);
  const secrets: KeyedBytes[] =
    options[secretOption] === undefined
      ? derived(master, KEY_LABELS[kind], size, secretOption).map((bytes) => ({ bytes }))
      : keyedSecretList(options[secretOption], secretOption, size);
  const verifyKeys = secrets.map(({ bytes }) => hmacKey(bytes));
  const kids = secrets.map(({ kid }) => kid);

  checkKidsUnique(kids, secretOption);

  return {
    signKey: verifyKeys[verifyKeys.length - 1],
    signKid: kids[kids.length - 1],
    verifyKeys,
    kids,
    option: secretOption,
  };
}

interface KeyedBytes {
  bytes: Buffer;
  kid?: string;
}

function keyedSecretList(value: unknown, option: string, minBytes: number): KeyedBytes[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];

  if (list.length === 0) throw new ConfigError(`"${option}" must not be an empty list`);

  return list.map((entry, i) => {
    const name = list.length === 1 ? option : `${option}[${i}]`;

    if (typeof entry !== 'object' || entry === null || entry instanceof Uint8Array) {
      return { bytes: secretBytes(entry, name, minBytes) };
    }

    const { secret, kid } = entry as Partial<KeyedSecret>;

    return {
      bytes: secretBytes(secret, `${name}.secret`, minBytes),
      kid: readKid(kid, `${name}.kid`),
    };
  });
}

function readKid(value: unknown, option: string): string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_KID_LENGTH) {
    throw new ConfigError(`"${option}" must be a string of 1 to ${MAX_KID_LENGTH} characters`);
  }

  return value;
}

// A kid picks exactly one key on verify, so two keys of one kind may not share it.
function checkKidsUnique(kids: readonly (string | undefined)[], option: string): void {
  const named = kids.filter((kid) => kid !== undefined);

  if (new Set(named).size !== named.length) {
    throw new ConfigError(`"${option}" gives one "kid" to two keys`);
  }
}

function keyPairSet(value: unknown, spec: AlgorithmSpec, option: string): JwtKeySet {
  if (value === undefined) throw new ConfigError(`"${option}" is required for ${spec.name}`);

  const pairs = Array.isArray(value) ? (value as unknown[]) : [value];

  if (pairs.length === 0) throw new ConfigError(`"${option}" must not be an empty list`);

  const verifyKeys: KeyObject[] = [];
  const kids: (string | undefined)[] = [];
  let signKey: KeyObject | undefined;

  pairs.forEach((pair, i) => {
    const name = pairs.length === 1 ? option : `${option}[${i}]`;

    if (typeof pair !== 'object' || pair === null || pair instanceof KeyObject) {
      throw new ConfigError(`"${name}" must be an object with "privateKey" or "publicKey"`);
    }

    const { privateKey: secretHalf, publicKey: publicHalf, kid } = pair as JwtKeyPair;

    if (secretHalf === undefined && publicHalf === undefined) {
      throw new ConfigError(`"${name}" must have "privateKey" or "publicKey"`);
    }

    const signing =
      secretHalf === undefined ? undefined : privateKey(secretHalf, `${name}.privateKey`);
    const verifying = publicKey(publicHalf ?? secretHalf, `${name}.publicKey`);

    checkAsymmetricKey(spec, verifying, name);
    if (signing !== undefined) checkAsymmetricKey(spec, signing, name);
    verifyKeys.push(verifying);
    kids.push(kid === undefined ? undefined : readKid(kid, `${name}.kid`));
    signKey = signing;
  });

  checkKidsUnique(kids, option);

  return { signKey, signKid: kids[kids.length - 1], verifyKeys, kids, option };
}

function derived(
  master: Buffer[] | undefined,
  label: string,
  length: number,
  option: string,
): Buffer[] {
  if (master === undefined) throw new ConfigError(`"secret" or "${option}" is required`);

  return master.map((bytes) => deriveKey(bytes, label, length));
}

// Two layers under one key give one layer's protection at twice the cost; it still works, so
// this warns instead of refusing.
function warnOnSharedOuterKey(outer: OuterKeys, access: JwtKeySet, refresh: JwtKeySet): void {
  const jwtKeys = new Set([...access.verifyKeys, ...refresh.verifyKeys].map(keyFingerprint));
  const outerSecrets = [...outer.access, ...outer.refresh];

  if (outerSecrets.some((bytes) => jwtKeys.has(bytes.toString('base64')))) {
    process.emitWarning('"outerSecret" equals a JWT secret: both layers share one key', {
      code: 'TA_SHARED_SECRET',
    });
  }
}

function sharesKey(a: JwtKeySet, b: JwtKeySet): boolean {
  const exported = new Set(a.verifyKeys.map(keyFingerprint));

  return b.verifyKeys.some((key) => exported.has(keyFingerprint(key)));
}

function keyFingerprint(key: KeyObject): string {
  const bytes = key.type === 'secret' ? key.export() : key.export({ type: 'spki', format: 'der' });

  return bytes.toString('base64');
}

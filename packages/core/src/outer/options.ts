import { ConfigError } from '../errors.js';
import { DIGEST_BYTES, type KeyDerivation, type OuterDigest } from './signer.js';
import type { OuterSignerOptions } from './types.js';

/** Options after checking, with every default applied and secrets as bytes. */
export interface OuterConfig {
  secrets: Buffer[];
  salt: Buffer;
  digest: OuterDigest;
  keyDerivation: KeyDerivation;
  compress: boolean;
  clock: () => number;
  leeway: number;
  maxTokenLength: number;
  maxPayloadLength: number;
}

const KNOWN_OPTIONS = new Set([
  'secretKeys',
  'salt',
  'digest',
  'keyDerivation',
  'compress',
  'clock',
  'leeway',
  'maxTokenLength',
  'maxPayloadLength',
]);
const DERIVATIONS: ReadonlySet<string> = new Set(['django-concat', 'concat', 'hmac', 'none']);
const MAX_LEEWAY = 300;
const MAX_TOKEN_LENGTH = 1 << 20;
const MAX_PAYLOAD_LENGTH = 1 << 24;
// Shorter secrets still interoperate with Python, so they are allowed, but flagged once.
const WEAK_SECRET_BYTES = 32;
let warnedWeakSecret = false;

/** How an option is named in errors: as the caller wrote it, such as `outer.digest`. */
export type OptionName = (option: keyof OuterSignerOptions) => string;

const OWN_NAMES: OptionName = (option) => option;

/**
 * Checks every option once and applies the itsdangerous defaults. `nameOf` lets a wrapper that
 * takes these options nested in its own report them under the names its caller used.
 *
 * @throws {ConfigError} `ERR_TOKEN_CONFIG` naming the first bad option.
 */
export function readOuterOptions(
  options: OuterSignerOptions,
  nameOf: OptionName = OWN_NAMES,
): OuterConfig {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('"options" must be an object');
  }

  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) throw new ConfigError(`unknown option "${name}"`);
  }

  const { salt, maxTokenLength, maxPayloadLength } = options;

  return {
    secrets: readSecrets(options.secretKeys, nameOf('secretKeys')),
    salt: salt === undefined ? Buffer.from('itsdangerous') : toBytes(salt, nameOf('salt')),
    digest: readDigest(options.digest, nameOf('digest')),
    keyDerivation: readDerivation(options.keyDerivation, nameOf('keyDerivation')),
    compress: readBoolean(options.compress, nameOf('compress')),
    clock: readClock(options.clock, nameOf('clock')),
    leeway: readInteger(options.leeway, nameOf('leeway'), 0, 0, MAX_LEEWAY),
    maxTokenLength: readInteger(
      maxTokenLength,
      nameOf('maxTokenLength'),
      8192,
      1,
      MAX_TOKEN_LENGTH,
    ),
    maxPayloadLength: readInteger(
      maxPayloadLength,
      nameOf('maxPayloadLength'),
      65536,
      1,
      MAX_PAYLOAD_LENGTH,
    ),
  };
}

function readSecrets(value: unknown, option: string): Buffer[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];

  if (list.length === 0) throw new ConfigError(`"${option}" must not be an empty list`);

  const secrets = list.map((secret) => toBytes(secret, option));

  if (secrets.some((secret) => secret.length === 0)) {
    throw new ConfigError(`"${option}" must not contain an empty secret`);
  }

  if (!warnedWeakSecret && secrets.some((secret) => secret.length < WEAK_SECRET_BYTES)) {
    warnedWeakSecret = true;
    process.emitWarning(`"${option}" has a secret shorter than ${WEAK_SECRET_BYTES} bytes`, {
      code: 'TA_WEAK_SECRET',
    });
  }

  return secrets;
}

function toBytes(value: unknown, option: string): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');

  // A copy, so a caller reusing its array cannot change our keys later.
  if (value instanceof Uint8Array) return Buffer.from(value);

  throw new ConfigError(`"${option}" must be a string or a Uint8Array`);
}

function readDigest(value: unknown, option: string): OuterDigest {
  if (value === undefined) return 'sha1';

  if (typeof value === 'string' && Object.hasOwn(DIGEST_BYTES, value)) {
    return value as OuterDigest;
  }

  throw new ConfigError(`"${option}" must be one of "sha1", "sha256", "sha512"`);
}

function readDerivation(value: unknown, option: string): KeyDerivation {
  if (value === undefined) return 'django-concat';

  if (typeof value === 'string' && DERIVATIONS.has(value)) return value as KeyDerivation;

  throw new ConfigError(`"${option}" must be one of "django-concat", "concat", "hmac", "none"`);
}

function readBoolean(value: unknown, option: string): boolean {
  if (value === undefined) return false;

  if (typeof value !== 'boolean') throw new ConfigError(`"${option}" must be a boolean`);

  return value;
}

function readClock(value: unknown, option: string): () => number {
  if (value === undefined) return Date.now;

  if (typeof value !== 'function') throw new ConfigError(`"${option}" must be a function`);

  return value as () => number;
}

function readInteger(
  value: unknown,
  option: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;

  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`"${option}" must be an integer from ${min} to ${max}`);
  }

  return value;
}

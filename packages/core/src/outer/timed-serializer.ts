import {
  ConfigError,
  TokenExpiredError,
  TokenMalformedError,
  TokenNotYetValidError,
  TokenTooLargeError,
} from '../errors.js';
import { readOuterOptions, type OuterConfig } from './options.js';
import { dumpPayload, loadPayload } from './serializer.js';
import { createMacSigner } from './signer.js';
import { decodeTimestamp, encodeTimestamp } from './timestamp.js';
import type {
  OuterSigner,
  OuterSignerOptions,
  OuterVerified,
  OuterVerifyOptions,
} from './types.js';

const DOT = 0x2e;

/** Where the segments of `[.]payload.timestamp.signature` start and end. */
interface Segments {
  compressed: boolean;
  timestampDot: number;
  signatureDot: number;
}

/**
 * Creates a signer wire-compatible with itsdangerous 2.1.2 `URLSafeTimedSerializer`: tokens are
 * `[.]base64url(json).base64url(seconds).base64url(hmac)`. Keys are derived once, here.
 *
 * Verification is stricter than Python's: one spelling per token (canonical base64url, no
 * leading zero byte in the timestamp), a size cap before any work, inflating only after the
 * MAC checks and never past `maxPayloadLength`, and a future timestamp beyond `leeway` refused
 * even without `maxAge`.
 *
 * @throws {ConfigError} `ERR_TOKEN_CONFIG` at construction, naming the bad option.
 *
 * `sign` throws `ERR_TOKEN_TOO_LARGE` when the token would exceed a cap, or a `ConfigError`
 * (`ERR_TOKEN_CONFIG`, a `TypeError`) for a value without a JSON form. `verify` and
 * `verifyWithTimestamp` throw a `TokenError` with code
 * `ERR_TOKEN_TOO_LARGE` (token or inflated payload over its cap), `ERR_TOKEN_MALFORMED`
 * (structure, encoding, timestamp, zlib, JSON), `ERR_TOKEN_SIGNATURE` (no key's MAC matches),
 * `ERR_TOKEN_NOT_YET_VALID` (signed more than `leeway` seconds in the future) or
 * `ERR_TOKEN_EXPIRED` (older than `maxAge` seconds).
 *
 * @example
 * const outer = createOuterSigner({ secretKeys: [oldSecret, newSecret], salt: 'access' });
 * const token = outer.sign(jwt);
 * outer.verify(token, { maxAge: 900 }); // the JWT string, or throws a TokenError
 */
export function createOuterSigner(options: OuterSignerOptions): OuterSigner {
  return outerSignerFrom(readOuterOptions(options));
}

/**
 * The signer for options already checked by {@link readOuterOptions}, for a wrapper that checks
 * them under its own option names.
 */
export function outerSignerFrom(config: OuterConfig): OuterSigner {
  const mac = createMacSigner(config.secrets, config.salt, config.digest, config.keyDerivation);
  // Tokens signed within one second share their timestamp segment.
  let lastSeconds = 0;
  let lastTimestamp = '';

  function timestampNow(): string {
    const seconds = nowSeconds(config);

    if (seconds !== lastSeconds) {
      lastSeconds = seconds;
      lastTimestamp = encodeTimestamp(seconds);
    }

    return lastTimestamp;
  }

  function sign(value: unknown): string {
    const payload = dumpPayload(value, config.compress, config.maxPayloadLength);
    const signed = payload + '.' + timestampNow();
    const token = signed + '.' + mac.sign(signed);

    if (token.length > config.maxTokenLength) {
      throw new TokenTooLargeError('outer token over "maxTokenLength"', { reason: 'token' });
    }

    return token;
  }

  function verifyWithTimestamp(token: string, verifyOptions?: OuterVerifyOptions): OuterVerified {
    const maxAge = readMaxAge(verifyOptions);
    const segments = split(token, config.maxTokenLength);
    const { compressed, timestampDot, signatureDot } = segments;

    mac.verify(token.slice(0, signatureDot), token.slice(signatureDot + 1));

    const timestamp = decodeTimestamp(token.slice(timestampDot + 1, signatureDot));

    checkAge(timestamp, nowSeconds(config), config.leeway, maxAge);

    const payload = token.slice(compressed ? 1 : 0, timestampDot);

    return { value: loadPayload(payload, compressed, config.maxPayloadLength), timestamp };
  }

  return Object.freeze({
    sign,
    verifyWithTimestamp,
    verify: (token: string, verifyOptions?: OuterVerifyOptions) =>
      verifyWithTimestamp(token, verifyOptions).value,
  });
}

/**
 * Finds the three segments, plus the optional '.' compression marker. itsdangerous splits from
 * the right and so tolerates extra dots in the payload; we allow exactly one layout.
 */
function split(token: unknown, maxTokenLength: number): Segments {
  if (typeof token !== 'string') throw malformed('not a string');

  if (token.length > maxTokenLength) {
    throw new TokenTooLargeError('outer token over "maxTokenLength"', { reason: 'token' });
  }

  const compressed = token.charCodeAt(0) === DOT;
  const start = compressed ? 1 : 0;
  const signatureDot = token.lastIndexOf('.');
  const timestampDot = signatureDot > start ? token.lastIndexOf('.', signatureDot - 1) : -1;

  if (timestampDot <= start || token.indexOf('.', start) !== timestampDot) {
    throw malformed('segments');
  }

  if (signatureDot === timestampDot + 1 || signatureDot === token.length - 1) {
    throw malformed('segments');
  }

  return { compressed, timestampDot, signatureDot };
}

function checkAge(timestamp: number, now: number, leeway: number, maxAge: number | undefined) {
  if (timestamp - now > leeway) {
    throw new TokenNotYetValidError('outer timestamp in the future', { claim: 'timestamp' });
  }

  // Strictly greater, as itsdangerous: a token exactly maxAge seconds old is still valid.
  if (maxAge !== undefined && now - timestamp > maxAge) {
    throw new TokenExpiredError('outer signature age over "maxAge"', { claim: 'timestamp' });
  }
}

function nowSeconds(config: OuterConfig): number {
  const now = config.clock();

  // A clock returning NaN would make every time comparison false and so pass: fail closed.
  if (!Number.isFinite(now) || now < 1000) throw new ConfigError('"clock" must return epoch ms');

  return Math.floor(now / 1000);
}

function readMaxAge(options: OuterVerifyOptions | undefined): number | undefined {
  const maxAge = options?.maxAge;

  if (maxAge === undefined) return undefined;

  if (typeof maxAge !== 'number' || !(maxAge >= 0) || !Number.isFinite(maxAge)) {
    throw new ConfigError('"maxAge" must be a finite number of seconds, 0 or more');
  }

  return maxAge;
}

function malformed(reason: string): TokenMalformedError {
  return new TokenMalformedError('invalid outer token structure', { reason });
}

/**
 * Every failure the core reports carries a stable `code`. Codes are only ever added, never
 * renamed or reused, so callers can `switch` on them across versions.
 */
export type TokenErrorCode =
  | 'ERR_TOKEN_MALFORMED'
  | 'ERR_TOKEN_TOO_LARGE'
  | 'ERR_TOKEN_SIGNATURE'
  | 'ERR_TOKEN_ALGORITHM'
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_TOKEN_NOT_YET_VALID'
  | 'ERR_TOKEN_CLAIM'
  | 'ERR_TOKEN_TYPE';

/** Raised for a bad option at construction, or a bad argument to a method; never for a token. */
export type ConfigErrorCode = 'ERR_TOKEN_CONFIG';

/**
 * Every code an error thrown by this package may carry, to `switch` on exhaustively.
 *
 * @example
 * function status(code: ErrorCode): number {
 *   switch (code) {
 *     case 'ERR_TOKEN_CONFIG':
 *       return 500;
 *     default:
 *       return 401;
 *   }
 * }
 */
export type ErrorCode = TokenErrorCode | ConfigErrorCode;

/** Safe context only: never the token, a secret or a signature. */
export interface TokenErrorDetails {
  /** The claim or header member at fault, such as `exp` or `alg`. */
  claim?: string;
  /** A short, fixed reason such as `missing` or `not a safe integer`. */
  reason?: string;
}

// A registered symbol survives duplicate installs of this package, where `instanceof` does not.
const kTokenError = Symbol.for('tokenized-auth.token-error');

/**
 * Base class of every token rejection. Check `code`, or use {@link isTokenError} when the error
 * may come from another copy of the package.
 *
 * @example
 * try {
 *   service.verifyAccessToken(token);
 * } catch (err) {
 *   if (isTokenError(err) && err.code === 'ERR_TOKEN_EXPIRED') return refresh();
 *   throw err;
 * }
 */
export class TokenError extends Error {
  readonly code: TokenErrorCode;
  readonly claim: string | undefined;
  readonly reason: string | undefined;

  constructor(code: TokenErrorCode, message: string, details: TokenErrorDetails = {}) {
    super(message);
    this.name = 'TokenError';
    this.code = code;
    this.claim = details.claim;
    this.reason = details.reason;
  }

  get [kTokenError](): true {
    return true;
  }
}

/** The token is not well formed: encoding, segment count, JSON, header members. */
export class TokenMalformedError extends TokenError {
  constructor(message: string, details?: TokenErrorDetails) {
    super('ERR_TOKEN_MALFORMED', message, details);
    this.name = 'TokenMalformedError';
  }
}

/** The token, or a payload once inflated, is over the configured size cap. */
export class TokenTooLargeError extends TokenError {
  constructor(message: string, details?: TokenErrorDetails) {
    super('ERR_TOKEN_TOO_LARGE', message, details);
    this.name = 'TokenTooLargeError';
  }
}

/** A MAC or signature, outer or inner, does not verify under any configured key. */
export class TokenSignatureError extends TokenError {
  constructor(message: string, details?: TokenErrorDetails) {
    super('ERR_TOKEN_SIGNATURE', message, details);
    this.name = 'TokenSignatureError';
  }
}

/** The header names an algorithm other than the pinned one, or asks for unknown `crit` handling. */
export class TokenAlgorithmError extends TokenError {
  constructor(message: string, details?: TokenErrorDetails) {
    super('ERR_TOKEN_ALGORITHM', message, details);
    this.name = 'TokenAlgorithmError';
  }
}

/** `exp` has passed, or the outer timestamp is older than the max age. */
export class TokenExpiredError extends TokenError {
  constructor(message: string, details?: TokenErrorDetails) {
    super('ERR_TOKEN_EXPIRED', message, details);
    this.name = 'TokenExpiredError';
  }
}

/** `nbf`, `iat` or the outer timestamp lies in the future beyond the leeway. */
export class TokenNotYetValidError extends TokenError {
  constructor(message: string, details?: TokenErrorDetails) {
    super('ERR_TOKEN_NOT_YET_VALID', message, details);
    this.name = 'TokenNotYetValidError';
  }
}

/** A claim is missing, of the wrong type, or fails policy (`iss`, `aud`, lifetime). */
export class TokenClaimError extends TokenError {
  constructor(message: string, details?: TokenErrorDetails) {
    super('ERR_TOKEN_CLAIM', message, details);
    this.name = 'TokenClaimError';
  }
}

/** An access token presented where a refresh token is expected, or the reverse. */
export class TokenTypeError extends TokenError {
  constructor(message: string, details?: TokenErrorDetails) {
    super('ERR_TOKEN_TYPE', message, details);
    this.name = 'TokenTypeError';
  }
}

/**
 * Thrown at construction for a bad option. The message names the option in double quotes.
 *
 * @example
 * createTokenService({ secret: 'short' }); // ConfigError: "secret" must be at least 32 bytes
 */
export class ConfigError extends TypeError {
  readonly code: ConfigErrorCode = 'ERR_TOKEN_CONFIG';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/**
 * A mistake in how the `tokenized-auth` CLI was called; the CLI prints the message with the
 * command's usage and exits 2. The library API never throws it.
 *
 * @example
 * throw new UsageError('"--type" must be access or refresh');
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * True for any {@link TokenError}, including one thrown by another installed copy of this
 * package.
 *
 * @example
 * if (isTokenError(err)) reply.code(401).send({ code: err.code });
 */
export function isTokenError(value: unknown): value is TokenError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [kTokenError]?: unknown })[kTokenError] === true
  );
}

/** Every code a {@link TokenError} may carry, for documentation and exhaustive tests. */
export const TOKEN_ERROR_CODES: readonly TokenErrorCode[] = Object.freeze([
  'ERR_TOKEN_MALFORMED',
  'ERR_TOKEN_TOO_LARGE',
  'ERR_TOKEN_SIGNATURE',
  'ERR_TOKEN_ALGORITHM',
  'ERR_TOKEN_EXPIRED',
  'ERR_TOKEN_NOT_YET_VALID',
  'ERR_TOKEN_CLAIM',
  'ERR_TOKEN_TYPE',
]);

import createError, { type FastifyErrorConstructor } from '@fastify/error';
import { isTokenError } from '@tokenized-auth/core';
import type { FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { StoreUnavailableError } from './stores/types.js';

/**
 * Every error the plugin answers with carries one of these codes. Codes are only ever added,
 * never renamed or reused.
 */
export type TokenizedAuthErrorCode =
  | 'FST_TA_NO_TOKEN'
  | 'FST_TA_BAD_REQUEST'
  | 'FST_TA_TOKEN_INVALID'
  | 'FST_TA_TOKEN_EXPIRED'
  | 'FST_TA_TOKEN_REVOKED'
  | 'FST_TA_REFRESH_REUSED'
  | 'FST_TA_STORE_UNAVAILABLE'
  | 'FST_TA_INVALID_CLAIMS'
  | 'FST_TA_INVALID_OPTION';

// A stack trace would reach logs through Fastify's error serializer and tells a client nothing.
const noStack = false;

/** RFC 6750 §3.1: a request without credentials gets the challenge without an error code. */
const CHALLENGE = 'Bearer';
const INVALID_TOKEN = 'Bearer error="invalid_token"';
const INVALID_REQUEST = 'Bearer error="invalid_request"';

const NoToken = createError('FST_TA_NO_TOKEN', 'no bearer token in request', 401, Error, noStack);
const BadRequest = createError('FST_TA_BAD_REQUEST', '%s', 400, Error, noStack);
const TokenInvalid = createError('FST_TA_TOKEN_INVALID', 'token invalid', 401, Error, noStack);
const TokenExpired = createError('FST_TA_TOKEN_EXPIRED', 'token expired', 401, Error, noStack);
const TokenRevoked = createError('FST_TA_TOKEN_REVOKED', 'token revoked', 401, Error, noStack);
const RefreshReused = createError(
  'FST_TA_REFRESH_REUSED',
  'refresh token already used: session revoked',
  401,
  Error,
  noStack,
);
const StoreUnavailable = createError(
  'FST_TA_STORE_UNAVAILABLE',
  'revocation store unavailable',
  503,
  Error,
  noStack,
);
const InvalidClaims = createError('FST_TA_INVALID_CLAIMS', '%s', 500, TypeError);
const InvalidOption = createError('FST_TA_INVALID_OPTION', '%s', 500, TypeError);

/**
 * Constructors of every error the plugin raises, keyed by code, so callers can test
 * `err instanceof errorCodes.FST_TA_TOKEN_EXPIRED` or `err.code === 'FST_TA_TOKEN_EXPIRED'`.
 *
 * @example
 * app.setErrorHandler((err, request, reply) => {
 *   if (err instanceof errorCodes.FST_TA_REFRESH_REUSED) request.log.warn('session replayed');
 *   reply.send(err);
 * });
 */
export const errorCodes: Readonly<Record<TokenizedAuthErrorCode, FastifyErrorConstructor>> =
  Object.freeze({
    FST_TA_NO_TOKEN: NoToken,
    FST_TA_BAD_REQUEST: BadRequest,
    FST_TA_TOKEN_INVALID: TokenInvalid,
    FST_TA_TOKEN_EXPIRED: TokenExpired,
    FST_TA_TOKEN_REVOKED: TokenRevoked,
    FST_TA_REFRESH_REUSED: RefreshReused,
    FST_TA_STORE_UNAVAILABLE: StoreUnavailable,
    FST_TA_INVALID_CLAIMS: InvalidClaims,
    FST_TA_INVALID_OPTION: InvalidOption,
  });

/** An error on its way to the client, with the headers RFC 6750 §3 asks for. */
export interface HttpAuthError extends Error {
  code: TokenizedAuthErrorCode;
  statusCode: number;
  headers?: Record<string, string>;
  /** Safe detail for the debug log: a core code, claim or reason, never token material. */
  reason?: string;
}

function withHeaders(error: Error, headers: Record<string, string>, reason?: string) {
  const httpError = error as HttpAuthError;
  httpError.headers = headers;
  if (reason !== undefined) httpError.reason = reason;

  return httpError;
}

/** 401 for a request that carries no bearer credentials at all. */
export function noTokenError(): HttpAuthError {
  return withHeaders(new NoToken(), { 'www-authenticate': CHALLENGE });
}

/** 400 for an `Authorization` header or body we cannot read (RFC 6750 §3.1 invalid_request). */
export function badRequestError(message: string): HttpAuthError {
  return withHeaders(new BadRequest(message), { 'www-authenticate': INVALID_REQUEST }, message);
}

/** 401 for a token that failed verification; `reason` goes to the debug log only. */
export function tokenInvalidError(reason: string): HttpAuthError {
  return withHeaders(new TokenInvalid(), { 'www-authenticate': INVALID_TOKEN }, reason);
}

export function tokenRevokedError(): HttpAuthError {
  return withHeaders(new TokenRevoked(), { 'www-authenticate': INVALID_TOKEN }, 'revoked');
}

export function refreshReusedError(): HttpAuthError {
  return withHeaders(new RefreshReused(), { 'www-authenticate': INVALID_TOKEN }, 'reused');
}

/** 503 with `Retry-After` (RFC 9110 §10.2.3) in whole seconds. */
export function storeUnavailableError(retryAfter: number): HttpAuthError {
  return withHeaders(new StoreUnavailable(), { 'retry-after': String(retryAfter) });
}

/** A programming error in the claims handed to `issue`; never caused by a client. */
export function invalidClaimsError(message: string): Error {
  return new InvalidClaims(message);
}

/** A bad registration option; the message names the option in double quotes. */
export function invalidOptionError(message: string): Error {
  return new InvalidOption(message);
}

/**
 * Answers with `error` the way Fastify's default error handler would (status, headers, body
 * `{ statusCode, code, error, message }`) but without its log line, which puts every 4xx at
 * info: a rejection was already logged at debug, or at warn for store trouble.
 */
export function sendRejection(reply: FastifyReply, error: HttpAuthError): FastifyReply {
  if (error.headers !== undefined) reply.headers(error.headers);
  const { statusCode, code, message } = error;

  return reply
    .code(statusCode)
    .send({ statusCode, code, error: STATUS_CODES[statusCode], message });
}

function isPluginError(value: unknown): value is HttpAuthError {
  const code = (value as { code?: unknown } | null)?.code;

  return typeof code === 'string' && code in errorCodes;
}

function isStoreUnavailable(value: unknown): boolean {
  return (
    value instanceof StoreUnavailableError ||
    (value as { code?: unknown } | null)?.code === 'ERR_STORE_UNAVAILABLE'
  );
}

/**
 * The one place where failures become HTTP errors: core token errors become 401, store
 * failures 503, and anything unexpected a 401 too, because it was reached from client input
 * and a 500 would both leak that a code path broke and invite probing.
 */
export function toHttpError(error: unknown, retryAfter: number): HttpAuthError {
  if (isPluginError(error)) return error;

  if (isStoreUnavailable(error)) return storeUnavailableError(retryAfter);

  if (isTokenError(error)) {
    const reason = [error.code, error.claim, error.reason].filter(Boolean).join(' ');
    if (error.code === 'ERR_TOKEN_EXPIRED') {
      return withHeaders(new TokenExpired(), { 'www-authenticate': INVALID_TOKEN }, reason);
    }

    return tokenInvalidError(reason);
  }

  const name = error instanceof Error ? error.name : typeof error;

  return tokenInvalidError(`unexpected ${name}`);
}

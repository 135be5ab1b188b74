import type { FastifyRequest } from 'fastify';
import { badRequestError, noTokenError, tokenInvalidError } from './errors.js';

export interface ExtractOptions {
  /** Characters; longer tokens are refused before any decoding. */
  maxTokenLength: number;
  /** Cookie to read when the request has no bearer `Authorization` header. */
  cookieName?: string | undefined;
}

// RFC 6750 §2.1 b64token. Our tokens only use base64url and '.', but any b64token is a
// well-formed request and fails later as an invalid token, not as a bad request.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

// Room for the scheme and the spaces after it, so the cap is checked before any parsing.
const HEADER_OVERHEAD = 64;

/**
 * Counts `Authorization` lines as sent. Node keeps only the first of duplicated
 * `Authorization` headers in `headers`, so only `rawHeaders` shows a second one.
 */
function countAuthorizationHeaders(request: FastifyRequest): number {
  const raw = request.raw.rawHeaders;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 13 && raw[i]!.toLowerCase() === 'authorization') count++;
  }

  return count;
}

function checkTokenText(token: string, options: ExtractOptions, source: string): string {
  if (token.length > options.maxTokenLength) throw tokenInvalidError('token too large');

  if (!B64TOKEN.test(token)) {
    throw badRequestError(`${source} does not hold exactly one bearer token`);
  }

  return token;
}

/**
 * The token of a `Bearer` credential (RFC 6750 §2.1: scheme case-insensitive, one or more
 * spaces, one b64token), or undefined when the header uses another scheme.
 */
export function parseAuthorization(header: string, options: ExtractOptions): string | undefined {
  if (header.length > options.maxTokenLength + HEADER_OVERHEAD) {
    throw tokenInvalidError('token too large');
  }

  const gap = header.search(/[ \t]/);
  const scheme = gap === -1 ? header : header.slice(0, gap);
  if (scheme.toLowerCase() !== 'bearer') return undefined;

  const token = header.slice(scheme.length).replace(/^ +/, '');
  if (token === '') throw badRequestError('"authorization" header has no bearer token');

  return checkTokenText(token, options, '"authorization" header');
}

function readCookie(request: FastifyRequest, options: ExtractOptions): string | undefined {
  if (options.cookieName === undefined) return undefined;

  const cookies = (request as { cookies?: Record<string, string | undefined> }).cookies;
  const value = cookies?.[options.cookieName];
  if (typeof value !== 'string' || value === '') return undefined;

  return checkTokenText(value, options, 'cookie');
}

/**
 * The request's bearer token. Rules: one `Authorization` header at most (a second one is a
 * 400); a `Bearer` header wins over the cookie, which is read only when no `Bearer` header is
 * present; a header with another scheme is left to other authentication and counts as absent.
 *
 * @throws FST_TA_NO_TOKEN, FST_TA_BAD_REQUEST, FST_TA_TOKEN_INVALID (over the length cap)
 */
export function extractToken(request: FastifyRequest, options: ExtractOptions): string {
  const header = request.headers.authorization as string | string[] | undefined;
  if (Array.isArray(header) || countAuthorizationHeaders(request) > 1) {
    throw badRequestError('more than one "authorization" header');
  }

  const fromHeader = header === undefined ? undefined : parseAuthorization(header, options);
  const token = fromHeader ?? readCookie(request, options);
  if (token === undefined) throw noTokenError();

  return token;
}

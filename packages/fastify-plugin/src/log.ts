import type { FastifyBaseLogger } from 'fastify';
import type { HttpAuthError } from './errors.js';

/**
 * Logs a rejection with its code and safe reason, never the token. A replayed refresh token
 * (a stolen session, or a client bug that looks like one) and store trouble are for the
 * operator, at warn; every other rejection is a client's business, at debug. Programming
 * errors (`FST_TA_INVALID_CLAIMS`) are thrown to the caller, whose error handler logs them.
 */
export function logRejection(log: FastifyBaseLogger, error: HttpAuthError): void {
  if (error.statusCode === 503) {
    log.warn({ code: error.code }, 'revocation store unavailable');

    return;
  }

  if (error.code === 'FST_TA_REFRESH_REUSED') {
    log.warn({ code: error.code }, 'refresh token reused: family revoked');

    return;
  }

  // The guard answers its own rejections, so no error handler would log a server-side one.
  if (error.statusCode >= 500) {
    log.error({ code: error.code }, 'token check failed on the server side');

    return;
  }

  log.debug({ code: error.code, reason: error.reason }, 'token rejected');
}

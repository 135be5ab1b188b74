import type { FastifyServerOptions } from 'fastify';
import type { LogLevel } from './config.js';

/** Where log lines go; tests pass a collector, the server leaves it to stdout. */
export interface LogDestination {
  write(line: string): void;
}

// Fastify's default request serializer logs no headers or bodies; these paths keep credentials
// out even when a handler or a later serializer logs them (`request.log.info({ headers })`).
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'body.password',
  'body.refreshToken',
  'password',
  '*.password',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
];

/**
 * Pino options for the API: the given level, credentials replaced by "[redacted]".
 *
 * @example
 * const app = Fastify({ logger: loggerOptions('info') });
 */
export function loggerOptions(
  level: LogLevel,
  stream?: LogDestination,
): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(stream ? { stream } : {}),
  };
}

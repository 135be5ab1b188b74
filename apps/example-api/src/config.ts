import { randomBytes } from 'node:crypto';
import envSchema from 'env-schema';

/** Settings of the example API, read once from the environment at start-up. */
export interface AppConfig {
  port: number;
  host: string;
  logLevel: LogLevel;
  /** A single Redis node; unset with `redisClusterNodes` unset too: the in-memory store. */
  redisUrl: string | undefined;
  /** Seed nodes of a Redis Cluster, the alternative to `redisUrl`. */
  redisClusterNodes: ClusterNode[] | undefined;
  /** Oldest -> newest: the newest signs, every entry verifies. */
  accessSecret: string[];
  refreshSecret: string[];
  outerSecret: string[];
  /** Seconds. */
  accessTokenTtl: number;
  refreshTokenTtl: number;
  /** Seconds a just-redeemed refresh token still yields the same new pair (0: never). */
  refreshGrace: number;
  /** Login attempts per client per minute. */
  loginRateLimit: number;
  trustProxy: boolean;
  /** True when no secrets were configured and random ones were made for this process. */
  generatedSecrets: boolean;
}

/** One seed node of a Redis Cluster, from `REDIS_CLUSTER_NODES`. */
export interface ClusterNode {
  host: string;
  port: number;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * A bad environment variable; the message names it and says what is expected.
 *
 * @example
 * try { loadConfig({ PORT: 'x' }); } catch (err) { err.code; } // 'ERR_APP_CONFIG'
 */
export class AppConfigError extends Error {
  readonly code = 'ERR_APP_CONFIG';

  constructor(message: string) {
    super(message);
    this.name = 'AppConfigError';
  }
}

const SECRET_VARIABLES = ['JWT_SECRET', 'JWT_REFRESH_SECRET', 'OUTER_SECRET'] as const;

// HS256 keys shorter than the hash output weaken the MAC (RFC 7518 section 3.2).
const MIN_SECRET_LENGTH = 32;

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const schema = {
  type: 'object',
  properties: {
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3000 },
    HOST: { type: 'string', minLength: 1, default: '127.0.0.1' },
    LOG_LEVEL: { type: 'string', enum: LOG_LEVELS, default: 'info' },
    REDIS_URL: { type: 'string', pattern: '^rediss?://' },
    REDIS_CLUSTER_NODES: { type: 'string' },
    JWT_SECRET: { type: 'string' },
    JWT_REFRESH_SECRET: { type: 'string' },
    OUTER_SECRET: { type: 'string' },
    ACCESS_TOKEN_TTL: { type: 'integer', minimum: 1, maximum: 86400, default: 900 },
    REFRESH_TOKEN_TTL: { type: 'integer', minimum: 1, maximum: 31536000, default: 1209600 },
    REFRESH_GRACE: { type: 'integer', minimum: 0, maximum: 60, default: 5 },
    LOGIN_RATE_LIMIT: { type: 'integer', minimum: 1, maximum: 100000, default: 10 },
    TRUST_PROXY: { type: 'boolean', default: false },
  },
} as const;

interface RawEnv {
  PORT: number;
  HOST: string;
  LOG_LEVEL: LogLevel;
  REDIS_URL?: string;
  REDIS_CLUSTER_NODES?: string;
  JWT_SECRET?: string;
  JWT_REFRESH_SECRET?: string;
  OUTER_SECRET?: string;
  ACCESS_TOKEN_TTL: number;
  REFRESH_TOKEN_TTL: number;
  REFRESH_GRACE: number;
  LOGIN_RATE_LIMIT: number;
  TRUST_PROXY: boolean;
}

/**
 * Reads and checks the environment. Empty variables count as unset, so `REDIS_URL=` in a
 * shell or compose file means "no Redis" rather than a validation error.
 *
 * @example
 * const config = loadConfig(process.env);
 * const app = await buildApp(config);
 *
 * @throws {AppConfigError} `ERR_APP_CONFIG` naming every variable that is wrong
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw = readEnv(withoutEmptyValues(env));
  const secrets = readSecrets(raw);

  if (raw.REDIS_URL !== undefined && raw.REDIS_CLUSTER_NODES !== undefined) {
    throw new AppConfigError('"REDIS_URL" and "REDIS_CLUSTER_NODES" exclude each other: set one');
  }

  if (raw.ACCESS_TOKEN_TTL > raw.REFRESH_TOKEN_TTL) {
    throw new AppConfigError('"ACCESS_TOKEN_TTL" must not exceed "REFRESH_TOKEN_TTL"');
  }

  return {
    port: raw.PORT,
    host: raw.HOST,
    logLevel: raw.LOG_LEVEL,
    redisUrl: raw.REDIS_URL,
    redisClusterNodes:
      raw.REDIS_CLUSTER_NODES === undefined ? undefined : readNodes(raw.REDIS_CLUSTER_NODES),
    ...secrets,
    accessTokenTtl: raw.ACCESS_TOKEN_TTL,
    refreshTokenTtl: raw.REFRESH_TOKEN_TTL,
    refreshGrace: raw.REFRESH_GRACE,
    loginRateLimit: raw.LOGIN_RATE_LIMIT,
    trustProxy: raw.TRUST_PROXY,
  };
}

// `host:port` with a port; an IPv6 host goes in brackets (`[::1]:7000`), as in a URL.
const NODE_PATTERN = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/;

function readNodes(value: string): ClusterNode[] {
  const entries = value.split(',').map((entry) => entry.trim());

  return entries.map((entry, index) => {
    const match = NODE_PATTERN.exec(entry);
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65535) {
      const position = entries.length > 1 ? ` entry ${index + 1}` : '';
      throw new AppConfigError(`"REDIS_CLUSTER_NODES"${position} must be host:port`);
    }

    return { host: match[1] ?? match[2]!, port };
  });
}

function withoutEmptyValues(env: NodeJS.ProcessEnv): Record<string, string> {
  const names = Object.keys(schema.properties);
  const picked: Record<string, string> = {};

  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') picked[name] = value.trim();
  }

  return picked;
}

function readEnv(data: Record<string, string>): RawEnv {
  try {
    return envSchema<RawEnv>({ schema, data, dotenv: false });
  } catch (err) {
    throw new AppConfigError(describeEnvError(err));
  }
}

interface AjvIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: { allowedValues?: unknown[] };
}

// env-schema reports "env/PORT must be integer"; name the variable the way a shell user types it.
function describeEnvError(err: unknown): string {
  const issues = (err as { errors?: AjvIssue[] }).errors;
  if (!Array.isArray(issues)) return 'invalid environment';

  const parts = issues.map((issue) => {
    const name = (issue.instancePath ?? '').replace(/^\//, '');
    const allowed = issue.params?.allowedValues;
    const detail = issue.keyword === 'enum' && allowed ? `one of ${allowed.join(', ')}` : '';
    const message = issue.keyword === 'enum' ? `must be ${detail}` : issue.message;

    return `"${name}" ${message ?? 'is invalid'}`;
  });

  return `invalid environment: ${parts.join('; ')}`;
}

type SecretSettings = Pick<
  AppConfig,
  'accessSecret' | 'refreshSecret' | 'outerSecret' | 'generatedSecrets'
>;

function readSecrets(raw: RawEnv): SecretSettings {
  const given = SECRET_VARIABLES.filter((name) => raw[name] !== undefined);

  if (given.length === 0) {
    return {
      accessSecret: [randomSecret()],
      refreshSecret: [randomSecret()],
      outerSecret: [randomSecret()],
      generatedSecrets: true,
    };
  }

  // Half a configuration would silently pair a persistent key with a throwaway one.
  if (given.length !== SECRET_VARIABLES.length) {
    const missing = SECRET_VARIABLES.filter((name) => raw[name] === undefined);
    const names = missing.map((name) => `"${name}"`).join(', ');

    throw new AppConfigError(`${names} must be set with the other secrets, or none of them`);
  }

  return {
    accessSecret: splitSecrets('JWT_SECRET', raw.JWT_SECRET ?? ''),
    refreshSecret: splitSecrets('JWT_REFRESH_SECRET', raw.JWT_REFRESH_SECRET ?? ''),
    outerSecret: splitSecrets('OUTER_SECRET', raw.OUTER_SECRET ?? ''),
    generatedSecrets: false,
  };
}

function splitSecrets(name: string, value: string): string[] {
  const secrets = value.split(',').map((secret) => secret.trim());

  secrets.forEach((secret, index) => {
    if (Buffer.byteLength(secret) < MIN_SECRET_LENGTH) {
      const position = secrets.length > 1 ? ` entry ${index + 1}` : '';
      throw new AppConfigError(`"${name}"${position} must be at least ${MIN_SECRET_LENGTH} bytes`);
    }
  });

  return secrets;
}

function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

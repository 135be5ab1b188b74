import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { buildApp, type BuildAppOptions } from '../../src/app.js';
import { loadConfig, type AppConfig } from '../../src/config.js';
import { UserStore } from '../../src/users.js';

export const SECRETS = {
  JWT_SECRET: 'test-access-secret-0123456789abcdef',
  JWT_REFRESH_SECRET: 'test-refresh-secret-0123456789abcdef',
  OUTER_SECRET: 'test-outer-secret-0123456789abcdef',
};

/** Configuration from a test environment: fixed secrets, silent logs unless asked. */
export function testConfig(env: NodeJS.ProcessEnv = {}): AppConfig {
  return loadConfig({ LOG_LEVEL: 'silent', ...SECRETS, ...env });
}

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

export interface CallOptions {
  token?: string;
  json?: unknown;
  /** Sent as is, for bodies that are not JSON. */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A running API over a real socket, and a small client for it. */
export interface RunningApi {
  app: FastifyInstance;
  url: string;
  call(method: 'GET' | 'POST', path: string, options?: CallOptions): Promise<Response>;
  close(): Promise<void>;
}

/** Users hashed at scrypt's lowest cost: these suites test HTTP, users.test.ts the hash. */
export function cheapUsers(): UserStore {
  return new UserStore({ cost: 2 ** 10 });
}

export async function startApi(config: AppConfig, options?: BuildAppOptions): Promise<RunningApi> {
  const app = await buildApp(config, { users: cheapUsers(), ...options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');

  const url = `http://127.0.0.1:${address.port}`;

  return {
    app,
    url,
    call: (method, path, opts) => call(url, method, path, opts),
    close: () => app.close(),
  };
}

async function call(
  url: string,
  method: 'GET' | 'POST',
  path: string,
  options: CallOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;

  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  } else if (options.raw !== undefined) {
    body = options.raw;
  }

  if (options.contentType !== undefined) headers['content-type'] = options.contentType;

  const response = await request(`${url}${path}`, { method, headers, body });
  const text = await response.body.text();
  const isJson = String(response.headers['content-type'] ?? '').startsWith('application/json');

  return {
    status: response.statusCode,
    headers: response.headers,
    body: isJson && text !== '' ? JSON.parse(text) : undefined,
    text,
  };
}

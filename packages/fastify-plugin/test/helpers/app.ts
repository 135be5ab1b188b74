import Fastify, { type FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import tokenizedAuth, { type TokenizedAuthOptions } from '../../src/index.js';

/** 48 bytes: above the core's 32-byte minimum. */
export const SECRET = 'test-secret-for-the-plugin-suite-0123456789abcdef';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface TestApp {
  app: FastifyInstance;
  /** Every log line written so far, as raw JSON text. */
  logs: string[];
}

/**
 * A fresh Fastify instance with the plugin and the routes the suites drive, closed when the
 * test ends. Logs are captured at debug level so suites can assert on them.
 */
export async function buildApp(
  t: Teardown,
  options: Partial<TokenizedAuthOptions> = {},
  before?: (app: FastifyInstance) => Promise<void> | void,
): Promise<TestApp> {
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const app = Fastify({ logger: { level: 'debug', stream } });
  t.teardown(() => app.close());
  if (before) await before(app);

  await app.register(tokenizedAuth, { secret: SECRET, ...options });
  app.get('/me', { onRequest: app.authenticate }, (request) => request.user);
  app.get('/verify', async (request) => request.verifyToken());
  app.get('/jwt', async (request) => request.jwtVerify());
  app.post('/refresh', (request) => {
    const body = request.body as { refreshToken?: unknown } | null;

    return app.tokens.refresh(body?.refreshToken as string);
  });
  app.post('/logout', async (request) => {
    const body = request.body as { token?: unknown } | null;
    await app.tokens.revoke(body?.token as string);

    return { ok: true };
  });
  await app.ready();

  return { app, logs };
}

/** `Authorization` header for `token`. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** A clock tests move by hand (epoch ms). */
export function manualClock(start = Date.now()): { now: () => number; advance(ms: number): void } {
  let current = start;

  return {
    now: () => current,
    advance(ms: number) {
      current += ms;
    },
  };
}

import type { FastifyBaseLogger } from 'fastify';
import t, { type Test } from 'tap';
import type { HttpAuthError } from '../src/errors.js';
import { logRejection } from '../src/log.js';
import { createMemoryStore, type RevocationStore } from '../src/index.js';
import { bearer, buildApp, manualClock } from './helpers/app.js';

interface LogLine {
  level: number;
  msg: string;
  code?: string;
  err?: unknown;
}

function parse(logs: string[]): LogLine[] {
  return logs.map((line) => JSON.parse(line) as LogLine);
}

/** Lines that carry one of the plugin's codes, or an error Fastify serialised. */
function rejectionLines(logs: string[]): LogLine[] {
  return parse(logs).filter((line) => line.code?.startsWith('FST_TA_') || line.err !== undefined);
}

function assertNoToken(t: Test, logs: string[], tokens: string[]) {
  const text = logs.join('');
  for (const token of tokens) {
    t.notOk(text.includes(token), 'token absent from logs');
    t.notOk(text.includes(token.split('.')[0]!), 'token segment absent from logs');
  }
}

/** A memory store whose every call fails, as a Redis that went away would. */
function brokenStore(): RevocationStore {
  const fail = () => Promise.reject(new Error('connection refused'));

  return Object.assign(Object.create(createMemoryStore()) as RevocationStore, {
    kind: 'memory' as const,
    recordIssue: fail,
    isRevoked: fail,
  });
}

t.test('authenticate logs a rejection once, at debug, and answers it itself', async (t) => {
  const { app, logs } = await buildApp(t);
  const pair = await app.tokens.issue({ sub: 'quiet' });
  await app.tokens.revoke(pair.accessToken);
  const tampered = `${pair.accessToken.slice(0, -3)}abc`;
  logs.length = 0;

  const cases = [
    { headers: bearer(pair.accessToken), challenge: 'Bearer error="invalid_token"' },
    { headers: bearer(tampered), challenge: 'Bearer error="invalid_token"' },
    // RFC 6750 section 3.1: a request without credentials gets the bare challenge.
    { headers: {}, challenge: 'Bearer' },
  ];
  for (const { headers, challenge } of cases) {
    const res = await app.inject({ url: '/me', headers });
    t.equal(res.statusCode, 401);
    t.equal(res.headers['www-authenticate'], challenge);
    t.same(Object.keys(res.json()), ['statusCode', 'code', 'error', 'message']);
    t.match(res.json(), { statusCode: 401, error: 'Unauthorized', code: /^FST_TA_/ });
  }

  const lines = rejectionLines(logs);
  t.equal(lines.length, 3, 'one line a rejection: none from Fastify error handler');
  t.same(new Set(lines.map((line) => line.level)), new Set([20]), 'all at debug');
  assertNoToken(t, logs, [pair.accessToken, tampered]);
});

t.test('authenticate logs a bad request at debug and answers 400', async (t) => {
  const { app, logs } = await buildApp(t);
  const res = await app.inject({ url: '/me', headers: { authorization: 'Bearer a b' } });

  t.equal(res.statusCode, 400);
  t.equal(res.json().code, 'FST_TA_BAD_REQUEST');
  t.equal(res.headers['www-authenticate'], 'Bearer error="invalid_request"');
  t.same(
    rejectionLines(logs).map((line) => line.level),
    [20],
  );
});

t.test('authenticate logs store trouble at warn only, and answers 503', async (t) => {
  const store = createMemoryStore();
  const { app, logs } = await buildApp(t, { store, retryAfter: 3 });
  const pair = await app.tokens.issue({ sub: 'outage' });
  await store.close();
  const res = await app.inject({ url: '/me', headers: bearer(pair.accessToken) });

  t.equal(res.statusCode, 503);
  t.equal(res.headers['retry-after'], '3');
  t.equal(res.json().code, 'FST_TA_STORE_UNAVAILABLE');
  t.match(rejectionLines(logs), [{ level: 40, code: 'FST_TA_STORE_UNAVAILABLE' }]);
  t.equal(rejectionLines(logs).length, 1, 'no error-level line from Fastify');
  assertNoToken(t, logs, [pair.accessToken]);
});

t.test('tokens.refresh logs a replayed refresh token at warn with its code', async (t) => {
  const clock = manualClock();
  const { app, logs } = await buildApp(t, { clock: clock.now });
  const first = await app.tokens.issue({ sub: 'replayed' });
  const next = await app.tokens.refresh(first.refreshToken);
  clock.advance(6000);
  await t.rejects(app.tokens.refresh(first.refreshToken), { code: 'FST_TA_REFRESH_REUSED' });

  t.match(rejectionLines(logs), [{ level: 40, code: 'FST_TA_REFRESH_REUSED' }]);
  assertNoToken(t, logs, [first.refreshToken, first.accessToken, next.refreshToken]);
});

t.test('tokens methods log other rejections at debug', async (t) => {
  const { app, logs } = await buildApp(t);
  const pair = await app.tokens.issue({ sub: 'misused' });
  const tampered = `${pair.refreshToken.slice(0, -3)}abc`;
  await t.rejects(app.tokens.refresh(tampered), { code: 'FST_TA_TOKEN_INVALID' });
  await t.rejects(app.tokens.refresh(pair.accessToken), { code: 'FST_TA_TOKEN_INVALID' });
  await t.rejects(app.tokens.revoke(''), { code: 'FST_TA_BAD_REQUEST' });

  const lines = rejectionLines(logs);
  t.equal(lines.length, 3);
  t.same(new Set(lines.map((line) => line.level)), new Set([20]));
  t.match(lines[0], { code: 'FST_TA_TOKEN_INVALID', reason: /^ERR_TOKEN_SIGNATURE/ });
  assertNoToken(t, logs, [pair.accessToken, tampered]);
});

t.test('tokens methods log store trouble at warn', async (t) => {
  const { app, logs } = await buildApp(t, { store: brokenStore() });
  await t.rejects(app.tokens.issue({ sub: 'outage' }), { code: 'FST_TA_STORE_UNAVAILABLE' });

  t.match(rejectionLines(logs), [{ level: 40, code: 'FST_TA_STORE_UNAVAILABLE' }]);
});

t.test('logRejection puts a server-side failure at error, since no error handler sees it', (t) => {
  const lines: { level: string; data: unknown }[] = [];
  const at = (level: string) => (data: unknown) => void lines.push({ level, data });
  const log = { error: at('error'), warn: at('warn'), debug: at('debug') };
  const failure = {
    statusCode: 500,
    code: 'FST_TA_TEST_FAILURE',
    reason: 'x',
  } as unknown as HttpAuthError;
  const rejected = {
    statusCode: 401,
    code: 'FST_TA_TOKEN_INVALID',
    reason: 'y',
  } as unknown as HttpAuthError;

  logRejection(log as unknown as FastifyBaseLogger, failure);
  logRejection(log as unknown as FastifyBaseLogger, rejected);

  t.same(
    lines.map((line) => line.level),
    ['error', 'debug'],
  );
  t.match(lines[0]!.data, { code: 'FST_TA_TEST_FAILURE' });
  t.end();
});

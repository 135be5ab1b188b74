import t from 'tap';
import { buildApp } from '../src/app.js';
import { HttpError } from '../src/errors.js';
import { freePort } from '../../../packages/fastify-plugin/test/helpers/processes.js';
import { cheapUsers, testConfig } from './helpers/http.js';

t.test('hides an unexpected error behind a bare 500 and logs it', async (t) => {
  const lines: string[] = [];
  const app = await buildApp(testConfig({ LOG_LEVEL: 'error' }), {
    logStream: { write: (line: string) => void lines.push(line) },
  });
  t.teardown(() => app.close());
  app.get('/boom', async () => {
    throw new Error('connect ECONNREFUSED redis://10.0.0.7:6379');
  });

  const response = await app.inject({ method: 'GET', url: '/boom' });

  t.equal(response.statusCode, 500);
  t.same(response.json(), {
    statusCode: 500,
    code: 'APP_INTERNAL_ERROR',
    error: 'Internal Server Error',
    message: 'internal error',
  });
  t.match(lines.join(''), /"level":50.*ECONNREFUSED/, 'the operator still sees the cause');
});

t.test('passes client errors and 503 through with their status, code and headers', async (t) => {
  const app = await buildApp(testConfig());
  t.teardown(() => app.close());
  app.get('/gone', async () => {
    throw new HttpError(410, 'APP_GONE', 'gone for good');
  });
  app.get('/busy', async () => {
    throw Object.assign(new HttpError(503, 'APP_BUSY', 'try later'), {
      headers: { 'retry-after': '7' },
    });
  });

  const gone = await app.inject({ method: 'GET', url: '/gone' });
  const busy = await app.inject({ method: 'GET', url: '/busy' });

  t.equal(gone.statusCode, 410);
  t.equal(gone.json().code, 'APP_GONE');
  t.equal(gone.json().message, 'gone for good');
  t.equal(busy.statusCode, 503);
  t.equal(busy.json().code, 'APP_BUSY');
  t.equal(busy.headers['retry-after'], '7');
});

t.test('does not trust X-Forwarded-For unless TRUST_PROXY is set', async (t) => {
  const app = await buildApp(testConfig());
  const proxied = await buildApp(testConfig({ TRUST_PROXY: 'true' }));
  t.teardown(() => Promise.all([app.close(), proxied.close()]));
  for (const instance of [app, proxied]) {
    instance.get('/ip', async (request) => ({ ip: request.ip }));
  }

  const headers = { 'x-forwarded-for': '203.0.113.9' };
  const direct = await app.inject({ method: 'GET', url: '/ip', headers });
  const behindProxy = await proxied.inject({ method: 'GET', url: '/ip', headers });

  t.equal(direct.json().ip, '127.0.0.1');
  t.equal(behindProxy.json().ip, '203.0.113.9');
});

t.test('starts without a reachable redis cluster, warns, and fails closed with 503', async (t) => {
  const lines: string[] = [];
  const nowhere = `127.0.0.1:${await freePort()}`;
  const started = Date.now();
  const app = await buildApp(testConfig({ LOG_LEVEL: 'warn', REDIS_CLUSTER_NODES: nowhere }), {
    logStream: { write: (line: string) => void lines.push(line) },
    users: cheapUsers(),
  });
  const startMs = Date.now() - started;
  const credentials = { username: 'alice', password: 'correct horse battery' };
  await app.inject({ method: 'POST', url: '/auth/register', body: credentials });

  const login = await app.inject({ method: 'POST', url: '/auth/login', body: credentials });
  const health = await app.inject({ method: 'GET', url: '/health' });
  const closing = Date.now();
  await app.close();

  t.ok(startMs < 5000, `start-up waited a bounded time (${startMs} ms)`);
  t.match(lines.join(''), /Redis Cluster unreachable at start-up/);
  t.equal(login.statusCode, 503);
  t.equal(login.json().code, 'FST_TA_STORE_UNAVAILABLE');
  t.notMatch(login.body, nowhere, 'does not reveal the store address');
  t.match(health.json(), { status: 'degraded', topology: 'redis-cluster', storeOk: false });
  t.ok(Date.now() - closing < 2000, 'closes without waiting for the cluster');
});

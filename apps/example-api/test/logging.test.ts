import t from 'tap';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { SECRETS, startApi, testConfig } from './helpers/http.js';

const PASSWORD = 'correct-horse-battery-staple-42';

function collector() {
  const lines: string[] = [];

  return { lines, stream: { write: (line: string) => void lines.push(line) } };
}

t.test('keeps tokens, passwords and secrets out of every log line of a full flow', async (t) => {
  const logs = collector();
  const api = await startApi(testConfig({ LOG_LEVEL: 'trace', REFRESH_GRACE: '0' }), {
    logStream: logs.stream,
  });
  t.teardown(() => api.close());

  const credentials = { username: 'alice', password: PASSWORD };
  await api.call('POST', '/auth/register', { json: credentials });
  const first = (await api.call('POST', '/auth/login', { json: credentials })).body;
  const second = (
    await api.call('POST', '/auth/refresh', { json: { refreshToken: first.refreshToken } })
  ).body;
  await api.call('POST', '/auth/refresh', { json: { refreshToken: first.refreshToken } });
  await api.call('GET', '/me', { token: second.accessToken });
  await api.call('GET', '/me', {
    token: first.accessToken,
    headers: { cookie: `session=${first.accessToken}` },
  });
  await api.call('POST', '/auth/login', {
    raw: `{"username": "alice", "password": "${PASSWORD}"`,
    contentType: 'application/json',
  });
  await api.call('POST', '/auth/login', { json: { ...credentials, extra: PASSWORD } });
  const third = (await api.call('POST', '/auth/login', { json: credentials })).body;
  await api.call('POST', '/auth/logout', {
    token: third.accessToken,
    json: { refreshToken: third.refreshToken },
  });
  await api.call('POST', '/auth/logout-all', { token: third.accessToken });

  const text = logs.lines.join('');
  const forbidden = {
    password: PASSWORD,
    ...Object.fromEntries(Object.entries(SECRETS).map(([name, value]) => [name, value])),
    firstAccess: first.accessToken,
    firstRefresh: first.refreshToken,
    secondAccess: second.accessToken,
    secondRefresh: second.refreshToken,
    thirdAccess: third.accessToken,
    thirdRefresh: third.refreshToken,
  };

  t.ok(logs.lines.length >= 20, `${logs.lines.length} log lines captured`);
  t.match(text, '"url":"/auth/login"', 'requests are logged');
  t.match(text, '"statusCode":401', 'rejections are logged');

  for (const [name, value] of Object.entries(forbidden)) {
    t.type(value, 'string', `${name} was produced`);
    // A token's signature alone would be a leak too, so look for its last 20 characters.
    t.notMatch(text, String(value).slice(-20), `${name} is not logged`);
  }
});

t.test('redacts credentials a handler logs by accident', async (t) => {
  const logs = collector();
  const app = await buildApp(testConfig({ LOG_LEVEL: 'info' }), { logStream: logs.stream });
  t.teardown(() => app.close());

  app.log.info(
    {
      req: { headers: { authorization: 'Bearer leaked-token', cookie: 'sid=leaked-cookie' } },
      body: { password: 'leaked-password', refreshToken: 'leaked-refresh' },
      user: { password: 'leaked-nested' },
    },
    'careless handler',
  );

  const line = logs.lines.find((entry) => entry.includes('careless handler')) ?? '';

  t.match(line, '[redacted]');
  t.notMatch(line, 'leaked');
});

t.test('warns at start-up that random secrets will not survive a restart', async (t) => {
  const logs = collector();
  const config = loadConfig({ LOG_LEVEL: 'warn' });
  const app = await buildApp(config, { logStream: logs.stream });
  t.teardown(() => app.close());

  const warning = logs.lines.map((line) => JSON.parse(line)).find((entry) => entry.level === 40);

  t.ok(warning, 'a warning was logged');
  t.match(warning?.msg, /random secrets.*will not survive a restart/);

  const text = logs.lines.join('');
  for (const secret of [...config.accessSecret, ...config.refreshSecret, ...config.outerSecret]) {
    t.notMatch(text, secret);
  }

  const configured = collector();
  const quiet = await buildApp(testConfig({ LOG_LEVEL: 'warn' }), { logStream: configured.stream });
  t.teardown(() => quiet.close());

  t.notMatch(configured.lines.join(''), 'random secrets', 'no such warning with secrets set');
});

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { request } from 'undici';
import {
  redisSkipReason,
  startRedisServer,
} from '../../../packages/fastify-plugin/test/helpers/redis-server.js';
import { SECRETS } from './helpers/http.js';

const serverFile = fileURLToPath(new URL('../src/server.ts', import.meta.url));
// Run the TypeScript entry with the loader tap itself uses, so no build is needed.
const loaders = process.execArgv.filter((arg) => arg.includes('@tapjs/typescript'));

interface Server {
  child: ChildProcess;
  output: () => string;
}

// tap's own settings for the loader (transpile only, which tsconfig), and nothing else: the
// server must not see a REDIS_URL or secrets from the test environment.
const loaderEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name.startsWith('TS_NODE_')),
);

function startServer(env: NodeJS.ProcessEnv): Server {
  const child = spawn(process.execPath, [...loaders, serverFile], {
    env: { ...loaderEnv, PATH: process.env.PATH, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));

  return { child, output: () => output };
}

async function listeningUrl(server: Server): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(server.output());
    if (match) return match[1]!;
    if (server.child.exitCode !== null) throw new Error(`server exited: ${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  throw new Error(`server did not start: ${server.output()}`);
}

async function stopWith(server: Server, signal: NodeJS.Signals): Promise<number | null> {
  const started = Date.now();
  server.child.kill(signal);
  const [code] = await once(server.child, 'exit');
  if (Date.now() - started > 5000) throw new Error('shutdown took longer than 5 s');

  return code as number | null;
}

t.test('exits with code 1 and names the variable when the environment is wrong', async (t) => {
  const server = startServer({ PORT: 'eighty', LOGIN_RATE_LIMIT: '0' });
  const [code] = await once(server.child, 'exit');

  t.equal(code, 1);
  t.match(server.output(), /invalid environment: "PORT" must be integer/);
  t.match(server.output(), /"LOGIN_RATE_LIMIT" must be >= 1/);
});

t.test('refuses to start with both a redis url and redis cluster nodes', async (t) => {
  const server = startServer({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: 'a:1' });
  const [code] = await once(server.child, 'exit');

  t.equal(code, 1);
  t.match(server.output(), /"REDIS_URL" and "REDIS_CLUSTER_NODES"/);
});

t.test('serves requests, warns without secrets and closes cleanly on SIGTERM', async (t) => {
  const server = startServer({});
  t.teardown(() => void server.child.kill('SIGKILL'));
  const url = await listeningUrl(server);

  const health = await request(`${url}/health`);

  t.equal(health.statusCode, 200);
  t.match(await health.body.json(), { status: 'ok', store: 'memory' });
  t.match(server.output(), /"level":40.*random secrets.*will not survive a restart/);
  t.equal(await stopWith(server, 'SIGTERM'), 0);
  t.match(server.output(), /"signal":"SIGTERM".*shutting down/);
  t.match(server.output(), /"msg":"closed"/);
});

const redisSkip = redisSkipReason();

t.test(
  'closes its redis connection on SIGINT and exits at once',
  { skip: redisSkip },
  async (t) => {
    const redis = await startRedisServer();
    t.teardown(() => (redis.managed ? redis.stop() : undefined));

    const server = startServer({ ...SECRETS, REDIS_URL: redis.url });
    t.teardown(() => void server.child.kill('SIGKILL'));
    const url = await listeningUrl(server);

    const health = await request(`${url}/health`);

    t.match(await health.body.json(), { status: 'ok', store: 'redis', storeOk: true });
    // An open Redis socket would keep the process alive until the 10 s shutdown timer.
    t.equal(await stopWith(server, 'SIGINT'), 0);
  },
);

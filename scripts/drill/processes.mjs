import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { agent, call } from './http.mjs';

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5000;
const PROBE = pathToFileURL(fileURLToPath(new URL('./probe.mjs', import.meta.url))).href;

/** Every child we start, so an interrupted drill still kills them on exit. */
const children = new Set();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));

  return port;
}

export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));

  return child;
}

function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();

  return new Promise((resolve) => child.once('exit', resolve));
}

/** SIGTERM, then SIGKILL if the process is still there after STOP_TIMEOUT_MS. */
export async function terminate(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;

  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited(child);
  clearTimeout(timer);
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(300, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

async function until(what, check, child) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    if (await check()) return;
    await sleep(25);
  }

  throw new Error(`${what} not ready after ${READY_TIMEOUT_MS} ms`);
}

/**
 * A loopback redis-server without persistence, as an unpersisted production Redis: a restart
 * comes back empty, which is the harder case for revocation.
 */
export async function startRedis(binary = process.env.REDIS_SERVER_BIN ?? 'redis-server') {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ta-drill-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly'];
  args.push('no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning');
  let child;

  const start = async () => {
    child = track(spawn(binary, args, { stdio: 'ignore' }));
    await until(`redis-server :${port}`, () => ping(port), child);

    return Date.now();
  };
  const stop = async () => {
    if (child) await terminate(child);
  };
  await start();

  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Secrets every instance shares, as a fleet behind one load balancer must. */
export function sharedSecrets() {
  const secret = () => randomBytes(32).toString('base64url');

  return { JWT_SECRET: secret(), JWT_REFRESH_SECRET: secret(), OUTER_SECRET: secret() };
}

/** Keeps the last few KiB a child wrote, to show when it dies or answers 500. */
function tail(stream) {
  let text = '';
  stream.on('data', (chunk) => {
    text = (text + chunk.toString()).slice(-4096);
  });

  return () => text;
}

function askMemory(child, gc) {
  const id = Math.random();

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('memory probe did not answer')), 5000);
    const onMessage = (message) => {
      if (message?.type !== 'memory' || message.id !== id) return;

      clearTimeout(timer);
      child.off('message', onMessage);
      const { rss, heapUsed, heapTotal, external } = message;
      resolve({ rss, heapUsed, heapTotal, external });
    };
    child.on('message', onMessage);
    child.send({ type: 'memory', id, gc });
  });
}

/** Starts one API process on a free port with the memory probe preloaded. */
export async function startInstance(name, server, env) {
  const port = await freePort();
  const args = ['--expose-gc', '--import', PROBE, server];
  const child = track(
    spawn(process.execPath, args, {
      env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    }),
  );
  const output = tail(child.stdout);
  const errors = tail(child.stderr);
  const instance = { name, port, pid: child.pid };
  const healthy = async () => (await call(instance, 'GET', '/health')).status === 200;
  await until(`instance ${name}`, healthy, child);

  return {
    ...instance,
    alive: () => child.exitCode === null && child.signalCode === null,
    memory: (gc = true) => askMemory(child, gc),
    logs: () => `${output()}${errors()}`,
    stop: () => terminate(child),
  };
}

/** Closes the keep-alive pool so the drill itself can exit. */
export function closeClients() {
  agent.destroy();
}

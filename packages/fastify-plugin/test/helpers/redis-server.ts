import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { findBinary, freePort, onProcessEnd, redisCommand, waitForExit } from './processes.js';

/** A Redis server a test suite can break on purpose. */
export interface RedisServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** False when the suite runs against `REDIS_URL`: no process to stop, kill or pause. */
  readonly managed: boolean;
  /**
   * Graceful shutdown (SIGTERM); nothing is persisted, so a restart starts empty. A no-op for
   * `REDIS_URL`, so teardowns may call it unconditionally.
   */
  stop(): Promise<void>;
  /** Starts the server again on the same port. */
  start(): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** SIGSTOP: the socket stays open but nothing answers, as a wedged server would. */
  pause(): void;
  resume(): void;
  /** FLUSHALL on a server the harness started; refused for `REDIS_URL`. */
  flushall(): Promise<void>;
}

const READY_TIMEOUT_MS = 5000;

/**
 * Why the Redis suites cannot run here, or undefined when they can. Throws when `CI` is set and
 * neither `REDIS_URL` nor a `redis-server` binary is available: CI must not pass by skipping.
 */
export function redisSkipReason(): string | undefined {
  if (process.env.REDIS_URL || findBinary('redis-server')) return undefined;

  const reason =
    'redis-server not found (REDIS_SERVER_BIN, PATH, /usr/bin, /usr/local/bin) and ' +
    'REDIS_URL unset: Redis store suites skipped';
  if (process.env.CI) throw new Error(`${reason} (CI is set, so this is a failure)`);

  return reason;
}

/**
 * Why fault tests (stop, kill, pause, restart, flush) cannot run, or undefined when they can:
 * they need a server the harness started, never one `REDIS_URL` points at, which may hold
 * someone's data. Throws when `CI` is set, as {@link redisSkipReason} does: CI must not pass by
 * skipping them.
 */
export function faultSkipReason(server: RedisServer): string | undefined {
  if (server.managed) return undefined;

  const reason =
    'REDIS_URL is set, and the harness never stops, pauses, restarts or flushes a server it ' +
    'did not start';
  if (process.env.CI) {
    throw new Error(`${reason}: fault tests cannot run, and CI must not pass by skipping them`);
  }

  return `${reason}: fault tests skipped (unset REDIS_URL to run them on a throw-away server)`;
}

/** No persistence: a restart starts empty, as an unpersisted production Redis would. */
function serverArgs(port: number, dir: string): string[] {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly'];
  args.push('no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning');

  return args;
}

async function waitForPing(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if ((await redisCommand(port, 'PING', 200)) === '+PONG\r\n') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`redis-server on port ${port} not ready after ${READY_TIMEOUT_MS} ms`);
}

async function flushWith(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    await client.flushall();
  } finally {
    client.disconnect();
  }
}

function externalServer(url: string): RedisServer {
  const parsed = new URL(url);
  const unavailable = async () => {
    throw new Error(
      'REDIS_URL server is not managed by the test harness: never stopped or flushed',
    );
  };

  return {
    url,
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    managed: false,
    // Teardown-safe: there is nothing of ours to stop. Everything that breaks the server throws.
    stop: async () => undefined,
    start: unavailable,
    kill: unavailable,
    pause: () => {
      throw new Error('REDIS_URL server is not managed by the test harness');
    },
    resume: () => undefined,
    flushall: unavailable,
  };
}

/**
 * Starts a throw-away `redis-server` on a free loopback port (no persistence), or wraps
 * `REDIS_URL` when set. The process is killed when the test process exits.
 */
export async function startRedisServer(): Promise<RedisServer> {
  if (process.env.REDIS_URL) return externalServer(process.env.REDIS_URL);

  const binary = findBinary('redis-server');
  if (!binary) throw new Error('redis-server not found');

  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ta-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  onProcessEnd(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    child = spawn(binary, serverArgs(port, dir), { stdio: 'ignore' });
    await waitForPing(port, child);
  };

  const signal = async (name: NodeJS.Signals) => {
    const current = child;
    if (!current) return;
    current.kill('SIGCONT');
    current.kill(name);
    await waitForExit(current);
  };

  await start();

  return {
    url,
    host: '127.0.0.1',
    port,
    managed: true,
    start,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    flushall: () => flushWith(url),
  };
}

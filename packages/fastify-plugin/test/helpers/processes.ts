import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/**
 * The `redis-server` or `redis-cli` executable: `REDIS_SERVER_BIN` / `REDIS_CLI_BIN` when set,
 * else the first on PATH or in /usr/bin, /usr/local/bin (Debian's place when PATH is trimmed).
 */
export function findBinary(name: 'redis-server' | 'redis-cli'): string | undefined {
  const explicit = process.env[name === 'redis-server' ? 'REDIS_SERVER_BIN' : 'REDIS_CLI_BIN'];
  const dirs = (process.env.PATH ?? '').split(delimiter).concat('/usr/bin', '/usr/local/bin');
  const candidates = explicit ? [explicit] : dirs.map((dir) => join(dir, name));

  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);

      return true;
    } catch {
      return false;
    }
  });
}

/** A loopback port the kernel just handed out and nobody listens on. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port assigned');

  return address.port;
}

/**
 * Sends one inline command to a Redis on a loopback port over a fresh socket and returns the
 * raw reply, or '' when nothing answers within `timeoutMs`. No client library: it must work
 * against a server that is still starting or whose cluster is not formed yet.
 */
export function redisCommand(port: number, command: string, timeoutMs = 500): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = () => {
      socket.destroy();
      resolve(reply);
    };
    socket.setTimeout(timeoutMs, done);
    socket.once('error', done);
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (data) => {
      reply += data.toString();
      // A bulk reply is complete once its announced length arrived; simple replies at CRLF.
      const bulk = /^\$(\d+)\r\n/.exec(reply);
      if (!bulk && reply.endsWith('\r\n')) done();
      else if (bulk && reply.length >= bulk[0].length + Number(bulk[1]) + 2) done();
    });
  });
}

export function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();

  return new Promise((resolve) => child.once('exit', () => resolve()));
}

const cleanups = new Set<() => void>();

function runCleanups(): void {
  for (const cleanup of cleanups) cleanup();
  cleanups.clear();
}

function endOnSignal(signal: NodeJS.Signals): void {
  runCleanups();
  // Ours was the only listener: restore the default death so the signal still ends the run.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

let listening = false;

/**
 * Runs `cleanup` (synchronous: kill children, remove directories) when the test process ends,
 * including by a signal (a tap timeout sends SIGTERM, which skips 'exit'), so no redis-server
 * outlives its suite. Returns a function that forgets it, for a server stopped on purpose.
 */
export function onProcessEnd(cleanup: () => void): () => void {
  if (!listening) {
    listening = true;
    process.once('exit', runCleanups);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => endOnSignal(signal));
    }
  }
  cleanups.add(cleanup);

  return () => cleanups.delete(cleanup);
}

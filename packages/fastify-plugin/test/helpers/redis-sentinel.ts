import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findBinary, freePort, onProcessEnd, redisCommand, waitForExit } from './processes.js';

/** A throw-away Redis master watched by one Sentinel, both on loopback. */
export interface RedisSentinel {
  /** The master group name Sentinel knows the master by. */
  readonly name: string;
  readonly master: { host: string; port: number };
  readonly sentinels: { host: string; port: number }[];
  /** SIGKILL the master, as a crash would; Sentinel keeps watching its address. */
  crashMaster(): Promise<void>;
  /** Starts the master again, empty, on its port. */
  startMaster(): Promise<void>;
  /** Kills both processes and removes their directory; idempotent. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;
const GROUP = 'mymaster';

/**
 * Why the Sentinel suite cannot run here, or undefined when it can. Throws when `CI` is set
 * and `redis-server` is missing: CI must not pass by skipping.
 */
export function sentinelSkipReason(): string | undefined {
  if (findBinary('redis-server')) return undefined;

  const reason =
    'redis-server not found (REDIS_SERVER_BIN, PATH, /usr/bin, /usr/local/bin): ' +
    'Redis Sentinel suite skipped';
  if (process.env.CI) throw new Error(`${reason} (CI is set, so this is a failure)`);

  return reason;
}

async function waitUntil(what: string, child: ChildProcess, check: () => Promise<boolean>) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    if (await check()) return;
    await sleep(20);
  }

  throw new Error(`${what} not ready after ${READY_TIMEOUT_MS} ms`);
}

/** No persistence: a restarted master starts empty, as an unpersisted production one would. */
function masterArgs(port: number, dir: string): string[] {
  // prettier-ignore
  return [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning',
  ];
}

/** Sentinel rewrites its configuration file as it learns, so it gets its own writable one. */
function writeSentinelConf(dir: string, port: number, masterPort: number): string {
  const file = join(dir, 'sentinel.conf');
  const lines = [
    `port ${port}`,
    'bind 127.0.0.1',
    'daemonize no',
    'loglevel warning',
    `dir ${dir}`,
    `sentinel monitor ${GROUP} 127.0.0.1 ${masterPort} 1`,
    `sentinel down-after-milliseconds ${GROUP} 2000`,
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);

  return file;
}

/**
 * Starts a `redis-server` master and one Sentinel (`redis-server <conf> --sentinel`) that
 * monitors it as `mymaster` with quorum 1, both on free loopback ports, and waits until the
 * Sentinel names the master. Both die with the test process.
 *
 * @example
 * const sentinel = await startRedisSentinel();
 * t.teardown(() => sentinel.stop());
 * new Redis({ sentinels: sentinel.sentinels, name: sentinel.name });
 */
export async function startRedisSentinel(): Promise<RedisSentinel> {
  const binary = findBinary('redis-server');
  if (!binary) throw new Error('redis-server not found');

  const dir = mkdtempSync(join(tmpdir(), 'ta-sentinel-'));
  const masterPort = await freePort();
  const sentinelPort = await freePort();
  let master: ChildProcess | undefined;
  let sentinel: ChildProcess | undefined;
  const forget = onProcessEnd(() => {
    master?.kill('SIGKILL');
    sentinel?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const startMaster = async () => {
    if (master && master.exitCode === null && master.signalCode === null) return;
    const child = spawn(binary, masterArgs(masterPort, dir), { stdio: 'ignore' });
    master = child;
    const pong = async () => (await redisCommand(masterPort, 'PING', 200)) === '+PONG\r\n';
    await waitUntil(`redis master :${masterPort}`, child, pong);
  };

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      forget();
      const children = [master, sentinel].filter((child) => child !== undefined);
      for (const child of children) child.kill('SIGKILL');
      await Promise.all(children.map(waitForExit));
      rmSync(dir, { recursive: true, force: true });
    })();

    return stopping;
  };

  try {
    await startMaster();
    const conf = writeSentinelConf(dir, sentinelPort, masterPort);
    const child = spawn(binary, [conf, '--sentinel'], { stdio: 'ignore' });
    sentinel = child;
    const knowsMaster = async () => {
      const reply = await redisCommand(sentinelPort, `SENTINEL get-master-addr-by-name ${GROUP}`);

      return reply.includes(`\r\n${masterPort}\r\n`);
    };
    await waitUntil(`redis sentinel :${sentinelPort}`, child, knowsMaster);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    name: GROUP,
    master: { host: '127.0.0.1', port: masterPort },
    sentinels: [{ host: '127.0.0.1', port: sentinelPort }],
    crashMaster: async () => {
      const current = master;
      if (!current) return;
      current.kill('SIGKILL');
      await waitForExit(current);
    },
    startMaster,
    stop,
  };
}

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { clusterClientOptions } from '../../src/stores/redis.js';
import { findBinary, freePort, onProcessEnd, redisCommand, waitForExit } from './processes.js';

/** One seed node of a cluster. */
export interface ClusterNode {
  host: string;
  port: number;
}

/** A throw-away Redis Cluster on loopback. */
export interface RedisCluster {
  readonly nodes: ClusterNode[];
  /** False when the suite runs against `REDIS_CLUSTER_NODES`: nothing of ours to stop. */
  readonly managed: boolean;
  /** Kills every node and removes its directory; idempotent, so teardowns may always call it. */
  stop(): Promise<void>;
  /** SIGKILL one node, as a crash would; its `nodes-<port>.conf` stays for a restart. */
  crash(index: number): Promise<void>;
  /**
   * Starts a crashed node again on its port: it rejoins with the slots its config file names
   * and no data (nothing is persisted). Resolves once every node reports the cluster "ok".
   */
  restart(index: number): Promise<void>;
}

// Generous: two shared cores under load can take seconds to gossip a fresh cluster to "ok".
const READY_TIMEOUT_MS = 15_000;
const CREATE_TIMEOUT_MS = 20_000;
// Redis Cluster's bus listens on the client port + 10000 (cluster-port default).
const BUS_OFFSET = 10_000;
const PORT_ATTEMPTS = 50;

function givenNodes(): ClusterNode[] | undefined {
  const given = process.env.REDIS_CLUSTER_NODES?.trim();
  if (!given) return undefined;

  return given.split(',').map((entry) => {
    const [host = '127.0.0.1', port = '6379'] = entry.trim().split(':');

    return { host, port: Number(port) };
  });
}

/**
 * Why the cluster suites cannot run here, or undefined when they can. Throws when `CI` is set
 * and neither `REDIS_CLUSTER_NODES` nor both `redis-server` and `redis-cli` are available: CI
 * must not pass by skipping.
 */
export function clusterSkipReason(): string | undefined {
  if (givenNodes()) return undefined;

  const missing = (['redis-server', 'redis-cli'] as const).filter((name) => !findBinary(name));
  if (missing.length === 0) return undefined;

  const reason =
    `${missing.join(' and ')} not found (REDIS_SERVER_BIN / REDIS_CLI_BIN, PATH, /usr/bin, ` +
    '/usr/local/bin) and REDIS_CLUSTER_NODES unset: ' +
    'Redis Cluster suites skipped';
  if (process.env.CI) throw new Error(`${reason} (CI is set, so this is a failure)`);

  return reason;
}

function listenable(port: number): Promise<boolean> {
  const server = createServer();

  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port below 55536 whose bus port is free too. */
async function freeNodePort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await freePort();
    if (port + BUS_OFFSET > 65_535 || taken.has(port) || taken.has(port + BUS_OFFSET)) continue;
    if (await listenable(port + BUS_OFFSET)) return port;
  }

  throw new Error(`no free port pair (port, port + ${BUS_OFFSET}) after ${PORT_ATTEMPTS} tries`);
}

async function waitUntil(what: string, check: () => Promise<boolean>, child?: ChildProcess) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what}: process exited early`);
    if (await check()) return;
    await sleep(50);
  }

  throw new Error(`${what}: not ready after ${READY_TIMEOUT_MS} ms`);
}

/**
 * Ready means every node reports the cluster "ok" with all slots assigned and knows every
 * master: only then does a client's first CLUSTER SLOTS see the whole map from any seed.
 */
async function clusterReady(port: number, masters: number): Promise<boolean> {
  const info = await redisCommand(port, 'CLUSTER INFO');

  return (
    info.includes('cluster_state:ok') &&
    info.includes('cluster_slots_assigned:16384') &&
    info.includes(`cluster_known_nodes:${masters}`)
  );
}

function nodeArgs(port: number, dir: string): string[] {
  // No persistence: a test cluster, like the single-node helper, starts empty every time.
  // prettier-ignore
  return [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--cluster-enabled', 'yes',
    '--cluster-config-file', join(dir, `nodes-${port}.conf`),
    '--cluster-node-timeout', '2000',
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    '--daemonize', 'no',
    '--loglevel', 'warning',
  ];
}

class ManagedCluster {
  readonly children: ChildProcess[] = [];
  readonly ports: number[] = [];
  readonly dir = mkdtempSync(join(tmpdir(), 'ta-cluster-'));
  private stopping: Promise<void> | undefined;
  // A crashed, interrupted or timed-out test run must not leave servers or directories behind.
  private readonly forget = onProcessEnd(() => this.killNow());

  async spawnNode(binary: string): Promise<void> {
    const port = await freeNodePort(new Set(this.ports.flatMap((p) => [p, p + BUS_OFFSET])));
    this.ports.push(port);
    await this.launch(binary, this.ports.length - 1);
  }

  async launch(binary: string, index: number): Promise<void> {
    const port = this.ports[index]!;
    const child = spawn(binary, nodeArgs(port, this.dir), { stdio: 'ignore' });
    this.children[index] = child;
    const pong = async () => (await redisCommand(port, 'PING')) === '+PONG\r\n';
    await waitUntil(`redis-server :${port}`, pong, child);
  }

  async crash(index: number): Promise<void> {
    const child = this.children[index];
    if (!child) throw new Error(`no cluster node ${index}`);

    child.kill('SIGKILL');
    await waitForExit(child);
  }

  async waitForOk(): Promise<void> {
    for (const port of this.ports) {
      await waitUntil(`cluster node :${port}`, () => clusterReady(port, this.ports.length));
    }
  }

  async create(cli: string): Promise<void> {
    const addresses = this.ports.map((port) => `127.0.0.1:${port}`);
    const args = ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'];
    await promisify(execFile)(cli, args, { timeout: CREATE_TIMEOUT_MS });
    await this.waitForOk();
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();

    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.forget();
    for (const child of this.children) child.kill('SIGKILL');
    await Promise.all(this.children.map(waitForExit));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private killNow(): void {
    for (const child of this.children) child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Starts a Redis Cluster of `masters` masters and no replicas on free loopback ports
 * (`redis-server --cluster-enabled yes` each, joined by `redis-cli --cluster create`) and
 * waits until every node reports `cluster_state:ok`. With `REDIS_CLUSTER_NODES`
 * (`host:port,...`) set, wraps that cluster instead and never stops it.
 *
 * @example
 * const cluster = await startRedisCluster();
 * t.teardown(() => cluster.stop());
 * const client = new Cluster(cluster.nodes);
 */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const given = givenNodes();
  if (given) {
    const unmanaged = async () => {
      throw new Error('REDIS_CLUSTER_NODES cluster is not managed by the test harness');
    };

    const stop = async () => undefined;

    return { nodes: given, managed: false, stop, crash: unmanaged, restart: unmanaged };
  }

  const server = findBinary('redis-server');
  const cli = findBinary('redis-cli');
  if (!server || !cli) throw new Error('redis-server or redis-cli not found');

  const cluster = new ManagedCluster();
  try {
    for (let i = 0; i < masters; i++) await cluster.spawnNode(server);
    await cluster.create(cli);
  } catch (error) {
    await cluster.stop();
    throw error;
  }

  return {
    nodes: cluster.ports.map((port) => ({ host: '127.0.0.1', port })),
    managed: true,
    stop: () => cluster.stop(),
    crash: (index) => cluster.crash(index),
    restart: async (index) => {
      await cluster.launch(server, index);
      await cluster.waitForOk();
    },
  };
}

/** A Cluster client with the store's fail-fast settings, as the plugin builds its own. */
export async function connectCluster(nodes: ClusterNode[], timeoutMs = 500): Promise<Cluster> {
  const client = new Cluster(nodes, clusterClientOptions(timeoutMs));
  // Node errors surface through each command; an unheard 'error' event would crash the run.
  client.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('cluster client not ready')), 10_000);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });

  return client;
}

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort, terminate, track } from './processes.mjs';

const READY_TIMEOUT_MS = 30_000;
// The cluster bus listens on the client port + 10000.
const BUS_OFFSET = 10_000;

function ask(port, command) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = () => {
      socket.destroy();
      resolve(reply);
    };
    socket.setTimeout(500, done);
    socket.once('error', done);
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (data) => {
      reply += data.toString();
      const bulk = /^\$(\d+)\r\n/.exec(reply);
      if (!bulk && reply.endsWith('\r\n')) done();
      else if (bulk && reply.length >= bulk[0].length + Number(bulk[1]) + 2) done();
    });
  });
}

async function until(what, check) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }

  throw new Error(`${what} not ready after ${READY_TIMEOUT_MS} ms`);
}

async function nodePort(taken) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (port + BUS_OFFSET <= 65_535 && !taken.includes(port)) return port;
  }

  throw new Error('no free cluster port');
}

/**
 * A three-master Redis Cluster without replicas or persistence, as the plugin's cluster tests
 * start it: `redis-server --cluster-enabled yes` per node, joined by `redis-cli --cluster
 * create`. A crashed node restarts empty but keeps its slots (its nodes.conf survives).
 */
export async function startCluster(masters = 3) {
  const server = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const cli = process.env.REDIS_CLI_BIN ?? 'redis-cli';
  const dir = mkdtempSync(join(tmpdir(), 'ta-drill-cluster-'));
  const ports = [];
  const children = [];
  for (let i = 0; i < masters; i++) ports.push(await nodePort(ports));

  const launch = async (index) => {
    const port = ports[index];
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes'];
    args.push('--cluster-config-file', join(dir, `nodes-${port}.conf`));
    args.push('--cluster-node-timeout', '2000', '--save', '', '--appendonly', 'no');
    args.push('--dir', dir, '--daemonize', 'no', '--loglevel', 'warning');
    children[index] = track(spawn(server, args, { stdio: 'ignore' }));
    await until(`cluster node :${port}`, async () => (await ask(port, 'PING')) === '+PONG\r\n');
  };
  const ready = async () => {
    for (const port of ports) {
      await until(`cluster :${port}`, async () => {
        const info = await ask(port, 'CLUSTER INFO');

        return info.includes('cluster_state:ok') && info.includes('cluster_slots_assigned:16384');
      });
    }

    return Date.now();
  };

  for (let i = 0; i < masters; i++) await launch(i);
  const addresses = ports.map((port) => `127.0.0.1:${port}`);
  const create = ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'];
  await promisify(execFile)(cli, create, { timeout: 20_000 });
  await ready();

  return {
    nodes: ports.map((port) => `127.0.0.1:${port}`).join(','),
    /** SIGKILL, as a crash would. */
    crash: async (index) => {
      children[index].kill('SIGKILL');
      await terminate(children[index]);
    },
    /** Starts the node again: when it answered PING, and when every node said "ok". */
    restart: async (index) => {
      await launch(index);
      const backAt = Date.now();

      return { backAt, okAt: await ready() };
    },
    close: async () => {
      await Promise.all(children.map((child) => terminate(child)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

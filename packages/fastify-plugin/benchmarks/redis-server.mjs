// Starts a throwaway redis-server on a free port for a benchmark: no persistence, so neither
// snapshots nor the AOF compete with the measurement for the CPU.
import { spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('error', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
  });
}

/** Resolves to `{ url, port, stop }` once the server answers PING. */
export async function startRedis() {
  const bin = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn(bin, args, { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // A benchmark stopped half-way (Ctrl-C, an error) must not leave its Redis running.
  const killChild = () => child.kill('SIGKILL');
  process.once('exit', killChild);
  exited.then(() => process.off('exit', killChild));

  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if (await ping(port)) {
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        pid: child.pid,
        async stop() {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      };
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not answer PING within 5 s');
}

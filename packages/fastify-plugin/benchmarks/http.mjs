// HTTP throughput of one protected GET route under four guards, each server in its own child
// process, driven by autocannon from this one. Rounds rotate the order of the servers so a
// change in machine load does not land on one of them only.
//
//   node benchmarks/http.mjs                  full run (about 4 min)
//   BENCH_QUICK=1 node benchmarks/http.mjs    short run while developing
//   BENCH_DURATION=10 BENCH_ROUNDS=3 BENCH_CONNECTIONS=50 override the defaults
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import {
  machine,
  median,
  packageVersions,
  round,
  saveResult,
  table,
} from '../../../benchmarks/lib/report.mjs';
import { startRedis } from './redis-server.mjs';

const quick = process.env.BENCH_QUICK === '1';
const DURATION = Number(process.env.BENCH_DURATION ?? (quick ? 2 : 10));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (quick ? 1 : 3));
const WARMUP = Number(process.env.BENCH_WARMUP ?? (quick ? 1 : 3));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PIPELINING = 1;

// The cache rows answer two questions: what the plugin's default cache buys (memory-nocache,
// the cost of a token never seen before), and how it compares with fast-jwt's own cache.
const MODES = [
  { mode: 'none', label: 'no auth' },
  { mode: 'fastify-jwt', label: '@fastify/jwt jwtVerify' },
  { mode: 'fastify-jwt-cache', label: '@fastify/jwt, verify cache' },
  { mode: 'memory', label: 'ours, memory store' },
  { mode: 'memory-nocache', label: 'ours, memory, cache off' },
  { mode: 'redis', label: 'ours, Redis store' },
];

async function startServer(mode, redisUrl) {
  const file = fileURLToPath(new URL('./server.mjs', import.meta.url));
  const child = fork(file, [mode, redisUrl ?? ''], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [message] = await once(child, 'message');
  if (message.error) {
    child.kill();

    return { error: message.error };
  }

  return { child, url: `http://127.0.0.1:${message.port}/me`, token: message.token };
}

function headersFor(server) {
  return server.token ? { authorization: `Bearer ${server.token}` } : {};
}

/** A guard that lets a request without a token through would make the comparison meaningless. */
async function checkServer(name, server) {
  const ok = await fetch(server.url, { headers: headersFor(server) });
  if (ok.status !== 200) throw new Error(`${name}: expected 200 with a token, got ${ok.status}`);
  if (!server.token) return;

  const denied = await fetch(server.url);
  if (denied.status !== 401) throw new Error(`${name}: expected 401 without a token`);
}

async function load(server, seconds) {
  const result = await autocannon({
    url: server.url,
    headers: headersFor(server),
    connections: CONNECTIONS,
    pipelining: PIPELINING,
    duration: seconds,
  });

  return {
    reqPerSec: result['2xx'] / result.duration,
    meanMs: result.latency.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function main() {
  const redis = await startRedis();
  const servers = {};
  try {
    for (const { mode } of MODES) {
      servers[mode] = await startServer(mode, redis.url);
      if (servers[mode].error) {
        console.error(`${mode} skipped: ${servers[mode].error}`);
        delete servers[mode];
        continue;
      }
      await checkServer(mode, servers[mode]);
    }
    const active = MODES.filter(({ mode }) => servers[mode]);

    for (const { mode } of active) await load(servers[mode], WARMUP);

    const samples = Object.fromEntries(active.map(({ mode }) => [mode, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < active.length; i++) {
        const { mode } = active[(i + r) % active.length];
        const sample = await load(servers[mode], DURATION);
        samples[mode].push(sample);
        console.error(`round ${r + 1} ${mode}: ${Math.round(sample.reqPerSec)} req/s`);
      }
    }

    await report(active, samples);
  } finally {
    for (const server of Object.values(servers)) server.child.disconnect();
    await redis.stop();
  }
}

async function report(active, samples) {
  const summary = (mode) => {
    const s = samples[mode];

    return {
      reqPerSec: Math.round(median(s.map((x) => x.reqPerSec))),
      meanMs: round(median(s.map((x) => x.meanMs)), 2),
      p50Ms: median(s.map((x) => x.p50)),
      p99Ms: median(s.map((x) => x.p99)),
      non2xx: s.reduce((n, x) => n + x.non2xx, 0),
      errors: s.reduce((n, x) => n + x.errors, 0),
    };
  };
  const base = samples['fastify-jwt'] ? summary('fastify-jwt').reqPerSec : undefined;
  const results = active.map(({ mode, label }) => {
    const s = summary(mode);

    return {
      server: mode,
      label,
      ...s,
      ratioVsFastifyJwt: base ? round(s.reqPerSec / base, 3) : null,
      samples: samples[mode].map((x) => ({ ...x, reqPerSec: Math.round(x.reqPerSec) })),
    };
  });

  const rows = [['server', 'req/s', 'mean ms', 'p50 ms', 'p99 ms', 'x @fastify/jwt', 'non-2xx']];
  for (const r of results) {
    const cells = [r.meanMs, r.p50Ms, r.p99Ms, r.ratioVsFastifyJwt, r.non2xx + r.errors];
    rows.push([r.label, r.reqPerSec, ...cells]);
  }
  console.log(table(rows));

  const ratio = (mode) => results.find((r) => r.server === mode)?.ratioVsFastifyJwt;
  const targets = {};
  if (ratio('memory') != null) targets.memory = { target: 1.0, measured: ratio('memory') };
  if (ratio('redis') != null) targets.redis = { target: 0.8, measured: ratio('redis') };
  for (const [name, t] of Object.entries(targets)) {
    const verdict = t.measured >= t.target ? 'met' : 'MISSED';
    console.log(`target ${name}: ${t.measured}x @fastify/jwt (>= ${t.target}x) ${verdict}`);
  }

  const file = await saveResult('http', {
    benchmark: 'HTTP GET of one protected route, autocannon',
    machine: machine(),
    versions: packageVersions(import.meta.url, [
      'fastify',
      '@fastify/jwt',
      'ioredis',
      'autocannon',
    ]),
    config: {
      durationSeconds: DURATION,
      rounds: ROUNDS,
      warmupSeconds: WARMUP,
      connections: CONNECTIONS,
      pipelining: PIPELINING,
      quick,
    },
    targets,
    results,
  });
  if (file) console.log(`saved ${file}`);
}

await main();

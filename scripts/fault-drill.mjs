#!/usr/bin/env node
// Fault drill: N API instances on one Redis, many concurrent clients logging in, refreshing,
// calling a protected route and revoking their own tokens, while Redis is stopped and started
// again (empty: no persistence). With `--topology cluster`, a three-master cluster instead,
// and one master crashes (SIGKILL) and restarts empty. Prints a JSON summary; exits 1 when an
// invariant breaks, 2 when the drill itself could not run. Loopback only.
//
//   node scripts/fault-drill.mjs [--duration 60] [--concurrency 50] [--instances 3]
//     [--outage 3] [--outage-at <s>] [--topology single|cluster] [--hash-cost 1024]
//     [--grace 1] [--think 0] [--server <file>] [--save <name>]
// --save writes the summary, with the machine it ran on, to scripts/drill/results/<name>.json;
// `node scripts/drill/table.mjs` prints the saved runs as the README's table.
// --server defaults to scripts/drill/example-api-server.mjs (the built example API with cheap
// password hashing) when apps/example-api is built, for either topology, else to
// scripts/drill/plugin-server.mjs: the example API's auth routes on the built plugin alone, which
// the plugin's own test uses so that it needs no app build. apps/example-api/dist/server.js runs
// the API as shipped, scrypt cost included.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DrillClient } from './drill/client.mjs';
import { startCluster } from './drill/cluster.mjs';
import { closeClients, sharedSecrets, startInstance, startRedis } from './drill/processes.mjs';
import { percentile, Recorder, round } from './drill/stats.mjs';
import { machine } from '../benchmarks/lib/report.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const MIB = 1024 * 1024;

const EXAMPLE_API_DIST = 'apps/example-api/dist/app.js';
const PLUGIN_DIST = 'packages/fastify-plugin/dist/index.js';

function defaultServer() {
  return existsSync(resolve(ROOT, EXAMPLE_API_DIST))
    ? 'scripts/drill/example-api-server.mjs'
    : 'scripts/drill/plugin-server.mjs';
}

/** The built files a server entry needs, so a missing build fails before anything starts. */
function neededFiles(server) {
  if (server.endsWith('plugin-server.mjs')) return [server, resolve(ROOT, PLUGIN_DIST)];

  return [server, resolve(ROOT, EXAMPLE_API_DIST)];
}

function readOptions() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '60' },
      concurrency: { type: 'string', default: '50' },
      instances: { type: 'string', default: '3' },
      outage: { type: 'string', default: '3' },
      'outage-at': { type: 'string' },
      server: { type: 'string' },
      topology: { type: 'string', default: 'single' },
      'hash-cost': { type: 'string', default: '1024' },
      grace: { type: 'string', default: '1' },
      think: { type: 'string', default: '0' },
      'max-503-p99': { type: 'string', default: '1000' },
      'max-recovery': { type: 'string' },
      'max-heap-growth': { type: 'string', default: '16' },
      save: { type: 'string' },
    },
  });
  const number = (name, min, max) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new Error(`"--${name}" must be a number from ${min} to ${max}`);
    }

    return value;
  };
  const duration = number('duration', 5, 3600);
  const outage = number('outage', 0.5, duration / 2);
  values['outage-at'] ??= String(Math.round(duration * 0.4 * 10) / 10);
  const { topology } = values;
  if (topology !== 'single' && topology !== 'cluster') {
    throw new Error('"--topology" must be "single" or "cluster"');
  }
  // A master down longer than cluster-node-timeout (2 s) is marked failed, and the cluster
  // clears that only two node timeouts later: cluster recovery takes seconds, not one retry.
  values['max-recovery'] ??= topology === 'cluster' ? '15000' : '5000';

  return {
    durationMs: duration * 1000,
    concurrency: Math.round(number('concurrency', 1, 1000)),
    instances: Math.round(number('instances', 1, 16)),
    outageMs: outage * 1000,
    outageAtMs: number('outage-at', 1, duration - outage - 1) * 1000,
    topology,
    server: resolve(ROOT, values.server ?? defaultServer()),
    hashCost: number('hash-cost', 1024, 1_048_576),
    graceS: Math.round(number('grace', 0, 60)),
    thinkMs: number('think', 0, 10_000),
    max503P99Ms: number('max-503-p99', 1, 60_000),
    maxRecoveryMs: number('max-recovery', 1, 60_000),
    maxHeapGrowthMiB: number('max-heap-growth', 0, 4096),
    save: readSaveName(values.save),
  };
}

function readSaveName(name) {
  if (name === undefined) return undefined;
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error('"--save" takes a name of a-z, 0-9 and -');

  return name;
}

function redisVersion() {
  try {
    return execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).match(/v=(\S+)/)?.[1];
  } catch {
    return undefined;
  }
}

/** Keeps a run with the facts its numbers mean nothing without. */
function saveRun(name, summary) {
  const file = resolve(ROOT, 'scripts/drill/results', `${name}.json`);
  const { save, ...options } = summary.options;
  const command = `node scripts/fault-drill.mjs ${process.argv.slice(2).join(' ')}`.trim();
  const run = {
    machine: { ...machine(), redis: redisVersion() },
    command,
    summary: { ...summary, options },
  };
  writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
  process.stderr.write(`fault-drill: saved ${file}\n`);
}

/** The Redis side of the drill: how the API finds it, how it fails and how it comes back. */
async function startBackend(options) {
  if (options.topology === 'cluster') {
    const cluster = await startCluster(3);

    return {
      env: { REDIS_CLUSTER_NODES: cluster.nodes },
      fail: () => cluster.crash(0),
      recover: () => cluster.restart(0),
      close: () => cluster.close(),
    };
  }

  const redis = await startRedis();

  return {
    env: { REDIS_URL: redis.url },
    fail: () => redis.stop(),
    recover: async () => {
      const backAt = await redis.start();

      return { backAt, okAt: backAt };
    },
    close: () => redis.close(),
  };
}

async function startFleet(options, redis) {
  for (const file of neededFiles(options.server)) {
    if (!existsSync(file)) throw new Error(`${file} not found: build the packages first`);
  }
  const env = {
    ...sharedSecrets(),
    ...redis.env,
    LOG_LEVEL: 'error',
    // Every client comes from 127.0.0.1: the per-client login limit would throttle the drill.
    LOGIN_RATE_LIMIT: '100000',
    REFRESH_GRACE: String(options.graceS),
    DRILL_SCRYPT_COST: String(options.hashCost),
  };
  const names = Array.from({ length: options.instances }, (_, i) => `api-${i + 1}`);

  return Promise.all(names.map((name) => startInstance(name, options.server, env)));
}

/** Fails Redis at `outageAtMs` into the run for `outageMs`, then brings it back. */
async function outage(options, redis, recorder, runStart) {
  await sleep(Math.max(0, runStart + options.outageAtMs - Date.now()));
  recorder.stoppedAt = Date.now();
  await redis.fail();
  await sleep(Math.max(0, recorder.stoppedAt + options.outageMs - Date.now()));
  const { backAt, okAt } = await redis.recover();
  recorder.backAt = backAt;
  recorder.okAt = okAt;
}

async function memoryOf(fleet) {
  return Promise.all(fleet.map((instance) => instance.memory(true)));
}

function memorySummary(fleet, before, after) {
  return fleet.map((instance, i) => ({
    instance: instance.name,
    rssMiB: { before: round(before[i].rss / MIB), after: round(after[i].rss / MIB) },
    heapUsedMiB: {
      before: round(before[i].heapUsed / MIB),
      after: round(after[i].heapUsed / MIB),
    },
  }));
}

function latencies(values) {
  return { p50: percentile(values, 50), p99: percentile(values, 99), max: percentile(values, 100) };
}

function outageSummary(options, recorder) {
  const { stoppedAt, backAt } = recorder;
  const firstOks = Object.values(recorder.firstOkAfterBack);
  const recovery = (at) => (at === undefined ? null : round(at - backAt));

  return {
    stoppedAtMs: stoppedAt === undefined ? null : stoppedAt - recorder.runStart,
    backAtMs: backAt === undefined ? null : backAt - recorder.runStart,
    clusterOkAfterBackMs: recorder.okAt === undefined ? null : recorder.okAt - backAt,
    downForMs: backAt === undefined ? null : backAt - stoppedAt,
    first503AfterStopMs:
      recorder.first503AfterStop === undefined
        ? null
        : round(recorder.first503AfterStop - stoppedAt),
    responses503: recorder.latencies503.length,
    latency503Ms: latencies(recorder.latencies503),
    latency503StoreFirstMs: latencies(recorder.latencies503StoreFirst),
    recoveryMs: recovery(firstOks.length ? Math.min(...firstOks) : undefined),
    allInstancesRecoveredMs:
      firstOks.length === options.instances ? recovery(Math.max(...firstOks)) : null,
    responses503AfterRecovery: recorder.outside503,
  };
}

/** The invariants; each broken one is named in `failures`. */
function check(options, summary, recorder, fleet) {
  const failures = [];
  for (const [kind, count] of Object.entries(recorder.violationCounts)) {
    failures.push(`${kind}: ${count}`);
  }
  const { outage: down, memory } = summary;
  if (down.responses503 === 0) failures.push('no 503 during the outage: it was not exercised');
  const p99 = down.latency503StoreFirstMs.p99;
  if (p99 !== null && p99 > options.max503P99Ms) {
    failures.push(`503 p99 ${p99} ms > ${options.max503P99Ms} ms`);
  }
  if (down.allInstancesRecoveredMs === null) failures.push('an instance never recovered');
  else if (down.allInstancesRecoveredMs > options.maxRecoveryMs) {
    failures.push(`recovery ${down.allInstancesRecoveredMs} ms > ${options.maxRecoveryMs} ms`);
  }
  for (const entry of memory) {
    const growth = entry.heapUsedMiB.after - entry.heapUsedMiB.before;
    if (growth > options.maxHeapGrowthMiB) {
      failures.push(`${entry.instance} heap grew ${round(growth)} MiB`);
    }
  }
  for (const instance of fleet) if (!instance.alive()) failures.push(`${instance.name} died`);

  return failures;
}

/** Set-up a few clients at a time: with full-cost password hashing, 50 at once would time out. */
async function inBatches(clients, work, size = 6) {
  for (let i = 0; i < clients.length; i += size) {
    await Promise.all(clients.slice(i, i + size).map(work));
  }
}

async function drill(options, redis, fleet) {
  const recorder = new Recorder();
  recorder.instanceCount = fleet.length;
  const clients = Array.from(
    { length: options.concurrency },
    (_, id) =>
      new DrillClient({
        id,
        home: fleet[id % fleet.length],
        instances: fleet,
        recorder,
        graceMs: options.graceS * 1000,
        thinkMs: options.thinkMs,
      }),
  );
  // Warm-up outside the timed run: users exist and every code path ran once before memory
  // is sampled, so the baseline is a running service, not a cold process.
  await inBatches(clients, (client) => client.register());
  await inBatches(clients, (client) => client.login());
  const before = await memoryOf(fleet);

  const runStart = Date.now();
  recorder.runStart = runStart;
  const deadline = runStart + options.durationMs;
  await Promise.all([
    ...clients.map((client) => client.run(deadline)),
    outage(options, redis, recorder, runStart),
  ]);
  const elapsedMs = Date.now() - runStart;
  await sleep(500);
  const after = await memoryOf(fleet);

  const summary = {
    options: { ...options, server: options.server.replace(`${ROOT}/`, '') },
    elapsedMs,
    requests: recorder.total,
    requestsPerSecond: round(recorder.total / (elapsedMs / 1000)),
    byStatus: recorder.byStatus,
    byRoute: recorder.byRoute,
    latency2xxMs: {
      p50: percentile(recorder.latencies2xx, 50),
      p99: percentile(recorder.latencies2xx, 99),
    },
    pairsRevoked: clients.reduce((sum, client) => sum + client.revocations, 0),
    outage: outageSummary(options, recorder),
    memory: memorySummary(fleet, before, after),
    violations: recorder.violations,
  };
  summary.failures = check(options, summary, recorder, fleet);
  summary.ok = summary.failures.length === 0;
  if (!summary.ok) summary.instanceLogTail = fleet.map((i) => i.logs().slice(-1500));

  return summary;
}

async function main() {
  let options;
  try {
    options = readOptions();
  } catch (error) {
    process.stderr.write(`fault-drill: ${error.message}\n`);

    return 2;
  }
  let redis;
  let fleet = [];
  try {
    redis = await startBackend(options);
    fleet = await startFleet(options, redis);
    const summary = await drill(options, redis, fleet);
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    if (options.save) saveRun(options.save, summary);

    return summary.ok ? 0 : 1;
  } catch (error) {
    process.stderr.write(`fault-drill: ${error.message}\n`);

    return 2;
  } finally {
    closeClients();
    await Promise.all(fleet.map((instance) => instance.stop()));
    await redis?.close();
  }
}

process.exitCode = await main();

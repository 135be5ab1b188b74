import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t, { type Test } from 'tap';
import { findBinary } from '../helpers/processes.js';
import { clusterSkipReason } from '../helpers/redis-cluster.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const DRILL = join(ROOT, 'scripts/fault-drill.mjs');
// The drill runs the BUILT plugin (`pnpm test` builds it first): a stale dist drills old code.
const PLUGIN_DIST = join(ROOT, 'packages/fastify-plugin/dist/index.js');
const MAX_503_P99_MS = 1000;
const MAX_RECOVERY_MS = 5000;
const MAX_HEAP_GROWTH_MIB = 16;
const CLUSTER_RECOVERY_MS = 10_000;

interface Summary {
  ok: boolean;
  failures: string[];
  violations: { kind: string }[];
  requests: number;
  byStatus: Record<string, number>;
  byRoute: Record<string, Record<string, number>>;
  pairsRevoked: number;
  outage: {
    responses503: number;
    clusterOkAfterBackMs: number | null;
    latency503StoreFirstMs: { p99: number | null };
    recoveryMs: number | null;
    allInstancesRecoveredMs: number | null;
  };
  memory: { instance: string; heapUsedMiB: { before: number; after: number } }[];
}

function skipReason(): string | undefined {
  let reason: string | undefined;
  if (!findBinary('redis-server'))
    reason = 'redis-server not on PATH: the fault drill cannot stop Redis';
  else if (!existsSync(PLUGIN_DIST)) reason = 'plugin not built: the fault drill runs dist';
  if (reason && process.env.CI) throw new Error(`${reason} (CI is set, so this is a failure)`);

  return reason;
}

function runDrill(args: string[]): Promise<{ code: number; summary: Summary; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [DRILL, ...args],
      { cwd: ROOT, timeout: 90_000, maxBuffer: 8 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
        try {
          resolve({ code, summary: JSON.parse(stdout) as Summary, stderr });
        } catch {
          reject(new Error(`drill printed no summary (exit ${code}): ${stderr.slice(-500)}`));
        }
      },
    );
  });
}

const skip = skipReason();

function checkInvariants(t: Test, summary: Summary, recoveryLimitMs: number): void {
  t.same(summary.failures, [], 'no invariant broke');
  t.same(summary.violations, [], 'no revoked token accepted, no 500, no hang');
  t.notOk(summary.byStatus['500'], 'no response was a 500');
  t.ok(summary.requests > 500, `served ${summary.requests} requests`);
  t.ok(summary.pairsRevoked > 0, 'clients revoked tokens');
  for (const route of ['probe-access', 'probe-refresh', 'replay']) {
    const statuses = summary.byRoute[route] ?? {};
    t.ok(Object.keys(statuses).length > 0, `revoked tokens were presented via ${route}`);
  }

  const { outage } = summary;
  t.ok(outage.responses503 > 0, 'the outage answered 503');
  t.ok(outage.latency503StoreFirstMs.p99! <= MAX_503_P99_MS, '503s came promptly');
  t.ok(outage.recoveryMs !== null && outage.recoveryMs <= recoveryLimitMs, 'recovered alone');
  t.ok(
    outage.allInstancesRecoveredMs !== null && outage.allInstancesRecoveredMs <= recoveryLimitMs,
    'every instance recovered',
  );
  for (const entry of summary.memory) {
    const growth = entry.heapUsedMiB.after - entry.heapUsedMiB.before;
    t.ok(growth <= MAX_HEAP_GROWTH_MIB, `${entry.instance} heap grew ${growth.toFixed(1)} MiB`);
  }
}

t.test('the fault drill keeps every invariant through a Redis restart', { skip }, async (t) => {
  const args = ['--duration', '12', '--concurrency', '50', '--instances', '3', '--outage', '3'];
  args.push('--server', 'scripts/drill/plugin-server.mjs');
  const { code, summary, stderr } = await runDrill(args);
  t.comment(JSON.stringify({ ...summary, byRoute: undefined }));

  t.equal(code, summary.ok ? 0 : 1, stderr);
  checkInvariants(t, summary, MAX_RECOVERY_MS);
});

const clusterSkip = skip ?? clusterSkipReason();

t.test(
  'the fault drill keeps every invariant through a cluster master crash',
  { skip: clusterSkip },
  async (t) => {
    const args = ['--duration', '10', '--concurrency', '30', '--instances', '3', '--outage', '2'];
    args.push('--topology', 'cluster', '--max-recovery', String(CLUSTER_RECOVERY_MS));
    args.push('--server', 'scripts/drill/plugin-server.mjs');
    const { code, summary, stderr } = await runDrill(args);
    t.comment(JSON.stringify({ ...summary, byRoute: undefined }));

    t.equal(code, summary.ok ? 0 : 1, stderr);
    // The crashed master's subjects wait for the cluster to agree it is back before they recover.
    checkInvariants(t, summary, CLUSTER_RECOVERY_MS);
  },
);

t.test('the drill flags a revoked token that a server accepts', async (t) => {
  // A server that accepts everything, as a verifier that ignored revocation would.
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end('{"id":"x"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as { port: number };
  const drillDir = pathToFileURL(join(ROOT, 'scripts/drill/')).href;
  const { DrillClient } = await import(`${drillDir}client.mjs`);
  const { Recorder } = await import(`${drillDir}stats.mjs`);
  const { agent } = await import(`${drillDir}http.mjs`);
  t.teardown(() => agent.destroy());

  const recorder = new Recorder();
  const instance = { name: 'lax', port };
  const client = new DrillClient({ id: 0, home: instance, instances: [instance], recorder });
  client.markRevoked({ accessToken: 'a', refreshToken: 'r' }, 'logout');
  await client.probeRevoked();
  await client.probeRevoked();

  t.same(recorder.violationCounts, { 'revoked-accepted': 2 });
  t.match(recorder.violations[0], { kind: 'revoked-accepted', why: 'logout', status: 200 });
});

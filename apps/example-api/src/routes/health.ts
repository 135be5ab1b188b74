import type { HealthReport } from '@tokenized-auth/fastify-plugin';
import type { FastifyInstance } from 'fastify';

const healthResponse = {
  type: 'object',
  required: ['status', 'store', 'topology', 'storeOk'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded'] },
    store: { type: 'string', enum: ['memory', 'redis'] },
    topology: {
      type: 'string',
      enum: ['memory', 'redis', 'redis-cluster', 'redis-sentinel'],
      description:
        'The store as deployed: in process, one Redis node, a Redis Cluster, or a master ' +
        'found through Sentinel',
    },
    storeOk: { type: 'boolean', description: 'Whether the revocation store answered in time' },
    latencyMs: { type: 'number' },
  },
} as const;

/** The API's names for the plugin's Redis topologies. */
const REDIS_TOPOLOGY = {
  single: 'redis',
  cluster: 'redis-cluster',
  sentinel: 'redis-sentinel',
} as const;

/**
 * What `/health` calls the store's deployment, from the plugin's own health report.
 *
 * @example
 * storeTopology(await app.tokens.health()); // 'redis-cluster'
 */
export function storeTopology(report: HealthReport) {
  if (report.store === 'memory') return 'memory';

  return REDIS_TOPOLOGY[report.topology ?? 'single'];
}

/**
 * `GET /health`: always 200 while the process serves HTTP; `status` says whether the revocation
 * store answers, since without it every authenticated route fails closed with 503.
 *
 * @example
 * await app.register(healthRoutes);
 */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness and the state of the revocation store',
        response: { 200: healthResponse },
      },
    },
    async () => {
      const report = await app.tokens.health();

      return {
        status: report.ok ? 'ok' : 'degraded',
        store: report.store,
        topology: storeTopology(report),
        storeOk: report.ok,
        latencyMs: report.latencyMs,
      };
    },
  );
}

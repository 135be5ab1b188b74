import type { FastifyInstance } from 'fastify';
import type { StoreTopology } from '../config.js';

const healthResponse = {
  type: 'object',
  required: ['status', 'store', 'topology', 'storeOk'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded'] },
    store: { type: 'string', enum: ['memory', 'redis'] },
    topology: {
      type: 'string',
      enum: ['memory', 'redis', 'redis-cluster'],
      description: 'The store as deployed: in process, one Redis node or a Redis Cluster',
    },
    storeOk: { type: 'boolean', description: 'Whether the revocation store answered in time' },
    latencyMs: { type: 'number' },
  },
} as const;

export interface HealthOptions {
  topology: StoreTopology;
}

/**
 * `GET /health`: always 200 while the process serves HTTP; `status` says whether the revocation
 * store answers, since without it every authenticated route fails closed with 503.
 *
 * @example
 * await app.register(healthRoutes, { topology: 'redis-cluster' });
 */
export async function healthRoutes(app: FastifyInstance, options: HealthOptions): Promise<void> {
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
        topology: options.topology,
        storeOk: report.ok,
        latencyMs: report.latencyMs,
      };
    },
  );
}

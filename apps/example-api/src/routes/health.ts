import type { FastifyInstance } from 'fastify';

const healthResponse = {
  type: 'object',
  required: ['status', 'store', 'storeOk'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded'] },
    store: { type: 'string', enum: ['memory', 'redis'] },
    storeOk: { type: 'boolean', description: 'Whether the revocation store answered in time' },
    latencyMs: { type: 'number' },
  },
} as const;

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
        storeOk: report.ok,
        latencyMs: report.latencyMs,
      };
    },
  );
}

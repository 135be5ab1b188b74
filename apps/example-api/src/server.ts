import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { AppConfigError, loadConfig, type AppConfig } from './config.js';

// After this long a stuck request or Redis connection no longer holds the process hostage.
const SHUTDOWN_TIMEOUT_MS = 10_000;

function readConfig(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof AppConfigError)) throw err;

    process.stderr.write(`example-api: ${err.message}\n`);
    process.exit(1);
  }
}

// `app.close()` stops accepting connections, lets in-flight requests finish and runs every
// onClose hook: the plugin's closes the Redis or Redis Cluster client it opened for REDIS_URL or
// REDIS_CLUSTER_NODES.
function closeOnSignals(app: FastifyInstance): void {
  let closing = false;

  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) {
      app.log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }

    closing = true;
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.error('shutdown timed out');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();

    app.close().then(
      () => {
        app.log.info('closed');
        process.exitCode = 0;
      },
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };

  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

async function main(): Promise<void> {
  const config = readConfig();
  const app = await buildApp(config);
  closeOnSignals(app);

  await app.listen({ port: config.port, host: config.host });
}

main().catch((err: unknown) => {
  process.stderr.write(`example-api: failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});

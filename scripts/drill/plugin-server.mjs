// A minimal API on the BUILT plugin (packages/fastify-plugin/dist) with the example API's auth
// routes, for when apps/example-api is not built: the plugin package's own drill test runs
// right after the plugin's build, before the app's. Users live in memory; their passwords are
// compared by SHA-256 in constant time, since hashing cost is not what the drill measures.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const pluginDir = new URL('../../packages/fastify-plugin/', import.meta.url);
const requireFromPlugin = createRequire(new URL('package.json', pluginDir));
const { default: Fastify } = await import(pathToFileURL(requireFromPlugin.resolve('fastify')).href);
const { default: tokenizedAuth } = await import(new URL('dist/index.js', pluginDir).href);
const { Cluster } = await import(pathToFileURL(requireFromPlugin.resolve('ioredis')).href);

const env = process.env;
const users = new Map();
const digest = (password) => createHash('sha256').update(String(password)).digest();

/**
 * REDIS_CLUSTER_NODES (`host:port,...`) instead of REDIS_URL: the plugin takes an ioredis
 * Cluster it did not create, so the fail-fast settings it would give its own client are set
 * here: no offline queue, one resend, reconnection for ever with capped backoff.
 */
function clusterClient(list) {
  const nodes = list.split(',').map((entry) => {
    const [host, port] = entry.trim().split(':');

    return { host, port: Number(port) };
  });
  const client = new Cluster(nodes, {
    enableOfflineQueue: false,
    clusterRetryStrategy: (attempt) => Math.min(50 * attempt, 1000),
    redisOptions: {
      maxRetriesPerRequest: 1,
      commandTimeout: 500,
      connectTimeout: 1000,
      retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
    },
  });
  client.on('error', () => {});

  return client;
}

const cluster = env.REDIS_CLUSTER_NODES ? clusterClient(env.REDIS_CLUSTER_NODES) : undefined;
if (cluster) await new Promise((resolve) => cluster.once('ready', resolve));

const app = Fastify({ logger: { level: env.LOG_LEVEL ?? 'error' } });
await app.register(tokenizedAuth, {
  accessSecret: env.JWT_SECRET,
  refreshSecret: env.JWT_REFRESH_SECRET,
  outerSecret: env.OUTER_SECRET,
  store: 'redis',
  redis: cluster ?? env.REDIS_URL,
  refreshGrace: Number(env.REFRESH_GRACE ?? 5),
});
// The plugin never closes a client it was given.
if (cluster) app.addHook('onClose', async () => cluster.disconnect());

function authenticate(username, password) {
  const user = users.get(String(username));

  return user && timingSafeEqual(user.digest, digest(password)) ? user : undefined;
}

app.post('/auth/register', async (request, reply) => {
  const { username, password } = request.body;
  if (users.has(username)) return reply.code(409).send({ code: 'APP_USERNAME_TAKEN' });

  const user = { id: randomUUID(), username, digest: digest(password) };
  users.set(username, user);

  return reply.code(201).send({ id: user.id, username });
});

app.post('/auth/login', async (request, reply) => {
  const user = authenticate(request.body.username, request.body.password);
  if (!user) return reply.code(401).send({ code: 'APP_INVALID_CREDENTIALS' });

  return app.tokens.issue({ sub: user.id });
});

app.post('/auth/refresh', (request) => app.tokens.refresh(request.body.refreshToken));

app.post('/auth/logout', { onRequest: app.authenticate }, async (request, reply) => {
  const header = request.headers.authorization ?? '';
  await app.tokens.revoke(header.slice(header.indexOf(' ') + 1));
  if (request.body?.refreshToken !== undefined) await app.tokens.revoke(request.body.refreshToken);

  return reply.code(204).send();
});

app.post('/auth/logout-all', { onRequest: app.authenticate }, async (request, reply) => {
  await app.tokens.revokeAll(String(request.user.sub));

  return reply.code(204).send();
});

app.get('/me', { onRequest: app.authenticate }, async (request) => ({ id: request.user.sub }));

app.get('/health', async () => app.tokens.health());

let closing = false;
const shutdown = () => {
  if (closing) process.exit(1);

  closing = true;
  app.close().then(
    () => void (process.exitCode = 0),
    () => void (process.exitCode = 1),
  );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

await app.listen({ port: Number(env.PORT), host: env.HOST ?? '127.0.0.1' });

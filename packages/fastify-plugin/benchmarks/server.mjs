// One benchmark server, run in its own process so the load generator never shares its event
// loop: `node server.mjs <mode> [redisUrl]`. It reports `{ port, token }` over IPC when ready.
// BENCH_PLUGIN=/abs/path/index.js serves another build of the plugin (to try a patch).
import Fastify from 'fastify';

const [mode, redisUrl] = process.argv.slice(2);
const SECRET = 'benchmark master secret of at least thirty-two bytes!';
const JWT_KEY = 'benchmark access-token key, 32+ bytes long';
const SUBJECT = 'user-1234';

async function withFastifyJwt(app, cache) {
  const { default: fastifyJwt } = await import('@fastify/jwt');
  const verify = { algorithms: ['HS256'], ...(cache ? { cache: true } : {}) };
  await app.register(fastifyJwt, { secret: JWT_KEY, verify });
  app.get('/me', { onRequest: (request) => request.jwtVerify() }, (request) => ({
    sub: request.user.sub,
  }));
  await app.ready();

  // The same claims our access token carries: subject, type, a 128-bit jti, iat, exp.
  const jti = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');

  return app.jwt.sign({ sub: SUBJECT, typ: 'access', jti }, { expiresIn: '15m' });
}

async function withOurs(app, store, extra = {}) {
  const { default: tokenizedAuth } = await import(process.env.BENCH_PLUGIN ?? '../dist/index.js');
  const options = { secret: SECRET, store, ...extra };
  if (store === 'redis') options.redis = redisUrl;
  await app.register(tokenizedAuth, options);
  app.get('/me', { onRequest: app.authenticate }, (request) => ({ sub: request.user.sub }));
  await app.ready();

  return (await app.tokens.issue({ sub: SUBJECT })).accessToken;
}

async function withoutAuth(app) {
  app.get('/me', () => ({ sub: SUBJECT }));
  await app.ready();

  return undefined;
}

const modes = {
  none: withoutAuth,
  'fastify-jwt': (app) => withFastifyJwt(app, false),
  'fastify-jwt-cache': (app) => withFastifyJwt(app, true),
  memory: (app) => withOurs(app, 'memory'),
  'memory-nocache': (app) => withOurs(app, 'memory', { accessTokenCache: 0 }),
  redis: (app) => withOurs(app, 'redis'),
};

const app = Fastify({ logger: false });
try {
  const token = await modes[mode](app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.send({ port: app.server.address().port, token });
} catch (error) {
  process.send({ error: `${error.code ?? ''} ${error.message}`.trim() });
  process.exit(1);
}

process.on('disconnect', () => app.close().then(() => process.exit(0)));

// The built example API (apps/example-api/dist) as its own server.js runs it, with one change:
// passwords hash at scrypt N = DRILL_SCRYPT_COST (default 2^10) instead of 2^15, so the drill
// measures token and store paths, not two shared cores hashing passwords. Run the drill with
// `--server apps/example-api/dist/server.js` to include the full hashing cost.

const dist = new URL('../../apps/example-api/dist/', import.meta.url);
const { buildApp } = await import(new URL('app.js', dist).href);
const { loadConfig } = await import(new URL('config.js', dist).href);
const { UserStore } = await import(new URL('users.js', dist).href);

const config = loadConfig(process.env);
const cost = Number(process.env.DRILL_SCRYPT_COST ?? 1024);
const app = await buildApp(config, { users: new UserStore({ cost }) });

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

await app.listen({ port: config.port, host: config.host });

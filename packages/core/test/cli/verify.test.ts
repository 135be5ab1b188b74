import t from 'tap';
import { createTokenService } from '../../src/index.js';
import { seedTokens } from '../helpers/fixtures.js';
import { MINTED_AT, runCli, SECRET_ENV, SECRETS } from './fixtures/cli.js';

const service = createTokenService({
  accessSecret: SECRETS.access,
  refreshSecret: SECRETS.refresh,
  outerSecret: SECRETS.outer,
  clock: () => MINTED_AT * 1000,
});
const accessToken = service.createAccessToken({ sub: 'user-42' });
const refreshToken = service.createRefreshToken({ sub: 'user-42' });
const justAfter = ['--now', String(MINTED_AT + 1)];

const pythonAccess = seedTokens.find((seed) => seed.kind === 'access')!;
const pythonRefresh = seedTokens.find((seed) => seed.kind === 'refresh')!;
// The reference service's profile: subject in "id", no type claim, no "iat" or "jti".
const pythonProfile = [
  '--subject-claim=id',
  '--no-type-claim',
  '--no-require-iat',
  '--no-require-jti',
  '--access-ttl=3600',
  '--refresh-ttl=3600',
  `--jwt-secret=${pythonAccess.jwt_secret}`,
  `--refresh-secret=${pythonRefresh.jwt_secret}`,
  `--outer-secret=${pythonAccess.outer_secret}`,
];

t.test('exits 0 and prints the type and claims of a valid access token', async (t) => {
  const { status, stdout, stderr } = runCli(['verify', ...justAfter, accessToken], {
    env: SECRET_ENV,
  });
  const result = JSON.parse(stdout);

  t.equal(status, 0);
  t.equal(stderr, '');
  t.equal(result.type, 'access');
  t.equal(result.claims.sub, 'user-42');
  t.equal(result.claims.exp, MINTED_AT + 900);
});

t.test('tells a refresh token apart without --type', async (t) => {
  const { status, stdout } = runCli(['verify', ...justAfter, refreshToken], { env: SECRET_ENV });

  t.equal(status, 0);
  t.equal(JSON.parse(stdout).type, 'refresh');
});

t.test('rejects a refresh token presented as --type access', async (t) => {
  const shared = createTokenService({
    accessSecret: SECRETS.access,
    refreshSecret: SECRETS.access,
    outerSecret: SECRETS.outer,
    clock: () => MINTED_AT * 1000,
  });
  const env = { ...SECRET_ENV, JWT_REFRESH_SECRET: SECRETS.access };
  const args = ['verify', ...justAfter, '--type', 'access'];
  const sameKey = runCli([...args, shared.createRefreshToken({ sub: 'user-42' })], { env });
  const ownKey = runCli([...args, refreshToken], { env: SECRET_ENV });

  t.equal(sameKey.status, 1);
  t.equal(sameKey.stdout, '');
  t.match(sameKey.stderr, /^ERR_TOKEN_TYPE: /, 'the type claim tells them apart');
  t.equal(ownKey.status, 1);
  t.match(ownKey.stderr, /^ERR_TOKEN_SIGNATURE: /, 'the refresh key tells them apart');
});

t.test('prints ERR_TOKEN_EXPIRED to stderr and exits 1 once the token has expired', async (t) => {
  const later = ['--now', String(MINTED_AT + 3 * 3600)];
  const { status, stdout, stderr } = runCli(['verify', ...later, accessToken], {
    env: SECRET_ENV,
  });

  t.equal(status, 1);
  t.equal(stdout, '');
  t.match(stderr, /^ERR_TOKEN_EXPIRED: /);
});

t.test('prints ERR_TOKEN_SIGNATURE for a token under another outer key', async (t) => {
  const args = ['verify', ...justAfter, '--outer-secret', 'z'.repeat(40), accessToken];
  const { status, stderr } = runCli(args, { env: SECRET_ENV });

  t.equal(status, 1);
  t.match(stderr, /^ERR_TOKEN_SIGNATURE: /);
});

t.test('accepts a key rotated out but still listed, oldest first', async (t) => {
  const env = { ...SECRET_ENV, JWT_SECRET: `${SECRETS.access},${'n'.repeat(40)}` };
  const { status } = runCli(['verify', ...justAfter, accessToken], { env });
  const flags = ['--jwt-secret', SECRETS.access, '--jwt-secret', 'n'.repeat(40)];
  const fromFlags = runCli(['verify', ...justAfter, ...flags, accessToken], { env: SECRET_ENV });

  t.equal(status, 0);
  t.equal(fromFlags.status, 0);
});

t.test('verifies with a master secret from the flag or the environment', async (t) => {
  const master = createTokenService({ secret: SECRETS.master, clock: () => MINTED_AT * 1000 });
  const token = master.createAccessToken({ sub: 'user-7' });
  const flag = runCli(['verify', ...justAfter, '--secret', SECRETS.master, token]);
  const env = runCli(['verify', ...justAfter, token], {
    env: { TOKENIZED_AUTH_SECRET: SECRETS.master },
  });
  const wrong = runCli(['verify', ...justAfter, '--secret', 'w'.repeat(40), token]);

  t.equal(flag.status, 0);
  t.equal(env.status, 0);
  t.equal(wrong.status, 1);
  t.match(wrong.stderr, /^ERR_TOKEN_SIGNATURE: /);
});

t.test('verifies tokens minted by the Python reference service', async (t) => {
  for (const seed of [pythonAccess, pythonRefresh]) {
    const now = `--now=${seed.signed_at + 60}`;
    const { status, stdout } = runCli(['verify', now, ...pythonProfile, seed.token]);

    t.equal(status, 0, seed.kind);
    t.same(JSON.parse(stdout), { type: seed.kind, claims: seed.claims });
  }
});

t.test('rejects a Python token after its lifetime with ERR_TOKEN_EXPIRED', async (t) => {
  const now = `--now=${pythonAccess.claims.exp + 3600}`;
  const { status, stderr } = runCli(['verify', now, ...pythonProfile, pythonAccess.token]);

  t.equal(status, 1);
  t.match(stderr, /^ERR_TOKEN_EXPIRED: /);
});

t.test('reads the token from stdin when given "-"', async (t) => {
  const { status, stdout } = runCli(['verify', ...justAfter, '-'], {
    env: SECRET_ENV,
    input: `${accessToken}\n`,
  });

  t.equal(status, 0);
  t.equal(JSON.parse(stdout).claims.sub, 'user-42');
});

t.test('exits 2 when no key for the whole token is given', async (t) => {
  const none = runCli(['verify', accessToken]);
  const noOuter = runCli(['verify', accessToken], { env: { JWT_SECRET: SECRETS.access } });

  t.equal(none.status, 2);
  t.match(none.stderr, 'no keys for the whole token');
  t.equal(noOuter.status, 2);
});

t.test('exits 2 with ERR_TOKEN_CONFIG for a secret the core refuses', async (t) => {
  const { status, stderr } = runCli(['verify', '--secret', 'short', accessToken]);

  t.equal(status, 2);
  t.match(stderr, /ERR_TOKEN_CONFIG: "secret"/);
});

t.test('exits 2 for conflicting or malformed options', async (t) => {
  const cases = [
    [['--secret', SECRETS.master, '--jwt-secret', SECRETS.access], 'cannot be combined'],
    [['--type', 'id'], '"--type" must be access or refresh'],
    [['--type-claim', 'kind', '--no-type-claim'], 'exclude each other'],
    [['--leeway', 'soon'], '"--leeway" must be a number of seconds'],
    [['--now', 'yesterday'], '"--now" must be epoch seconds or ISO 8601'],
  ] as const;

  for (const [flags, message] of cases) {
    const { status, stderr } = runCli(['verify', ...flags, accessToken], { env: SECRET_ENV });

    t.equal(status, 2, flags.join(' '));
    t.match(stderr, message);
  }
});

t.test('never echoes a secret or the token in its error output', async (t) => {
  const args = ['verify', '--outer-secret', 'q'.repeat(40), accessToken];
  const { stderr } = runCli(args, { env: SECRET_ENV });

  t.notMatch(stderr, 'q'.repeat(40));
  t.notMatch(stderr, SECRETS.access);
  t.notMatch(stderr, accessToken.slice(0, 20));
});

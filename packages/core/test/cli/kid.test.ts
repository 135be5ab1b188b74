import t from 'tap';
import { createTokenService, type TokenServiceOptions } from '../../src/index.js';
import { MINTED_AT, runCli, SECRETS } from './fixtures/cli.js';

const KID = '2025-06';
// A colon in the secret: only the first one separates the kid, so this must still verify.
const COLON_SECRET = 'colon:secret:for-cli-tests-0123456789abcdef';

function mint(accessSecret: TokenServiceOptions['accessSecret']) {
  return createTokenService({
    accessSecret,
    refreshSecret: { secret: SECRETS.refresh, kid: 'r-1' },
    outerSecret: SECRETS.outer,
    clock: () => MINTED_AT * 1000,
  });
}

const service = mint({ secret: SECRETS.access, kid: KID });
const accessToken = service.createAccessToken({ sub: 'user-42' });
const refreshToken = service.createRefreshToken({ sub: 'user-42' });
const plainToken = mint(SECRETS.access).createAccessToken({ sub: 'user-1' });
const colonToken = mint({ secret: COLON_SECRET, kid: 'k' }).createAccessToken({ sub: 'user-2' });
const justAfter = ['--now', String(MINTED_AT + 1)];
const outer = { OUTER_SECRET: SECRETS.outer };

t.test('verifies a token naming a kid when the secret is given with that kid', async (t) => {
  const flag = runCli(
    ['verify', ...justAfter, '--jwt-kid-secret', `${KID}:${SECRETS.access}`, accessToken],
    { env: outer },
  );
  const env = runCli(['verify', ...justAfter, accessToken], {
    env: { ...outer, JWT_KID_SECRET: `${KID}:${SECRETS.access}` },
  });

  t.equal(flag.status, 0, flag.stderr);
  t.equal(JSON.parse(flag.stdout).type, 'access');
  t.equal(JSON.parse(flag.stdout).claims.sub, 'user-42');
  t.equal(env.status, 0, env.stderr);
});

t.test('verifies a refresh token with --refresh-kid-secret and its variable', async (t) => {
  const flag = runCli(
    ['verify', ...justAfter, '--refresh-kid-secret', `r-1:${SECRETS.refresh}`, refreshToken],
    { env: outer },
  );
  const env = runCli(['verify', ...justAfter, refreshToken], {
    env: { ...outer, JWT_REFRESH_KID_SECRET: `r-1:${SECRETS.refresh}` },
  });

  t.equal(flag.status, 0, flag.stderr);
  t.equal(JSON.parse(flag.stdout).type, 'refresh');
  t.equal(env.status, 0, env.stderr);
});

t.test('refuses the token with ERR_TOKEN_SIGNATURE under a wrong kid or none', async (t) => {
  const args = ['verify', ...justAfter, '--type', 'access'];
  const wrongKid = runCli([...args, '--jwt-kid-secret', `2025-05:${SECRETS.access}`, accessToken], {
    env: outer,
  });
  const noKid = runCli([...args, '--jwt-secret', SECRETS.access, accessToken], { env: outer });

  t.equal(wrongKid.status, 1);
  t.equal(wrongKid.stdout, '');
  t.match(wrongKid.stderr, /^ERR_TOKEN_SIGNATURE: /);
  t.notMatch(wrongKid.stderr, SECRETS.access);
  t.equal(noKid.status, 1, 'the same secret without its kid is refused');
  t.match(noKid.stderr, /^ERR_TOKEN_SIGNATURE: /);
});

t.test('splits at the first colon only, so the secret may contain colons', async (t) => {
  const { status, stderr } = runCli(
    ['verify', ...justAfter, '--jwt-kid-secret', `k:${COLON_SECRET}`, colonToken],
    { env: outer },
  );

  t.equal(status, 0, stderr);
});

t.test('takes plain and keyed secrets together during a rotation', async (t) => {
  const rotation = [
    '--jwt-secret',
    SECRETS.access,
    '--jwt-kid-secret',
    `${KID}:${SECRETS.access.toUpperCase()}`,
  ];
  const rotated = mint([SECRETS.access, { secret: SECRETS.access.toUpperCase(), kid: KID }]);
  const newer = rotated.createAccessToken({ sub: 'user-3' });
  const args = ['verify', ...justAfter, ...rotation];
  const old = runCli([...args, plainToken], { env: outer });
  const fresh = runCli([...args, newer], { env: outer });
  const env = runCli(['verify', ...justAfter, newer], {
    env: {
      ...outer,
      JWT_SECRET: SECRETS.access,
      JWT_KID_SECRET: `${KID}:${SECRETS.access.toUpperCase()}`,
    },
  });

  t.equal(old.status, 0, old.stderr);
  t.equal(fresh.status, 0, fresh.stderr);
  t.equal(env.status, 0, env.stderr);
});

t.test('a flag for a layer overrides both of its variables', async (t) => {
  const env = { ...outer, JWT_KID_SECRET: `${KID}:${SECRETS.access}` };
  const { status, stderr } = runCli(
    ['verify', ...justAfter, '--type', 'access', '--jwt-secret', SECRETS.access, accessToken],
    { env },
  );

  t.equal(status, 1);
  t.match(stderr, /^ERR_TOKEN_SIGNATURE: /);
});

t.test('inspect shows the kid and verifies the JWT with the keyed secret', async (t) => {
  const args = ['inspect', '--json', ...justAfter, '--jwt-kid-secret', `${KID}:${SECRETS.access}`];
  const { status, stdout } = runCli([...args, accessToken], { env: outer });
  const report = JSON.parse(stdout);
  const text = runCli(['inspect', ...justAfter, accessToken]).stdout;

  t.equal(status, 0);
  t.same(report.inner.header, { alg: 'HS256', kid: KID, typ: 'JWT' });
  t.equal(report.inner.check.kind, 'access');
  t.equal(report.whole.ok, true);
  t.match(text, `{"alg":"HS256","kid":"${KID}","typ":"JWT"}`, 'shown without secrets too');
});

t.test('exits 2 for a malformed entry without echoing it', async (t) => {
  const secret = 'z'.repeat(40);
  const cases = [
    [['--jwt-kid-secret', secret], '"--jwt-kid-secret" must be <kid>:<secret>'],
    [['--jwt-kid-secret', `:${secret}`], '"--jwt-kid-secret" must be <kid>:<secret>'],
    [['--refresh-kid-secret', `r-1:`], '"--refresh-kid-secret" must be <kid>:<secret>'],
    [['--secret', secret, '--jwt-kid-secret', `k:${secret}`], 'cannot be combined'],
    [['--jwt-kid-secret', `k:${secret}`, '--jwt-kid-secret', `k:${secret}x`], 'one "kid"'],
    [['--jwt-kid-secret', `k:short`], 'at least 32 bytes'],
    [['--jwt-kid-secret', `${'k'.repeat(257)}:${secret}`], '1 to 256 characters'],
  ] as const;

  for (const [flags, message] of cases) {
    const { status, stderr } = runCli(['verify', ...flags, accessToken], { env: outer });

    t.equal(status, 2, flags.join(' ').slice(0, 60));
    t.match(stderr, message);
    t.notMatch(stderr, secret);
    t.notMatch(stderr, 'short');
    t.notMatch(stderr, accessToken.slice(0, 20));
  }

  const env = runCli(['verify', accessToken], { env: { ...outer, JWT_KID_SECRET: secret } });

  t.equal(env.status, 2);
  t.match(env.stderr, '"JWT_KID_SECRET" must be <kid>:<secret>');
  t.notMatch(env.stderr, secret);
});

t.test("documents the keyed forms in both commands' --help", async (t) => {
  for (const command of ['verify', 'inspect']) {
    const { stdout } = runCli([command, '--help']);

    t.match(stdout, /--jwt-kid-secret <kid>:<s> .*JWT_KID_SECRET/);
    t.match(stdout, /--refresh-kid-secret <kid>:<s>/);
  }
});

import { deflateSync } from 'node:zlib';
import t from 'tap';
import { createTokenService, type TokenServiceOptions } from '../../src/index.js';
import { seedTokens } from '../helpers/fixtures.js';
import { MINTED_AT, runCli, SECRET_ENV, SECRETS } from './fixtures/cli.js';

const keys: TokenServiceOptions = {
  accessSecret: SECRETS.access,
  refreshSecret: SECRETS.refresh,
  outerSecret: SECRETS.outer,
};
const service = createTokenService({ ...keys, clock: () => MINTED_AT * 1000 });
const accessToken = service.createAccessToken({ sub: 'user-42', scope: ['read'] });
const pythonAccess = seedTokens.find((seed) => seed.kind === 'access')!;

function inspectJson(args: readonly string[], env?: Record<string, string>) {
  const result = runCli(['inspect', '--json', ...args], env ? { env } : {});

  return { ...result, report: JSON.parse(result.stdout) };
}

t.test('says loudly that nothing was verified when no secret is given', async (t) => {
  const { status, stdout } = runCli(['inspect', accessToken]);

  t.equal(status, 0);
  t.match(stdout, /^!!! NOTHING WAS VERIFIED/);
  t.match(stdout, /signature +NOT VERIFIED \(no outer secret\)/);
  t.match(stdout, /verification +NOT VERIFIED \(no JWT secret\)/);
  t.match(stdout, '"sub": "user-42"');
  t.match(stdout, '{"alg":"HS256","typ":"JWT"}');
});

t.test('states the expiry in plain words relative to --now', async (t) => {
  const soon = runCli(['inspect', '--now', String(MINTED_AT + 60), accessToken]);
  const late = runCli(['inspect', '--now', String(MINTED_AT + 900 + 3 * 3600), accessToken]);

  t.match(soon.stdout, /expiry +expires in 14 minutes \(2026-01-01T00:15:00\.000Z\)/);
  t.match(late.stdout, /expiry +expired 3 hours ago/);
});

t.test('shows the outer signing time, its age and compression of a Python token', async (t) => {
  const now = new Date((pythonAccess.signed_at + 7200) * 1000).toISOString();
  const { status, report } = inspectJson(['--now', now, pythonAccess.token]);

  t.equal(status, 0);
  t.equal(report.verified, false);
  t.same(report.outer, {
    compressed: true,
    timestamp: pythonAccess.signed_at,
    signedAt: new Date(pythonAccess.signed_at * 1000).toISOString(),
    age: '2 hours ago',
  });
  t.same(report.inner.claims, pythonAccess.claims);
  t.equal(report.inner.expiry, 'expired 1 hour ago');
});

t.test('verifies each layer when every secret is in the environment', async (t) => {
  const { stdout } = runCli(['inspect', '--now', String(MINTED_AT + 1), accessToken], {
    env: SECRET_ENV,
  });
  const { report } = inspectJson(['--now', String(MINTED_AT + 1), accessToken], SECRET_ENV);

  t.notMatch(stdout, 'NOTHING WAS VERIFIED');
  t.match(stdout, /signature +valid\n/);
  t.match(stdout, /verification +valid access token/);
  t.match(stdout, /Whole token +valid access token/);
  t.equal(report.verified, true);
  t.same(report.outer.check, { ok: true });
  t.equal(report.inner.check.kind, 'access');
  t.equal(report.whole.claims.sub, 'user-42');
});

t.test('pins a forged outer layer on the outer signature alone', async (t) => {
  const args = ['--now', String(MINTED_AT + 1), '--outer-secret', 'x'.repeat(40)];
  const { report } = inspectJson([...args, accessToken], SECRET_ENV);

  t.equal(report.outer.check.code, 'ERR_TOKEN_SIGNATURE');
  t.equal(report.inner.check.ok, true);
  t.equal(report.whole.code, 'ERR_TOKEN_SIGNATURE');
});

t.test('pins a wrong JWT key on the inner layer alone', async (t) => {
  const args = ['--now', String(MINTED_AT + 1), '--jwt-secret', 'y'.repeat(40)];
  const { report } = inspectJson([...args, '--type', 'access', accessToken], SECRET_ENV);

  t.same(report.outer.check, { ok: true });
  t.equal(report.inner.check.code, 'ERR_TOKEN_SIGNATURE');
});

t.test('verifies the outer layer alone when only the outer secret is known', async (t) => {
  const { stdout, report } = inspectJson(['--now', String(MINTED_AT + 1), accessToken], {
    OUTER_SECRET: SECRETS.outer,
  });

  t.equal(report.verified, true);
  t.same(report.outer.check, { ok: true });
  t.equal(report.inner.check, undefined);
  t.equal(report.whole, undefined);
  t.notMatch(stdout, 'NOTHING WAS VERIFIED');
});

t.test('checks everything through derived keys with a master secret', async (t) => {
  const master = createTokenService({ secret: SECRETS.master, clock: () => MINTED_AT * 1000 });
  const token = master.createRefreshToken({ sub: 'user-7' });
  const args = ['inspect', '--now', String(MINTED_AT + 1), token];
  const { stdout } = runCli(args, { env: { TOKENIZED_AUTH_SECRET: SECRETS.master } });

  t.match(stdout, /signature +checked with the whole token/);
  t.match(stdout, /Whole token +valid refresh token/);
});

t.test('reads the token from stdin when given "-"', async (t) => {
  const { status, stdout } = runCli(['inspect', '-'], { input: `${accessToken}\n` });

  t.equal(status, 0);
  t.match(stdout, '"sub": "user-42"');
});

t.test('exits 1 with ERR_TOKEN_MALFORMED for something that is no token', async (t) => {
  const { status, stdout } = runCli(['inspect', 'not-a-token']);

  t.equal(status, 1);
  t.match(stdout, /cannot decode +ERR_TOKEN_MALFORMED: outer layer needs 3 segments/);
});

t.test('exits 1 when the outer value is not a JWT', async (t) => {
  const payload = Buffer.from('{"id":1}').toString('base64url');
  const { status, stdout } = runCli(['inspect', `${payload}.aTPasA.c2ln`]);

  t.equal(status, 1);
  t.match(stdout, /cannot decode +ERR_TOKEN_MALFORMED: outer value is not a JWT string/);
});

t.test('stops inflating a compressed payload at the cap (zip bomb)', async (t) => {
  const bomb = deflateSync(Buffer.alloc(10 * 1024 * 1024, 0x20)).toString('base64url');
  const { status, stdout } = runCli(['inspect', '-'], { input: `.${bomb}.aTPasA.c2ln` });

  t.equal(status, 1);
  t.match(stdout, 'ERR_TOKEN_TOO_LARGE');
});

t.test('refuses non-canonical base64url instead of guessing', async (t) => {
  const [payload, rest] = [accessToken.split('.')[0]!, accessToken.split('.').slice(1)];
  const { status, stdout } = runCli(['inspect', [`${payload}=`, ...rest].join('.')]);

  t.equal(status, 1);
  t.match(stdout, 'ERR_TOKEN_MALFORMED');
});

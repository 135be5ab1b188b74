import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { createTokenService, type TokenService } from '../../src/index.js';
import { pythonProfile, pythonSecrets } from '../helpers/service.js';

type Kind = 'access' | 'refresh';
type Answer = { token?: string; claims?: Record<string, unknown>; error?: string };

const PYTHON = process.env.TOKENIZED_AUTH_PYTHON ?? '/usr/bin/python3';
const PEER = fileURLToPath(new URL('./jose_peer.py', import.meta.url));
const LIFETIME = pythonProfile.accessTokenTtl;

function peerMissing(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import itsdangerous, jose.jwt'], { encoding: 'utf8' });

  if (probe.error) return `cannot run ${PYTHON}: ${probe.error.message}`;
  if (probe.status !== 0) return `${PYTHON} cannot import itsdangerous and jose`;

  return undefined;
}

function askPython(requests: object[]): Answer[] {
  const run = spawnSync(PYTHON, [PEER], { input: JSON.stringify(requests), encoding: 'utf8' });

  if (run.status !== 0) throw new Error(`python peer failed: ${run.stderr}`);

  return JSON.parse(run.stdout) as Answer[];
}

function jwtSecret(kind: Kind): string {
  return kind === 'access' ? pythonSecrets.accessSecret : pythonSecrets.refreshSecret;
}

function verifyAs(tokens: TokenService, kind: Kind, token: string) {
  return kind === 'access' ? tokens.verifyAccessToken(token) : tokens.verifyRefreshToken(token);
}

// Real time on both sides: python-jose checks `exp` against its own clock.
const tokens = createTokenService({ ...pythonProfile, ...pythonSecrets });
const kinds: Kind[] = ['access', 'refresh'];
const missing = peerMissing();

if (missing !== undefined && process.env.CI) {
  t.fail(`python interop is required when CI is set: ${missing}`);
} else if (missing !== undefined) {
  const hint = 'set TOKENIZED_AUTH_PYTHON to a python with itsdangerous and python-jose';

  t.test('exchanges tokens with python both ways', { skip: `${missing}; ${hint}` }, () => {});
} else {
  t.test('python verifies access and refresh tokens we mint', async (t) => {
    const minted = kinds.map((kind) => {
      const claims = { id: `user-${kind}`, scope: ['read', 'write'] };
      const token =
        kind === 'access' ? tokens.createAccessToken(claims) : tokens.createRefreshToken(claims);

      return { kind, token, claims };
    });
    const answers = askPython(
      minted.map(({ kind, token }) => ({
        op: 'verify',
        jwt_secret: jwtSecret(kind),
        outer_secret: pythonSecrets.outerSecret,
        token,
        max_age: LIFETIME,
      })),
    );

    answers.forEach((answer, i) => {
      const { kind, claims } = minted[i]!;

      t.equal(answer.error, undefined, `${kind}: python raised nothing`);
      t.match(answer.claims, { ...claims, exp: Number, iat: Number, jti: String }, kind);
    });
  });

  t.test('python refuses our access token under the refresh secret and the reverse', async (t) => {
    const answers = askPython(
      kinds.map((kind) => ({
        op: 'verify',
        jwt_secret: jwtSecret(kind === 'access' ? 'refresh' : 'access'),
        outer_secret: pythonSecrets.outerSecret,
        token:
          kind === 'access'
            ? tokens.createAccessToken({ id: 'u' })
            : tokens.createRefreshToken({ id: 'u' }),
        max_age: LIFETIME,
      })),
    );

    // python-jose reports a bad signature as a plain JWTError.
    for (const answer of answers) t.equal(answer.error, 'JWTError');
  });

  t.test('we verify access and refresh tokens python mints live', async (t) => {
    const exp = Math.floor(Date.now() / 1000) + LIFETIME;
    const requests = kinds.map((kind) => ({
      op: 'mint',
      jwt_secret: jwtSecret(kind),
      outer_secret: pythonSecrets.outerSecret,
      claims: { id: `python-${kind}`, exp, scope: ['read'] },
    }));
    const answers = askPython(requests);

    answers.forEach((answer, i) => {
      const kind = kinds[i]!;
      const other: Kind = kind === 'access' ? 'refresh' : 'access';

      t.same(verifyAs(tokens, kind, answer.token!), requests[i]!.claims, kind);
      t.throws(() => verifyAs(tokens, other, answer.token!), { code: 'ERR_TOKEN_SIGNATURE' });
    });
  });
}

import t from 'tap';
import { createTokenService, type TokenService } from '../../src/index.js';
import { expectTokenError, rejectsWithDocumentedCode } from '../helpers/errors.js';
import { seedTokens, type SeedToken } from '../helpers/fixtures.js';
import { decodeJwt } from '../helpers/jwt.js';
import { pythonProfile, pythonSecrets } from '../helpers/service.js';

function pythonService(nowSeconds: number): TokenService {
  return createTokenService({ ...pythonProfile, ...pythonSecrets, clock: () => nowSeconds * 1000 });
}

function verifySeed(tokens: TokenService, seed: SeedToken, token = seed.token) {
  return seed.kind === 'access'
    ? tokens.verifyAccessToken(token)
    : tokens.verifyRefreshToken(token);
}

t.test('verifies every seed token of the python reference service', async (t) => {
  for (const seed of seedTokens) {
    const tokens = pythonService(seed.signed_at + 10);

    t.same(verifySeed(tokens, seed), seed.claims, seed.name);
  }
});

t.test('refuses every seed token once any one character changes', async (t) => {
  for (const seed of seedTokens) {
    const tokens = pythonService(seed.signed_at + 10);

    for (let i = 0; i < seed.token.length; i++) {
      const char = seed.token[i] === 'A' ? 'B' : 'A';
      const mutated = seed.token.slice(0, i) + char + seed.token.slice(i + 1);

      t.ok(
        rejectsWithDocumentedCode(() => verifySeed(tokens, seed, mutated)),
        `${seed.name}@${i}`,
      );
    }
  }
});

t.test('refuses seed tokens presented as the other kind', async (t) => {
  for (const seed of seedTokens) {
    const tokens = pythonService(seed.signed_at + 10);
    const wrong = () =>
      seed.kind === 'access'
        ? tokens.verifyRefreshToken(seed.token)
        : tokens.verifyAccessToken(seed.token);

    expectTokenError(t, wrong, 'ERR_TOKEN_SIGNATURE');
  }
});

t.test('refuses seed tokens after they expire', async (t) => {
  for (const seed of seedTokens) {
    const tokens = pythonService(seed.claims.exp + 6);

    expectTokenError(t, () => verifySeed(tokens, seed), 'ERR_TOKEN_EXPIRED');
  }
});

t.test('refuses seed tokens when the configured lifetime is shorter than theirs', async (t) => {
  const seed = seedTokens[0]!;
  const tokens = createTokenService({
    ...pythonProfile,
    ...pythonSecrets,
    accessTokenTtl: 900,
    clock: () => (seed.signed_at + 10) * 1000,
  });

  // The outer age is fine (10 s) but exp - signing time is 3600 s, over 900 + leeway.
  expectTokenError(t, () => tokens.verifyAccessToken(seed.token), 'ERR_TOKEN_CLAIM', {
    claim: 'exp',
    reason: 'lifetime too long',
  });
});

t.test(
  'refuses seed tokens under the default policy, which requires iat, jti and typ',
  async (t) => {
    const seed = seedTokens[0]!;
    const tokens = createTokenService({
      ...pythonSecrets,
      subjectClaim: 'id',
      accessTokenTtl: 3600,
      clock: () => (seed.signed_at + 10) * 1000,
    });

    expectTokenError(t, () => tokens.verifyAccessToken(seed.token), 'ERR_TOKEN_CLAIM', {
      claim: 'iat',
    });
  },
);

t.test('mints tokens shaped like the reference: hs256, id, exp, no type claim', async (t) => {
  const tokens = pythonService(seedTokens[0]!.signed_at);
  const token = tokens.createAccessToken({ id: 'c0ffee00-0000-4000-8000-000000000000' });
  const claims = tokens.verifyAccessToken(token);

  t.equal(claims.id, 'c0ffee00-0000-4000-8000-000000000000');
  t.equal(claims.exp, seedTokens[0]!.signed_at + 3600);
  t.notOk('typ' in claims);
  t.same(decodeJwt(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).header, {
    alg: 'HS256',
    typ: 'JWT',
  });
});

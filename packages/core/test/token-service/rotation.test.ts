import t from 'tap';
import { createTokenService } from '../../src/index.js';
import { expectTokenError } from '../helpers/errors.js';
import { decodeJwt } from '../helpers/jwt.js';
import { NOW_MS, secretOf } from '../helpers/service.js';

const clock = () => NOW_MS;

t.test('verifies tokens of every listed master secret and signs with the newest', async (t) => {
  const before = createTokenService({ secret: secretOf('1'), clock });
  const during = createTokenService({ secret: [secretOf('1'), secretOf('2')], clock });
  const after = createTokenService({ secret: secretOf('2'), clock });
  const old = before.createAccessToken({ sub: 'u' });
  const fresh = during.createRefreshToken({ sub: 'u' });

  t.equal(during.verifyAccessToken(old).sub, 'u');
  t.equal(after.verifyRefreshToken(fresh).sub, 'u');
});

t.test('rejects a token signed with a rotated-out master secret', async (t) => {
  const old = createTokenService({ secret: secretOf('1'), clock }).createAccessToken({ sub: 'u' });
  const after = createTokenService({ secret: secretOf('2'), clock });

  expectTokenError(t, () => after.verifyAccessToken(old), 'ERR_TOKEN_SIGNATURE');
});

t.test('rotates the jwt and outer secrets independently', async (t) => {
  const keys = {
    accessSecret: secretOf('a'),
    refreshSecret: secretOf('r'),
    outerSecret: secretOf('o'),
  };
  const before = createTokenService({ ...keys, clock });
  const jwtRotated = createTokenService({
    ...keys,
    accessSecret: [secretOf('a'), secretOf('A')],
    clock,
  });
  const outerRotated = createTokenService({
    ...keys,
    outerSecret: [secretOf('o'), secretOf('O')],
    clock,
  });
  const token = before.createAccessToken({ sub: 'u' });

  t.equal(jwtRotated.verifyAccessToken(token).sub, 'u');
  t.equal(outerRotated.verifyAccessToken(token).sub, 'u');
  expectTokenError(
    t,
    () => before.verifyAccessToken(jwtRotated.createAccessToken({ sub: 'u' })),
    'ERR_TOKEN_SIGNATURE',
  );
  expectTokenError(
    t,
    () => before.verifyAccessToken(outerRotated.createAccessToken({ sub: 'u' })),
    'ERR_TOKEN_SIGNATURE',
  );
});

t.test('rotates asymmetric key pairs: the newest private key signs', async (t) => {
  const { generateKeyPairSync } = await import('node:crypto');
  const oldPair = generateKeyPairSync('ed25519');
  const newPair = generateKeyPairSync('ed25519');
  const refresh = generateKeyPairSync('ed25519');
  const base = { secret: secretOf('m'), algorithm: 'EdDSA' as const, clock, refreshKeys: refresh };
  const before = createTokenService({ ...base, accessKeys: oldPair });
  const during = createTokenService({
    ...base,
    accessKeys: [{ publicKey: oldPair.publicKey }, newPair],
  });
  const after = createTokenService({ ...base, accessKeys: newPair });

  t.equal(during.verifyAccessToken(before.createAccessToken({ sub: 'old' })).sub, 'old');
  t.equal(after.verifyAccessToken(during.createAccessToken({ sub: 'new' })).sub, 'new');
  expectTokenError(
    t,
    () => after.verifyAccessToken(before.createAccessToken({ sub: 'u' })),
    'ERR_TOKEN_SIGNATURE',
  );
});

t.test("writes the newest key's kid and picks the key by kid on verify", async (t) => {
  const outer = { outerSecret: secretOf('o'), refreshSecret: secretOf('r'), clock };
  const first = { kid: '2025-01', secret: secretOf('1') };
  const second = { kid: '2025-02', secret: secretOf('2') };
  const before = createTokenService({ ...outer, accessSecret: first });
  const during = createTokenService({ ...outer, accessSecret: [first, second] });
  const after = createTokenService({ ...outer, accessSecret: second });
  const old = before.createAccessToken({ sub: 'u' });
  const fresh = during.createAccessToken({ sub: 'u' });

  t.same(decodeJwt(outerJwt(old)).header, { alg: 'HS256', kid: '2025-01', typ: 'JWT' });
  t.same(decodeJwt(outerJwt(fresh)).header, { alg: 'HS256', kid: '2025-02', typ: 'JWT' });
  t.equal(during.verifyAccessToken(old).sub, 'u');
  t.equal(after.verifyAccessToken(fresh).sub, 'u');
  expectTokenError(t, () => after.verifyAccessToken(old), 'ERR_TOKEN_SIGNATURE', {
    claim: 'kid',
    reason: 'unknown kid',
  });
});

t.test('still verifies tokens without a kid against keys that have one', async (t) => {
  const outer = { outerSecret: secretOf('o'), refreshSecret: secretOf('r'), clock };
  const plain = createTokenService({ ...outer, accessSecret: secretOf('1') });
  const keyed = createTokenService({
    ...outer,
    accessSecret: [
      { kid: 'one', secret: secretOf('1') },
      { kid: 'two', secret: secretOf('2') },
    ],
  });

  t.equal(keyed.verifyAccessToken(plain.createAccessToken({ sub: 'u' })).sub, 'u');
});

t.test(
  'a kid never carries a token across types, whether the kid names differ or not',
  async (t) => {
    // One outer secret for both types, as in the Python profile: only the JWT layer differs.
    const outerSecret = secretOf('o');
    const distinct = createTokenService({
      outerSecret,
      accessSecret: { kid: 'a1', secret: secretOf('a') },
      refreshSecret: { kid: 'r1', secret: secretOf('r') },
      clock,
    });
    const shared = createTokenService({
      outerSecret,
      accessSecret: { kid: 'k', secret: secretOf('a') },
      refreshSecret: { kid: 'k', secret: secretOf('r') },
      clock,
    });

    for (const service of [distinct, shared]) {
      const access = service.createAccessToken({ sub: 'u' });
      const refresh = service.createRefreshToken({ sub: 'u' });

      t.equal(service.verifyAccessToken(access).sub, 'u');
      t.equal(service.verifyRefreshToken(refresh).sub, 'u');
      expectTokenError(t, () => service.verifyAccessToken(refresh), 'ERR_TOKEN_SIGNATURE');
      expectTokenError(t, () => service.verifyRefreshToken(access), 'ERR_TOKEN_SIGNATURE');
    }
  },
);

function outerJwt(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as string;
}

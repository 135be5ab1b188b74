import { createSecretKey, generateKeyPairSync, verify } from 'node:crypto';
import t from 'tap';
import { algorithmSpec } from '../../src/jwt/algorithms.js';
import { createJwtSigner } from '../../src/jwt/sign.js';
import { createJwtVerifier } from '../../src/jwt/verify.js';
import { seedTokens } from '../helpers/fixtures.js';
import { decodeJwt } from '../helpers/jwt.js';

t.test('writes the same bytes as python-jose for every seed token', async (t) => {
  for (const seed of seedTokens) {
    const key = createSecretKey(Buffer.from(seed.jwt_secret, 'utf8'));
    const sign = createJwtSigner(algorithmSpec('HS256'), key);

    t.equal(sign(JSON.stringify(seed.claims)), seed.jwt, seed.name);
  }
});

t.test('writes a header with the pinned alg and typ jwt only', async (t) => {
  const sign = createJwtSigner(algorithmSpec('HS512'), createSecretKey(Buffer.alloc(64, 7)));

  t.same(decodeJwt(sign('{"sub":"a"}')).header, { alg: 'HS512', typ: 'JWT' });
});

t.test("writes the signing key's kid into the header when it has one", async (t) => {
  const sign = createJwtSigner(algorithmSpec('HS256'), createSecretKey(Buffer.alloc(32, 7)), 'k1');

  t.same(decodeJwt(sign('{"sub":"a"}')).header, { alg: 'HS256', kid: 'k1', typ: 'JWT' });
});

t.test('writes es256 signatures as raw r||s, not der', async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwt = createJwtSigner(algorithmSpec('ES256'), privateKey)('{"sub":"a"}');
  const [header, payload, signature = ''] = jwt.split('.');
  const raw = Buffer.from(signature, 'base64url');

  t.equal(raw.length, 64);
  t.ok(
    verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      {
        key: publicKey,
        dsaEncoding: 'ieee-p1363',
      },
      raw,
    ),
  );
});

t.test('round-trips every asymmetric algorithm through its verifier', async (t) => {
  const pairs = {
    RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    EdDSA: generateKeyPairSync('ed25519'),
  };

  for (const [name, pair] of Object.entries(pairs)) {
    const spec = algorithmSpec(name);
    const jwt = createJwtSigner(spec, pair.privateKey)(JSON.stringify({ sub: name, n: 1 }));

    t.same(createJwtVerifier(spec, [pair.publicKey])(jwt), { sub: name, n: 1 }, name);
  }
});

import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { algorithmSpec } from '../../src/jwt/algorithms.js';
import { createJwtSigner } from '../../src/jwt/sign.js';
import { createJwtVerifier } from '../../src/jwt/verify.js';
import { expectTokenError } from '../helpers/errors.js';
import { forgeJwt } from '../helpers/jwt.js';

const secret = Buffer.alloc(32, 0x2a);
const oldSecret = Buffer.alloc(32, 0x17);
const hs256 = algorithmSpec('HS256');
const verify = createJwtVerifier(hs256, [createSecretKey(secret)]);
const HEADER = { alg: 'HS256', typ: 'JWT' };
const PAYLOAD = { sub: 'user-1', exp: 2000000000 };

t.test('accepts a token it signed and returns the payload', async (t) => {
  const jwt = createJwtSigner(hs256, createSecretKey(secret))(JSON.stringify(PAYLOAD));

  t.same(verify(jwt), PAYLOAD);
});

t.test('accepts any header spelling that names the pinned alg', async (t) => {
  t.same(verify(forgeJwt({ typ: 'jwt', alg: 'HS256' }, PAYLOAD, secret)), PAYLOAD);
  t.same(verify(forgeJwt({ alg: 'HS256' }, PAYLOAD, secret)), PAYLOAD);
});

t.test('refuses a kid when no configured key has one, even under a valid signature', async (t) => {
  expectTokenError(
    t,
    () => verify(forgeJwt({ alg: 'HS256', kid: 'anything' }, PAYLOAD, secret)),
    'ERR_TOKEN_SIGNATURE',
    { claim: 'kid', reason: 'unknown kid' },
  );
});

const keyed = createJwtVerifier(
  hs256,
  [createSecretKey(oldSecret), createSecretKey(secret)],
  ['old', 'new'],
);

t.test('checks a token naming a kid against that one key only', async (t) => {
  t.same(keyed(forgeJwt({ ...HEADER, kid: 'old' }, PAYLOAD, oldSecret)), PAYLOAD);
  t.same(keyed(forgeJwt({ ...HEADER, kid: 'new' }, PAYLOAD, secret)), PAYLOAD);
  expectTokenError(
    t,
    () => keyed(forgeJwt({ ...HEADER, kid: 'new' }, PAYLOAD, oldSecret)),
    'ERR_TOKEN_SIGNATURE',
    { reason: 'mismatch' },
  );
  expectTokenError(
    t,
    () => keyed(forgeJwt({ ...HEADER, kid: 'old' }, PAYLOAD, secret)),
    'ERR_TOKEN_SIGNATURE',
    { reason: 'mismatch' },
  );
});

t.test('tries every key newest first for a token without a kid', async (t) => {
  t.same(keyed(forgeJwt(HEADER, PAYLOAD, oldSecret)), PAYLOAD);
  t.same(keyed(forgeJwt({ alg: 'HS256' }, PAYLOAD, secret)), PAYLOAD);
});

t.test('refuses an unknown kid, prototype names included, under a valid signature', async (t) => {
  for (const kid of ['other', 'OLD', 'old ', '__proto__', 'constructor', 'toString']) {
    expectTokenError(
      t,
      () => keyed(forgeJwt({ ...HEADER, kid }, PAYLOAD, secret)),
      'ERR_TOKEN_SIGNATURE',
      { claim: 'kid', reason: 'unknown kid' },
    );
  }
});

t.test('rejects a kid that is not a non-empty string', async (t) => {
  for (const kid of ['', 1, null, ['new'], { id: 'new' }]) {
    expectTokenError(
      t,
      () => keyed(forgeJwt({ ...HEADER, kid }, PAYLOAD, secret)),
      'ERR_TOKEN_MALFORMED',
      { claim: 'kid' },
    );
  }
});

t.test("checks a header it writes itself against that kid's key only", async (t) => {
  const signedByOld = (kid: string) => {
    return createJwtSigner(hs256, createSecretKey(oldSecret), kid)(JSON.stringify(PAYLOAD));
  };

  t.same(keyed(signedByOld('old')), PAYLOAD);
  expectTokenError(t, () => keyed(signedByOld('new')), 'ERR_TOKEN_SIGNATURE', {
    reason: 'mismatch',
  });
});

t.test('accepts tokens from every key of a rotation list', async (t) => {
  const rotating = createJwtVerifier(hs256, [createSecretKey(oldSecret), createSecretKey(secret)]);

  t.same(rotating(forgeJwt(HEADER, PAYLOAD, oldSecret)), PAYLOAD);
  t.same(rotating(forgeJwt(HEADER, PAYLOAD, secret)), PAYLOAD);
});

t.test('rejects a token signed with a rotated-out key', async (t) => {
  expectTokenError(t, () => verify(forgeJwt(HEADER, PAYLOAD, oldSecret)), 'ERR_TOKEN_SIGNATURE');
});

t.test('rejects alg none in any letter case', async (t) => {
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    const unsigned = forgeJwt({ alg, typ: 'JWT' }, PAYLOAD, secret).replace(/[^.]+$/, '');

    expectTokenError(t, () => verify(unsigned), 'ERR_TOKEN_ALGORITHM', { claim: 'alg' });
    expectTokenError(t, () => verify(forgeJwt({ alg }, PAYLOAD, secret)), 'ERR_TOKEN_ALGORITHM');
  }
});

t.test('rejects another hmac size signed with the same key', async (t) => {
  for (const [alg, hash] of [
    ['HS384', 'sha384'],
    ['HS512', 'sha512'],
  ] as const) {
    const jwt = forgeJwt({ alg, typ: 'JWT' }, PAYLOAD, secret, hash);

    expectTokenError(t, () => verify(jwt), 'ERR_TOKEN_ALGORITHM', { claim: 'alg' });
  }
});

t.test('rejects a missing or non-string alg', async (t) => {
  expectTokenError(
    t,
    () => verify(forgeJwt({ typ: 'JWT' }, PAYLOAD, secret)),
    'ERR_TOKEN_ALGORITHM',
    {
      reason: 'missing',
    },
  );
  expectTokenError(
    t,
    () => verify(forgeJwt({ alg: ['HS256'] }, PAYLOAD, secret)),
    'ERR_TOKEN_ALGORITHM',
  );
});

t.test('rejects an hs256 token signed with an rsa public key when rs256 is pinned', async (t) => {
  // The classic key confusion: the attacker HMACs with the PEM text of the public key.
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const rsaVerify = createJwtVerifier(algorithmSpec('RS256'), [publicKey]);

  expectTokenError(t, () => rsaVerify(forgeJwt(HEADER, PAYLOAD, pem)), 'ERR_TOKEN_ALGORITHM');
});

t.test('rejects an asymmetric alg when hmac is pinned', async (t) => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const es256 = createJwtSigner(algorithmSpec('ES256'), privateKey)(JSON.stringify(PAYLOAD));
  const { privateKey: edKey } = generateKeyPairSync('ed25519');
  const eddsa = createJwtSigner(algorithmSpec('EdDSA'), edKey)(JSON.stringify(PAYLOAD));

  expectTokenError(t, () => verify(es256), 'ERR_TOKEN_ALGORITHM', { claim: 'alg' });
  expectTokenError(t, () => verify(eddsa), 'ERR_TOKEN_ALGORITHM', { claim: 'alg' });
});

t.test('rejects es256 signatures in der form or of the wrong key', async (t) => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spec = algorithmSpec('ES256');
  const esVerify = createJwtVerifier(spec, [pair.publicKey]);
  const jwt = createJwtSigner(spec, other.privateKey)(JSON.stringify(PAYLOAD));

  expectTokenError(t, () => esVerify(jwt), 'ERR_TOKEN_SIGNATURE');
  expectTokenError(t, () => esVerify(`${jwt}AAAA`), 'ERR_TOKEN_SIGNATURE', { reason: 'length' });
});

t.test('rejects a token signed with an empty key', async (t) => {
  expectTokenError(t, () => verify(forgeJwt(HEADER, PAYLOAD, '')), 'ERR_TOKEN_SIGNATURE');
});

t.test('rejects an empty or truncated signature', async (t) => {
  const jwt = forgeJwt(HEADER, PAYLOAD, secret);

  expectTokenError(t, () => verify(jwt.replace(/[^.]+$/, '')), 'ERR_TOKEN_SIGNATURE');
  expectTokenError(t, () => verify(jwt.slice(0, -3)), 'ERR_TOKEN_SIGNATURE');
});

t.test('rejects an unknown crit header even when signed', async (t) => {
  for (const crit of [['exp'], ['b64'], [], 'x']) {
    const jwt = forgeJwt({ ...HEADER, crit }, PAYLOAD, secret);

    expectTokenError(t, () => verify(jwt), 'ERR_TOKEN_ALGORITHM', { claim: 'crit' });
  }
});

t.test('refuses headers that point at keys instead of following them', async (t) => {
  for (const name of ['jku', 'jwk', 'x5u', 'x5c']) {
    const jwt = forgeJwt({ ...HEADER, [name]: 'https://attacker.example/key' }, PAYLOAD, secret);

    expectTokenError(t, () => verify(jwt), 'ERR_TOKEN_ALGORITHM', { claim: name });
  }
});

t.test('rejects a typ other than jwt', async (t) => {
  for (const typ of ['JWS', 'at+jwt', 1, null]) {
    const jwt = forgeJwt({ alg: 'HS256', typ }, PAYLOAD, secret);

    expectTokenError(t, () => verify(jwt), 'ERR_TOKEN_MALFORMED', { claim: 'typ' });
  }
});

t.test('rejects two or four segments', async (t) => {
  const jwt = forgeJwt(HEADER, PAYLOAD, secret);
  const [header, payload] = jwt.split('.');

  for (const token of [`${header}.${payload}`, `${jwt}.${payload}`, jwt.replaceAll('.', ''), '']) {
    expectTokenError(t, () => verify(token), 'ERR_TOKEN_MALFORMED', { reason: 'segments' });
  }
});

t.test('rejects a header or payload that is not an object', async (t) => {
  for (const value of ['[]', '"HS256"', '1', 'null', 'true']) {
    const badHeader = forgeJwt(value, PAYLOAD, secret);
    const badPayload = forgeJwt(HEADER, value, secret);

    expectTokenError(t, () => verify(badHeader), 'ERR_TOKEN_MALFORMED', { claim: 'header' });
    expectTokenError(t, () => verify(badPayload), 'ERR_TOKEN_MALFORMED', { claim: 'payload' });
  }
});

t.test('rejects invalid utf-8 in the payload', async (t) => {
  const header = Buffer.from(JSON.stringify(HEADER)).toString('base64url');
  const payload = Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]).toString('base64url');
  const input = `${header}.${payload}`;
  const { createHmac } = await import('node:crypto');
  const jwt = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;

  expectTokenError(t, () => verify(jwt), 'ERR_TOKEN_MALFORMED', { reason: 'utf-8' });
});

t.test('rejects duplicate and prototype members in header and payload', async (t) => {
  const duplicateAlg = '{"alg":"none","alg":"HS256"}';
  const duplicateExp = '{"sub":"a","exp":1,"exp":2000000000}';

  expectTokenError(t, () => verify(forgeJwt(duplicateAlg, PAYLOAD, secret)), 'ERR_TOKEN_MALFORMED');
  expectTokenError(t, () => verify(forgeJwt(HEADER, duplicateExp, secret)), 'ERR_TOKEN_MALFORMED');

  for (const name of ['__proto__', 'constructor']) {
    const payload = `{"sub":"a","${name}":{"admin":true}}`;

    expectTokenError(t, () => verify(forgeJwt(HEADER, payload, secret)), 'ERR_TOKEN_MALFORMED');
  }
});

t.test('rejects non-canonical base64url in the header and signature', async (t) => {
  const jwt = forgeJwt(HEADER, PAYLOAD, secret);
  const [header = '', payload = '', signature = ''] = jwt.split('.');
  // 43 characters carry 256 bits plus 2 unused bits, which must be zero.
  const lastBitSet = signature.slice(0, -1) + (signature.endsWith('A') ? 'B' : 'C');

  for (const token of [
    `${header}=.${payload}.${signature}`,
    `${header}.${payload}.${signature}=`,
    `${header}.${payload}.${signature.slice(0, -1)}+`,
    `${header}.${payload}.${lastBitSet}`,
  ]) {
    expectTokenError(t, () => verify(token), 'ERR_TOKEN_MALFORMED');
  }
});

t.test('never parses a payload whose signature does not match', async (t) => {
  const jwt = forgeJwt(HEADER, PAYLOAD, secret);
  const [header = '', , signature = ''] = jwt.split('.');

  for (const payload of ['e30=', '!!!', 'eyJhIjox', '']) {
    const token = `${header}.${payload}.${signature}`;

    expectTokenError(t, () => verify(token), 'ERR_TOKEN_SIGNATURE', { reason: 'mismatch' });
  }
});

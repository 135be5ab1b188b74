import { createHmac, generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { createTokenService, type TokenServiceOptions } from '../../src/index.js';
import { expectConfigError, expectTokenError } from '../helpers/errors.js';
import { forgeJwt } from '../helpers/jwt.js';
import { NOW, NOW_MS, secretOf, wrapOuter } from '../helpers/service.js';

const base = { secret: secretOf('m'), clock: () => NOW_MS };

function service(options: Partial<TokenServiceOptions> = {}) {
  return createTokenService({ ...base, ...options });
}

t.test('round-trips access and refresh tokens synchronously, keeping extra claims', async (t) => {
  const tokens = service();
  const access = tokens.createAccessToken({ sub: 'user-1', scope: ['read'] });
  const refresh = tokens.createRefreshToken({ sub: 'user-1', fam: 'f1' });

  t.type(access, 'string');
  t.match(tokens.verifyAccessToken(access), { sub: 'user-1', scope: ['read'], typ: 'access' });
  t.match(tokens.verifyRefreshToken(refresh), { sub: 'user-1', fam: 'f1', typ: 'refresh' });
});

t.test('stamps iat, exp from the configured lifetime and a fresh jti', async (t) => {
  const tokens = service({ accessTokenTtl: 60, refreshTokenTtl: 600 });
  const a = tokens.verifyAccessToken(tokens.createAccessToken({ sub: 'u' }));
  const b = tokens.verifyAccessToken(tokens.createAccessToken({ sub: 'u' }));
  const r = tokens.verifyRefreshToken(tokens.createRefreshToken({ sub: 'u' }));

  t.equal(a.iat, NOW);
  t.equal(a.exp, NOW + 60);
  t.equal(r.exp, NOW + 600);
  t.match(a.jti, /^[A-Za-z0-9_-]{22}$/);
  t.not(a.jti, b.jti);
});

t.test('exposes its settings with documented defaults', async (t) => {
  const tokens = createTokenService({ secret: secretOf('m') });

  t.same(
    {
      algorithm: tokens.algorithm,
      accessTokenTtl: tokens.accessTokenTtl,
      refreshTokenTtl: tokens.refreshTokenTtl,
      leeway: tokens.leeway,
      subjectClaim: tokens.subjectClaim,
      typeClaim: tokens.typeClaim,
      maxTokenLength: tokens.maxTokenLength,
    },
    {
      algorithm: 'HS256',
      accessTokenTtl: 900,
      refreshTokenTtl: 1209600,
      leeway: 5,
      subjectClaim: 'sub',
      typeClaim: 'typ',
      maxTokenLength: 8192,
    },
  );
  t.ok(Object.isFrozen(tokens));
});

t.test('never accepts an access token as a refresh token or the reverse', async (t) => {
  const tokens = service();
  const access = tokens.createAccessToken({ sub: 'u' });
  const refresh = tokens.createRefreshToken({ sub: 'u' });

  // Different derived outer keys: the outer mac already fails, before the JWT is read.
  for (const attempt of [
    () => tokens.verifyRefreshToken(access),
    () => tokens.verifyAccessToken(refresh),
  ]) {
    expectTokenError(t, attempt, 'ERR_TOKEN_SIGNATURE');
    t.throws(attempt, { message: /^outer signature/ }, 'fails at the outer layer');
  }
});

t.test('refuses the other type at its jwt key when both share one outer secret', async (t) => {
  const tokens = service({ outerSecret: secretOf('o') });
  const access = tokens.createAccessToken({ sub: 'u' });
  const refresh = tokens.createRefreshToken({ sub: 'u' });

  expectTokenError(t, () => tokens.verifyRefreshToken(access), 'ERR_TOKEN_SIGNATURE');
  t.throws(() => tokens.verifyAccessToken(refresh), { message: /^JWT signature/ });
});

t.test(
  'refuses the other type at the outer mac when keys come from the master secret',
  async (t) => {
    // One JWT key for both kinds, so only the derived outer keys can tell them apart here.
    const tokens = service({ accessSecret: secretOf('s'), refreshSecret: secretOf('s') });
    const access = tokens.createAccessToken({ sub: 'u' });
    const refresh = tokens.createRefreshToken({ sub: 'u' });

    for (const attempt of [
      () => tokens.verifyRefreshToken(access),
      () => tokens.verifyAccessToken(refresh),
    ]) {
      expectTokenError(t, attempt, 'ERR_TOKEN_SIGNATURE', { reason: 'mismatch' });
      t.throws(attempt, { message: /^outer signature/ }, 'fails at the outer layer');
    }
  },
);

t.test('checks the type claim when both kinds share one jwt key and one outer key', async (t) => {
  const shared = secretOf('s');
  const tokens = service({
    accessSecret: shared,
    refreshSecret: shared,
    outerSecret: secretOf('o'),
  });
  const access = tokens.createAccessToken({ sub: 'u' });
  const refresh = tokens.createRefreshToken({ sub: 'u' });

  expectTokenError(t, () => tokens.verifyRefreshToken(access), 'ERR_TOKEN_TYPE', { claim: 'typ' });
  expectTokenError(t, () => tokens.verifyAccessToken(refresh), 'ERR_TOKEN_TYPE', { claim: 'typ' });
});

t.test('derives distinct outer, access and refresh keys from one secret', async (t) => {
  const tokens = service();
  const outerOnly = createTokenService({
    ...base,
    outerSecret: secretOf('o'),
  });
  const access = tokens.createAccessToken({ sub: 'u' });

  // The same master secret with a different outer key cannot read the outer layer.
  expectTokenError(t, () => outerOnly.verifyAccessToken(access), 'ERR_TOKEN_SIGNATURE');
  // A JWT signed with the master secret itself (no derivation) is refused.
  const raw = forgeJwt(
    { alg: 'HS256', typ: 'JWT' },
    { sub: 'u', typ: 'access', iat: NOW, exp: NOW + 60, jti: 'j' },
    secretOf('m'),
  );
  const explicitOuter = service({ outerSecret: secretOf('o') });

  expectTokenError(
    t,
    () => explicitOuter.verifyAccessToken(wrapOuter(raw, secretOf('o'))),
    'ERR_TOKEN_SIGNATURE',
  );
});

t.test('works with three explicit secrets and no master secret', async (t) => {
  const tokens = createTokenService({
    accessSecret: secretOf('a'),
    refreshSecret: secretOf('r'),
    outerSecret: secretOf('o'),
    clock: () => NOW_MS,
  });
  const jwt = forgeJwt(
    { alg: 'HS256', typ: 'JWT' },
    { sub: 'u', typ: 'access', iat: NOW, exp: NOW + 60, jti: 'j' },
    secretOf('a'),
  );

  t.equal(tokens.verifyAccessToken(wrapOuter(jwt, secretOf('o'))).sub, 'u');
  t.equal(tokens.verifyRefreshToken(tokens.createRefreshToken({ sub: 'v' })).sub, 'v');
});

t.test('refuses a token whose outer payload is not a jwt string', async (t) => {
  const tokens = service({ outerSecret: secretOf('o') });

  for (const value of [{ sub: 'u' }, 42, null, ['a.b.c']]) {
    expectTokenError(
      t,
      () => tokens.verifyAccessToken(wrapOuter(value, secretOf('o'))),
      'ERR_TOKEN_MALFORMED',
    );
  }
});

t.test('refuses tokens that are not strings', async (t) => {
  const tokens = service();

  for (const value of [undefined, null, 42, {}, Buffer.from('x')]) {
    expectTokenError(t, () => tokens.verifyAccessToken(value as string), 'ERR_TOKEN_MALFORMED');
  }
});

t.test('refuses a token longer than maxTokenLength before any work', async (t) => {
  const tokens = service({ maxTokenLength: 200 });

  expectTokenError(t, () => tokens.verifyAccessToken('a'.repeat(201)), 'ERR_TOKEN_TOO_LARGE');
  expectTokenError(
    t,
    () => tokens.verifyAccessToken(tokens.createAccessToken({ sub: 'u' })),
    'ERR_TOKEN_TOO_LARGE',
  );
});

t.test('expires a token once its lifetime plus leeway has passed', async (t) => {
  let now = NOW_MS;
  const tokens = service({ accessTokenTtl: 60, leeway: 2, clock: () => now });
  const token = tokens.createAccessToken({ sub: 'u' });

  now += 61_000;
  t.ok(tokens.verifyAccessToken(token));
  now += 1_000;
  expectTokenError(t, () => tokens.verifyAccessToken(token), 'ERR_TOKEN_EXPIRED');
});

t.test('bounds the outer age by the token lifetime even when the jwt claims more', async (t) => {
  // Attacker holds both keys of an old deployment whose lifetime was longer: the outer age
  // limit still follows this deployment's lifetime.
  const outer = secretOf('o');
  const access = secretOf('a');
  const tokens = service({ outerSecret: outer, accessSecret: access, accessTokenTtl: 60 });
  const jwt = forgeJwt(
    { alg: 'HS256', typ: 'JWT' },
    { sub: 'u', typ: 'access', iat: NOW - 100, exp: NOW + 1000, jti: 'j' },
    access,
  );

  expectTokenError(
    t,
    () => tokens.verifyAccessToken(wrapOuter(jwt, outer, NOW_MS - 100_000)),
    'ERR_TOKEN_EXPIRED',
  );
  expectTokenError(t, () => tokens.verifyAccessToken(wrapOuter(jwt, outer)), 'ERR_TOKEN_CLAIM', {
    reason: 'lifetime too long',
  });
});

t.test('writes and requires iss and aud when configured', async (t) => {
  const tokens = service({ issuer: 'auth', audience: ['api', 'admin'] });
  const other = service({ issuer: 'auth', audience: 'web' });
  const token = tokens.createAccessToken({ sub: 'u' });

  t.match(tokens.verifyAccessToken(token), { iss: 'auth', aud: ['api', 'admin'] });
  expectTokenError(t, () => other.verifyAccessToken(token), 'ERR_TOKEN_CLAIM', { claim: 'aud' });
});

t.test('uses a custom subject claim and type claim', async (t) => {
  const tokens = service({ subjectClaim: 'uid', typeClaim: 'token_use' });
  const claims = tokens.verifyAccessToken(tokens.createAccessToken({ uid: 'u' }));

  t.equal(claims.token_use, 'access');
  t.notOk('typ' in claims);
  t.throws(() => tokens.createAccessToken({ sub: 'u' }), { code: 'ERR_TOKEN_CONFIG' });
  t.throws(() => tokens.createAccessToken({ uid: 'u', token_use: 'x' }), {
    code: 'ERR_TOKEN_CONFIG',
  });
});

t.test('refuses caller claims the service owns', async (t) => {
  const tokens = service();

  for (const name of ['exp', 'iat', 'jti', 'nbf', 'typ', 'iss', 'aud']) {
    expectConfigError(t, () => tokens.createAccessToken({ sub: 'u', [name]: 1 }), name);
    expectConfigError(t, () => tokens.createRefreshToken({ sub: 'u', [name]: 1 }), name);
  }
});

t.test('signs with every asymmetric algorithm and verifies with public keys only', async (t) => {
  const pairs = {
    RS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
    ES256: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    EdDSA: () => generateKeyPairSync('ed25519'),
  } as const;

  for (const [algorithm, make] of Object.entries(pairs)) {
    const access = make();
    const refresh = make();
    const options = { ...base, algorithm: algorithm as 'RS256' };
    const signer = createTokenService({
      ...options,
      accessKeys: { privateKey: access.privateKey },
      refreshKeys: { privateKey: refresh.privateKey },
    });
    const verifier = createTokenService({
      ...options,
      accessKeys: { publicKey: access.publicKey.export({ type: 'spki', format: 'pem' }) },
      refreshKeys: { publicKey: refresh.publicKey },
    });
    const token = signer.createAccessToken({ sub: algorithm });

    t.equal(verifier.verifyAccessToken(token).sub, algorithm, algorithm);
    expectTokenError(t, () => verifier.verifyRefreshToken(token), 'ERR_TOKEN_SIGNATURE');
    expectConfigError(t, () => verifier.createAccessToken({ sub: 'u' }), 'accessKeys');
  }
});

t.test('refuses an hmac-pinned token under an asymmetric service and the reverse', async (t) => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const es = createTokenService({
    ...base,
    algorithm: 'ES256',
    accessKeys: { privateKey },
    refreshKeys: { privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey },
  });
  const hs = service();

  expectTokenError(
    t,
    () => hs.verifyAccessToken(es.createAccessToken({ sub: 'u' })),
    'ERR_TOKEN_ALGORITHM',
  );
  expectTokenError(
    t,
    () => es.verifyAccessToken(hs.createAccessToken({ sub: 'u' })),
    'ERR_TOKEN_ALGORITHM',
  );
});

t.test('pins hs384 and hs512 with secrets of the hash size', async (t) => {
  for (const [algorithm, size] of [
    ['HS384', 48],
    ['HS512', 64],
  ] as const) {
    const tokens = createTokenService({
      accessSecret: secretOf('a', size),
      refreshSecret: secretOf('r', size),
      outerSecret: secretOf('o'),
      algorithm,
    });

    t.equal(tokens.verifyAccessToken(tokens.createAccessToken({ sub: 'u' })).sub, 'u');
    expectConfigError(
      t,
      () => createTokenService({ ...base, algorithm, accessSecret: secretOf('a', size - 1) }),
      'accessSecret',
    );
  }
});

t.test('fails closed when the clock returns something other than a time', async (t) => {
  let now = NOW_MS;
  const tokens = service({ clock: () => now });
  const token = tokens.createAccessToken({ sub: 'u' });

  for (const value of [NaN, Infinity, -1]) {
    now = value;
    expectConfigError(t, () => tokens.verifyAccessToken(token), 'clock');
    expectConfigError(t, () => tokens.createAccessToken({ sub: 'u' }), 'clock');
  }
});

t.test('names the option of every bad configuration', async (t) => {
  const cases: Array<[Partial<TokenServiceOptions> & Record<string, unknown>, string]> = [
    [{ secret: 'short' }, 'secret'],
    [{ secret: '' }, 'secret'],
    [{ secret: [] as string[] }, 'secret'],
    [{ secret: 42 as unknown as string }, 'secret'],
    [
      { secret: undefined, accessSecret: secretOf('a'), outerSecret: secretOf('o') },
      'refreshSecret',
    ],
    [{ secret: undefined }, 'outerSecret'],
    [{ accessSecret: 'x'.repeat(31) }, 'accessSecret'],
    [{ refreshSecret: [secretOf('r'), 'short'] }, 'refreshSecret[1]'],
    [{ outerSecret: new Uint8Array(16) }, 'outerSecret'],
    [{ algorithm: 'none' as 'HS256' }, 'algorithm'],
    [{ algorithm: 'RS256' }, 'accessKeys'],
    [{ accessKeys: { publicKey: 'x' } }, 'accessKeys'],
    [{ accessTokenTtl: 0 }, 'accessTokenTtl'],
    [{ refreshTokenTtl: 1.5 }, 'refreshTokenTtl'],
    [{ leeway: 301 }, 'leeway'],
    [{ leeway: -1 }, 'leeway'],
    [{ leeway: Infinity }, 'leeway'],
    [{ issuer: '' }, 'issuer'],
    [{ audience: [] as string[] }, 'audience'],
    [{ subjectClaim: 'exp' }, 'subjectClaim'],
    [{ typeClaim: '' }, 'typeClaim'],
    [{ typeClaim: 'sub' }, 'typeClaim'],
    [{ requireJti: 'no' as unknown as boolean }, 'requireJti'],
    [{ maxTokenLength: 0 }, 'maxTokenLength'],
    [{ clock: 5 as unknown as () => number }, 'clock'],
    [{ outer: { digest: 'md5' as 'sha1' } }, 'outer.digest'],
    [{ outer: { salt: 42 as unknown as string } }, 'outer.salt'],
    [{ outer: { keyDerivation: 'pbkdf2' as 'hmac' } }, 'outer.keyDerivation'],
    [{ outer: { compress: 'yes' as unknown as boolean } }, 'outer.compress'],
    [{ outer: { secretKeys: 'x' } as object }, 'outer.secretKeys'],
    [{ outer: 'sha1' as unknown as object }, 'outer'],
    [{ typeClaim: false, accessSecret: secretOf('s'), refreshSecret: secretOf('s') }, 'typeClaim'],
  ];

  for (const [options, option] of cases) {
    expectConfigError(t, () => createTokenService({ ...base, ...options }), option);
  }
});

t.test('refuses rsa keys under rs256 that are too small or of another type', async (t) => {
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  for (const accessKeys of [{ privateKey: small.privateKey }, { publicKey: ec.publicKey }]) {
    expectConfigError(
      t,
      () =>
        createTokenService({ ...base, algorithm: 'RS256', accessKeys, refreshKeys: accessKeys }),
      'accessKeys',
    );
  }

  const secret = createHmac('sha256', 'k').digest();

  expectConfigError(
    t,
    () => createTokenService({ ...base, algorithm: 'RS256', accessKeys: { privateKey: secret } }),
    'accessKeys.privateKey',
  );
});

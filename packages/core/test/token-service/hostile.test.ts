import t from 'tap';
import { createTokenService } from '../../src/index.js';
import { expectTokenError } from '../helpers/errors.js';
import { forgeJwt, type Segment } from '../helpers/jwt.js';
import { NOW, NOW_MS, secretOf, wrapOuter } from '../helpers/service.js';

// These cases assume the worst: the attacker holds the outer key (so the outer layer opens),
// and in the claims cases the access-JWT key too. The inner checks must still hold.
const keys = {
  accessSecret: secretOf('a'),
  refreshSecret: secretOf('r'),
  outerSecret: secretOf('o'),
};
const tokens = createTokenService({ ...keys, clock: () => NOW_MS });
const HEADER = { alg: 'HS256', typ: 'JWT' };

function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { sub: 'u', typ: 'access', iat: NOW, exp: NOW + 900, jti: 'j', ...extra };
}

function token(
  header: Segment,
  payload: Segment,
  key: string = keys.accessSecret,
  hash = 'sha256',
) {
  return wrapOuter(forgeJwt(header, payload, key, hash), keys.outerSecret);
}

function verify(value: string) {
  return () => tokens.verifyAccessToken(value);
}

t.test('accepts a well-formed forged token, so the refusals below are meaningful', async (t) => {
  t.equal(tokens.verifyAccessToken(token(HEADER, claims())).sub, 'u');
});

t.test('rejects alg none in any letter case inside a valid outer layer', async (t) => {
  for (const alg of ['none', 'None', 'NONE']) {
    const jwt = forgeJwt({ alg }, claims(), keys.accessSecret).replace(/[^.]+$/, '');

    expectTokenError(t, verify(wrapOuter(jwt, keys.outerSecret)), 'ERR_TOKEN_ALGORITHM');
  }
});

t.test('rejects another hmac size and a jwt signed with the outer key', async (t) => {
  expectTokenError(
    t,
    verify(token({ alg: 'HS512' }, claims(), keys.accessSecret, 'sha512')),
    'ERR_TOKEN_ALGORITHM',
  );
  expectTokenError(t, verify(token(HEADER, claims(), keys.outerSecret)), 'ERR_TOKEN_SIGNATURE');
  expectTokenError(t, verify(token(HEADER, claims(), '')), 'ERR_TOKEN_SIGNATURE');
});

t.test('rejects crit and key-locating headers', async (t) => {
  expectTokenError(t, verify(token({ ...HEADER, crit: ['exp'] }, claims())), 'ERR_TOKEN_ALGORITHM');
  expectTokenError(
    t,
    verify(token({ ...HEADER, jku: 'https://x.example' }, claims())),
    'ERR_TOKEN_ALGORITHM',
  );
});

t.test('rejects a jwt of two or four segments inside a valid outer layer', async (t) => {
  const jwt = forgeJwt(HEADER, claims(), keys.accessSecret);

  expectTokenError(
    t,
    verify(wrapOuter(jwt.slice(0, jwt.lastIndexOf('.')), keys.outerSecret)),
    'ERR_TOKEN_MALFORMED',
  );
  expectTokenError(t, verify(wrapOuter(`${jwt}.x`, keys.outerSecret)), 'ERR_TOKEN_MALFORMED');
});

t.test('rejects missing exp, jti and type claims', async (t) => {
  for (const name of ['exp', 'jti', 'typ', 'iat', 'sub']) {
    const payload = claims();

    delete payload[name];
    expectTokenError(t, verify(token(HEADER, payload)), 'ERR_TOKEN_CLAIM', { claim: name });
  }
});

t.test('rejects the wrong type claim with its own code', async (t) => {
  expectTokenError(t, verify(token(HEADER, claims({ typ: 'refresh' }))), 'ERR_TOKEN_TYPE');
});

t.test('rejects fractional, negative, huge and string time claims', async (t) => {
  for (const exp of [NOW + 0.5, -1, 1e21, `${NOW + 900}`]) {
    expectTokenError(t, verify(token(HEADER, claims({ exp }))), 'ERR_TOKEN_CLAIM', {
      claim: 'exp',
    });
  }
});

t.test('rejects a lifetime longer than configured and future nbf or iat', async (t) => {
  expectTokenError(t, verify(token(HEADER, claims({ exp: NOW + 86400 }))), 'ERR_TOKEN_CLAIM', {
    reason: 'lifetime too long',
  });
  expectTokenError(t, verify(token(HEADER, claims({ nbf: NOW + 60 }))), 'ERR_TOKEN_NOT_YET_VALID');
  expectTokenError(
    t,
    verify(token(HEADER, claims({ iat: NOW + 60, exp: NOW + 960 }))),
    'ERR_TOKEN_NOT_YET_VALID',
  );
});

t.test('rejects duplicate members that would smuggle a second exp or alg', async (t) => {
  const times = `"iat":${NOW},"exp":${NOW - 10},"exp":${NOW + 900}`;
  const payload = `{"sub":"u","typ":"access",${times},"jti":"j"}`;

  expectTokenError(t, verify(token(HEADER, payload)), 'ERR_TOKEN_MALFORMED');
  expectTokenError(
    t,
    verify(token('{"alg":"none","alg":"HS256"}', claims())),
    'ERR_TOKEN_MALFORMED',
  );
});

t.test('rejects prototype members in the payload', async (t) => {
  for (const name of ['__proto__', 'constructor']) {
    const payload = JSON.stringify(claims()).replace('{', `{"${name}":{"typ":"access"},`);

    expectTokenError(t, verify(token(HEADER, payload)), 'ERR_TOKEN_MALFORMED');
  }
});

t.test('rejects invalid utf-8 in the jwt payload', async (t) => {
  const { createHmac } = await import('node:crypto');
  const header = Buffer.from(JSON.stringify(HEADER)).toString('base64url');
  const payload = Buffer.concat([
    Buffer.from('{"sub":"'),
    Buffer.from([0xc3, 0x28]),
    Buffer.from('"}'),
  ]);
  const input = `${header}.${payload.toString('base64url')}`;
  const signature = createHmac('sha256', keys.accessSecret).update(input).digest('base64url');
  const jwt = `${input}.${signature}`;

  expectTokenError(t, verify(wrapOuter(jwt, keys.outerSecret)), 'ERR_TOKEN_MALFORMED', {
    reason: 'utf-8',
  });
});

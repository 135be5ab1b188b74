import t from 'tap';
import { checkClaims, createClaimWriter, newJti, type ClaimPolicy } from '../src/claims.js';
import { expectConfigError, expectTokenError } from './helpers/errors.js';

const NOW = 1_800_000_000;
const policy: ClaimPolicy = {
  typeClaim: 'typ',
  subjectClaim: 'sub',
  issuer: undefined,
  audience: undefined,
  leeway: 5,
  requireIat: true,
  requireJti: true,
};
const access = { type: 'access', ttl: 900 } as const;
const write = createClaimWriter(access, policy);

function build(input: unknown, over: Partial<ClaimPolicy> = {}): Record<string, unknown> {
  const writer =
    Object.keys(over).length === 0 ? write : createClaimWriter(access, { ...policy, ...over });

  return JSON.parse(writer(input, NOW)) as Record<string, unknown>;
}

function valid(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { sub: 'user-1', typ: 'access', iat: NOW, exp: NOW + 900, jti: 'abc', ...extra };
}

function check(payload: Record<string, unknown>, over: Partial<ClaimPolicy> = {}, now = NOW) {
  return checkClaims(payload, access, { ...policy, ...over }, now, NOW);
}

t.test('mints 22-character base64url jti values that do not repeat', async (t) => {
  const seen = new Set<string>();

  for (let i = 0; i < 2000; i++) seen.add(newJti());

  t.equal(seen.size, 2000);
  for (const jti of [...seen].slice(0, 50)) t.match(jti, /^[A-Za-z0-9_-]{22}$/);
});

t.test('builds claims with type, iat, exp and jti after the caller claims', async (t) => {
  const claims = build({ sub: 'u', scope: ['a'] });

  t.same(Object.keys(claims), ['sub', 'scope', 'typ', 'iat', 'exp', 'jti']);
  t.equal(claims.exp, NOW + 900);
  t.equal(claims.iat, NOW);
  t.equal(claims.typ, 'access');
});

t.test('adds iss and aud when configured and no type claim when disabled', async (t) => {
  const claims = build({ sub: 'u' }, { issuer: 'me', audience: ['a', 'b'], typeClaim: false });

  t.equal(claims.iss, 'me');
  t.same(claims.aud, ['a', 'b']);
  t.notOk('typ' in claims);
});

t.test('refuses caller claims the service owns', async (t) => {
  for (const name of ['exp', 'iat', 'jti', 'nbf', 'iss', 'aud', 'typ']) {
    expectConfigError(t, () => build({ sub: 'u', [name]: 1 }), name);
  }

  const proto = JSON.parse('{"sub":"u","__proto__":{"admin":true}}') as object;

  expectConfigError(t, () => build(proto), '__proto__');
});

t.test(
  'refuses nested members its own verifier would refuse, and keeps such strings',
  async (t) => {
    const nested = JSON.parse('{"sub":"u","a":[{"__proto__":false}]}') as object;

    expectConfigError(t, () => build(nested), '__proto__');
    expectConfigError(t, () => build({ sub: 'u', b: { constructor: 1 } }), 'constructor');
    t.same(build({ sub: 'u', s: '"__proto__":', k: ['"constructor":1'] }).s, '"__proto__":');
  },
);

t.test(
  'writes valid json for an object holding only the subject and for odd strings',
  async (t) => {
    t.same(Object.keys(build({ sub: 'u' })), ['sub', 'typ', 'iat', 'exp', 'jti']);
    t.equal(build({ sub: '"},"exp":1,"x":"' }).exp, NOW + 900);
    t.equal(build({ sub: 'u', nested: { exp: 1 } }).exp, NOW + 900);
  },
);

t.test('refuses claims that are not plain objects or carry their own tojson', async (t) => {
  class Claims {
    sub = 'u';
  }

  expectConfigError(t, () => build({ sub: 'u', toJSON: () => ({ sub: 'u', exp: 1 }) }), 'claims');
  expectConfigError(t, () => build(new Claims()), 'claims');
  expectConfigError(t, () => build(new Map([['sub', 'u']])), 'claims');
  t.equal(build(Object.assign(Object.create(null), { sub: 'u' })).sub, 'u');
});

t.test('refuses claims without a string subject or that are not an object', async (t) => {
  for (const sub of [undefined, '', 42, ['u']]) {
    expectConfigError(t, () => build({ sub }), 'sub');
  }

  for (const input of [null, 'sub', [], 1]) {
    expectConfigError(t, () => build(input), 'claims');
  }
});

t.test('accepts valid claims and returns the same object', async (t) => {
  const payload = valid();

  t.equal(check(payload), payload);
});

t.test('rejects missing exp, iat, jti, type and subject', async (t) => {
  for (const name of ['exp', 'iat', 'jti', 'typ', 'sub']) {
    const payload = valid();

    delete payload[name];
    expectTokenError(t, () => check(payload), 'ERR_TOKEN_CLAIM', {
      claim: name,
      reason: 'missing',
    });
  }
});

t.test(
  'lets a relaxed policy go without iat and jti, bounding life by the outer time',
  async (t) => {
    const relaxed = { requireIat: false, requireJti: false };
    const payload = { sub: 'u', typ: 'access', exp: NOW + 900 };

    t.equal(check(payload, relaxed), payload);
    expectTokenError(t, () => check({ ...payload, exp: NOW + 906 }, relaxed), 'ERR_TOKEN_CLAIM', {
      reason: 'lifetime too long',
    });
    expectTokenError(t, () => check({ ...payload, jti: 7 }, relaxed), 'ERR_TOKEN_CLAIM', {
      claim: 'jti',
    });
  },
);

t.test('rejects a wrong token type with its own code', async (t) => {
  for (const typ of ['refresh', 'ACCESS', 1, null]) {
    expectTokenError(t, () => check(valid({ typ })), 'ERR_TOKEN_TYPE', { claim: 'typ' });
  }
});

t.test('rejects fractional, negative, huge and string time claims', async (t) => {
  for (const name of ['exp', 'iat', 'nbf']) {
    for (const value of [NOW + 0.5, -1, 2 ** 53, 1e300, `${NOW}`, null, true, [NOW]]) {
      expectTokenError(t, () => check(valid({ [name]: value })), 'ERR_TOKEN_CLAIM', {
        claim: name,
        reason: 'not a safe integer',
      });
    }
  }
});

t.test('rejects a lifetime longer than configured plus leeway', async (t) => {
  t.ok(check(valid({ exp: NOW + 905 })));
  expectTokenError(t, () => check(valid({ exp: NOW + 906 })), 'ERR_TOKEN_CLAIM', {
    claim: 'exp',
    reason: 'lifetime too long',
  });
  expectTokenError(t, () => check(valid({ exp: NOW })), 'ERR_TOKEN_CLAIM', { claim: 'exp' });
});

t.test('rejects an expired token at exp plus leeway and not a second earlier', async (t) => {
  const exp = NOW + 900;

  t.ok(check(valid(), {}, exp + 4));
  expectTokenError(t, () => check(valid(), {}, exp + 5), 'ERR_TOKEN_EXPIRED', { claim: 'exp' });
  expectTokenError(t, () => check(valid(), { leeway: 0 }, exp), 'ERR_TOKEN_EXPIRED');
});

t.test('rejects nbf and iat in the future beyond leeway', async (t) => {
  t.ok(check(valid({ nbf: NOW + 5 })));
  expectTokenError(t, () => check(valid({ nbf: NOW + 6 })), 'ERR_TOKEN_NOT_YET_VALID', {
    claim: 'nbf',
  });

  const future = valid({ iat: NOW + 6, exp: NOW + 906 });

  expectTokenError(t, () => check(future), 'ERR_TOKEN_NOT_YET_VALID', { claim: 'iat' });
});

t.test('checks iss and aud only when configured', async (t) => {
  const strict = { issuer: 'auth', audience: ['api', 'admin'] };

  t.ok(check(valid({ iss: 'other', aud: 'x' })));
  t.ok(check(valid({ iss: 'auth', aud: 'admin' }), strict));
  t.ok(check(valid({ iss: 'auth', aud: ['x', 'api'] }), strict));

  for (const [claims, claim] of [
    [{ iss: 'evil', aud: 'api' }, 'iss'],
    [{ aud: 'api' }, 'iss'],
    [{ iss: 'auth', aud: 'web' }, 'aud'],
    [{ iss: 'auth', aud: [] }, 'aud'],
    [{ iss: 'auth', aud: [1] }, 'aud'],
    [{ iss: 'auth' }, 'aud'],
  ] as const) {
    expectTokenError(t, () => check(valid(claims), strict), 'ERR_TOKEN_CLAIM', { claim });
  }
});

t.test('rejects a subject that is not a non-empty string', async (t) => {
  for (const sub of ['', 42, {}, null]) {
    expectTokenError(t, () => check(valid({ sub })), 'ERR_TOKEN_CLAIM', { claim: 'sub' });
  }
});

t.test('rejects jti values that are empty, not strings or too long', async (t) => {
  for (const jti of ['', 5, 'x'.repeat(257)]) {
    expectTokenError(t, () => check(valid({ jti })), 'ERR_TOKEN_CLAIM', { claim: 'jti' });
  }
});

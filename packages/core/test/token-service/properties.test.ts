import fc from 'fast-check';
import t from 'tap';
import {
  ConfigError,
  createOuterSigner,
  createTokenService,
  isTokenError,
  TOKEN_ERROR_CODES,
} from '../../src/index.js';
import { NOW_MS, secretOf } from '../helpers/service.js';

// With a cache, so the mutations below also show that no other spelling of a cached token hits.
const tokens = createTokenService({
  secret: secretOf('p'),
  clock: () => NOW_MS,
  maxTokenLength: 65536,
  accessTokenCache: 64,
});
const RESERVED = new Set(['exp', 'iat', 'jti', 'nbf', 'iss', 'aud', 'typ', 'sub']);
const FORBIDDEN = new Set(['__proto__', 'constructor']);

const claimName = fc.string({ maxLength: 12 }).filter((name) => {
  return !RESERVED.has(name) && !FORBIDDEN.has(name);
});
// Nested forbidden names are refused at mint time (claims.test.ts), so none is generated here.
const claimValue = fc.jsonValue({ maxDepth: 2 }).filter((value) => {
  const json = JSON.stringify(value);

  return !json.includes('"__proto__":') && !json.includes('"constructor":');
});
const extraClaims = fc.dictionary(claimName, claimValue, { maxKeys: 6 });
const subject = fc.string({ minLength: 1, maxLength: 40 });

t.test('round-trips random claim objects through create and verify', async (t) => {
  fc.assert(
    fc.property(extraClaims, subject, fc.boolean(), (extra, sub, refresh) => {
      const input = { ...extra, sub };
      const token = refresh ? tokens.createRefreshToken(input) : tokens.createAccessToken(input);
      const claims = refresh ? tokens.verifyRefreshToken(token) : tokens.verifyAccessToken(token);
      const expected = JSON.parse(JSON.stringify(input)) as Record<string, unknown>;

      for (const [name, value] of Object.entries(expected)) {
        t.same(claims[name], value);
      }

      return claims.typ === (refresh ? 'refresh' : 'access');
    }),
    { numRuns: 200 },
  );
});

t.test('never mints a token its own verifier refuses', async (t) => {
  const anyClaims = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), {
    maxKeys: 6,
  });
  let refused = 0;

  fc.assert(
    fc.property(anyClaims, subject, (extra, sub) => {
      let token: string;

      try {
        token = tokens.createAccessToken({ ...extra, sub });
      } catch (error) {
        refused += 1;

        return error instanceof ConfigError;
      }

      return tokens.verifyAccessToken(token).sub === sub;
    }),
    { numRuns: 500 },
  );
  t.ok(refused < 500, `${500 - refused} of 500 random claim sets minted and verified`);
});

const ALPHABET = [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
  '.',
  '=',
  '+',
  '/',
  ' ',
  '\u00e9',
  '\u0000',
];

type Mutation = (token: string) => string;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.constantFrom(...ALPHABET)).map(([at, char]): Mutation => {
    return (token) => {
      const i = at % token.length;

      return token.slice(0, i) + char + token.slice(i + 1);
    };
  }),
  fc.tuple(fc.nat(), fc.constantFrom(...ALPHABET)).map(([at, char]): Mutation => {
    return (token) => {
      const i = at % (token.length + 1);

      return token.slice(0, i) + char + token.slice(i);
    };
  }),
  fc.nat().map((at): Mutation => (token) => {
    const i = at % token.length;

    return token.slice(0, i) + token.slice(i + 1);
  }),
  fc.nat().map(
    (at): Mutation =>
      (token) =>
        token.slice(0, at % token.length),
  ),
  fc.nat({ max: 2 }).map((segment): Mutation => (token) => {
    const parts = token.split('.');

    parts.splice(segment, 0, parts[segment]!);

    return parts.join('.');
  }),
  fc.constant<Mutation>((token) => token.toUpperCase()),
  fc.constant<Mutation>((token) => token.split('.').reverse().join('.')),
);

t.test('never verifies a mutated token and only throws documented token errors', async (t) => {
  const samples = [
    tokens.createAccessToken({ sub: 'user-1', scope: ['read'] }),
    tokens.createRefreshToken({ sub: 'user-1' }),
  ];

  t.equal(tokens.verifyAccessToken(samples[0]!).sub, 'user-1', 'the unmutated token verifies');

  fc.assert(
    fc.property(
      fc.constantFrom(...samples),
      fc.array(mutation, { minLength: 1, maxLength: 3 }),
      (token, mutations) => {
        const mutated = mutations.reduce((value, mutate) => mutate(value), token);

        fc.pre(mutated !== token);

        return refusedByEvery(
          [tokens.verifyAccessToken, tokens.verifyRefreshToken],
          mutated,
          TOKEN_ERROR_CODES,
        );
      },
    ),
    { numRuns: 1000 },
  );
  t.pass('1000 mutations refused');
});

// The attacker holds the outer key, so every mutated JWT below reaches the inner layer.
const OUTER_SECRET = secretOf('o');
const innerTokens = createTokenService({
  secret: secretOf('p'),
  outerSecret: OUTER_SECRET,
  clock: () => NOW_MS,
});
const outerLayer = createOuterSigner({ secretKeys: OUTER_SECRET, clock: () => NOW_MS });
// The signature is checked before the payload is read: a forged JWT may fail its encoding,
// header or signature, but reaching any claim check would mean a forgery got through.
const PRE_SIGNATURE_CODES: readonly string[] = [
  'ERR_TOKEN_MALFORMED',
  'ERR_TOKEN_ALGORITHM',
  'ERR_TOKEN_SIGNATURE',
  'ERR_TOKEN_TOO_LARGE',
];

type Segments = [header: string, payload: string, signature: string];

function segmentsOf(jwt: string): Segments {
  return jwt.split('.') as Segments;
}

function editSegmentBytes(jwt: string, index: number, edit: (bytes: Buffer) => Buffer): string {
  const parts = segmentsOf(jwt);
  const segment = (index % 3) as 0 | 1 | 2;

  parts[segment] = edit(Buffer.from(parts[segment] ?? '', 'base64url')).toString('base64url');

  return parts.join('.');
}

// Rewrites the header or payload JSON and keeps the old signature, as a forger without the
// JWT key must.
function editSegmentJson(jwt: string, segment: 0 | 1, members: Record<string, unknown>): string {
  const parts = segmentsOf(jwt);
  const json = parseLoosely(Buffer.from(parts[segment] ?? '', 'base64url').toString('utf8'));

  parts[segment] = Buffer.from(JSON.stringify({ ...json, ...members })).toString('base64url');

  return parts.join('.');
}

// An earlier mutation may already have broken the segment; then the members stand alone.
function parseLoosely(text: string): object {
  try {
    const value: unknown = JSON.parse(text);

    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

const jsonEdit = fc.oneof(
  fc.record({
    segment: fc.constant(0 as const),
    members: fc.oneof(
      fc.record({ alg: fc.constantFrom('none', 'None', 'HS384', 'HS512', 'RS256', 'hs256') }),
      fc.record({ typ: fc.constantFrom('jwt', 'JWS', 'at+jwt') }),
      fc.record({ kid: fc.string({ maxLength: 8 }) }),
      fc.record({ crit: fc.constant(['exp']) }),
      fc.record({ jku: fc.constant('https://attacker.example/jwks') }),
    ),
  }),
  fc.record({
    segment: fc.constant(1 as const),
    members: fc.oneof(
      fc.record({ sub: fc.string({ maxLength: 12 }) }),
      fc.record({ typ: fc.constantFrom('access', 'refresh') }),
      fc.record({ exp: fc.integer({ min: 0, max: 2 ** 40 }) }),
      fc.record({ admin: fc.boolean() }),
    ),
  }),
);

// Each mutation may also splice in parts of `other`, a valid JWT of the other type.
type InnerMutation = (jwt: string, other: string) => string;

const innerMutation: fc.Arbitrary<InnerMutation> = fc.oneof(
  mutation.map(
    (mutate): InnerMutation =>
      (jwt) =>
        mutate(jwt),
  ),
  fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 })).map(
    ([segment, at, mask]): InnerMutation =>
      (jwt) =>
        editSegmentBytes(jwt, segment, (bytes) => {
          const copy = Buffer.from(bytes);

          if (copy.length > 0) copy[at % copy.length]! ^= mask;

          return copy;
        }),
  ),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 })).map(
    ([segment, extra]): InnerMutation =>
      (jwt) =>
        editSegmentBytes(jwt, segment, (bytes) => Buffer.concat([bytes, extra])),
  ),
  jsonEdit.map(
    ({ segment, members }): InnerMutation =>
      (jwt) =>
        editSegmentJson(jwt, segment, members),
  ),
  fc.constant<InnerMutation>((jwt) => {
    const [header, payload, signature] = segmentsOf(jwt);

    return [payload, header, signature].join('.');
  }),
  fc
    .tuple(fc.nat({ max: 2 }), fc.nat({ max: 2 }))
    .map(([from, to]): InnerMutation => (jwt, other) => {
      const parts = segmentsOf(jwt);

      parts[to] = segmentsOf(other)[from]!;

      return parts.join('.');
    }),
);

t.test(
  'never verifies a mutated inner jwt re-wrapped with the outer key, failing before the claims',
  async (t) => {
    const jwts = [
      innerTokens.createAccessToken({ sub: 'user-1', scope: ['read'] }),
      innerTokens.createRefreshToken({ sub: 'user-1' }),
    ].map((token) => outerLayer.verify(token) as string);

    t.equal(
      innerTokens.verifyAccessToken(outerLayer.sign(jwts[0])).sub,
      'user-1',
      'an unmutated jwt re-wrapped with the outer key verifies',
    );

    fc.assert(
      fc.property(
        fc.nat({ max: 1 }),
        fc.array(innerMutation, { minLength: 1, maxLength: 3 }),
        (index, mutations) => {
          const [jwt, other] = [jwts[index]!, jwts[1 - index]!];
          const mutated = mutations.reduce((value, mutate) => mutate(value, other), jwt);

          fc.pre(mutated !== jwt && mutated !== other);

          const token = outerLayer.sign(mutated);

          return refusedByEvery(
            [innerTokens.verifyAccessToken, innerTokens.verifyRefreshToken],
            token,
            PRE_SIGNATURE_CODES,
          );
        },
      ),
      { numRuns: 1000 },
    );
    t.pass('1000 inner mutations refused');
  },
);

/** True when every verifier throws for `token`, and only ever a TokenError with one of `codes`. */
function refusedByEvery(
  verifiers: ((token: string) => unknown)[],
  token: string,
  codes: readonly string[],
): boolean {
  for (const verify of verifiers) {
    try {
      verify(token);

      return false;
    } catch (err) {
      if (!isTokenError(err) || !codes.includes(err.code)) return false;
    }
  }

  return true;
}

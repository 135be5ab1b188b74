import fc from 'fast-check';
import t from 'tap';
import {
  ConfigError,
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

        for (const verify of [tokens.verifyAccessToken, tokens.verifyRefreshToken]) {
          try {
            verify(mutated);

            return false;
          } catch (err) {
            if (!isTokenError(err) || !TOKEN_ERROR_CODES.includes(err.code)) return false;
          }
        }

        return true;
      },
    ),
    { numRuns: 1000 },
  );
  t.pass('1000 mutations refused');
});

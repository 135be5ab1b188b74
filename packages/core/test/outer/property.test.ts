import fc from 'fast-check';
import t from 'tap';
import { isTokenError, TOKEN_ERROR_CODES } from '../../src/errors.js';
import { createOuterSigner, type OuterSignerOptions } from '../../src/outer/index.js';

type Digest = NonNullable<OuterSignerOptions['digest']>;
type Derivation = NonNullable<OuterSignerOptions['keyDerivation']>;

const DIGESTS: Digest[] = ['sha1', 'sha256', 'sha512'];
const DERIVATIONS: Derivation[] = ['django-concat', 'concat', 'hmac', 'none'];
const SECRET = 'a property-test outer secret, long enough not to warn';
const NOW = 1_765_100_000;
// What a mutated token may fail with: never expiry or claim codes, which would mean it verified.
const MUTATION_CODES = ['ERR_TOKEN_MALFORMED', 'ERR_TOKEN_SIGNATURE', 'ERR_TOKEN_TOO_LARGE'];

function signer(digest: Digest, keyDerivation: Derivation, compress = false) {
  return createOuterSigner({
    secretKeys: SECRET,
    digest,
    keyDerivation,
    compress,
    clock: () => NOW * 1000,
  });
}

function hasForbiddenMember(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;

  if (Array.isArray(value)) return value.some(hasForbiddenMember);

  return Object.entries(value).some(
    ([key, item]) => key === '__proto__' || key === 'constructor' || hasForbiddenMember(item),
  );
}

// fast-check deliberately produces "__proto__" keys; the strict parser refuses those on purpose.
// Kept under the default 8192-character token cap.
const jsonValue = fc
  .jsonValue({ maxDepth: 3 })
  .filter((value) => !hasForbiddenMember(value) && Buffer.byteLength(JSON.stringify(value)) < 3000);

// Characters a mutation may introduce: the alphabet, separators, padding, lookalikes, non-ASCII.
const mutationChar = fc.oneof(
  fc.constantFrom(...'ABCXYZabcxyz0189-_.=+/ \n%'.split('')),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);

type Mutation = (token: string) => string;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), mutationChar).map(([at, char]): Mutation => (token) => {
    const i = at % token.length;

    return token.slice(0, i) + char + token.slice(i + 1);
  }),
  fc.tuple(fc.nat(), mutationChar).map(([at, char]): Mutation => (token) => {
    const i = at % (token.length + 1);

    return token.slice(0, i) + char + token.slice(i);
  }),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 30 })).map(([at, count]): Mutation => (token) => {
    const i = at % token.length;

    return token.slice(0, i) + token.slice(i + count);
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]): Mutation => (token) => {
    const [i, j] = [a % token.length, b % token.length].sort((x, y) => x - y) as [number, number];

    return token.slice(0, i) + token[j] + token.slice(i + 1, j) + token[i] + token.slice(j + 1);
  }),
  fc.nat().map((at): Mutation => (token) => {
    const i = at % token.length;
    const char = token[i]!;
    const flipped = char === char.toUpperCase() ? char.toLowerCase() : char.toUpperCase();

    return token.slice(0, i) + flipped + token.slice(i + 1);
  }),
  fc.nat().map((at): Mutation => (token) => {
    const parts = token.split('.');
    const i = at % parts.length;

    return [...parts.slice(0, i + 1), parts[i], ...parts.slice(i + 1)].join('.');
  }),
);

t.test('random json values round-trip for every digest and derivation', async (t) => {
  for (const digest of DIGESTS) {
    for (const keyDerivation of DERIVATIONS) {
      fc.assert(
        fc.property(jsonValue, fc.boolean(), (value, compress) => {
          const token = signer(digest, keyDerivation, compress).sign(value);
          const verified = signer(digest, keyDerivation).verifyWithTimestamp(token);

          t.same(verified, { value: JSON.parse(JSON.stringify(value)), timestamp: NOW });
        }),
        { numRuns: 40 },
      );
    }
  }
});

t.test('random mutations of a valid token never verify', async (t) => {
  const settings = fc.tuple(fc.constantFrom(...DIGESTS), fc.constantFrom(...DERIVATIONS));

  fc.assert(
    fc.property(jsonValue, settings, fc.boolean(), mutation, (value, [digest, kd], z, mutate) => {
      const token = signer(digest, kd, z).sign(value);
      const mutated = mutate(token);

      fc.pre(mutated !== token);

      try {
        signer(digest, kd).verify(mutated);
      } catch (err) {
        return isTokenError(err) && MUTATION_CODES.includes(err.code);
      }

      return false;
    }),
    { numRuns: 3000 },
  );
  t.pass('no mutation verified and every failure was a TokenError with a mutation code');
});

t.test('random strings never verify and only throw documented codes', async (t) => {
  const tokenish = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc
      .array(fc.base64String({ maxLength: 60 }), { minLength: 1, maxLength: 5 })
      .map((parts) =>
        parts
          .map((part) => part.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'))
          .join('.'),
      ),
  );

  fc.assert(
    fc.property(tokenish, (text) => {
      try {
        signer('sha1', 'django-concat').verify(text);
      } catch (err) {
        return isTokenError(err) && TOKEN_ERROR_CODES.includes(err.code);
      }

      return false;
    }),
    { numRuns: 2000 },
  );
  t.pass('no random string verified');
});

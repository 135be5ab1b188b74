import fc from 'fast-check';
import t from 'tap';
import { createTokenService, isTokenError, type TokenServiceOptions } from '../../src/index.js';
import { createVerifiedCache } from '../../src/verified-cache.js';
import { expectConfigError, expectTokenError } from '../helpers/errors.js';
import { forgeJwt } from '../helpers/jwt.js';
import { NOW, NOW_MS, secretOf, wrapOuter } from '../helpers/service.js';

const keys = {
  accessSecret: secretOf('a'),
  refreshSecret: secretOf('r'),
  outerSecret: secretOf('o'),
};

/** A service on a clock the test moves, counting how often the service reads it. */
function clocked(options: Partial<TokenServiceOptions> = {}) {
  const clock = { ms: NOW_MS, reads: 0 };
  const service = createTokenService({
    ...keys,
    accessTokenTtl: 60,
    leeway: 5,
    ...options,
    clock: () => {
      clock.reads += 1;

      return clock.ms;
    },
  });

  return { clock, service };
}

/** The code a verification throws, or 'ok'. */
function verdict(verify: () => unknown): string {
  try {
    verify();

    return 'ok';
  } catch (error) {
    return isTokenError(error) ? error.code : `unexpected ${String(error)}`;
  }
}

t.test(
  'a cache hit skips the checks that read the clock twice, and copies the claims',
  async (t) => {
    const { clock, service } = clocked({ accessTokenCache: 8 });
    const token = service.createAccessToken({ sub: 'u', roles: ['admin'] });

    clock.reads = 0;
    const first = service.verifyAccessToken(token);
    const missReads = clock.reads;

    clock.reads = 0;
    const second = service.verifyAccessToken(token);

    t.equal(missReads, 2, 'a full verification reads the clock for the outer layer and the claims');
    t.equal(clock.reads, 1, 'a hit reads it once, for the time checks');
    t.same(second, first);
    t.not(second, first, 'each call gets its own object');

    (second.roles as string[]).push('root');
    second.sub = 'someone else';
    t.same(service.verifyAccessToken(token), first, 'what a caller changes never reaches the next');
  },
);

t.test('without the option, or with 0, every call verifies in full', async (t) => {
  for (const options of [{}, { accessTokenCache: 0 }]) {
    const { clock, service } = clocked(options);
    const token = service.createAccessToken({ sub: 'u' });

    service.verifyAccessToken(token);
    clock.reads = 0;
    service.verifyAccessToken(token);
    t.equal(clock.reads, 2);
  }
});

t.test('refresh tokens are never cached', async (t) => {
  const { clock, service } = clocked({ accessTokenCache: 8 });
  const token = service.createRefreshToken({ sub: 'u' });

  service.verifyRefreshToken(token);
  clock.reads = 0;
  service.verifyRefreshToken(token);
  t.equal(clock.reads, 2);
});

t.test('a cached token gives the same verdict as an uncached one at every second', async (t) => {
  // Forged so that nbf, iat and the outer timestamp each set a different bound; the attacker
  // holding every key is not the point here, the time arithmetic is.
  const payloads = [
    { sub: 'u', typ: 'access', iat: NOW, exp: NOW + 60, jti: 'j1' },
    { sub: 'u', typ: 'access', iat: NOW + 3, nbf: NOW + 8, exp: NOW + 40, jti: 'j2' },
    { sub: 'u', typ: 'access', exp: NOW + 30, jti: 'j3' },
  ];
  const outerAt = [NOW_MS, NOW_MS - 20_000, NOW_MS + 2_000];
  const offsets = fc.array(fc.integer({ min: -15, max: 75 }), { minLength: 1, maxLength: 30 });

  payloads.forEach((payload, index) => {
    const jwt = forgeJwt({ alg: 'HS256', typ: 'JWT' }, payload, keys.accessSecret);
    const token = wrapOuter(jwt, keys.outerSecret, outerAt[index]);
    const requireIat = { requireIat: 'iat' in payload };

    fc.assert(
      fc.property(fc.integer({ min: -15, max: 75 }), offsets, (warmAt, sequence) => {
        const cached = clocked({ ...requireIat, accessTokenCache: 4 });
        const plain = clocked(requireIat);

        // Warm the cache at one second, then read at others, back and forth in time.
        cached.clock.ms = NOW_MS + warmAt * 1000;
        verdict(() => cached.service.verifyAccessToken(token));

        return sequence.every((offset) => {
          cached.clock.ms = plain.clock.ms = NOW_MS + offset * 1000;

          return (
            verdict(() => cached.service.verifyAccessToken(token)) ===
            verdict(() => plain.service.verifyAccessToken(token))
          );
        });
      }),
      { numRuns: 150 },
    );
  });
  t.pass('450 clock sequences agree');
});

t.test('a cached token still expires, with the error a full check gives', async (t) => {
  const { clock, service } = clocked({ accessTokenCache: 8 });
  const token = service.createAccessToken({ sub: 'u' });

  service.verifyAccessToken(token);
  clock.ms = NOW_MS + (60 + 5 - 1) * 1000;
  t.equal(service.verifyAccessToken(token).sub, 'u', 'valid in the last second of the leeway');
  clock.ms += 1000;
  expectTokenError(t, () => service.verifyAccessToken(token), 'ERR_TOKEN_EXPIRED');
});

t.test('a changed spelling of a cached token is verified in full and refused', async (t) => {
  const { service } = clocked({ accessTokenCache: 8 });
  const token = service.createAccessToken({ sub: 'u' });

  service.verifyAccessToken(token);
  // The outer SHA-1 MAC ends in 2 unused bits: 'A' and 'E' both keep the spelling canonical,
  // so the change reaches the MAC comparison rather than the base64url check.
  const last = token.at(-1) === 'A' ? 'E' : 'A';

  expectTokenError(
    t,
    () => service.verifyAccessToken(token.slice(0, -1) + last),
    'ERR_TOKEN_SIGNATURE',
  );
  expectTokenError(t, () => service.verifyRefreshToken(token), 'ERR_TOKEN_SIGNATURE');
});

t.test('refuses a cache size that is not a whole number from 0 to a million', async (t) => {
  for (const accessTokenCache of [-1, 1.5, 1_000_001, '10', Number.NaN]) {
    expectConfigError(
      t,
      () => createTokenService({ ...keys, accessTokenCache: accessTokenCache as number }),
      'accessTokenCache',
    );
  }
});

t.test('the cache holds at most its size, dropping the oldest entry first', async (t) => {
  const cache = createVerifiedCache(2, { leeway: 0, maxAge: 100 });
  const claims = (jti: string) => ({ sub: 'u', exp: NOW + 100, iat: NOW, jti });

  cache.set('a', claims('a'), NOW);
  cache.set('b', claims('b'), NOW);
  cache.set('c', claims('c'), NOW);

  t.equal(cache.get('a', NOW), undefined, 'the oldest is gone');
  t.equal(cache.get('b', NOW)?.jti, 'b');
  t.equal(cache.get('c', NOW)?.jti, 'c');
});

t.test('an entry read outside its span is dropped, not kept for later', async (t) => {
  const cache = createVerifiedCache(2, { leeway: 0, maxAge: 100 });

  cache.set('a', { sub: 'u', exp: NOW + 10, iat: NOW }, NOW);

  t.equal(cache.get('a', NOW - 1), undefined, 'before iat');
  t.equal(cache.get('a', NOW), undefined, 'gone after a read outside its span');
});

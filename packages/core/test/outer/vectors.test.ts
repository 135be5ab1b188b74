import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import t from 'tap';
import { decodeBase64url } from '../../src/base64url.js';
import type { TokenErrorCode } from '../../src/errors.js';
import { createOuterSigner, type OuterSignerOptions } from '../../src/outer/index.js';

interface VectorBase {
  name: string;
  secret_keys: string[];
  salt: string;
  digest: NonNullable<OuterSignerOptions['digest']>;
  key_derivation: NonNullable<OuterSignerOptions['keyDerivation']>;
  token: string;
}

interface Vector extends VectorBase {
  timestamp: number;
  payload: unknown;
}

interface NegativeVector extends VectorBase {
  now: number;
  max_age: number | null;
  error: 'bad' | 'expired';
}

const fixtures = JSON.parse(
  readFileSync(new URL('../fixtures/itsdangerous.json', import.meta.url), 'utf8'),
) as { outer: Vector[]; outer_negative: NegativeVector[] };

// Python reports all of these as BadSignature or SignatureExpired; we say which check failed.
const NEGATIVE_CODES: Record<string, TokenErrorCode> = {
  'tampered-signature': 'ERR_TOKEN_SIGNATURE',
  'tampered-payload': 'ERR_TOKEN_SIGNATURE',
  'signed-with-other-key': 'ERR_TOKEN_SIGNATURE',
  'wrong-salt': 'ERR_TOKEN_SIGNATURE',
  expired: 'ERR_TOKEN_EXPIRED',
  'from-the-future': 'ERR_TOKEN_NOT_YET_VALID',
  'missing-signature': 'ERR_TOKEN_MALFORMED',
  'no-separators': 'ERR_TOKEN_MALFORMED',
  empty: 'ERR_TOKEN_MALFORMED',
};

function signerFor(
  vector: VectorBase,
  nowSeconds: number,
  extra: Partial<OuterSignerOptions> = {},
) {
  return createOuterSigner({
    secretKeys: vector.secret_keys,
    salt: vector.salt,
    digest: vector.digest,
    keyDerivation: vector.key_derivation,
    clock: () => nowSeconds * 1000,
    ...extra,
  });
}

function isCompressed(vector: Vector): boolean {
  return vector.token.startsWith('.');
}

t.test('has vectors for every digest, derivation and both payload forms', async (t) => {
  const combos = new Set(fixtures.outer.map((v) => `${v.digest}/${v.key_derivation}`));

  t.equal(combos.size, 12);
  t.ok(fixtures.outer.some(isCompressed));
  t.ok(fixtures.outer.some((v) => !isCompressed(v)));
  t.same(Object.keys(NEGATIVE_CODES).sort(), fixtures.outer_negative.map((v) => v.name).sort());
});

t.test('verifies every python-made token with its timestamp', async (t) => {
  for (const vector of fixtures.outer) {
    const signer = signerFor(vector, vector.timestamp);

    t.same(signer.verifyWithTimestamp(vector.token), {
      value: vector.payload,
      timestamp: vector.timestamp,
    });
  }
});

t.test('signs every uncompressed vector byte for byte like python', async (t) => {
  for (const vector of fixtures.outer.filter((v) => !isCompressed(v))) {
    // A rotation vector is signed by the key its name says; sign with that key alone.
    const keys = vector.name.startsWith('rotation/old-key')
      ? vector.secret_keys.slice(0, 1)
      : vector.secret_keys;

    t.equal(
      signerFor({ ...vector, secret_keys: keys }, vector.timestamp).sign(vector.payload),
      vector.token,
      vector.name,
    );
  }
});

t.test('compressed signing yields what python inflates to the same json', async (t) => {
  for (const vector of fixtures.outer.filter(isCompressed)) {
    const token = signerFor(vector, vector.timestamp, { compress: true }).sign(vector.payload);
    const [ours, theirs] = [token, vector.token].map((text) =>
      inflateSync(decodeBase64url(text.slice(1).split('.')[0]!)).toString('utf8'),
    );

    t.ok(token.startsWith('.'), `${vector.name} is compressed`);
    t.equal(ours, theirs, vector.name);
    t.same(signerFor(vector, vector.timestamp).verify(token), vector.payload);
  }
});

t.test('uncompressed signing of a compressible vector still verifies', async (t) => {
  for (const vector of fixtures.outer.filter(isCompressed)) {
    const token = signerFor(vector, vector.timestamp).sign(vector.payload);

    t.notOk(token.startsWith('.'), vector.name);
    t.same(signerFor(vector, vector.timestamp).verify(token), vector.payload);
  }
});

t.test('the rotation vector verifies only while its old key is listed', async (t) => {
  const vector = fixtures.outer.find((v) => v.name.startsWith('rotation/'))!;
  const rotatedOut = { ...vector, secret_keys: vector.secret_keys.slice(1) };

  t.equal(signerFor(vector, vector.timestamp).verify(vector.token), vector.payload);
  t.throws(() => signerFor(rotatedOut, vector.timestamp).verify(vector.token), {
    code: 'ERR_TOKEN_SIGNATURE',
  });
});

t.test('rejects every negative vector with its exact code', async (t) => {
  for (const vector of fixtures.outer_negative) {
    const signer = signerFor(vector, vector.now);
    const maxAge = vector.max_age ?? undefined;

    t.throws(
      () => signer.verify(vector.token, { maxAge }),
      { code: NEGATIVE_CODES[vector.name] },
      vector.name,
    );
  }
});

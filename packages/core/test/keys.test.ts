import { generateKeyPairSync, hkdfSync } from 'node:crypto';
import t from 'tap';
import { algorithmSpec } from '../src/jwt/algorithms.js';
import {
  deriveKey,
  KEY_LABELS,
  privateKey,
  publicKey,
  resolveKeys,
  secretBytes,
  secretList,
} from '../src/keys.js';
import { expectConfigError } from './helpers/errors.js';

const master = Buffer.alloc(32, 1);

t.test('derives keys with hkdf-sha256 under distinct labels', async (t) => {
  const keys = Object.values(KEY_LABELS).map((label) => deriveKey(master, label, 32));
  const expected = Buffer.from(
    hkdfSync('sha256', master, 'tokenized-auth/v1', KEY_LABELS.access, 32),
  );

  t.same(deriveKey(master, KEY_LABELS.access, 32), expected);
  t.equal(new Set([...keys, master].map((key) => key.toString('hex'))).size, 5);
  t.equal(deriveKey(master, KEY_LABELS.access, 64).length, 64);
});

t.test('derives a separate outer key for each token type from the master secret', async (t) => {
  const keys = resolveKeys({ secret: master }, algorithmSpec('HS256'), false);

  t.same(keys.outer.access, [deriveKey(master, KEY_LABELS.accessOuter, 32)]);
  t.same(keys.outer.refresh, [deriveKey(master, KEY_LABELS.refreshOuter, 32)]);
  t.notSame(keys.outer.access, keys.outer.refresh);
});

t.test('uses one explicit outer secret for both token types', async (t) => {
  const keys = resolveKeys(
    { secret: master, outerSecret: 'o'.repeat(32) },
    algorithmSpec('HS256'),
    false,
  );

  t.equal(keys.outer.access, keys.outer.refresh, 'the same list, so one signer serves both');
  t.equal(keys.outer.access[0]!.toString(), 'o'.repeat(32));
});

t.test('reads strings as utf-8 and copies byte arrays', async (t) => {
  const bytes = new Uint8Array(32).fill(7);
  const copy = secretBytes(bytes, 's', 32);

  bytes[0] = 0;
  t.equal(copy[0], 7);
  t.equal(secretBytes('é'.repeat(16), 's', 32).length, 32);
});

t.test('refuses short, empty and non-secret values naming the option', async (t) => {
  for (const value of ['', 'x'.repeat(31), new Uint8Array(0), 42, null, {}, [['x']]]) {
    expectConfigError(t, () => secretList(value, 'accessSecret', 32), 'accessSecret');
  }

  expectConfigError(t, () => secretList([], 'secret', 32), 'secret');
  expectConfigError(t, () => secretList(['x'.repeat(32), 'short'], 'secret', 32), 'secret[1]');
});

t.test('keeps rotation lists oldest first', async (t) => {
  const list = secretList(['a'.repeat(32), 'b'.repeat(32)], 'secret', 32);

  t.same(
    list.map((bytes) => bytes.toString()),
    ['a'.repeat(32), 'b'.repeat(32)],
  );
});

t.test('signs with the newest secret and verifies with all', async (t) => {
  const keys = resolveKeys(
    { secret: ['a'.repeat(32), 'b'.repeat(32)] },
    algorithmSpec('HS256'),
    false,
  );

  t.equal(keys.access.verifyKeys.length, 2);
  t.equal(keys.access.signKey, keys.access.verifyKeys[1]);
  t.equal(keys.outer.access.length, 2);
  t.equal(keys.outer.refresh.length, 2);
});

t.test('lets explicit per-layer secrets win over the master secret', async (t) => {
  const keys = resolveKeys(
    { secret: 'm'.repeat(32), outerSecret: 'o'.repeat(32) },
    algorithmSpec('HS256'),
    false,
  );

  t.equal(keys.outer.access[0]!.toString(), 'o'.repeat(32));
  t.not(keys.access.signKey!.export().toString('hex'), Buffer.from('m'.repeat(32)).toString('hex'));
});

t.test('requires distinct access and refresh keys when told to', async (t) => {
  const shared = 's'.repeat(32);
  const options = { outerSecret: 'o'.repeat(32), accessSecret: shared, refreshSecret: [shared] };

  t.doesNotThrow(() => resolveKeys(options, algorithmSpec('HS256'), false));
  expectConfigError(t, () => resolveKeys(options, algorithmSpec('HS256'), true), 'typeClaim');

  const pair = generateKeyPairSync('ed25519');
  const asymmetric = {
    secret: 'm'.repeat(32),
    accessKeys: pair,
    refreshKeys: { publicKey: pair.publicKey },
  };

  expectConfigError(t, () => resolveKeys(asymmetric, algorithmSpec('EdDSA'), true), 'typeClaim');
});

t.test('refuses secrets for asymmetric algorithms and key pairs for hmac', async (t) => {
  const pair = generateKeyPairSync('ed25519');

  expectConfigError(
    t,
    () =>
      resolveKeys(
        { secret: 'm'.repeat(32), accessSecret: 'a'.repeat(32) },
        algorithmSpec('EdDSA'),
        false,
      ),
    'accessSecret',
  );
  expectConfigError(
    t,
    () => resolveKeys({ secret: 'm'.repeat(32), accessKeys: pair }, algorithmSpec('HS256'), false),
    'accessKeys',
  );
  expectConfigError(
    t,
    () =>
      resolveKeys(
        { secret: 'm'.repeat(32), accessKeys: [], refreshKeys: pair },
        algorithmSpec('EdDSA'),
        false,
      ),
    'accessKeys',
  );
});

t.test('reads a kid for each explicit jwt secret and key pair, newest signing', async (t) => {
  const hmac = resolveKeys(
    {
      outerSecret: 'o'.repeat(32),
      accessSecret: ['a'.repeat(32), { secret: 'b'.repeat(32), kid: 'k2' }],
      refreshSecret: { secret: 'r'.repeat(32), kid: 'r1' },
    },
    algorithmSpec('HS256'),
    false,
  );

  t.same(hmac.access.kids, [undefined, 'k2']);
  t.equal(hmac.access.signKid, 'k2');
  t.equal(hmac.access.signKey!.export().toString(), 'b'.repeat(32));
  t.same(hmac.refresh.kids, ['r1']);

  const pair = generateKeyPairSync('ed25519');
  const asymmetric = resolveKeys(
    { outerSecret: 'o'.repeat(32), accessKeys: { ...pair, kid: 'ed1' }, refreshKeys: pair },
    algorithmSpec('EdDSA'),
    false,
  );

  t.equal(asymmetric.access.signKid, 'ed1');
  t.same(asymmetric.refresh.kids, [undefined]);
});

t.test('derives keys without a kid from the master secret', async (t) => {
  const keys = resolveKeys({ secret: 'm'.repeat(32) }, algorithmSpec('HS256'), false);

  t.same(keys.access.kids, [undefined]);
  t.equal(keys.access.signKid, undefined);
});

t.test('refuses a bad or repeated kid naming the option', async (t) => {
  const hs256 = algorithmSpec('HS256');
  const base = { outerSecret: 'o'.repeat(32), refreshSecret: 'r'.repeat(32) };

  for (const kid of ['', 42, 'k'.repeat(257), undefined]) {
    expectConfigError(
      t,
      () =>
        resolveKeys(
          { ...base, accessSecret: { secret: 'a'.repeat(32), kid } as never },
          hs256,
          false,
        ),
      'accessSecret.kid',
    );
  }

  expectConfigError(
    t,
    () => resolveKeys({ ...base, accessSecret: [{ secret: 'short', kid: 'k' }] }, hs256, false),
    'accessSecret.secret',
  );

  const repeated = [
    { secret: 'a'.repeat(32), kid: 'k' },
    { secret: 'b'.repeat(32), kid: 'k' },
  ];

  expectConfigError(
    t,
    () => resolveKeys({ ...base, accessSecret: repeated }, hs256, false),
    'accessSecret',
  );

  const pair = generateKeyPairSync('ed25519');

  expectConfigError(
    t,
    () =>
      resolveKeys(
        {
          ...base,
          refreshSecret: undefined,
          accessKeys: [
            { ...pair, kid: 'e' },
            { ...pair, kid: 'e' },
          ],
          refreshKeys: pair,
        },
        algorithmSpec('EdDSA'),
        false,
      ),
    'accessKeys',
  );
  expectConfigError(
    t,
    () =>
      resolveKeys(
        {
          outerSecret: 'o'.repeat(32),
          accessKeys: { ...pair, kid: 7 as never },
          refreshKeys: pair,
        },
        algorithmSpec('EdDSA'),
        false,
      ),
    'accessKeys.kid',
  );
});

t.test('parses pem keys and derives the public half of a private key', async (t) => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' });

  t.equal(privateKey(pem, 'k').type, 'private');
  t.equal(publicKey(pem, 'k').type, 'public');
  expectConfigError(t, () => privateKey(pair.publicKey, 'k'), 'k');
  expectConfigError(t, () => privateKey('not a key', 'k'), 'k');
  expectConfigError(t, () => publicKey(42, 'k'), 'k');
});

t.test('warns when the outer secret equals a jwt secret', async (t) => {
  const warnings: Array<{ code?: string; message: string }> = [];
  const listen = (warning: Error & { code?: string }) => warnings.push(warning);
  const shared = 's'.repeat(32);

  process.on('warning', listen);
  resolveKeys(
    { outerSecret: shared, accessSecret: 'a'.repeat(32), refreshSecret: [shared] },
    algorithmSpec('HS256'),
    false,
  );
  resolveKeys({ secret: shared }, algorithmSpec('HS256'), false);
  await new Promise((resolve) => setImmediate(resolve));
  process.off('warning', listen);

  t.equal(warnings.length, 1);
  t.equal(warnings[0]?.code, 'TA_SHARED_SECRET');
  t.notMatch(warnings[0]?.message ?? '', shared);
});

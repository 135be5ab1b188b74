import t from 'tap';
import { ConfigError } from '../../src/errors.js';
import { createOuterSigner, type OuterSignerOptions } from '../../src/outer/index.js';

const SECRET = 'an outer secret that is comfortably over 32 bytes';

function create(options: Record<string, unknown>) {
  return createOuterSigner({ secretKeys: SECRET, ...options } as OuterSignerOptions);
}

function configError(option: string) {
  return { code: 'ERR_TOKEN_CONFIG', name: 'ConfigError', message: new RegExp(`"${option}"`) };
}

t.test('refuses a missing or empty secret', async (t) => {
  const cases: unknown[] = [undefined, null, '', new Uint8Array(0), [], ['ok secret', ''], 42];

  for (const secretKeys of cases) {
    t.throws(() => create({ secretKeys }), configError('secretKeys'), String(secretKeys));
  }
});

t.test('throws ConfigError, a TypeError', async (t) => {
  const error = t.throws(() => create({ secretKeys: '' }));

  t.ok(error instanceof ConfigError);
  t.ok(error instanceof TypeError);
});

t.test('refuses an unknown digest or key derivation', async (t) => {
  for (const digest of ['md5', 'SHA1', 'sha-256', '', 1]) {
    t.throws(() => create({ digest }), configError('digest'), String(digest));
  }

  for (const keyDerivation of ['django', 'HMAC', 'plain', null]) {
    t.throws(() => create({ keyDerivation }), configError('keyDerivation'), String(keyDerivation));
  }
});

t.test('refuses bad numbers', async (t) => {
  const cases: Array<[string, unknown]> = [
    ['leeway', -1],
    ['leeway', 301],
    ['leeway', 1.5],
    ['leeway', Number.NaN],
    ['leeway', '5'],
    ['maxTokenLength', 0],
    ['maxTokenLength', Infinity],
    ['maxTokenLength', 2 ** 21],
    ['maxPayloadLength', -5],
    ['maxPayloadLength', 1e9],
    ['maxPayloadLength', '65536'],
  ];

  for (const [option, value] of cases) {
    t.throws(() => create({ [option]: value }), configError(option), `${option}=${String(value)}`);
  }
});

t.test('refuses a bad salt, compress flag or clock', async (t) => {
  t.throws(() => create({ salt: 42 }), configError('salt'));
  t.throws(() => create({ compress: 'yes' }), configError('compress'));
  t.throws(() => create({ clock: 1765100000000 }), configError('clock'));
});

t.test('refuses an unknown option, so a typo cannot silently drop a check', async (t) => {
  t.throws(() => create({ maxage: 60 }), configError('maxage'));
  t.throws(() => createOuterSigner(null as unknown as OuterSignerOptions), configError('options'));
});

t.test('accepts the documented shapes and round-trips a value with each', async (t) => {
  const bytes = new TextEncoder().encode(SECRET);
  const long = 'x'.repeat(200);
  const shapes: Array<[options: Record<string, unknown>, value: unknown]> = [
    [{}, { sub: 'u' }],
    [{ secretKeys: bytes }, 'x'],
    [{ secretKeys: [SECRET, bytes], salt: new Uint8Array([1, 2]) }, [1, 'two']],
    [{ salt: '', digest: 'sha512', keyDerivation: 'none', compress: true, leeway: 300 }, long],
    [{ digest: 'sha256', keyDerivation: 'concat' }, null],
    [{ keyDerivation: 'hmac', maxTokenLength: 60, maxPayloadLength: 3 }, 'x'],
    [{ clock: () => 1_765_100_000_000 }, true],
  ];

  for (const [options, value] of shapes) {
    const signer = create(options);
    const token = signer.sign(value);

    t.same(signer.verify(token), value, JSON.stringify(options));
  }

  t.ok(create({ compress: true }).sign(long).startsWith('.'), 'compress deflates');
  t.throws(() => create({ maxTokenLength: 1, maxPayloadLength: 1 }).sign('x'), {
    code: 'ERR_TOKEN_TOO_LARGE',
  });
  t.equal(create({}).verify(create({ secretKeys: bytes }).sign('x')), 'x', 'strings are utf-8');
});

t.test('copies byte secrets, so later changes to the caller array do not matter', async (t) => {
  const bytes = new TextEncoder().encode(SECRET);
  const signer = create({ secretKeys: bytes });
  const token = signer.sign('x');

  bytes.fill(0);

  t.equal(signer.verify(token), 'x');
  t.equal(create({}).verify(signer.sign('y')), 'y');
});

t.test('warns once about a secret shorter than 32 bytes', async (t) => {
  const warnings: Array<{ code?: string; message: string }> = [];
  const listener = (warning: Error & { code?: string }) => warnings.push(warning);

  process.on('warning', listener);
  t.teardown(() => process.off('warning', listener));

  create({ secretKeys: 'tiny-key' });
  create({ secretKeys: 'tiny-key' });
  await new Promise((resolve) => setImmediate(resolve));

  t.equal(warnings.length, 1);
  t.equal(warnings[0]?.code, 'TA_WEAK_SECRET');
  t.match(warnings[0]?.message, /"secretKeys"/);
  t.notOk(warnings[0]?.message.includes('tiny-key'), 'the secret itself is not in the warning');
});

t.test('refuses a bad maxAge at verify time', async (t) => {
  const signer = create({});
  const token = signer.sign('x');

  for (const maxAge of [-1, Number.NaN, Infinity, '60']) {
    t.throws(() => signer.verify(token, { maxAge } as { maxAge: number }), configError('maxAge'));
  }
});

t.test('fails closed on a clock that returns nonsense', async (t) => {
  const token = create({}).sign('x');

  for (const value of [Number.NaN, Infinity, -1, 0]) {
    const signer = create({ clock: () => value });

    t.throws(() => signer.verify(token), configError('clock'), String(value));
    t.throws(() => signer.sign('x'), configError('clock'), String(value));
  }
});

t.test('refuses a value with no json form with a coded ConfigError', async (t) => {
  const cyclic: Record<string, unknown> = {};

  cyclic.self = cyclic;

  for (const value of [undefined, () => 1, Symbol('s'), 10n, cyclic]) {
    const error = t.throws(() => create({}).sign(value), configError('value'), typeof value);

    t.ok(error instanceof ConfigError, 'a ConfigError, so still a TypeError');
  }
});

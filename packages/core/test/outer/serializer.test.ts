import { inflateSync } from 'node:zlib';
import t from 'tap';
import { decodeBase64url } from '../../src/base64url.js';
import { dumpPayload, loadPayload } from '../../src/outer/serializer.js';

t.test('writes compact json as base64url', async (t) => {
  const segment = dumpPayload({ a: [1, 'é'], b: null }, false, 65536);

  t.equal(decodeBase64url(segment).toString('utf8'), '{"a":[1,"é"],"b":null}');
});

t.test('compresses only when it saves at least two bytes, marking it with a dot', async (t) => {
  const short = dumpPayload('abc', true, 65536);
  const long = dumpPayload('abc'.repeat(50), true, 65536);

  t.equal(short, dumpPayload('abc', false, 65536), 'short values stay plain');
  t.ok(long.startsWith('.'));
  t.equal(inflateSync(decodeBase64url(long.slice(1))).toString(), JSON.stringify('abc'.repeat(50)));
});

t.test('reads back plain and compressed payloads', async (t) => {
  const value = { list: Array.from({ length: 30 }, (_, i) => i % 3) };

  t.same(loadPayload(dumpPayload(value, false, 65536), false, 65536), value);
  t.same(loadPayload(dumpPayload(value, true, 65536).slice(1), true, 65536), value);
});

t.test('refuses to treat plain bytes as compressed or the reverse', async (t) => {
  const plain = dumpPayload('x'.repeat(100), false, 65536);
  const compressed = dumpPayload('x'.repeat(100), true, 65536).slice(1);

  t.throws(() => loadPayload(plain, true, 65536), { code: 'ERR_TOKEN_MALFORMED', reason: 'zlib' });
  t.throws(() => loadPayload(compressed, false, 65536), { code: 'ERR_TOKEN_MALFORMED' });
});

t.test('refuses a value without a json form with a coded ConfigError', async (t) => {
  for (const value of [undefined, Symbol('s'), 1n]) {
    const error = t.throws(() => dumpPayload(value, false, 65536), {
      code: 'ERR_TOKEN_CONFIG',
      name: 'ConfigError',
      message: '"value" has no JSON form',
    });

    t.ok(error instanceof TypeError, 'still a TypeError');
  }
});

t.test('caps the payload on both sides', async (t) => {
  t.throws(() => dumpPayload('x'.repeat(20), false, 21), { code: 'ERR_TOKEN_TOO_LARGE' });
  t.ok(dumpPayload('x'.repeat(20), false, 22));
  t.throws(() => loadPayload(dumpPayload('x'.repeat(20), false, 22), false, 21), {
    code: 'ERR_TOKEN_TOO_LARGE',
  });
});

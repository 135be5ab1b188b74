import fc from 'fast-check';
import t from 'tap';
import { decodeTimestamp, encodeTimestamp } from '../../src/outer/timestamp.js';

t.test('encodes big-endian seconds without leading zero bytes, as itsdangerous', async (t) => {
  t.equal(encodeTimestamp(1), 'AQ');
  t.equal(encodeTimestamp(255), '_w');
  t.equal(encodeTimestamp(256), 'AQA');
  t.equal(encodeTimestamp(1_765_006_000), 'aTPasA');
  t.equal(encodeTimestamp(Number.MAX_SAFE_INTEGER), 'H________w');
});

t.test('decodes what it encodes for every positive safe integer', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (seconds) => {
      return decodeTimestamp(encodeTimestamp(seconds)) === seconds;
    }),
  );
  t.equal(decodeTimestamp('aTPasA'), 1_765_006_000);
});

t.test('rejects an empty, zero-padded, oversized or unsafe timestamp', async (t) => {
  const cases: Array<[string, string]> = [
    ['', 'missing'],
    ['AA', 'leading zero byte'],
    ['AGkz2rA', 'leading zero byte'],
    ['IAAAAAAAAA', 'oversized'],
    ['AQAAAAAAAAAA', 'oversized'],
    ['_________w', 'oversized'],
  ];

  for (const [segment, reason] of cases) {
    t.throws(() => decodeTimestamp(segment), { code: 'ERR_TOKEN_MALFORMED', reason }, segment);
  }
});

t.test('rejects a non-canonical base64url timestamp', async (t) => {
  t.throws(() => decodeTimestamp('aTPasB'), {
    code: 'ERR_TOKEN_MALFORMED',
    reason: 'trailing bits',
  });
  t.throws(() => decodeTimestamp('aTPasA=='), { code: 'ERR_TOKEN_MALFORMED' });
});

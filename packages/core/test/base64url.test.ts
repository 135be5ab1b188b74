import t from 'tap';
import fc from 'fast-check';
import { decodeBase64url, encodeBase64url } from '../src/base64url.js';
import { TokenMalformedError } from '../src/errors.js';

const malformed = { code: 'ERR_TOKEN_MALFORMED', name: 'TokenMalformedError' };

t.test('encodes bytes as unpadded base64url', async (t) => {
  t.equal(encodeBase64url(new Uint8Array([])), '');
  t.equal(encodeBase64url(new Uint8Array([0xfb, 0xff])), '-_8');
  t.equal(encodeBase64url(new Uint8Array([0xfb, 0xff, 0xbf])), '-_-_');
  t.equal(encodeBase64url(Buffer.from('hello')), 'aGVsbG8');
});

t.test('encodes a string as its utf-8 bytes', async (t) => {
  t.equal(encodeBase64url('é'), Buffer.from([0xc3, 0xa9]).toString('base64url'));
  t.equal(encodeBase64url('hi'), 'aGk');
});

t.test('encodes only the viewed bytes of a subarray', async (t) => {
  const whole = new Uint8Array([1, 2, 3, 4, 5]);

  t.equal(encodeBase64url(whole.subarray(1, 3)), encodeBase64url(new Uint8Array([2, 3])));
});

t.test('decodes canonical text', async (t) => {
  t.same([...decodeBase64url('-_8')], [0xfb, 0xff]);
  t.equal(decodeBase64url('aGVsbG8').toString(), 'hello');
  t.equal(decodeBase64url('').length, 0);
});

t.test('rejects padding', async (t) => {
  t.throws(() => decodeBase64url('aGk='), malformed);
  t.throws(() => decodeBase64url('aA=='), malformed);
  t.throws(() => decodeBase64url('===='), malformed);
});

t.test('rejects characters outside the url-safe alphabet', async (t) => {
  for (const text of ['a+b_', 'a/b_', 'aG k', 'aGk\n', 'aGé', '\u0000AAA', 'aGk.']) {
    t.throws(() => decodeBase64url(text), malformed, JSON.stringify(text));
  }
});

t.test('rejects a length that leaves one dangling character', async (t) => {
  t.throws(() => decodeBase64url('A'), { ...malformed, reason: 'length' });
  t.throws(() => decodeBase64url('aGVsbG8hA'), { ...malformed, reason: 'length' });
});

t.test('rejects stray trailing bits that python would forgive', async (t) => {
  // 'aGk' is canonical for "hi"; 'aGl'..'aGz' decode to the same bytes in lenient decoders.
  t.throws(() => decodeBase64url('aGl'), { ...malformed, reason: 'trailing bits' });
  t.throws(() => decodeBase64url('aB'), { ...malformed, reason: 'trailing bits' });
  t.throws(() => decodeBase64url('-_9'), { ...malformed, reason: 'trailing bits' });
});

t.test('throws TokenMalformedError instances', async (t) => {
  t.throws(() => decodeBase64url('a=='), TokenMalformedError);
});

t.test('random bytes round-trip', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const text = encodeBase64url(bytes);

      return /^[A-Za-z0-9_-]*$/.test(text) && Buffer.compare(decodeBase64url(text), bytes) === 0;
    }),
  );
  t.pass('fast-check found no counterexample');
});

t.test('every accepted spelling re-encodes to itself', async (t) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.';
  const chars = fc.constantFrom(...alphabet.split(''));

  fc.assert(
    fc.property(fc.string({ unit: chars, maxLength: 40 }), (text) => {
      let decoded: Buffer;

      try {
        decoded = decodeBase64url(text);
      } catch (err) {
        return (err as TokenMalformedError).code === 'ERR_TOKEN_MALFORMED';
      }

      return encodeBase64url(decoded) === text;
    }),
    { numRuns: 2000 },
  );
  t.pass('fast-check found no counterexample');
});

t.test('non-canonical spellings of random bytes are refused', async (t) => {
  const bytes = fc.uint8Array({ minLength: 1, maxLength: 64 }).filter((b) => b.length % 3 !== 0);

  fc.assert(
    fc.property(bytes, fc.integer({ min: 1, max: 15 }), (data, bits) => {
      const text = encodeBase64url(data);
      const symbols = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const unused = data.length % 3 === 1 ? 0x0f : 0x03;
      const last = symbols.indexOf(text[text.length - 1]!);
      const flipped = last | (bits & unused);

      // Setting only unused bits keeps the bytes the same for a lenient decoder.
      fc.pre(flipped !== last);

      const variant = text.slice(0, -1) + symbols[flipped];

      t.throws(() => decodeBase64url(variant), malformed);
      t.throws(() => decodeBase64url(text + '='), malformed);
    }),
    { numRuns: 200 },
  );
});

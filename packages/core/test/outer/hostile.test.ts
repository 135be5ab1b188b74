import { createHash, createHmac } from 'node:crypto';
import * as zlib from 'node:zlib';
import { deflateSync } from 'node:zlib';
import t from 'tap';
import { createOuterSigner, type OuterSignerOptions } from '../../src/outer/index.js';
import type * as SerializerModule from '../../src/outer/serializer.js';

const SECRET = 'a hostile-case outer secret of more than 32 bytes';
const NOW = 1_765_100_000;
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiIsImV4cCI6MTc2NTEwMDkwMH0.c2lnbmF0dXJl';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const malformed = { code: 'ERR_TOKEN_MALFORMED' };
const badSignature = { code: 'ERR_TOKEN_SIGNATURE' };

function signer(options: Partial<OuterSignerOptions> = {}, now = NOW) {
  return createOuterSigner({ secretKeys: SECRET, clock: () => now * 1000, ...options });
}

function b64(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString('base64url');
}

/**
 * Signs arbitrary segments with the default settings (sha1, django-concat, salt
 * "itsdangerous"), computed here from node:crypto so forged tokens do not rely on the code
 * under test.
 */
function forge(payload: string, timestamp: string): string {
  const key = createHash('sha1').update('itsdangeroussigner').update(SECRET).digest();
  const signed = `${payload}.${timestamp}`;

  return `${signed}.${b64(createHmac('sha1', key).update(signed).digest())}`;
}

function secondsSegment(seconds: number): string {
  return b64(Buffer.from(seconds.toString(16).padStart(8, '0'), 'hex'));
}

// node:zlib's inflateSync, noting the cap it was given and whether it stopped there.
function recordingInflate(calls: Array<{ maxOutputLength?: number; outcome: string }>) {
  return (buffer: Buffer, options: zlib.ZlibOptions = {}): Buffer => {
    const { maxOutputLength } = options;

    try {
      const output = zlib.inflateSync(buffer, options);

      calls.push({ maxOutputLength, outcome: `${output.length} bytes` });

      return output;
    } catch (error) {
      calls.push({ maxOutputLength, outcome: String((error as { code?: unknown }).code) });

      throw error;
    }
  };
}

function replaceAt(text: string, index: number, char: string): string {
  return text.slice(0, index) + char + text.slice(index + 1);
}

const valid = signer().sign(JWT);
const [payloadPart, timestampPart, signaturePart] = valid.split('.') as [string, string, string];

t.test(
  'forge helper agrees with the signer, so forged tokens differ only where intended',
  async (t) => {
    t.equal(forge(payloadPart, timestampPart), valid);
    t.equal(signer().verify(valid), JWT);
  },
);

t.test('rejects one character changed anywhere in any segment', async (t) => {
  let signature = 0;

  for (let i = 0; i < valid.length; i++) {
    if (valid[i] === '.') continue;

    for (const char of [valid[i] === 'A' ? 'B' : 'A', valid[i] === '_' ? '-' : '_']) {
      const mutated = replaceAt(valid, i, char);
      const error = t.throws(() => signer().verify(mutated)) as { code?: string };

      t.ok(
        ['ERR_TOKEN_SIGNATURE', 'ERR_TOKEN_MALFORMED'].includes(error.code!),
        String(error.code),
      );

      if (error.code === 'ERR_TOKEN_SIGNATURE') signature++;
    }
  }

  t.ok(signature > 0, 'most changes reach the MAC check');
});

t.test('rejects a removed segment', async (t) => {
  t.throws(() => signer().verify(`${timestampPart}.${signaturePart}`), malformed);
  t.throws(() => signer().verify(`${payloadPart}.${signaturePart}`), malformed);
  t.throws(() => signer().verify(`${payloadPart}.${timestampPart}`), malformed);
  t.throws(() => signer().verify(`${payloadPart}..${signaturePart}`), malformed);
  t.throws(() => signer().verify(`${payloadPart}.${timestampPart}.`), malformed);
  t.throws(() => signer().verify(`.${timestampPart}.${signaturePart}`), malformed);
});

t.test('rejects an added segment even when the mac covers it', async (t) => {
  t.throws(() => signer().verify(`${valid}.${signaturePart}`), malformed);
  t.throws(() => signer().verify(`x.${valid}`), malformed);
  t.throws(() => signer().verify(`..${valid}`), malformed);
  // itsdangerous splits from the right, so a dotted payload would verify there.
  t.throws(() => signer().verify(forge(`${payloadPart}.${payloadPart}`, timestampPart)), malformed);
});

t.test('rejects a compression marker added to a plain token', async (t) => {
  t.throws(() => signer().verify(`.${valid}`), badSignature);
});

t.test('rejects the token upper-cased or lower-cased', async (t) => {
  for (const mutated of [valid.toUpperCase(), valid.toLowerCase()]) {
    const error = t.throws(() => signer().verify(mutated)) as { code?: string };

    t.ok(['ERR_TOKEN_SIGNATURE', 'ERR_TOKEN_MALFORMED'].includes(error.code!), String(error.code));
  }
});

t.test('rejects a signature cut short or padded', async (t) => {
  for (let cut = 1; cut < signaturePart.length; cut += 5) {
    t.throws(() => signer().verify(valid.slice(0, -cut)), badSignature, `cut ${cut}`);
  }

  t.throws(() => signer().verify(`${valid}=`), badSignature);
  t.throws(() => signer().verify(`${valid}A`), badSignature);
});

t.test('rejects a non-canonical signature spelling that python accepts', async (t) => {
  // 20 bytes leave 2 unused bits in the last character; setting them keeps the bytes.
  const last = ALPHABET.indexOf(valid[valid.length - 1]!);
  const stray = replaceAt(valid, valid.length - 1, ALPHABET[last | 1]!);

  t.not(stray, valid);
  t.throws(() => signer().verify(stray), { ...malformed, reason: 'trailing bits' });
  t.throws(() => signer().verify(replaceAt(valid, valid.length - 3, '+')), malformed);
});

t.test('rejects a non-canonical payload spelling even under a valid mac', async (t) => {
  const json = b64(JSON.stringify('hi'));
  const strayBits = json.slice(0, -1) + ALPHABET[ALPHABET.indexOf(json[json.length - 1]!) | 1];

  t.equal(signer().verify(forge(json, timestampPart)), 'hi');
  t.throws(() => signer().verify(forge(strayBits, timestampPart)), malformed);
  t.throws(() => signer().verify(forge(`${json}=`, timestampPart)), malformed);
  t.throws(() => signer().verify(forge(json.replace(/./, '+'), timestampPart)), malformed);
});

t.test('rejects a missing timestamp', async (t) => {
  t.throws(() => signer().verify(forge(payloadPart, '')), { ...malformed, reason: 'segments' });
});

t.test('rejects an oversized or non-canonical timestamp under a valid mac', async (t) => {
  const cases: Array<[string, string]> = [
    [b64(Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 0])), 'oversized'],
    [b64(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), 'oversized'],
    [b64(Buffer.from([0x20, 0, 0, 0, 0, 0, 0])), 'oversized'],
    [b64(Buffer.from([0, ...Buffer.from(timestampPart, 'base64url')])), 'leading zero byte'],
    [`${timestampPart}=`, 'alphabet'],
    ['A'.repeat(12), 'oversized'],
  ];

  for (const [timestamp, reason] of cases) {
    t.throws(() => signer().verify(forge(payloadPart, timestamp)), { ...malformed, reason });
  }
});

t.test('judges a forged canonical timestamp by time, not as malformed', async (t) => {
  const seconds = NOW + 10;
  const token = forge(payloadPart, secondsSegment(seconds));

  t.throws(() => signer().verify(token), { code: 'ERR_TOKEN_NOT_YET_VALID' });
  t.equal(signer({}, seconds).verify(token), JWT);
});

t.test('rejects a timestamp in the future beyond the leeway, even without maxAge', async (t) => {
  const token = signer({}, NOW + 1).sign(JWT);

  t.throws(() => signer().verify(token), { code: 'ERR_TOKEN_NOT_YET_VALID', claim: 'timestamp' });
  t.equal(signer({ leeway: 1 }).verify(token), JWT);

  const farther = signer({}, NOW + 6).sign(JWT);

  t.throws(() => signer({ leeway: 5 }).verify(farther), { code: 'ERR_TOKEN_NOT_YET_VALID' });
  t.equal(signer({ leeway: 5 }, NOW + 1).verify(farther), JWT);
});

t.test('accepts an age exactly at maxAge and rejects one second past it', async (t) => {
  t.equal(signer({}, NOW + 60).verify(valid, { maxAge: 60 }), JWT);
  t.throws(() => signer({}, NOW + 61).verify(valid, { maxAge: 60 }), {
    code: 'ERR_TOKEN_EXPIRED',
    claim: 'timestamp',
  });
  t.equal(signer({}, NOW + 61_000).verify(valid), JWT, 'no maxAge, no expiry');
  t.equal(signer().verify(valid, { maxAge: 0 }), JWT);
});

t.test('reads the clock in milliseconds, flooring to whole seconds like python', async (t) => {
  const clock = () => NOW * 1000 + 60_999;

  t.equal(signer({ clock }).verify(valid, { maxAge: 60 }), JWT);
  t.equal(signer({ clock: () => NOW * 1000 + 999 }).sign(JWT), valid);
});

t.test('rejects a token signed under another salt', async (t) => {
  const other = signer({ salt: 'refresh' }).sign(JWT);

  t.throws(() => signer().verify(other), badSignature);
  t.throws(() => signer({ salt: 'refresh' }).verify(valid), badSignature);
});

t.test('rejects a token signed with a rotated-out key', async (t) => {
  const old = 'the previous outer secret, now retired for good';
  const token = signer({ secretKeys: old }).sign(JWT);

  t.equal(signer({ secretKeys: [old, SECRET] }).verify(token), JWT);
  t.throws(() => signer({ secretKeys: SECRET }).verify(token), badSignature);
  t.equal(signer({ secretKeys: [old, SECRET] }).sign(JWT), valid, 'the newest key signs');
});

t.test('rejects a token signed with another digest or derivation', async (t) => {
  t.throws(() => signer({ digest: 'sha256' }).verify(valid), badSignature);
  t.throws(() => signer({ keyDerivation: 'hmac' }).verify(valid), badSignature);
  t.throws(() => signer().verify(signer({ digest: 'sha512' }).sign(JWT)), badSignature);
});

t.test('zlib bomb: refuses a signed payload that inflates huge, quickly', async (t) => {
  const bomb = deflateSync(Buffer.alloc(5 * 1024 * 1024, 0x20), { level: 9 });
  const token = forge(`.${b64(bomb)}`, timestampPart);

  t.ok(token.length < 8192, `bomb token is ${token.length} chars`);

  const started = performance.now();

  t.throws(() => signer().verify(token), { code: 'ERR_TOKEN_TOO_LARGE', reason: 'payload' });
  // Only a gross regression shows in wall-clock time on a shared machine; the next test
  // checks the cap itself.
  t.ok(performance.now() - started < 2000, 'no runaway inflate');
});

t.test('zlib bomb: zlib itself stops at the payload cap, never inflating it whole', async (t) => {
  const inflated: Array<{ maxOutputLength?: number; outcome: string }> = [];
  const { loadPayload } = await t.mockImport<typeof SerializerModule>(
    '../../src/outer/serializer.js',
    { 'node:zlib': { ...zlib, inflateSync: recordingInflate(inflated) } },
  );
  const bomb = deflateSync(Buffer.alloc(5 * 1024 * 1024, 0x20), { level: 9 });

  t.throws(() => loadPayload(b64(bomb), true, 65536), {
    code: 'ERR_TOKEN_TOO_LARGE',
    reason: 'payload',
  });
  t.same(inflated, [{ maxOutputLength: 65536, outcome: 'ERR_BUFFER_TOO_LARGE' }]);
});

t.test('zlib bomb: the mac is checked before anything is inflated', async (t) => {
  const bomb = deflateSync(Buffer.alloc(5 * 1024 * 1024, 0x20), { level: 9 });
  const token = forge(`.${b64(bomb)}`, timestampPart);

  t.throws(() => signer({ secretKeys: 'x'.repeat(40) }).verify(token), badSignature);
});

t.test('respects a smaller maxPayloadLength for compressed and plain payloads', async (t) => {
  const value = 'x'.repeat(2000);
  const compressed = signer({ compress: true }).sign(value);
  const plain = signer().sign(value);

  t.ok(compressed.startsWith('.'));
  t.same(signer({ maxPayloadLength: 2002 }).verify(compressed), value);
  t.throws(() => signer({ maxPayloadLength: 2001 }).verify(compressed), {
    code: 'ERR_TOKEN_TOO_LARGE',
  });
  t.throws(() => signer({ maxPayloadLength: 2001 }).verify(plain), { code: 'ERR_TOKEN_TOO_LARGE' });
});

t.test('refuses an over-long token before any work', async (t) => {
  const huge = 'A'.repeat(10_000_000);
  const started = performance.now();

  t.throws(() => signer().verify(huge), { code: 'ERR_TOKEN_TOO_LARGE', reason: 'token' });
  t.ok(performance.now() - started < 1000, 'no runaway scan of the token');
  // Malformed in every way a later check looks at, so only a length check that runs first
  // can give this code.
  t.throws(() => signer().verify(`.${'\u00e9.=.'.repeat(3000)}`), {
    code: 'ERR_TOKEN_TOO_LARGE',
    reason: 'token',
  });
  t.throws(() => signer({ maxTokenLength: valid.length - 1 }).verify(valid), {
    code: 'ERR_TOKEN_TOO_LARGE',
  });
  t.equal(signer({ maxTokenLength: valid.length }).verify(valid), JWT);
});

t.test('refuses to sign a token it could not verify', async (t) => {
  t.throws(() => signer({ maxTokenLength: 100 }).sign(JWT), { code: 'ERR_TOKEN_TOO_LARGE' });
  t.throws(() => signer({ maxPayloadLength: 10 }).sign(JWT), { code: 'ERR_TOKEN_TOO_LARGE' });
});

t.test('rejects compressed data that is not zlib, under a valid mac', async (t) => {
  t.throws(() => signer().verify(forge(`.${b64('not zlib at all')}`, timestampPart)), {
    ...malformed,
    reason: 'zlib',
  });
  t.throws(
    () => signer().verify(forge(`.${b64(deflateSync('"x"').subarray(0, 4))}`, timestampPart)),
    malformed,
  );
});

t.test('rejects a payload that is not strict json, under a valid mac', async (t) => {
  const payloads = ['{"a":1,"a":2}', '{"__proto__":{}}', 'not json', '', '\u00ff'];

  for (const json of payloads) {
    t.throws(() => signer().verify(forge(b64(json), timestampPart)), malformed, json);
  }

  t.throws(() => signer().verify(forge(b64(Buffer.from([0x22, 0xff, 0x22])), timestampPart)), {
    ...malformed,
    reason: 'utf-8',
  });
});

t.test('rejects a value that is not a string', async (t) => {
  for (const token of [undefined, null, 42, {}, ['a.b.c'], Buffer.from(valid)]) {
    t.throws(() => signer().verify(token as unknown as string), malformed);
  }
});

t.test('never puts the token, secret or signature in an error message', async (t) => {
  const attempts = [valid.slice(0, -2), `.${valid}`, valid.toUpperCase(), forge(payloadPart, '')];

  for (const token of attempts) {
    const error = t.throws(() => signer().verify(token)) as Error;

    for (const secretish of [SECRET, signaturePart, payloadPart, timestampPart]) {
      t.notOk(error.message.includes(secretish), error.message);
    }
  }
});

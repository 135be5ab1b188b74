import t from 'tap';
import fc from 'fast-check';
import { parseStrictJson } from '../src/json.js';

const malformed = (reason: string) => ({ code: 'ERR_TOKEN_MALFORMED', reason });

function hasForbiddenMember(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;

  if (Array.isArray(value)) return value.some(hasForbiddenMember);

  return Object.entries(value).some(
    ([key, item]) => key === '__proto__' || key === 'constructor' || hasForbiddenMember(item),
  );
}

t.test('parses what JSON.parse parses', async (t) => {
  const texts = [
    '{"sub":"42","exp":1765006000,"scope":["read"]}',
    ' [1, 2.5, -3e2, true, false, null, "x"] ',
    '"just a string"',
    '0',
    '{}',
    '{"a":{"b":{"c":[{"d":1}]}}}',
    '{"url":"https://a.example:8443/x","k:1":"v:2"}',
    '{"esc\\"aped":"\\\\","b\\\\":"\\"","c":"\\u0041"}',
  ];

  for (const text of texts) t.same(parseStrictJson(text), JSON.parse(text), text);
});

t.test('parses utf-8 bytes', async (t) => {
  t.same(parseStrictJson(Buffer.from('{"name":"Zoë ☃ 😀"}')), { name: 'Zoë ☃ 😀' });
});

t.test('rejects invalid utf-8 bytes', async (t) => {
  const cases = [
    [0x22, 0xff, 0x22],
    [0x22, 0xc3, 0x22],
    [0x22, 0xed, 0xa0, 0x80, 0x22], // an encoded surrogate
    [0x22, 0xc0, 0xaf, 0x22], // an overlong encoding of "/"
  ];

  for (const bytes of cases) {
    t.throws(() => parseStrictJson(new Uint8Array(bytes)), malformed('utf-8'), String(bytes));
  }
});

t.test('rejects a byte order mark', async (t) => {
  const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')]);

  t.throws(() => parseStrictJson(bytes), malformed('syntax'));
});

t.test('rejects invalid syntax', async (t) => {
  for (const text of ['', '{', '{"a":1,}', "{'a':1}", 'NaN', '[1]x', '{"a" 1}', 'undefined']) {
    t.throws(() => parseStrictJson(text), malformed('syntax'), JSON.stringify(text));
  }
});

t.test('rejects duplicate member names at any depth', async (t) => {
  const texts = [
    '{"a":1,"a":2}',
    '{"a":1,"b":{"c":1,"c":1}}',
    '[{"x":0},{"y":1,"y":1}]',
    '{"a":1,"\\u0061":2}',
    '{"deep":[[[{"k":null,"k":null}]]]}',
    '{"a:":1,"a:":1}',
  ];

  for (const text of texts) {
    t.throws(() => parseStrictJson(text), malformed('duplicate member'), text);
  }
});

t.test('accepts the same name in different objects', async (t) => {
  t.same(parseStrictJson('{"a":{"a":1},"b":[{"a":2},{"a":3}]}'), {
    a: { a: 1 },
    b: [{ a: 2 }, { a: 3 }],
  });
});

t.test('rejects __proto__ and constructor members anywhere', async (t) => {
  const cases: Array<[string, string]> = [
    ['{"__proto__":{"admin":true}}', '__proto__'],
    ['{"a":[{"constructor":{"prototype":{}}}]}', 'constructor'],
    ['{"\\u005f_proto__":1}', '__proto__'],
  ];

  for (const [text, claim] of cases) {
    t.throws(() => parseStrictJson(text), { ...malformed('forbidden member'), claim }, text);
  }
});

t.test('accepts the forbidden names as string values', async (t) => {
  t.same(parseStrictJson('{"k":"__proto__","c":["constructor"]}'), {
    k: '__proto__',
    c: ['constructor'],
  });
});

t.test('survives deep nesting without exhausting the stack', async (t) => {
  const depth = 50_000;
  const text = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

  t.ok(parseStrictJson(text));
  t.throws(() => parseStrictJson('[' + text.replace('{"a":1}', '{"a":1,"a":1}') + ']'), {
    code: 'ERR_TOKEN_MALFORMED',
  });
});

t.test('random json values round-trip through text and bytes', async (t) => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const text = JSON.stringify(value);
      const expected: unknown = JSON.parse(text);

      // fast-check deliberately generates keys such as "__proto__"; those must be refused.
      if (hasForbiddenMember(expected)) {
        t.throws(() => parseStrictJson(text), malformed('forbidden member'));

        return;
      }

      t.same(parseStrictJson(text), expected);
      t.same(parseStrictJson(Buffer.from(text)), expected);
    }),
    { numRuns: 300 },
  );
});

t.test('a repeated member name in random objects is always refused', async (t) => {
  const object = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1 });

  fc.assert(
    fc.property(object, fc.jsonValue({ maxDepth: 1 }), (members, extra) => {
      const names = Object.keys(members);
      const name = names[names.length - 1]!;
      const text = JSON.stringify(members).slice(0, -1) + `,${JSON.stringify(name)}:`;

      t.throws(() => parseStrictJson(`${text}${JSON.stringify(extra)}}`), {
        code: 'ERR_TOKEN_MALFORMED',
      });
    }),
    { numRuns: 200 },
  );
});

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import t from 'tap';
import { createOuterSigner, type OuterSignerOptions } from '../../src/outer/index.js';

type Digest = NonNullable<OuterSignerOptions['digest']>;
type Derivation = NonNullable<OuterSignerOptions['keyDerivation']>;

interface Settings {
  secret_keys: string[];
  salt: string;
  digest: Digest;
  key_derivation: Derivation;
}

type PythonAnswer = { value?: unknown; token?: string; error?: string };

const PYTHON = process.env.TOKENIZED_AUTH_PYTHON ?? '/usr/bin/python3';
const PEER = fileURLToPath(new URL('./itsdangerous_peer.py', import.meta.url));
const DIGESTS: Digest[] = ['sha1', 'sha256', 'sha512'];
const DERIVATIONS: Derivation[] = ['django-concat', 'concat', 'hmac', 'none'];
const OLD_KEY = 'an older outer secret, still accepted after rotation';
const NEW_KEY = 'the newest outer secret, which signs every token here';
// Short values stay plain; the long repetitive one is always worth compressing.
const VALUES: unknown[] = [
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2ln',
  { id: 'ünïcødé ✓ 😀', n: -17, ok: true, none: null, list: [1, 'two'] },
  { scope: Array.from({ length: 40 }, (_, i) => `scope:${i % 4}`) },
];

function itsdangerousMissing(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import itsdangerous'], { encoding: 'utf8' });

  if (probe.error) return `cannot run ${PYTHON}: ${probe.error.message}`;

  if (probe.status !== 0) return `${PYTHON} cannot import itsdangerous`;

  return undefined;
}

function askPython(cases: object[]): PythonAnswer[] {
  const run = spawnSync(PYTHON, [PEER], { input: JSON.stringify(cases), encoding: 'utf8' });

  if (run.status !== 0) throw new Error(`python peer failed: ${run.stderr}`);

  return JSON.parse(run.stdout) as PythonAnswer[];
}

function settingsList(): Settings[] {
  return DIGESTS.flatMap((digest) =>
    DERIVATIONS.map((key_derivation) => ({
      secret_keys: [OLD_KEY, NEW_KEY],
      salt: `interop.${digest}.${key_derivation}`,
      digest,
      key_derivation,
    })),
  );
}

function ourSigner(settings: Settings, compress = false) {
  return createOuterSigner({
    secretKeys: settings.secret_keys,
    salt: settings.salt,
    digest: settings.digest,
    keyDerivation: settings.key_derivation,
    compress,
    leeway: 5,
  });
}

/**
 * JSON values whose compact form is the same in JavaScript and Python: no floats (Python
 * writes 1e-07 where JavaScript writes 1e-7) and no integer-like member names (JavaScript
 * orders those first, Python keeps insertion order).
 */
const portableJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.string({
      unit: fc.constantFrom('\u0000', '\u001f', '"', '\\', '\n', '\u007f', '\u2028', '/', 'é'),
    }),
    fc.maxSafeInteger(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.string({ unit: 'grapheme', maxLength: 6 }).filter((k) => !/^(0|[1-9][0-9]*)$/.test(k)),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value;

const missing = itsdangerousMissing();

if (missing !== undefined && process.env.CI) {
  t.fail(`python interop is required when CI is set: ${missing}`);
} else if (missing !== undefined) {
  const why = `${missing}; set TOKENIZED_AUTH_PYTHON to a python with itsdangerous`;

  t.test('live interop with python itsdangerous', { skip: why }, async () => {});
} else {
  t.test('python loads what we sign, compressed or not', async (t) => {
    const cases = settingsList().flatMap((settings) =>
      [false, true].flatMap((compress) =>
        VALUES.map((value) => ({
          ...settings,
          op: 'loads',
          token: ourSigner(settings, compress).sign(value),
          expected: value,
          max_age: 60,
        })),
      ),
    );

    t.ok(
      cases.some((c) => c.token.startsWith('.')),
      'some of our tokens are compressed',
    );

    askPython(cases).forEach((answer, i) => {
      t.same(
        answer,
        { value: cases[i]!.expected },
        `${cases[i]!.digest}/${cases[i]!.key_derivation}`,
      );
    });
  });

  t.test('we verify what python signs, compressed or not', async (t) => {
    const cases = settingsList().flatMap((settings) =>
      VALUES.map((value) => ({ ...settings, op: 'dumps', value })),
    );
    const answers = askPython(cases);

    t.ok(
      answers.some((a) => a.token?.startsWith('.')),
      'python compressed some tokens',
    );
    t.ok(
      answers.some((a) => a.token?.startsWith('.') === false),
      'python left some plain',
    );

    answers.forEach((answer, i) => {
      const settings = cases[i]!;

      t.same(ourSigner(settings).verify(answer.token!, { maxAge: 60 }), settings.value);
    });
  });

  t.test('plain tokens are byte for byte what python signs at the same second', async (t) => {
    const samples = fc.sample(portableJson, { numRuns: 150, seed: 20261203 });
    const settings = settingsList();
    const cases = samples.map((value, i) => ({
      ...settings[i % settings.length]!,
      op: 'dumps',
      value,
      timestamp: 1765006000 + i,
    }));
    const answers = askPython(cases);
    let plain = 0;

    answers.forEach((answer, i) => {
      const { value, timestamp, ...rest } = cases[i]!;
      const ours = createOuterSigner({
        secretKeys: rest.secret_keys,
        salt: rest.salt,
        digest: rest.digest,
        keyDerivation: rest.key_derivation,
        compress: answer.token!.startsWith('.'),
        clock: () => timestamp * 1000,
      }).sign(value);

      if (answer.token!.startsWith('.')) {
        t.same(ourSigner(rest).verify(ours), ourSigner(rest).verify(answer.token!));
      } else {
        plain++;
        t.equal(ours, answer.token, `sample ${i}`);
      }
    });

    t.ok(plain > 100, `${plain} plain tokens compared`);
  });

  t.test('python refuses our token under a key it no longer has', async (t) => {
    const [settings] = settingsList();
    const token = ourSigner(settings!).sign('rotated');
    const onlyOld = { ...settings!, secret_keys: [OLD_KEY], op: 'loads', token };

    t.same(askPython([onlyOld]), [{ error: 'BadTimeSignature' }]);
  });

  t.test('we verify a token python signed with the old key of a rotation', async (t) => {
    const [settings] = settingsList();
    const [answer] = askPython([{ ...settings!, secret_keys: [OLD_KEY], op: 'dumps', value: 1 }]);

    t.equal(ourSigner(settings!).verify(answer!.token!), 1);
  });
}

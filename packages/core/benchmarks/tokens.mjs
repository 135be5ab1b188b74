// Sign and verify of one HS256 access token: ours (double-signed) against fast-jwt, jose and
// jsonwebtoken, plus our outer layer alone and the raw HMAC floors of both layers. Candidates are
// interleaved in one process and their order rotates every round, so drift in machine load
// spreads over all of them.
//
//   node benchmarks/tokens.mjs            full run (about 55 s)
//   BENCH_QUICK=1 node benchmarks/tokens.mjs   short run while developing
//   BENCH_SAVE=0 ...                      do not write benchmarks/results/core.json
//   BENCH_CORE=/abs/path/index.js ...     measure another build of the core (a what-if patch)
//   BENCH_ONLY='ours|fast-jwt' ...        only the candidates whose name matches (fast-jwt stays)
import { createHmac, createSecretKey, randomFillSync, webcrypto } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import { SignJWT, jwtVerify } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import {
  machine,
  median,
  packageVersions,
  round,
  saveResult,
  table,
} from '../../../benchmarks/lib/report.mjs';

const quick = process.env.BENCH_QUICK === '1';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (quick ? 3 : 9));
const SLICE_MS = Number(process.env.BENCH_SLICE_MS ?? (quick ? 100 : 250));
const BATCH = 64;
const TTL = 900;

const SECRET = 'benchmark master secret of at least thirty-two bytes!';
const JWT_KEY = Buffer.from('benchmark access-token key, 32+ bytes long');
const SUBJECT = 'user-1234';

// Baselines draw each jti from a pooled random buffer: 0.2 µs, where randomBytes(16) per call
// costs about 4 µs here, so the libraries we compare with pay the cheapest fair price for it.
const jtiPool = Buffer.alloc(4096);
let jtiOffset = jtiPool.length;

function freshJti() {
  if (jtiOffset + 16 > jtiPool.length) {
    randomFillSync(jtiPool);
    jtiOffset = 0;
  }
  jtiOffset += 16;

  return jtiPool.toString('base64url', jtiOffset - 16, jtiOffset);
}

/** Claims every candidate puts in its token; `jti` is fresh per token, as ours makes one. */
function baselineClaims() {
  return { sub: SUBJECT, typ: 'access', jti: freshJti() };
}

async function loadOurs() {
  try {
    const core = await import(process.env.BENCH_CORE ?? '../dist/index.js');
    if (typeof core.createTokenService !== 'function') return undefined;

    return core;
  } catch (error) {
    console.error(`ours skipped: ../dist/index.js did not load (${error.code ?? error.message})`);

    return undefined;
  }
}

function oursCandidates(core) {
  if (!core) {
    console.error('ours skipped: createTokenService is not exported by dist yet (build first)');

    return [];
  }

  const profiles = {
    ours: { secret: SECRET, accessTokenTtl: TTL },
    // Three explicit keys, "id" as subject, no type claim, iat/jti optional: how the Python
    // reference service runs (the interop tests' profile).
    'ours (python profile)': {
      accessSecret: 'python profile access secret, 32 bytes or more',
      refreshSecret: 'python profile refresh secret, 32 bytes or more',
      outerSecret: 'python profile outer secret, 32 bytes or more!!',
      subjectClaim: 'id',
      typeClaim: false,
      requireIat: false,
      requireJti: false,
      accessTokenTtl: TTL,
    },
    'ours (compress)': { secret: SECRET, accessTokenTtl: TTL, outer: { compress: true } },
    // The same token verified again and again: what the plugin's default cache serves.
    'ours (cache hit)': { secret: SECRET, accessTokenTtl: TTL, accessTokenCache: 1000 },
  };

  const out = [];
  for (const [name, options] of Object.entries(profiles)) {
    let service;
    try {
      service = core.createTokenService(options);
    } catch (error) {
      console.error(`${name} skipped: ${error.code ?? ''} ${error.message}`);
      continue;
    }
    const subjectClaim = service.subjectClaim ?? 'sub';
    const claims = { [subjectClaim]: SUBJECT };
    const token = service.createAccessToken(claims);
    out.push({
      name,
      // Minting is the same with or without a cache.
      ops: options.accessTokenCache ? ['verify'] : undefined,
      sign: () => service.createAccessToken({ [subjectClaim]: SUBJECT }),
      verify: () => service.verifyAccessToken(token),
      token,
      check: (c) => c[subjectClaim] === SUBJECT,
    });
  }

  return out;
}

function fastJwtCandidate() {
  const sign = createSigner({ key: JWT_KEY, algorithm: 'HS256', expiresIn: TTL * 1000 });
  const verify = createVerifier({ key: JWT_KEY, algorithms: ['HS256'] });
  const token = sign(baselineClaims());

  return {
    name: 'fast-jwt',
    sign: () => sign(baselineClaims()),
    verify: () => verify(token),
    token,
    check: (c) => c.sub === SUBJECT,
  };
}

/** fast-jwt's own verified-token cache, the counterpart of `ours (cache hit)`. */
function fastJwtCacheCandidate() {
  const sign = createSigner({ key: JWT_KEY, algorithm: 'HS256', expiresIn: TTL * 1000 });
  const verify = createVerifier({ key: JWT_KEY, algorithms: ['HS256'], cache: true });
  const token = sign(baselineClaims());

  return {
    name: 'fast-jwt (cache hit)',
    ops: ['verify'],
    verify: () => verify(token),
    token,
    check: (c) => c.sub === SUBJECT,
  };
}

// jose runs on WebCrypto: a CryptoKey imported once is its fastest key form.
async function joseCandidate() {
  const key = await webcrypto.subtle.importKey(
    'raw',
    JWT_KEY,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  const sign = () => {
    const { jti, ...rest } = baselineClaims();

    return new SignJWT(rest)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime(`${TTL}s`)
      .setJti(jti)
      .sign(key);
  };

  return {
    name: 'jose (async)',
    async: true,
    sign,
    verify: async () => (await jwtVerify(joseToken, key, { algorithms: ['HS256'] })).payload,
    get token() {
      return joseToken;
    },
    prepare: async () => {
      joseToken = await sign();
    },
    check: (c) => c.sub === SUBJECT,
  };
}
let joseToken;

function jsonwebtokenCandidate() {
  const key = createSecretKey(JWT_KEY);
  const options = { algorithm: 'HS256', expiresIn: TTL };
  const token = jsonwebtoken.sign(baselineClaims(), key, options);

  return {
    name: 'jsonwebtoken',
    sign: () => jsonwebtoken.sign(baselineClaims(), key, options),
    verify: () => jsonwebtoken.verify(token, key, { algorithms: ['HS256'] }),
    token,
    check: (c) => c.sub === SUBJECT,
  };
}

/**
 * Our outer layer alone (itsdangerous defaults: HMAC-SHA1, django-concat), wrapping fast-jwt's
 * token: what the second signature adds on top of an inner JWT.
 */
function outerOnlyCandidate(core, fastJwtToken) {
  if (typeof core?.createOuterSigner !== 'function') return [];

  const outer = core.createOuterSigner({ secretKeys: [SECRET] });
  const token = outer.sign(fastJwtToken);

  return [
    {
      name: 'ours (outer layer only)',
      sign: () => outer.sign(fastJwtToken),
      verify: () => outer.verify(token),
      token,
      check: (value) => value === fastJwtToken,
    },
  ];
}

/**
 * One HMAC over a signing input, keyed by a `KeyObject` made once, as both our layers and
 * jsonwebtoken's candidate are: no JSON, no base64url decoding. SHA-256 over the JWT's input is
 * the inner layer's floor (and fast-jwt's); SHA-1 over our outer input is the outer layer's.
 */
function hmacFloor(name, hash, signed) {
  const key = createSecretKey(JWT_KEY);
  const input = signed.slice(0, signed.lastIndexOf('.'));
  const mac = () => createHmac(hash, key).update(input).digest('base64url');

  return { name, sign: mac, verify: mac, token: signed };
}

let sink;

function runSync(fn, ms) {
  let ops = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now;
  do {
    for (let i = 0; i < BATCH; i++) sink = fn();
    ops += BATCH;
    now = process.hrtime.bigint();
  } while (now < end);

  return (ops * 1e9) / Number(now - start);
}

async function runAsync(fn, ms) {
  let ops = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now;
  do {
    for (let i = 0; i < BATCH; i++) sink = await fn();
    ops += BATCH;
    now = process.hrtime.bigint();
  } while (now < end);

  return (ops * 1e9) / Number(now - start);
}

async function main() {
  const core = await loadOurs();
  let libs = [
    ...oursCandidates(core),
    fastJwtCandidate(),
    fastJwtCacheCandidate(),
    await joseCandidate(),
    jsonwebtokenCandidate(),
  ];
  for (const lib of libs) await lib.prepare?.();
  const fastJwtToken = libs.find((l) => l.name === 'fast-jwt').token;
  const outerOnly = outerOnlyCandidate(core, fastJwtToken);
  libs.push(...outerOnly, hmacFloor('HMAC-SHA256 floor', 'sha256', fastJwtToken));
  if (outerOnly.length) libs.push(hmacFloor('HMAC-SHA1 floor (outer)', 'sha1', outerOnly[0].token));
  if (process.env.BENCH_ONLY) {
    const only = new RegExp(process.env.BENCH_ONLY);
    libs = libs.filter((l) => l.name === 'fast-jwt' || only.test(l.name));
  }

  for (const lib of libs) {
    if (!lib.check) continue;
    const claims = await lib.verify();
    if (!lib.check(claims)) throw new Error(`${lib.name} verified a token without its subject`);
  }

  // One task per (candidate, operation); each round runs every task once, in rotated order.
  const tasks = libs.flatMap((lib) =>
    (lib.ops ?? ['sign', 'verify']).map((op) => ({
      lib: lib.name,
      op,
      fn: lib[op],
      async: Boolean(lib.async),
      samples: [],
      tokenLength: lib.token?.length,
    })),
  );

  const run = (t, ms) => (t.async ? runAsync(t.fn, ms) : runSync(t.fn, ms));
  for (const t of tasks) await run(t, SLICE_MS);

  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[(i + r) % tasks.length];
      t.samples.push(await run(t, SLICE_MS));
    }
  }
  if (sink === undefined) throw new Error('no result was produced');

  const results = tasks.map((t) => {
    const opsPerSec = median(t.samples);
    const base = tasks.find((b) => b.lib === 'fast-jwt' && b.op === t.op);

    return {
      candidate: t.lib,
      op: t.op,
      async: t.async,
      opsPerSec: Math.round(opsPerSec),
      usPerOp: round(1e6 / opsPerSec, 3),
      ratioVsFastJwt: round(opsPerSec / median(base.samples), 3),
      tokenLength: t.tokenLength,
      samples: t.samples.map((s) => Math.round(s)),
    };
  });

  const rows = [['candidate', 'op', 'ops/s', 'µs/op', 'x fast-jwt', 'token chars']];
  for (const op of ['sign', 'verify']) {
    for (const r of results.filter((x) => x.op === op)) {
      rows.push([r.candidate, op, r.opsPerSec, r.usPerOp, r.ratioVsFastJwt, r.tokenLength ?? '']);
    }
  }
  console.log(table(rows));

  const ours = (op) => results.find((r) => r.candidate === 'ours' && r.op === op);
  const targets = ours('sign')
    ? {
        verify: { target: 0.8, measured: ours('verify').ratioVsFastJwt },
        sign: { target: 0.75, measured: ours('sign').ratioVsFastJwt },
      }
    : undefined;
  for (const [op, t] of Object.entries(targets ?? {})) {
    const verdict = t.measured >= t.target ? 'met' : 'MISSED';
    console.log(`target ${op}: ${t.measured}x fast-jwt (>= ${t.target}x) ${verdict}`);
  }

  const file = await saveResult('core', {
    benchmark: 'core sign/verify of one HS256 access token',
    machine: machine(),
    versions: packageVersions(import.meta.url, ['fast-jwt', 'jose', 'jsonwebtoken']),
    config: { rounds: ROUNDS, sliceMs: SLICE_MS, accessTokenTtl: TTL, quick },
    targets,
    results,
  });
  if (file) console.log(`saved ${file}`);
}

await main();

#!/usr/bin/env node
// Packs the publishable packages as npm would publish them, lints the tarballs with publint,
// installs them into a scratch project outside the workspace with plain npm, and proves there
// that ESM, CommonJS, a Fastify server, the CLI and a strict TypeScript consumer all work. Then
// `pnpm -r publish --dry-run` must succeed, and `changeset version` on a copy of the workspace must
// bump versions and write changelogs as the pending changesets say. Assumes `pnpm build` has run.
// Usage: node scripts/pack-check.mjs [--keep]   (--keep leaves the scratch project on disk)
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkChangesets } from './pack-check/changesets.mjs';
import { checkCli } from './pack-check/cli.mjs';
import { checkPublint, checkPublishDryRun } from './pack-check/publish.mjs';
import { CheckFailure, run, step, writeJson } from './pack-check/run.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packages = [
  { name: '@tokenized-auth/core', dir: join(root, 'packages/core') },
  { name: '@tokenized-auth/fastify-plugin', dir: join(root, 'packages/fastify-plugin') },
];
// Versions a consumer would pick today; typescript matches the workspace's ~5.9.
const consumerDependencies = ['fastify@^5', 'typescript@~5.9.3', '@types/node@^20'];
const keep = process.argv.includes('--keep');

const started = Date.now();
const scratch = mkdtempSync(join(tmpdir(), 'tokenized-auth-pack-check-'));

try {
  const tarballs = packAll(join(scratch, 'tarballs'));
  await checkPublint(packages, tarballs);
  const consumer = join(scratch, 'consumer');
  installConsumer(consumer, tarballs);
  checkModuleSystems(consumer);
  checkFastify(consumer);
  checkCli(consumer);
  checkTypes(consumer);
  await checkPublishDryRun(root, packages);
  checkChangesets(root, packages, scratch);
  console.log(`pack-check: all checks passed in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  if (!keep) rmSync(scratch, { recursive: true, force: true });
} catch (error) {
  const reason = error instanceof CheckFailure ? error.message : String(error?.stack ?? error);
  console.error(`pack-check: FAILED: ${reason}`);
  console.error(`pack-check: scratch project kept at ${scratch}`);
  process.exitCode = 1;
}

function packAll(destination) {
  mkdirSync(destination, { recursive: true });

  return packages.map(({ name, dir }) => {
    step(`packing ${name}`);
    if (!existsSync(join(dir, 'dist'))) {
      const hint = 'run "pnpm --filter \'./packages/*\' build" first';
      throw new CheckFailure(`${name} has no dist/: ${hint}`);
    }

    const before = new Set(readdirSync(destination));
    // pnpm pack, unlike npm pack, rewrites "workspace:^" ranges to the real versions.
    run(`pnpm pack ${name}`, 'pnpm', ['pack', '--pack-destination', destination], { cwd: dir });
    const tarball = readdirSync(destination).find((file) => !before.has(file));
    if (tarball === undefined) throw new CheckFailure(`pnpm pack ${name} wrote no tarball`);

    return join(destination, tarball);
  });
}

function installConsumer(consumer, tarballs) {
  step('installing the tarballs into a scratch project with npm');
  mkdirSync(consumer, { recursive: true });
  writeJson(join(consumer, 'package.json'), { name: 'consumer', private: true, version: '1.0.0' });
  run(
    'npm install',
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...tarballs,
      ...consumerDependencies,
    ],
    { cwd: consumer, timeout: 300_000 },
  );
}

function checkModuleSystems(consumer) {
  step('loading both packages with import and with require');
  const describe = (load) => `
    const shape = (module) => Object.fromEntries(
      Object.keys(module).sort().map((key) => [key, typeof module[key]]));
    ${load}
    process.stdout.write(JSON.stringify({ core: shape(core), plugin: shape(plugin) }));`;
  writeFileSync(
    join(consumer, 'shape.mjs'),
    describe(`const core = await import('@tokenized-auth/core');
      const plugin = await import('@tokenized-auth/fastify-plugin');`),
  );
  writeFileSync(
    join(consumer, 'shape.cjs'),
    describe(`const core = require('@tokenized-auth/core');
      const plugin = require('@tokenized-auth/fastify-plugin');`),
  );
  const esm = JSON.parse(run('ESM import', 'node', ['shape.mjs'], { cwd: consumer }));
  const cjs = JSON.parse(run('CommonJS require', 'node', ['shape.cjs'], { cwd: consumer }));

  for (const key of ['core', 'plugin']) {
    const [a, b] = [JSON.stringify(esm[key]), JSON.stringify(cjs[key])];
    if (a !== b) throw new CheckFailure(`${key}: ESM exports ${a} differ from CommonJS ${b}`);
    if (Object.keys(esm[key]).length === 0) throw new CheckFailure(`${key} exports nothing`);
  }
  for (const name of ['createTokenService', 'createOuterSigner', 'isTokenError']) {
    if (esm.core[name] !== 'function') throw new CheckFailure(`core lacks function "${name}"`);
  }
  if (esm.plugin.default !== 'function' || esm.plugin.tokenizedAuth !== 'function') {
    throw new CheckFailure('plugin lacks a default and a named "tokenizedAuth" function export');
  }
}

function checkFastify(consumer) {
  const server = (load) => `${load}
    const app = Fastify();
    const secret = require('node:crypto').randomBytes(32).toString('hex');
    app.register(plugin, { secret });
    app.get('/me', async (request) => {
      const claims = await request.verifyToken();
      return { sub: claims.sub };
    });
    (async () => {
      await app.ready();
      const pair = await app.tokens.issue({ sub: 'user-1' });
      const authorization = 'Bearer ' + pair.accessToken;
      const valid = await app.inject({ url: '/me', headers: { authorization } });
      const missing = await app.inject({ url: '/me' });
      await app.close();
      const failures = [];
      if (valid.statusCode !== 200 || valid.json().sub !== 'user-1') {
        failures.push('with the issued token: ' + valid.statusCode + ' ' + valid.body);
      }
      if (missing.statusCode !== 401) {
        failures.push('without a token: ' + missing.statusCode + ' ' + missing.body);
      }
      if (failures.length > 0) {
        console.error(failures.join('\\n'));
        process.exitCode = 1;
      }
    })();`;
  writeFileSync(
    join(consumer, 'server.mjs'),
    server(`import { createRequire } from 'node:module';
      import Fastify from 'fastify';
      import plugin from '@tokenized-auth/fastify-plugin';
      const require = createRequire(import.meta.url);`),
  );
  writeFileSync(
    join(consumer, 'server.cjs'),
    server(`const Fastify = require('fastify');
      const plugin = require('@tokenized-auth/fastify-plugin').default;`),
  );
  for (const file of ['server.mjs', 'server.cjs']) {
    step(`registering the plugin on Fastify and calling request.verifyToken() (${file})`);
    run(`Fastify round trip (${file})`, 'node', [file], { cwd: consumer });
  }
}

// NodeNext takes each condition's types; node10 resolution takes the top-level "types", and
// reads it as CommonJS, as it reads "main". ESM typings there would describe the wrong module.
function checkDeclarationFormats(consumer) {
  step('checking each installed manifest names declarations of the matching module format');
  for (const { name } of packages) {
    const manifest = readFileSync(join(consumer, 'node_modules', name, 'package.json'), 'utf8');
    const { types, exports } = JSON.parse(manifest);
    const found = { import: exports['.'].import?.types, require: exports['.'].require?.types };
    const wanted = { import: /\.d\.ts$/, require: /\.d\.cts$/ };
    for (const condition of ['import', 'require']) {
      if (!wanted[condition].test(found[condition] ?? '')) {
        throw new CheckFailure(`${name}: exports "${condition}" types is ${found[condition]}`);
      }
    }

    if (types !== found.require) {
      throw new CheckFailure(`${name}: top-level "types" is ${types}, not ${found.require}`);
    }
  }
}

function checkTypes(consumer) {
  checkDeclarationFormats(consumer);
  step('type-checking a strict TypeScript consumer (.mts and .cts)');
  writeJson(join(consumer, 'tsconfig.json'), {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noImplicitOverride: true,
      esModuleInterop: true,
      verbatimModuleSyntax: false,
      // Declaration files are what this check is about, so they are checked too.
      skipLibCheck: false,
      noEmit: true,
      types: ['node'],
    },
    files: ['consumer.mts', 'consumer.cts'],
  });
  writeFileSync(join(consumer, 'consumer.mts'), typedConsumer('esm'));
  writeFileSync(join(consumer, 'consumer.cts'), typedConsumer('cjs'));
  run('tsc (strict, NodeNext)', join(consumer, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], {
    cwd: consumer,
  });
}

function typedConsumer(kind) {
  // The @ts-expect-error lines fail the check if a declaration degrades to `any`.
  return `import Fastify from 'fastify';
import tokenizedAuth, { tokenizedAuth as namedPlugin } from '@tokenized-auth/fastify-plugin';
import {
  createTokenService,
  isTokenError,
  type TokenClaims,
  type TokenService,
} from '@tokenized-auth/core';

const secret = 'a'.repeat(64);
const service: TokenService = createTokenService({ secret, accessTokenTtl: 600 });
const token: string = service.createAccessToken({ sub: 'user-1' });
const claims: TokenClaims = service.verifyAccessToken(token);
const expiresAt: number = claims.exp;
// @ts-expect-error the TTL is a number of seconds
const ttl: string = service.accessTokenTtl;

function codeOf(error: unknown): string | undefined {
  return isTokenError(error) ? error.code : undefined;
}

async function main(): Promise<void> {
  const app = Fastify();
  await app.register(${kind === 'esm' ? 'tokenizedAuth' : 'namedPlugin'}, { secret });
  app.get('/me', async (request) => {
    const verified = await request.verifyToken();
    return { exp: verified.exp };
  });
  const pair = await app.tokens.issue({ sub: 'user-1' });
  const bearer: 'Bearer' = pair.tokenType;
  const seconds: number = pair.expiresIn;
  // @ts-expect-error the access token is a string
  const wrong: number = pair.accessToken;
  console.log(expiresAt, ttl, codeOf(null), bearer, seconds, wrong, namedPlugin, tokenizedAuth);
}

${kind === 'esm' ? 'await main();' : 'void main();'}
`;
}

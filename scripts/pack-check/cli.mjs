// The installed `tokenized-auth` bin, run as a user would: keygen's secrets mint a token with the
// installed core, then verify and inspect judge it with the right, a wrong and no secrets.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { capture, CheckFailure, cleanEnv, run, step } from './run.mjs';

const SECRET_NAMES = ['JWT_SECRET', 'JWT_REFRESH_SECRET', 'OUTER_SECRET'];

export function checkCli(consumer) {
  step('running the tokenized-auth bin: --help, keygen, verify and inspect');
  const bin = join(consumer, 'node_modules/.bin/tokenized-auth');
  const cli = (what, args, env = {}, input = undefined) =>
    capture(`tokenized-auth ${what}`, bin, args, { cwd: consumer, env: withSecrets(env), input });

  run('tokenized-auth --help', bin, ['--help'], { cwd: consumer, env: withSecrets({}) });
  const secrets = keygen(cli);
  const token = mint(consumer, secrets);

  expectVerified(cli('verify with its secrets', ['verify', token], secrets));
  // The token goes through stdin here, the way the help recommends for real tokens.
  const wrong = { ...secrets, JWT_SECRET: keygen(cli).JWT_SECRET };
  expectRejected(cli('verify with a wrong JWT secret', ['verify', '-'], wrong, token));
  expectNothingVerified(cli('inspect without secrets', ['inspect', token]), true);
  expectNothingVerified(cli('inspect with secrets', ['inspect', token], secrets), false);
}

/** Runs keygen and returns its secrets by variable name. */
function keygen(cli) {
  const result = cli('keygen', ['keygen']);
  const secrets = {};
  for (const name of SECRET_NAMES) {
    const line = new RegExp(`^${name}=(\\S{43,})$`, 'm').exec(result.stdout);
    if (result.status !== 0 || line === null) {
      throw new CheckFailure(`tokenized-auth keygen printed no ${name} line:\n${show(result)}`);
    }

    secrets[name] = line[1];
  }

  return secrets;
}

// The installed core mints, so the bin and the library a user installs must agree.
function mint(consumer, secrets) {
  writeFileSync(
    join(consumer, 'mint.mjs'),
    `import { createTokenService } from '@tokenized-auth/core';
    const service = createTokenService({
      accessSecret: process.env.JWT_SECRET,
      refreshSecret: process.env.JWT_REFRESH_SECRET,
      outerSecret: process.env.OUTER_SECRET,
    });
    process.stdout.write(service.createAccessToken({ sub: 'pack-check-user' }));`,
  );

  return run('minting a token with the installed core', 'node', ['mint.mjs'], {
    cwd: consumer,
    env: withSecrets(secrets),
  });
}

function expectVerified(result) {
  const verdict = result.status === 0 ? parseJson(result.stdout) : undefined;
  if (verdict?.type !== 'access' || verdict.claims?.sub !== 'pack-check-user') {
    throw new CheckFailure(`tokenized-auth verify refused a valid token:\n${show(result)}`);
  }
}

function expectRejected(result) {
  if (result.status !== 1 || !/^ERR_TOKEN_SIGNATURE: /.test(result.stderr)) {
    const want = 'exit status 1 and ERR_TOKEN_SIGNATURE';
    throw new CheckFailure(
      `tokenized-auth verify with a wrong secret: want ${want}:\n${show(result)}`,
    );
  }
}

function expectNothingVerified(result, warned) {
  if (result.status !== 0 || result.stdout.includes('NOTHING WAS VERIFIED') !== warned) {
    const want = `${warned ? 'a' : 'no'} "NOTHING WAS VERIFIED" warning`;
    throw new CheckFailure(`tokenized-auth inspect: want ${want}:\n${show(result)}`);
  }

  if (!result.stdout.includes('"sub": "pack-check-user"')) {
    throw new CheckFailure(`tokenized-auth inspect did not show the claims:\n${show(result)}`);
  }
}

// Only the secrets a step passes: a developer's own TOKENIZED_AUTH_SECRET must not leak in.
function withSecrets(secrets) {
  const env = cleanEnv();
  for (const name of [...SECRET_NAMES, 'TOKENIZED_AUTH_SECRET']) delete env[name];

  return { ...env, ...secrets };
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function show(result) {
  return `exit status ${result.status}\n${result.stdout}\n${result.stderr}`.trim();
}

// Helpers every pack-check step shares: one failure type, progress lines and running commands.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

/** A check that failed; its message is all the report needs, without a stack. */
export class CheckFailure extends Error {}

export function step(title) {
  console.log(`pack-check: ${title}`);
}

/** Runs a command and returns its stdout; another exit status than expected is a CheckFailure. */
export function run(what, command, args, options = {}) {
  return expectStatus(what, capture(what, command, args, options), options.expectStatus ?? 0);
}

/** Runs a command and returns its exit status and output, whatever the status. */
export function capture(what, command, args, options = {}) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    env: options.env ?? cleanEnv(),
    cwd: options.cwd,
    input: options.input,
    timeout: options.timeout ?? 120_000,
  });
  if (result.error) throw new CheckFailure(`${what}: ${result.error.message}`);

  return result;
}

/**
 * Like {@link run}, but leaves this process's event loop free, for a command that talks to a
 * server this process runs.
 */
export function runAsync(what, command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? cleanEnv(),
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeout ?? 120_000,
    });
    const output = { stdout: '', stderr: '' };
    child.stdout.on('data', (chunk) => (output.stdout += chunk));
    child.stderr.on('data', (chunk) => (output.stderr += chunk));
    child.on('error', (error) => reject(new CheckFailure(`${what}: ${error.message}`)));
    child.on('close', (status, signal) => {
      try {
        resolve(expectStatus(what, { ...output, status: status ?? signal }, 0));
      } catch (error) {
        reject(error);
      }
    });
  });
}

function expectStatus(what, result, expected) {
  if (result.status !== expected) {
    const output = `${result.stdout}\n${result.stderr}`.trim();
    throw new CheckFailure(`${what}: exit status ${result.status}\n${output}`);
  }

  return result.stdout;
}

// Variables pnpm or turbo set for their own children would steer the consumer's npm back
// into this workspace's settings; a real user's npm sees none of them.
export function cleanEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(npm_|pnpm_)/i.test(key) || key === 'NODE_OPTIONS') delete env[key];
  }

  return env;
}

export function writeJson(file, value) {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

// What npm would see at publish time: publint on the packed tarballs, and `pnpm -r publish
// --dry-run` pointed at a stand-in registry on localhost, so no run can ever reach npm.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CheckFailure, cleanEnv, runAsync, step } from './run.mjs';

/** Fails on any error or warning publint reports for a tarball; strict makes warnings errors. */
export async function checkPublint(packages, tarballs) {
  // publint is a devDependency of the packages, not of the root.
  const require = createRequire(join(packages[0].dir, 'package.json'));
  const { publint } = await import(require.resolve('publint'));
  const { formatMessage } = await import(require.resolve('publint/utils'));

  for (const [index, { name }] of packages.entries()) {
    step(`publint on the ${name} tarball`);
    const bytes = readFileSync(tarballs[index]);
    const tarball = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const { messages, pkg } = await publint({ pack: { tarball }, level: 'warning', strict: true });
    if (messages.length > 0) {
      const lines = messages.map((message) => `  ${formatMessage(message, pkg, { color: false })}`);
      throw new CheckFailure(`publint found problems in ${name}:\n${lines.join('\n')}`);
    }
  }
}

/**
 * Runs `pnpm -r publish --dry-run` against a local registry that knows no package and records
 * every write; a write to it, or a package missing from the dry run's list, fails the check.
 */
export async function checkPublishDryRun(root, packages) {
  step('pnpm -r publish --dry-run against a local stand-in registry');
  const registry = await startStandInRegistry();

  try {
    const env = { ...cleanEnv(), npm_config_registry: registry.url };
    const args = ['-r', 'publish', '--dry-run', '--no-git-checks'];
    const output = await runAsync('pnpm -r publish --dry-run', 'pnpm', args, {
      cwd: root,
      env,
    }).finally(() => {
      // An attempted write is the worse news, so it is reported even if pnpm also failed.
      if (registry.writes.length > 0) {
        throw new CheckFailure(`the dry run wrote to the registry: ${registry.writes.join(', ')}`);
      }
    });

    for (const { name, dir } of packages) {
      const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (!output.includes(`+ ${name}@${version}`)) {
        throw new CheckFailure(`the dry run did not list ${name}@${version}:\n${output}`);
      }
    }
  } finally {
    await registry.close();
  }
}

// Answers every read with 404, so pnpm sees unpublished versions, and refuses every write.
function startStandInRegistry() {
  const writes = [];
  const server = createServer((request, response) => {
    const read = request.method === 'GET' || request.method === 'HEAD';
    if (!read) writes.push(`${request.method} ${request.url}`);

    request.resume();
    request.on('end', () => {
      response.writeHead(read ? 404 : 405, { 'content-type': 'application/json' });
      response.end('{"error":"Not found"}');
    });
  });

  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      const close = () => {
        server.closeAllConnections();

        return new Promise((done) => server.close(done));
      };
      resolve({ url: `http://127.0.0.1:${port}/`, writes, close });
    });
  });
}

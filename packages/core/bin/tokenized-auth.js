#!/usr/bin/env node
// The "tokenized-auth" bin. Package managers link bins at install time, and in this workspace
// that is before dist/ is built, so the bin is this committed file rather than dist/cli.js.
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);

try {
  await import(cli.href);
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !error.message.includes(fileURLToPath(cli))) {
    throw error;
  }

  // 70 (EX_SOFTWARE), as the CLI itself exits on a bug: 1 and 2 mean rejected and usage error.
  process.stderr.write('tokenized-auth: dist/cli.js is missing: run "pnpm build" first\n');
  process.exitCode = 70;
}

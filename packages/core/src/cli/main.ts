#!/usr/bin/env node
import { internalErrorMessage, run } from './run.js';

// 70 (EX_SOFTWARE in sysexits.h) keeps a bug apart from 1, which means "token rejected".
const EXIT_INTERNAL = 70;

try {
  process.exitCode = await run(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    now: Date.now,
  });
} catch (error) {
  process.stderr.write(`tokenized-auth: ${internalErrorMessage(error)}\n`);
  process.exitCode = EXIT_INTERNAL;
}

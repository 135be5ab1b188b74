import { parseArgs } from 'node:util';
import { verifyWhole } from './check.js';
import { UsageError } from '../errors.js';
import { EXIT_OK, EXIT_REJECTED, readToken, type CliIo } from './io.js';
import { readSettings, VERIFICATION_HELP, verificationOptions } from './settings.js';

export const VERIFY_HELP = `Usage: tokenized-auth verify [options] <token | ->

Verifies a whole token as a server would: outer signature and age, inner JWT signature, algorithm
and claims. Prints the token type and claims as JSON on success; on failure prints the error code
and reason to stderr. Pass "-" to read the token from stdin, which keeps it out of shell history.

Exit status: 0 valid, 1 rejected (the code, such as ERR_TOKEN_EXPIRED, is on stderr),
2 usage error or bad option (ERR_TOKEN_CONFIG).

Options:
  -h, --help              show this help

${VERIFICATION_HELP}`;

/** `verify`: the whole token through the core's token service; the exit status is the verdict. */
export async function verify(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: verificationOptions,
    allowPositionals: true,
  });
  if (values.help === true) {
    io.stdout.write(`${VERIFY_HELP}\n`);

    return EXIT_OK;
  }

  const settings = readSettings(values, io.env, io.now());
  const token = await readToken(io, positionals);
  const verdict = verifyWhole(token, settings);
  if (verdict === undefined) {
    throw new UsageError(
      'no keys for the whole token: pass --secret, or --outer-secret and --jwt-secret ' +
        'and/or --refresh-secret or their --*-kid-secret forms (or their environment variables)',
    );
  }

  if (!verdict.ok) {
    io.stderr.write(`${verdict.code}: ${verdict.message}\n`);

    return EXIT_REJECTED;
  }

  io.stdout.write(`${JSON.stringify({ type: verdict.kind, claims: verdict.claims }, null, 2)}\n`);

  return EXIT_OK;
}

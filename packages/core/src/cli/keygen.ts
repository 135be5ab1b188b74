import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { EXIT_OK, type CliIo } from './io.js';

export const KEYGEN_HELP = `Usage: tokenized-auth keygen [--encoding hex|base64url]

Prints a fresh random secret (32 bytes) for every layer as .env lines:
  JWT_SECRET          signs access-token JWTs
  JWT_REFRESH_SECRET  signs refresh-token JWTs
  OUTER_SECRET        keys the outer itsdangerous signature

Options:
  --encoding <e>  hex (default, as the Python service's secrets) or base64url
  -h, --help      show this help`;

const LAYER_VARIABLES = ['JWT_SECRET', 'JWT_REFRESH_SECRET', 'OUTER_SECRET'] as const;

/** `keygen`: one fresh 256-bit secret a layer, so no two layers ever share a key. */
export function keygen(args: readonly string[], io: CliIo): number {
  const { values } = parseArgs({
    args: [...args],
    options: { encoding: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help === true) return help(io);

  const encoding = values.encoding ?? 'hex';
  if (encoding !== 'hex' && encoding !== 'base64url') {
    throw new UsageError('"--encoding" must be hex or base64url');
  }

  const lines = LAYER_VARIABLES.map((name) => `${name}=${randomBytes(32).toString(encoding)}`);
  io.stdout.write(`# tokenized-auth secrets: keep them out of version control\n`);
  io.stdout.write(`${lines.join('\n')}\n`);

  return EXIT_OK;
}

function help(io: CliIo): number {
  io.stdout.write(`${KEYGEN_HELP}\n`);

  return EXIT_OK;
}

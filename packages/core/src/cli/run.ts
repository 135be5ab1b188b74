import { inspect } from './inspect.js';
import { UsageError } from '../errors.js';
import { EXIT_OK, EXIT_USAGE, type CliIo } from './io.js';
import { keygen } from './keygen.js';
import { verify } from './verify.js';

export const MAIN_HELP = `Usage: tokenized-auth <command> [options]

Commands:
  keygen             print fresh secrets for every layer as .env lines
  inspect <token>    show a token's layers, claims and expiry; verify them when secrets are given
  verify <token>     exit 0 when the token is valid, 1 with its error code when it is not

Run "tokenized-auth <command> --help" for a command's options. A token of "-" is read from stdin.`;

type Command = (args: readonly string[], io: CliIo) => number | Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = { keygen, inspect, verify };

/** Runs one CLI invocation and returns its exit status; never throws for a user's mistake. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    return rest.length > 0 && name === 'help' ? run([rest[0] as string, '--help'], io) : help(io);
  }

  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) return usageFailure(io, `unknown command "${name}"`, undefined);

  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      return usageFailure(io, (error as Error).message, name);
    }

    throw error;
  }
}

function help(io: CliIo): number {
  io.stdout.write(`${MAIN_HELP}\n`);

  return EXIT_OK;
}

function usageFailure(io: CliIo, message: string, command: string | undefined): number {
  const hint = command === undefined ? 'tokenized-auth --help' : `tokenized-auth ${command} --help`;
  io.stderr.write(`tokenized-auth: ${message}\nSee "${hint}".\n`);

  return EXIT_USAGE;
}

// node:util parseArgs reports unknown or malformed flags with ERR_PARSE_ARGS_* codes.
function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;

  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

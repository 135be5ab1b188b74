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
  if (command === undefined) return usageFailure(io, unknownCommand(name), undefined);

  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, error.message, name);
    if (isParseArgsError(error)) return usageFailure(io, parseArgsMessage(error), name);

    throw error;
  }
}

/**
 * What the CLI says about an error it did not expect: its class name and code, never its
 * message, which may quote an argument, and so a token or a secret.
 */
export function internalErrorMessage(error: unknown): string {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  const known = [name, code].filter((part) => typeof part === 'string' && SAFE_WORD.test(part));

  return ['internal error', ...known].join(' ');
}

// Whatever a user typed is shown only when it cannot be a token or a secret: a short word in
// lower case without dots, as command and flag names are.
const COMMAND_WORD = /^[a-z][a-z-]{0,19}$/;
const FLAG_NAME = /^(--[a-z][a-z0-9-]{0,31}|-[A-Za-z0-9])$/;
const SAFE_WORD = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function unknownCommand(name: string): string {
  return COMMAND_WORD.test(name) ? `unknown command "${name}"` : 'unknown command';
}

// node:util parseArgs quotes the offending argument in its messages, and a stray argument may
// well be a token, so each code gets a fixed message; only a flag name is ever repeated.
function parseArgsMessage(error: { code: string; message: string }): string {
  const flag = /^(?:Unknown option|Option) '([^' ]+)/.exec(error.message)?.[1];
  const named = flag !== undefined && FLAG_NAME.test(flag) ? ` "${flag}"` : '';

  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option${named}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `invalid value for option${named}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return 'unexpected argument: this command takes options only';
    default:
      return 'invalid arguments';
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
function isParseArgsError(error: unknown): error is { code: string; message: string } {
  const code = (error as { code?: unknown } | null)?.code;

  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

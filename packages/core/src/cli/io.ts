import { UsageError } from '../errors.js';

/** What a command may touch, injected so the commands stay testable without a real process. */
export interface CliIo {
  readonly stdin: AsyncIterable<Buffer | string>;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Milliseconds since the epoch, like `Date.now`. */
  readonly now: () => number;
}

/** Exit statuses: 0 valid or done, 1 token rejected or undecodable, 2 wrong usage or options. */
export const EXIT_OK = 0;
export const EXIT_REJECTED = 1;
export const EXIT_USAGE = 2;

/**
 * Returns the token argument, or stdin's content for `-`, so a token need not enter shell
 * history.
 */
export async function readToken(io: CliIo, positionals: readonly string[]): Promise<string> {
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0 ? 'missing <token> argument' : 'expected exactly one <token>',
    );
  }

  const argument = positionals[0] as string;
  const token = argument === '-' ? await readAll(io.stdin) : argument;
  const trimmed = token.trim();
  if (trimmed === '') throw new UsageError('empty token');

  return trimmed;
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));

  return Buffer.concat(chunks).toString('utf8');
}

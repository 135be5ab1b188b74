import t from 'tap';
import { runCli } from './fixtures/cli.js';

const VARIABLES = ['JWT_SECRET', 'JWT_REFRESH_SECRET', 'OUTER_SECRET'];

function envLines(stdout: string): Map<string, string> {
  const entries = stdout
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split('=') as [string, string]);

  return new Map(entries);
}

t.test('prints a distinct 32-byte hex secret for every layer as .env lines', async (t) => {
  const { status, stdout } = runCli(['keygen']);
  const lines = envLines(stdout);

  t.equal(status, 0);
  t.same([...lines.keys()], VARIABLES);
  for (const value of lines.values()) t.match(value, /^[0-9a-f]{64}$/);
  t.equal(new Set(lines.values()).size, 3);
});

t.test('prints base64url secrets that decode to 32 bytes with --encoding base64url', async (t) => {
  const { status, stdout } = runCli(['keygen', '--encoding', 'base64url']);
  const values = [...envLines(stdout).values()];

  t.equal(status, 0);
  t.equal(values.length, 3);
  for (const value of values) {
    t.match(value, /^[A-Za-z0-9_-]{43}$/);
    t.equal(Buffer.from(value, 'base64url').length, 32);
  }
});

t.test('draws fresh secrets on every run', async (t) => {
  const first = envLines(runCli(['keygen']).stdout);
  const second = envLines(runCli(['keygen']).stdout);

  for (const name of VARIABLES) t.not(first.get(name), second.get(name), name);
});

t.test('refuses an unknown encoding with usage status 2', async (t) => {
  const { status, stdout, stderr } = runCli(['keygen', '--encoding', 'base32']);

  t.equal(status, 2);
  t.equal(stdout, '');
  t.match(stderr, '"--encoding" must be hex or base64url');
});

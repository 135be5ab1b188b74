import t from 'tap';
import { internalErrorMessage } from '../../src/cli/run.js';
import { createTokenService } from '../../src/index.js';
import { runCli, SECRETS } from './fixtures/cli.js';

t.test('lists the commands for --help, -h, help and no arguments', async (t) => {
  for (const args of [['--help'], ['-h'], ['help'], []]) {
    const { status, stdout } = runCli(args);

    t.equal(status, 0, args.join(' '));
    t.match(stdout, /^Usage: tokenized-auth <command>/);
    t.match(stdout, /keygen[\s\S]*inspect[\s\S]*verify/);
  }
});

t.test('answers --help and "help <command>" with that command\'s usage', async (t) => {
  for (const command of ['keygen', 'inspect', 'verify']) {
    const flag = runCli([command, '--help']);
    const word = runCli(['help', command]);

    t.equal(flag.status, 0, command);
    t.match(flag.stdout, new RegExp(`^Usage: tokenized-auth ${command}`));
    t.equal(word.stdout, flag.stdout, command);
  }
});

t.test('exits 2 naming an unknown command', async (t) => {
  const { status, stderr } = runCli(['sign']);

  t.equal(status, 2);
  t.match(stderr, 'unknown command "sign"');
});

t.test('exits 2 for an unknown flag and points to the command help', async (t) => {
  const { status, stderr } = runCli(['verify', '--jwt-secrte', 'x', 'token']);

  t.equal(status, 2);
  t.match(stderr, 'unknown option "--jwt-secrte"');
  t.match(stderr, 'tokenized-auth verify --help');
});

t.test('never echoes a stray argument that may be a token', async (t) => {
  const token = createTokenService({ secret: SECRETS.master }).createAccessToken({ sub: 'u-1' });
  const attempts = [
    [token],
    ['help', token],
    ['keygen', token],
    ['keygen', '--encoding', 'hex', token],
    ['verify', `--${token}`, 'x'],
    ['verify', `--type=${token}`, 'x'],
    ['inspect', `--json=${token}`, 'x'],
    ['inspect', `-x${token}`],
  ];

  for (const args of attempts) {
    const { status, stdout, stderr } = runCli(args);
    const output = stdout + stderr;
    const label = args.map((arg) => arg.replace(token, '<token>')).join(' ');

    t.equal(status, 2, label);
    t.match(stderr, /^tokenized-auth: /, label);
    for (const part of [token, ...token.split('.')]) {
      t.notOk(output.includes(part), `${label}: no part of the token in the output`);
    }
  }
});

t.test('names an unknown command or flag only when it is a plain word', async (t) => {
  t.match(runCli(['keygen', '--encodng', 'hex']).stderr, 'unknown option "--encodng"');
  t.match(runCli(['inspect', '--json=yes', 'x']).stderr, 'invalid value for option "--json"');
  t.match(runCli(['keygen', 'extra']).stderr, 'unexpected argument');
  t.notMatch(runCli(['keygen', 'extra']).stderr, 'extra');
  t.match(runCli(['Not.A.Command']).stderr, /unknown command\n/);
});

t.test('reports an internal error by class and code, never by its message', async (t) => {
  const error = Object.assign(new RangeError('bad input eyJhbGciOi.secret-looking'), {
    code: 'ERR_SOMETHING',
  });

  t.equal(internalErrorMessage(error), 'internal error RangeError ERR_SOMETHING');
  t.equal(internalErrorMessage('eyJhbGciOi.thrown-string'), 'internal error');
  t.equal(internalErrorMessage(undefined), 'internal error');
  t.equal(internalErrorMessage({ name: 'a token: eyJ.x', code: 42 }), 'internal error');
});

t.test('exits 2 when the token argument is missing or doubled', async (t) => {
  for (const command of ['inspect', 'verify']) {
    t.equal(runCli([command]).status, 2, `${command} without a token`);
    t.match(runCli([command]).stderr, 'missing <token> argument');
    t.match(runCli([command, 'a', 'b']).stderr, 'expected exactly one <token>');
  }
});

t.test('exits 2 for an empty token on stdin', async (t) => {
  const { status, stderr } = runCli(['inspect', '-'], { input: '  \n' });

  t.equal(status, 2);
  t.match(stderr, 'empty token');
});

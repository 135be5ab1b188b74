import t from 'tap';
import { runCli } from './fixtures/cli.js';

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
  t.match(stderr, "'--jwt-secrte'");
  t.match(stderr, 'tokenized-auth verify --help');
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

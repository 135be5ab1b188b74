import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');

/** What `tsc -p` prints for the project next to this file, or '' when it compiles. */
function compile(tsconfig: string): Promise<string> {
  const project = fileURLToPath(new URL(tsconfig, import.meta.url));

  return new Promise<string>((resolve) => {
    execFile(process.execPath, [tsc, '-p', project], (error, stdout, stderr) => {
      resolve(error ? `${stdout}${stderr}` || String(error) : '');
    });
  });
}

t.test('decorators and request.user type-check, and misuse does not', async (t) => {
  // Each `@ts-expect-error` in the fixture fails compilation if its line stops being an error.
  t.equal(await compile('./types/tsconfig.json'), '', 'tsc reports no error');
});

t.test('claims augmented through the package name reach request.user', async (t) => {
  t.equal(await compile('./types/.package-name/tsconfig.json'), '', 'tsc reports no error');
});

import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const project = fileURLToPath(new URL('./types/tsconfig.json', import.meta.url));

t.test('decorators and request.user type-check, and misuse does not', async (t) => {
  // Each `@ts-expect-error` in the fixture fails compilation if its line stops being an error.
  const output = await new Promise<string>((resolve) => {
    execFile(process.execPath, [tsc, '-p', project], (error, stdout, stderr) => {
      resolve(error ? `${stdout}${stderr}` || String(error) : '');
    });
  });

  t.equal(output, '', 'tsc reports no error');
});

import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { startApi, testConfig } from './helpers/http.js';

const run = promisify(execFile);

// A cold start on a busy two-core machine takes seconds; a hung browser must not hang the suite.
const BROWSER_TIMEOUT_MS = 45_000;

// As root in a container Chromium needs --no-sandbox; the background-networking flags keep it
// from calling Google's hosts, which a closed network refuses. --virtual-time-budget lets the
// page's scripts fetch /docs/json and render before the DOM is dumped.
const HEADLESS_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--window-size=1280,1600',
  '--virtual-time-budget=5000',
];

const OPERATIONS = [
  'GET /health',
  'GET /me',
  'POST /auth/login',
  'POST /auth/logout',
  'POST /auth/logout-all',
  'POST /auth/refresh',
  'POST /auth/register',
];

/** `CHROMIUM_BIN` when set, else `chromium` on PATH or in /usr/bin (Debian's package). */
function findChromium(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat('/usr/bin');
  const candidates = process.env.CHROMIUM_BIN
    ? [process.env.CHROMIUM_BIN]
    : dirs.map((dir) => join(dir, 'chromium'));

  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);

      return true;
    } catch {
      return false;
    }
  });
}

// Async on purpose: the API answering the browser runs in this very process.
async function renderedDom(chromium: string, url: string): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'example-api-chromium-'));
  try {
    const args = [...HEADLESS_FLAGS, `--user-data-dir=${profile}`, '--dump-dom', url];
    const { stdout } = await run(chromium, args, {
      timeout: BROWSER_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });

    return stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

// swagger-ui draws one `opblock opblock-<method>` block per operation, holding its path in
// `data-path`. The served HTML holds none of them: they exist only once its scripts have run.
function listedOperations(dom: string): string[] {
  const block =
    /<div class="opblock opblock-(\w+)[^"]*" id="operations-[^"]+">[\s\S]*?data-path="([^"]+)"/g;

  return [...dom.matchAll(block)].map(([, method, path]) => `${method!.toUpperCase()} ${path}`);
}

const chromium = findChromium();
const missing = process.env.CHROMIUM_BIN
  ? `CHROMIUM_BIN "${process.env.CHROMIUM_BIN}" is not an executable`
  : 'chromium not found on PATH or in /usr/bin and CHROMIUM_BIN unset';

if (chromium === undefined && process.env.CI) {
  t.fail(`the docs browser test is required when CI is set: ${missing}`);
} else if (chromium === undefined) {
  const hint = 'apt-get install chromium, or set CHROMIUM_BIN';

  t.test('renders every operation at /docs', { skip: `${missing}; ${hint}` }, () => {});
} else {
  t.test('renders every operation at /docs in headless chromium', async (t) => {
    const api = await startApi(testConfig());
    t.teardown(() => api.close());

    const served = await api.call('GET', '/docs');

    t.same(listedOperations(served.text), [], 'the served page lists nothing by itself');

    const dom = await renderedDom(chromium, `${api.url}/docs`);

    t.same(listedOperations(dom).sort(), OPERATIONS);
    t.match(dom, 'Tokenized Auth example API', 'the title comes from /docs/json');
  });
}

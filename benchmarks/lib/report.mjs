// Shared by every benchmark script: where results go, and the facts about the machine and the
// software that a number is meaningless without.
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

const roundLoad = () => os.loadavg().map((n) => Math.round(n * 100) / 100);
// Taken when a script starts: with the one at the end, it says how busy the machine was.
const loadAtStart = roundLoad();

function cpuModel() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));

    return line ? line.split(':')[1].trim() : os.cpus()[0]?.model;
  } catch {
    return os.cpus()[0]?.model;
  }
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** Versions of the named packages as resolved from `fromUrl` (a module's import.meta.url). */
export function packageVersions(fromUrl, names) {
  const require = createRequire(fromUrl);
  const versions = {};
  for (const name of names) {
    try {
      // Resolve the entry, then walk up to its package.json: some packages do not export it.
      let dir = dirname(require.resolve(name));
      for (;;) {
        try {
          const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
          if (pkg.name === name) {
            versions[name] = pkg.version;
            break;
          }
        } catch {
          // no package.json at this level
        }
        const parent = dirname(dir);
        if (parent === dir) break;
        dir = parent;
      }
    } catch {
      versions[name] = null;
    }
  }

  return versions;
}

export function machine() {
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: cpuModel(),
    nproc: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadavgAtStart: loadAtStart,
    loadavg: roundLoad(),
    commit: gitCommit(),
  };
}

/** Formats like the repository's Prettier config, so `format:check` accepts saved results. */
async function formatJson(file, text) {
  try {
    const prettier = await import('prettier');
    const config = (await prettier.resolveConfig(file)) ?? {};

    return await prettier.format(text, { ...config, parser: 'json' });
  } catch {
    return text;
  }
}

/** Writes `benchmarks/results/<name>.json` unless BENCH_SAVE=0; resolves to the path. */
export async function saveResult(name, data) {
  if (process.env.BENCH_SAVE === '0') return undefined;

  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${name}.json`);
  writeFileSync(file, await formatJson(file, `${JSON.stringify(data, null, 2)}\n`));

  return file;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;

  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function round(n, digits = 2) {
  const f = 10 ** digits;

  return Math.round(n * f) / f;
}

/** A fixed-width text table; `rows` are arrays of cells, the first row is the header. */
export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) =>
    r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])));

  return rows.map((r) => line(r).join('  ')).join('\n');
}

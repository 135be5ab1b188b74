// Prints the saved fault-drill runs (scripts/drill/results/*.json) as the Markdown table of the
// README's "Fault drill" section.
//   node scripts/drill/table.mjs [name ...]     default: every saved run
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'results');
const names = process.argv.slice(2);
const files = names.length
  ? names.map((name) => `${name}.json`)
  : readdirSync(dir)
      .filter((file) => file.endsWith('.json'))
      .sort();

const count = (n) => (n ?? 0).toLocaleString('en-US');

function row(file) {
  const { machine, summary } = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const { options, byStatus, outage } = summary;
  const statuses = Object.entries(byStatus)
    .map(([status, n]) => `${status}: ${count(n)}`)
    .join('; ');
  const heap = summary.memory.map((m) => m.heapUsedMiB.after - m.heapUsedMiB.before);

  return [
    `${options.topology ?? 'single'}, ${options.durationMs / 1000} s`,
    `${String(machine.date).slice(0, 10)} ${machine.commit ?? ''}`.trim(),
    count(summary.requests),
    count(Math.round(summary.requestsPerSecond)),
    statuses,
    `${outage.downForMs} ms`,
    // Store-first 503s only: a request queued behind something else (a login's password hash)
    // says nothing about how fast the store timeout answers.
    `${(outage.latency503StoreFirstMs ?? outage.latency503Ms).p99} ms`,
    `${outage.allInstancesRecoveredMs} ms`,
    `${Math.max(...heap).toFixed(1)} MiB`,
    summary.ok ? 'none' : summary.failures.join('; '),
  ];
}

const head = [
  'run',
  'date, commit',
  'requests',
  'req/s',
  'answers by status',
  'store down',
  '503 p99 (store first)',
  'all recovered after',
  'heap growth (max)',
  'violations',
];
const line = (cells) => `| ${cells.join(' | ')} |`;

console.log(
  [line(head), line(head.map(() => '---')), ...files.map((f) => line(row(f)))].join('\n'),
);

// Prints the saved results as Markdown tables, for the "Latest results" part of the README.
//   node benchmarks/summary.mjs
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultsDir } from './lib/report.mjs';

function load(name) {
  const file = join(resultsDir, `${name}.json`);

  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

function markdownTable(rows) {
  const [head, ...body] = rows;
  const line = (cells) => `| ${cells.join(' | ')} |`;

  return [line(head), line(head.map(() => '---')), ...body.map(line)].join('\n');
}

function machineLine(m) {
  return (
    `${m.date} on ${m.cpu}, ${m.nproc} cores, ${m.memoryGiB} GiB, ${m.platform}, ` +
    `Node ${m.node}, commit ${m.commit}; load average (1/5/15 min) ` +
    (m.loadavgAtStart ? `${m.loadavgAtStart.join(' / ')} at the start, ` : '') +
    `${m.loadavg.join(' / ')} at the end`
  );
}

function core(result) {
  const rows = [['candidate', 'op', 'ops/s', 'µs/op', 'x fast-jwt', 'token chars']];
  const byOp = [...result.results].sort((a, b) => (a.op === b.op ? 0 : a.op === 'sign' ? -1 : 1));
  for (const r of byOp) {
    rows.push([r.candidate, r.op, r.opsPerSec, r.usPerOp, r.ratioVsFastJwt, r.tokenLength ?? '']);
  }

  return `${markdownTable(rows)}\n\n${machineLine(result.machine)}`;
}

function http(result) {
  const rows = [['server', 'req/s', 'mean ms', 'p50 ms', 'p99 ms', 'x @fastify/jwt', 'non-2xx']];
  for (const r of result.results) {
    const cells = [r.reqPerSec, r.meanMs, r.p50Ms, r.p99Ms, r.ratioVsFastifyJwt, r.non2xx];
    rows.push([r.label, ...cells]);
  }

  return `${markdownTable(rows)}\n\n${machineLine(result.machine)}`;
}

function memory(result) {
  const rows = [['store', 'revocations', 'before', 'peak', 'after expiry', 'drained in']];
  const m = result.memory;
  if (m) {
    rows.push([
      'memory (heap)',
      m.revocations,
      `${m.baselineMB} MB`,
      `${m.peakMB} MB (${m.peakEntries} entries)`,
      `${m.afterMB} MB (${m.afterEntries} entries)`,
      `${m.drainSeconds} s`,
    ]);
  }
  const r = result.redis;
  if (r) {
    rows.push([
      'Redis (DBSIZE, used_memory)',
      r.revocations,
      `${r.baselineUsedMB} MB`,
      `${r.peakKeys} keys, ${r.peakUsedMB} MB`,
      `${r.afterKeys} keys, ${r.afterUsedMB} MB`,
      `${r.drainSeconds} s`,
    ]);
  }

  return `${markdownTable(rows)}\n\n${machineLine(result.machine)}`;
}

const sections = [
  ['Core: sign and verify', load('core'), core],
  ['HTTP: one protected route', load('http'), http],
  ['Memory: revocations that expire', load('memory'), memory],
];
for (const [title, result, render] of sections) {
  if (result) console.log(`### ${title}\n\n${render(result)}\n`);
}

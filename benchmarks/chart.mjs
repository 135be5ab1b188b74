// Draws benchmarks/results/chart.svg from the committed results (core.json, http.json,
// memory.json): each candidate's ratio to the baseline the targets in issue 6 are set against.
//   node benchmarks/chart.mjs
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultsDir } from './lib/report.mjs';

const WIDTH = 760;
const LABEL_W = 190;
const BAR_W = 420;
const ROW_H = 22;
const MAX_RATIO = 2;

function load(name) {
  const file = join(resultsDir, `${name}.json`);

  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

const escape = (text) =>
  String(text).replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c],
  );

/** One panel of horizontal bars; `rows` are `{ label, ratio, detail, ours }`. */
function panel(y, title, rows, target, baselineName) {
  const x0 = LABEL_W;
  const scale = BAR_W / MAX_RATIO;
  const parts = [`<text x="10" y="${y + 16}" class="title">${escape(title)}</text>`];
  let top = y + 28;
  for (const row of rows) {
    const clipped = row.ratio > MAX_RATIO;
    const w = Math.max(1, Math.min(row.ratio, MAX_RATIO) * scale);
    const fill = row.ours ? '#2f6fb0' : '#9aa5b1';
    const value = `${row.ratio.toFixed(2)}x  <tspan class="detail">${escape(row.detail)}</tspan>`;
    parts.push(
      `<text x="${x0 - 8}" y="${top + 15}" text-anchor="end">${escape(row.label)}</text>`,
      `<rect x="${x0}" y="${top + 4}" width="${w.toFixed(1)}" height="${ROW_H - 8}" ` +
        `fill="${fill}"/>`,
      // A cut bar carries its value inside, or the text would run off the picture.
      clipped
        ? `<text x="${x0 + w - 6}" y="${top + 15}" text-anchor="end" class="inside">` +
            `→ ${value}</text>`
        : `<text x="${x0 + w + 6}" y="${top + 15}">${value}</text>`,
    );
    top += ROW_H;
  }
  const ticks = [0, 0.5, 1, 1.5, 2];
  for (const t of ticks) {
    const x = x0 + t * scale;
    parts.push(
      `<line x1="${x}" y1="${y + 26}" x2="${x}" y2="${top}" class="grid"/>`,
      `<text x="${x}" y="${top + 13}" text-anchor="middle" class="detail">${t}x</text>`,
    );
  }
  if (target !== undefined) {
    const x = x0 + target * scale;
    parts.push(
      `<line x1="${x}" y1="${y + 24}" x2="${x}" y2="${top}" class="target"/>`,
      `<text x="${x + 4}" y="${y + 24}" class="targetlabel">target ${target}x</text>`,
    );
  }
  parts.push(
    `<text x="${x0 + BAR_W / 2}" y="${top + 27}" text-anchor="middle" class="detail">` +
      `ratio to ${escape(baselineName)} (higher is faster)</text>`,
  );

  return { svg: parts.join('\n'), bottom: top + 40 };
}

function corePanels(core, y) {
  const out = [];
  for (const op of ['sign', 'verify']) {
    const rows = core.results
      .filter((r) => r.op === op)
      .map((r) => ({
        label: r.candidate,
        ratio: r.ratioVsFastJwt,
        detail: `${r.usPerOp} µs`,
        ours: r.candidate.startsWith('ours'),
      }));
    const target = core.targets?.[op]?.target ?? (op === 'verify' ? 0.8 : 0.75);
    const p = panel(y, `${op} of one HS256 access token (ops/s)`, rows, target, 'fast-jwt');
    out.push(p.svg);
    y = p.bottom;
  }

  return { svg: out.join('\n'), bottom: y };
}

function httpPanel(http, y) {
  const rows = http.results.map((r) => ({
    label: r.label,
    ratio: r.ratioVsFastifyJwt ?? 0,
    detail: `${r.reqPerSec} req/s, p99 ${r.p99Ms} ms`,
    ours: r.label.startsWith('ours'),
  }));
  const title = `HTTP GET of a protected route (req/s, ${http.config.connections} connections)`;
  const p = panel(y, title, rows, undefined, '@fastify/jwt');
  // Two targets here: 1.0x for the memory store, 0.8x for Redis; marked on their own rows.
  const marks = [];
  const x0 = LABEL_W;
  const scale = BAR_W / MAX_RATIO;
  http.results.forEach((r, i) => {
    const target = http.targets?.[r.server]?.target;
    if (target === undefined) return;
    const x = x0 + target * scale;
    const top = y + 28 + i * ROW_H;
    marks.push(
      `<line x1="${x}" y1="${top + 1}" x2="${x}" y2="${top + ROW_H - 1}" class="target"/>`,
    );
  });

  return { svg: `${p.svg}\n${marks.join('\n')}`, bottom: p.bottom };
}

function memoryLines(memory, y) {
  const lines = [];
  if (memory?.memory) {
    const m = memory.memory;
    lines.push(
      `Memory store, ${m.revocations.toLocaleString('en')} revocations: heap ${m.baselineMB} MB ` +
        `before, ${m.peakMB} MB at peak, ${m.afterMB} MB after they expired`,
    );
  }
  if (memory?.redis) {
    const r = memory.redis;
    lines.push(
      `Redis store, ${r.revocations.toLocaleString('en')} revocations: ${r.peakKeys} keys at ` +
        `peak, DBSIZE ${r.afterKeys} after they expired`,
    );
  }
  const svg = lines.map((l, i) => `<text x="10" y="${y + 16 + i * 18}">${escape(l)}</text>`);

  return { svg: svg.join('\n'), bottom: y + 16 + lines.length * 18 + 8 };
}

function main() {
  const core = load('core');
  const http = load('http');
  const memory = load('memory');
  const body = [];
  let y = 10;
  if (core) {
    const p = corePanels(core, y);
    body.push(p.svg);
    y = p.bottom;
  }
  if (http) {
    const p = httpPanel(http, y);
    body.push(p.svg);
    y = p.bottom;
  }
  if (memory) {
    const p = memoryLines(memory, y);
    body.push(p.svg);
    y = p.bottom;
  }
  const m = (core ?? http ?? memory)?.machine;
  if (m) {
    const caption =
      `${m.date.slice(0, 16).replace('T', ' ')} UTC, ${m.cpu}, ${m.nproc} cores, ` +
      `Node ${m.node}; dark bars are ours; bars past 2x are cut (→)`;
    body.push(`<text x="10" y="${y + 6}" class="detail">${escape(caption)}</text>`);
    y += 20;
  }
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" ` +
      `viewBox="0 0 ${WIDTH} ${y}" font-family="sans-serif" font-size="12">`,
    '<style>.title{font-weight:bold;font-size:13px}.detail{fill:#555;font-size:11px}' +
      '.grid{stroke:#ddd}.target{stroke:#c0392b;stroke-width:2;stroke-dasharray:4 3}' +
      '.targetlabel{fill:#c0392b;font-size:11px}.inside,.inside .detail{fill:#fff}</style>',
    `<rect width="${WIDTH}" height="${y}" fill="#fff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
  const file = join(resultsDir, 'chart.svg');
  writeFileSync(file, svg);
  console.log(`wrote ${file}`);
}

main();

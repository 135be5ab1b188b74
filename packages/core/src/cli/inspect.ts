import { parseArgs } from 'node:util';
import { verifyInner, verifyOuter, verifyWhole, type Verdict } from './check.js';
import { decodeInner, decodeOuter, type DecodeFailure } from './decode.js';
import { EXIT_OK, EXIT_REJECTED, readToken, type CliIo } from './io.js';
import { readSettings, VERIFICATION_HELP, verificationOptions, type Settings } from './settings.js';
import { describeAge, describeExpiry, isoFromEpochSeconds } from './time.js';

export const INSPECT_HELP = `Usage: tokenized-auth inspect [options] <token | ->

Shows both layers of a token: the outer signing time and age, whether the payload is compressed,
the inner JWT header and claims, and its expiry in words. With secrets it also says whether each
layer verifies; without them it decodes only and says that NOTHING was verified. Pass "-" to read
the token from stdin, which keeps it out of shell history.

Exit status: 0 once decoded (use "verify" for a verdict), 1 undecodable, 2 usage error.

Options:
  --json                  print the report as JSON
  -h, --help              show this help

${VERIFICATION_HELP}`;

/** A layer that could not be decoded. */
export interface Undecodable {
  error: DecodeFailure;
}

/** The outer layer as read, and its signature check when an outer key was given. */
export interface OuterReport {
  compressed: boolean;
  timestamp: number;
  signedAt: string;
  age: string;
  check?: Verdict;
}

/** The inner JWT as read, and its verification when a JWT key was given. */
export interface InnerReport {
  header: unknown;
  claims: unknown;
  expiry?: string;
  expiresAt?: string;
  check?: Verdict;
}

/** Everything `inspect` found, also its `--json` output. */
export interface InspectReport {
  /** False when no layer was checked: the contents may be forged. */
  verified: boolean;
  outer: OuterReport | Undecodable;
  inner?: InnerReport | Undecodable;
  whole?: Verdict;
}

/** `inspect`: decodes a token's layers and, when secrets are at hand, verifies each one. */
export async function inspect(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...verificationOptions, json: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (values.help === true) {
    io.stdout.write(`${INSPECT_HELP}\n`);

    return EXIT_OK;
  }

  const settings = readSettings(values, io.env, io.now());
  const report = buildReport(await readToken(io, positionals), settings);
  io.stdout.write(values.json === true ? `${JSON.stringify(report, null, 2)}\n` : render(report));

  return 'error' in report.outer || report.inner === undefined || 'error' in report.inner
    ? EXIT_REJECTED
    : EXIT_OK;
}

function buildReport(token: string, settings: Settings): InspectReport {
  const now = settings.now / 1000;
  const decoded = decodeOuter(token);
  if (!decoded.ok) return { verified: false, outer: { error: decoded.failure } };

  const { compressed, timestamp, value } = decoded.layer;
  const outer = {
    compressed,
    timestamp,
    signedAt: isoFromEpochSeconds(timestamp),
    age: describeAge(timestamp, now),
    ...defined('check', verifyOuter(token, settings)),
  };
  const inner = inspectInner(value, settings);
  const whole = verifyWhole(token, settings);
  const checks = [outer.check, 'check' in inner ? inner.check : undefined, whole];
  const verified = checks.some((check) => check !== undefined);

  return { verified, outer, inner, ...defined('whole', whole) };
}

function inspectInner(jwt: unknown, settings: Settings): InnerReport | Undecodable {
  const decoded = decodeInner(jwt);
  if (!decoded.ok) return { error: decoded.failure };

  const { header, claims } = decoded.layer;
  const exp = (claims as { exp?: unknown } | null)?.exp;
  const timing =
    typeof exp === 'number'
      ? { expiry: describeExpiry(exp, settings.now / 1000), expiresAt: isoFromEpochSeconds(exp) }
      : {};

  return { header, claims, ...timing, ...defined('check', verifyInner(jwt as string, settings)) };
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

const NOTHING_VERIFIED = [
  '!!! NOTHING WAS VERIFIED: no secrets were given, so anyone could have written what follows.',
  '!!! Pass --secret, or --jwt-secret/--refresh-secret and --outer-secret (or set',
  '!!! TOKENIZED_AUTH_SECRET, or JWT_SECRET, JWT_REFRESH_SECRET and OUTER_SECRET).',
  '',
].join('\n');

function render(report: InspectReport): string {
  const lines = report.verified ? [] : [NOTHING_VERIFIED];
  lines.push('Outer layer (itsdangerous)');
  if ('error' in report.outer) {
    lines.push(row('cannot decode', failure(report.outer.error)));

    return `${lines.join('\n')}\n`;
  }

  const { outer, inner, whole } = report;
  lines.push(
    row('signed at', `${outer.signedAt} (${outer.age})`),
    row('compressed', outer.compressed ? 'yes' : 'no'),
    row('signature', verdict(outer.check, whole, 'no outer secret')),
    '',
    'Inner JWT',
  );
  if (inner === undefined || 'error' in inner) {
    lines.push(row('cannot decode', inner === undefined ? 'missing' : failure(inner.error)));

    return `${lines.join('\n')}\n`;
  }

  lines.push(
    row('header', JSON.stringify(inner.header)),
    row('claims', indent(JSON.stringify(inner.claims, null, 2))),
    row(
      'expiry',
      inner.expiry === undefined ? 'no "exp" claim' : `${inner.expiry} (${inner.expiresAt})`,
    ),
    row('verification', verdict(inner.check, whole, 'no JWT secret')),
  );
  if (whole !== undefined) lines.push('', row('Whole token', verdict(whole, undefined, '')));

  return `${lines.join('\n')}\n`;
}

function verdict(check: Verdict | undefined, whole: Verdict | undefined, missing: string): string {
  if (check === undefined) {
    return whole === undefined ? `NOT VERIFIED (${missing})` : 'checked with the whole token';
  }
  if (!check.ok) return `REJECTED ${check.code}: ${check.message}`;

  return check.kind === undefined ? 'valid' : `valid ${check.kind} token`;
}

function failure(error: DecodeFailure): string {
  return `${error.code}: ${error.message}`;
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(14)}${value}`;
}

function indent(text: string): string {
  return text.replaceAll('\n', `\n${' '.repeat(16)}`);
}

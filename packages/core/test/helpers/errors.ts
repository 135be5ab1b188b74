import type { Test } from 'tap';
import { isTokenError, TOKEN_ERROR_CODES } from '../../src/errors.js';

/** True when `fn` throws a TokenError with a documented code, false otherwise. */
export function rejectsWithDocumentedCode(fn: () => unknown): boolean {
  try {
    fn();
  } catch (err) {
    return isTokenError(err) && TOKEN_ERROR_CODES.includes(err.code);
  }

  return false;
}

/** Runs `fn`, expecting a TokenError with `code` (checked first) and, optionally, `claim`. */
export function expectTokenError(
  t: Test,
  fn: () => unknown,
  code: string,
  details: { claim?: string; reason?: string } = {},
): void {
  let caught: unknown;

  try {
    fn();
  } catch (err) {
    caught = err;
  }

  t.ok(isTokenError(caught), 'throws a TokenError');

  const err = caught as { code?: string; claim?: string; reason?: string; message?: string };

  t.equal(err?.code, code, `code is ${code}`);
  t.ok(TOKEN_ERROR_CODES.includes(err?.code as never), 'code is documented');
  if (details.claim !== undefined) t.equal(err.claim, details.claim, 'names the claim');
  if (details.reason !== undefined) t.equal(err.reason, details.reason, 'gives the reason');
}

/** Runs `fn`, expecting a ConfigError whose message names `option` in double quotes. */
export function expectConfigError(t: Test, fn: () => unknown, option: string): void {
  let caught: unknown;

  try {
    fn();
  } catch (err) {
    caught = err;
  }

  const err = caught as { code?: string; message?: string };

  t.equal(err?.code, 'ERR_TOKEN_CONFIG', 'code is ERR_TOKEN_CONFIG');
  t.ok(caught instanceof TypeError, 'is a TypeError');
  t.match(err?.message ?? '', `"${option}"`, `names "${option}"`);
}

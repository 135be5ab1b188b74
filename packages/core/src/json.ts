import { TokenMalformedError } from './errors.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

// `ignoreBOM` keeps a leading U+FEFF in the text, where JSON.parse refuses it (RFC 8259
// section 8.1: a BOM must not be added to networked JSON).
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Parses JSON from a token segment, refusing what plain `JSON.parse` lets through: invalid
 * UTF-8 (when given bytes), a member name repeated within one object at any depth (RFC 8259
 * section 4 leaves it undefined, and parsers disagree on which copy wins), and `__proto__` or
 * `constructor` members, which reach prototypes once spread or merged.
 *
 * Everything else is `JSON.parse`-compatible. Syntax is checked by `JSON.parse`; duplicates are
 * found by counting member separators in the text against the members the result holds.
 *
 * @throws {TokenMalformedError} `ERR_TOKEN_MALFORMED` with `reason` one of `utf-8`, `syntax`,
 * `duplicate member`, `forbidden member`.
 *
 * @example
 * parseStrictJson('{"sub":"42"}'); // { sub: '42' }
 * parseStrictJson('{"a":1,"a":2}'); // throws ERR_TOKEN_MALFORMED (duplicate member)
 */
export function parseStrictJson(text: string | Uint8Array): unknown {
  const source = typeof text === 'string' ? text : decodeUtf8(text);
  let value: unknown;

  try {
    value = JSON.parse(source);
  } catch {
    throw new TokenMalformedError('invalid JSON', { reason: 'syntax' });
  }

  const members = countMembers(source);

  if (members > 0 && countObjectMembers(value) !== members) {
    throw new TokenMalformedError('duplicate JSON member name', { reason: 'duplicate member' });
  }

  return value;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new TokenMalformedError('invalid UTF-8', { reason: 'utf-8' });
  }
}

/**
 * Counts `:` outside strings. Only valid JSON reaches here, where each such colon separates
 * one object member name from its value.
 */
function countMembers(text: string): number {
  const length = text.length;
  let count = 0;
  let index = 0;

  while (index < length) {
    const code = text.charCodeAt(index++);

    if (code === COLON) count++;
    else if (code === QUOTE) index = skipString(text, index);
  }

  return count;
}

/** Returns the index just past the quote closing the string whose body starts at `from`. */
function skipString(text: string, from: number): number {
  let at = text.indexOf('"', from);

  // A quote preceded by an odd run of backslashes is escaped and does not end the string.
  for (;;) {
    let slashes = 0;

    while (text.charCodeAt(at - 1 - slashes) === BACKSLASH) slashes++;

    if ((slashes & 1) === 0) return at + 1;

    at = text.indexOf('"', at + 1);
  }
}

/**
 * Sums the own members of every object in a parsed value, refusing forbidden names on the way.
 * Iterative so that deeply nested input cannot exhaust the call stack.
 */
function countObjectMembers(root: unknown): number {
  const pending: unknown[] = [root];
  let count = 0;

  while (pending.length > 0) {
    const value = pending.pop();

    if (typeof value !== 'object' || value === null) continue;

    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];

        if (typeof item === 'object' && item !== null) pending.push(item);
      }

      continue;
    }

    count += pushMembers(value as Record<string, unknown>, pending);
  }

  return count;
}

function pushMembers(object: Record<string, unknown>, pending: unknown[]): number {
  const keys = Object.keys(object);

  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;

    if (key === '__proto__' || key === 'constructor') {
      throw new TokenMalformedError(`forbidden JSON member "${key}"`, {
        claim: key,
        reason: 'forbidden member',
      });
    }

    const item = object[key];

    if (typeof item === 'object' && item !== null) pending.push(item);
  }

  return keys.length;
}

import { timingSafeEqual } from 'node:crypto';

/** Says whether a presented base64url MAC equals the expected one. */
export type MacComparer = (expected: string, presented: string) => boolean;

/**
 * Returns a constant-time comparer for base64url MACs of exactly `chars` characters. The bytes
 * compared are the ASCII spellings: `expected` is canonical base64url, so a match also proves
 * `presented` canonical, and neither side needs decoding first. Lengths are public and
 * checked before the comparison, as `timingSafeEqual` requires.
 *
 * The scratch buffers are reused across calls: verification is synchronous, so no two
 * comparisons ever interleave.
 */
export function createMacComparer(chars: number): MacComparer {
  const expectedBytes = Buffer.alloc(chars);
  // Four spare bytes let a non-ASCII character show up as more bytes than characters.
  const presentedBytes = Buffer.alloc(chars + 4);
  const presentedView = presentedBytes.subarray(0, chars);

  return (expected, presented) => {
    if (presented.length !== chars) return false;

    expectedBytes.write(expected, 'latin1');

    // As many bytes as characters: every character was ASCII, one byte each.
    if (presentedBytes.write(presented, 'utf8') !== chars) return false;

    return timingSafeEqual(expectedBytes, presentedView);
  };
}

/** Length of the unpadded base64url spelling of `bytes` bytes (RFC 4648 section 5). */
export function base64urlLength(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}

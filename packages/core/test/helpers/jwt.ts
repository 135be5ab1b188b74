import { createHmac } from 'node:crypto';

/** A JOSE header or payload: an object to serialise, or raw JSON text taken as is. */
export type Segment = Record<string, unknown> | string;

function encodeSegment(segment: Segment): string {
  const text = typeof segment === 'string' ? segment : JSON.stringify(segment);

  return Buffer.from(text, 'utf8').toString('base64url');
}

/**
 * Builds a compact JWS by hand, HMAC-signed with `key`, so tests can write headers and
 * payloads that no conforming signer would.
 */
export function forgeJwt(
  header: Segment,
  payload: Segment,
  key: Uint8Array | string,
  hash = 'sha256',
): string {
  const input = `${encodeSegment(header)}.${encodeSegment(payload)}`;

  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
}

/** Splits a JWT into its decoded header and payload objects. */
export function decodeJwt(jwt: string): { header: unknown; payload: unknown } {
  const [header = '', payload = ''] = jwt.split('.');

  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
  };
}

import { createHmac, sign as signBytes, type KeyObject } from 'node:crypto';
import { encodeBase64url } from '../base64url.js';
import type { AlgorithmSpec } from './algorithms.js';
import { headerJson } from './header.js';

/** Signs one JSON payload text into a compact JWS (RFC 7515 section 7.1). */
export type JwtSigner = (payloadJson: string) => string;

/**
 * Returns a signer bound to one algorithm and one key, writing `kid` into the header when
 * given. The encoded header is computed once; each call encodes the payload text and signs.
 */
export function createJwtSigner(spec: AlgorithmSpec, key: KeyObject, kid?: string): JwtSigner {
  const head = `${encodeBase64url(headerJson(spec, kid))}.`;
  const signature = signatureFunction(spec, key);

  return (payloadJson) => {
    const input = head + Buffer.from(payloadJson, 'utf8').toString('base64url');

    return `${input}.${signature(input)}`;
  };
}

function signatureFunction(spec: AlgorithmSpec, key: KeyObject): (input: string) => string {
  const hash = spec.hash;

  if (spec.family === 'hmac') {
    return (input) => createHmac(hash!, key).update(input).digest('base64url');
  }

  // ES256 signatures are raw r || s in JWS (RFC 7518 section 3.4), not DER.
  const signer = spec.family === 'ec' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;

  return (input) => signBytes(hash, Buffer.from(input, 'utf8'), signer).toString('base64url');
}

import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import {
  algorithmSpec,
  checkAsymmetricKey,
  JWT_ALGORITHMS,
  minHmacSecretBytes,
} from '../../src/jwt/algorithms.js';
import { expectConfigError } from '../helpers/errors.js';

t.test('lists exactly the six supported algorithms', async (t) => {
  t.same([...JWT_ALGORITHMS].sort(), ['ES256', 'EdDSA', 'HS256', 'HS384', 'HS512', 'RS256']);
});

t.test('refuses none and unknown algorithm names naming the option', async (t) => {
  for (const name of ['none', 'NONE', 'hs256', 'HS1', '', undefined, 'toString', '__proto__']) {
    expectConfigError(t, () => algorithmSpec(name), 'algorithm');
  }
});

t.test('asks hmac secrets as long as the hash output', async (t) => {
  t.equal(minHmacSecretBytes(algorithmSpec('HS256')), 32);
  t.equal(minHmacSecretBytes(algorithmSpec('HS384')), 48);
  t.equal(minHmacSecretBytes(algorithmSpec('HS512')), 64);
});

t.test('binds each asymmetric key type to its algorithm', async (t) => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  const smallRsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
  const ed = generateKeyPairSync('ed25519').publicKey;

  t.doesNotThrow(() => checkAsymmetricKey(algorithmSpec('RS256'), rsa, 'k'));
  t.doesNotThrow(() => checkAsymmetricKey(algorithmSpec('ES256'), p256, 'k'));
  t.doesNotThrow(() => checkAsymmetricKey(algorithmSpec('EdDSA'), ed, 'k'));
  expectConfigError(t, () => checkAsymmetricKey(algorithmSpec('RS256'), smallRsa, 'k'), 'k');
  expectConfigError(t, () => checkAsymmetricKey(algorithmSpec('RS256'), p256, 'k'), 'k');
  expectConfigError(t, () => checkAsymmetricKey(algorithmSpec('ES256'), p384, 'k'), 'k');
  expectConfigError(t, () => checkAsymmetricKey(algorithmSpec('ES256'), ed, 'k'), 'k');
  expectConfigError(t, () => checkAsymmetricKey(algorithmSpec('EdDSA'), rsa, 'k'), 'k');
});

import t from 'tap';
import * as core from '../src/index.js';

t.test('exports the documented runtime api and nothing private', async (t) => {
  t.same(Object.keys(core).sort(), [
    'ConfigError',
    'JWT_ALGORITHMS',
    'TOKEN_ERROR_CODES',
    'TokenAlgorithmError',
    'TokenClaimError',
    'TokenError',
    'TokenExpiredError',
    'TokenMalformedError',
    'TokenNotYetValidError',
    'TokenSignatureError',
    'TokenTooLargeError',
    'TokenTypeError',
    'createOuterSigner',
    'createTokenService',
    'decodeBase64url',
    'encodeBase64url',
    'isTokenError',
    'parseStrictJson',
  ]);
});

t.test('issues tokens through the package entry point', async (t) => {
  const tokens = core.createTokenService({ secret: 'an example master secret of 32+ bytes' });

  t.equal(tokens.verifyAccessToken(tokens.createAccessToken({ sub: 'u' })).sub, 'u');
});

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

t.test('types every code the package throws as one ErrorCode union', async (t) => {
  const codes: core.ErrorCode[] = [...core.TOKEN_ERROR_CODES, new core.ConfigError('x').code];
  // Compile-time: a code outside the union would fail the typecheck here.
  const exhaustive = (code: core.ErrorCode): string => {
    switch (code) {
      case 'ERR_TOKEN_MALFORMED':
      case 'ERR_TOKEN_TOO_LARGE':
      case 'ERR_TOKEN_SIGNATURE':
      case 'ERR_TOKEN_ALGORITHM':
      case 'ERR_TOKEN_EXPIRED':
      case 'ERR_TOKEN_NOT_YET_VALID':
      case 'ERR_TOKEN_CLAIM':
      case 'ERR_TOKEN_TYPE':
        return 'token';
      case 'ERR_TOKEN_CONFIG':
        return 'config';
      default:
        return code satisfies never;
    }
  };

  t.same(codes.map(exhaustive), [...Array(8).fill('token'), 'config']);
});

t.test('issues tokens through the package entry point', async (t) => {
  const tokens = core.createTokenService({ secret: 'an example master secret of 32+ bytes' });

  t.equal(tokens.verifyAccessToken(tokens.createAccessToken({ sub: 'u' })).sub, 'u');
});

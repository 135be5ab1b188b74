export {
  ConfigError,
  isTokenError,
  TOKEN_ERROR_CODES,
  TokenAlgorithmError,
  TokenClaimError,
  TokenError,
  TokenExpiredError,
  TokenMalformedError,
  TokenNotYetValidError,
  TokenSignatureError,
  TokenTooLargeError,
  TokenTypeError,
} from './errors.js';
export type { ConfigErrorCode, ErrorCode, TokenErrorCode, TokenErrorDetails } from './errors.js';
export { decodeBase64url, encodeBase64url } from './base64url.js';
export { parseStrictJson } from './json.js';
export { createOuterSigner } from './outer/index.js';
export type {
  KeyDerivation,
  OuterDigest,
  OuterSigner,
  OuterSignerOptions,
  OuterVerified,
  OuterVerifyOptions,
} from './outer/index.js';
export { createTokenService } from './token-service.js';
export type {
  TokenService,
  TokenServiceOptions,
  TokenServiceOuterOptions,
} from './token-service.js';
export type { TokenClaims, TokenType } from './claims.js';
export { JWT_ALGORITHMS } from './jwt/algorithms.js';
export type { JwtAlgorithm } from './jwt/algorithms.js';
export type {
  JwtKeyPair,
  JwtSecretList,
  KeyedSecret,
  KeyInput,
  Secret,
  SecretList,
} from './keys.js';

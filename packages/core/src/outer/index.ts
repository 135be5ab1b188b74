export { createOuterSigner } from './timed-serializer.js';
export type {
  KeyDerivation,
  OuterDigest,
  OuterSigner,
  OuterSignerOptions,
  OuterVerified,
  OuterVerifyOptions,
} from './types.js';

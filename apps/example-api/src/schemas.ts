/**
 * JSON schemas shared by the routes. They validate requests, shape responses (fast-json-stringify
 * drops any property not listed, so a handler cannot leak a field by accident) and feed the
 * OpenAPI document at `/docs`.
 */

// The plugin refuses tokens over 8192 characters before decoding; a body holding one such
// token plus its JSON punctuation fits under this.
export const MAX_TOKEN_LENGTH = 8192;
export const TOKEN_BODY_LIMIT = MAX_TOKEN_LENGTH + 512;
export const CREDENTIALS_BODY_LIMIT = 1024;
// Room for `{}` and some whitespace; a route that takes no input has no use for more.
export const EMPTY_BODY_LIMIT = 64;

export const credentialsBody = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: {
    username: {
      type: 'string',
      minLength: 3,
      maxLength: 64,
      pattern: '^[A-Za-z0-9_.-]+$',
      description: 'Letters, digits, "_", "." and "-"',
      examples: ['alice'],
    },
    password: {
      type: 'string',
      minLength: 8,
      maxLength: 256,
      format: 'password',
      examples: ['correct horse battery staple'],
    },
  },
} as const;

const refreshToken = {
  type: 'string',
  minLength: 1,
  maxLength: MAX_TOKEN_LENGTH,
  description: 'A refresh token from login or refresh',
} as const;

export const refreshBody = {
  type: 'object',
  required: ['refreshToken'],
  additionalProperties: false,
  properties: { refreshToken },
} as const;

export const logoutBody = {
  type: 'object',
  additionalProperties: false,
  properties: { refreshToken },
} as const;

/** A route that takes no input: no body, or `{}`. */
export const emptyBody = {
  type: 'object',
  additionalProperties: false,
  description: 'Optional; an empty object when sent',
} as const;

export const userResponse = {
  type: 'object',
  required: ['id', 'username'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    username: { type: 'string' },
  },
} as const;

export const tokenPairResponse = {
  type: 'object',
  required: ['accessToken', 'refreshToken', 'tokenType', 'expiresIn'],
  properties: {
    accessToken: { type: 'string' },
    refreshToken: { type: 'string' },
    tokenType: { type: 'string', enum: ['Bearer'] },
    expiresIn: { type: 'integer', description: 'Seconds the access token lives' },
  },
} as const;

export const errorResponse = {
  type: 'object',
  required: ['statusCode', 'code', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string' },
    error: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

export const noContent = {
  type: 'null',
  description: 'No content',
} as const;

/** Error responses every authenticated route may return. */
export const authErrors = {
  400: errorResponse,
  401: errorResponse,
  503: errorResponse,
} as const;

export const bearerSecurity = [{ bearerAuth: [] }];

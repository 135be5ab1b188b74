/**
 * The API's own HTTP errors. Fastify's error handler turns `statusCode` and `code` into the
 * `{ statusCode, code, error, message }` body the plugin's errors use too, so clients handle
 * one shape.
 *
 * @example
 * throw new HttpError(404, 'APP_USER_NOT_FOUND', 'user no longer exists');
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;

  constructor(statusCode: number, code: string, message: string) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
  }
}

/** 409 `APP_USERNAME_TAKEN`. */
export function usernameTaken(): HttpError {
  return new HttpError(409, 'APP_USERNAME_TAKEN', 'username is taken');
}

/** 401 `APP_INVALID_CREDENTIALS`: one message for an unknown user and a wrong password. */
export function invalidCredentials(): HttpError {
  return new HttpError(401, 'APP_INVALID_CREDENTIALS', 'invalid username or password');
}

/** 404 `APP_USER_NOT_FOUND`: the token outlived its in-memory user. */
export function userNotFound(): HttpError {
  return new HttpError(404, 'APP_USER_NOT_FOUND', 'user no longer exists');
}

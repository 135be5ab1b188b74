import { TOKEN_ERROR_CODES, TokenError } from '@tokenized-auth/core';
import t from 'tap';
import { toHttpError } from '../src/errors.js';
import { errorCodes, StoreUnavailableError } from '../src/index.js';

t.test('maps every core token error to a 401 with the invalid_token challenge', async (t) => {
  for (const code of TOKEN_ERROR_CODES) {
    const error = toHttpError(new TokenError(code, 'x', { claim: 'exp', reason: 'why' }), 5);
    const expected = code === 'ERR_TOKEN_EXPIRED' ? 'FST_TA_TOKEN_EXPIRED' : 'FST_TA_TOKEN_INVALID';
    t.equal(error.code, expected, code);
    t.equal(error.statusCode, 401);
    t.same(error.headers, { 'www-authenticate': 'Bearer error="invalid_token"' });
    t.equal(error.reason, `${code} exp why`);
    t.equal(error.stack, undefined, 'no stack to leak');
  }
});

t.test('maps a store failure to 503 with Retry-After', async (t) => {
  for (const failure of [new StoreUnavailableError('down'), { code: 'ERR_STORE_UNAVAILABLE' }]) {
    const error = toHttpError(failure, 9);
    t.equal(error.code, 'FST_TA_STORE_UNAVAILABLE');
    t.equal(error.statusCode, 503);
    t.same(error.headers, { 'retry-after': '9' });
  }
});

t.test('maps anything unexpected to a 401, never a 500', async (t) => {
  for (const failure of [new RangeError('boom'), 'text', null, undefined]) {
    const error = toHttpError(failure, 5);
    t.equal(error.code, 'FST_TA_TOKEN_INVALID');
    t.equal(error.statusCode, 401);
  }
});

t.test('passes the plugin own errors through unchanged', async (t) => {
  const original = toHttpError(new StoreUnavailableError('down'), 5);

  t.equal(toHttpError(original, 1), original);
});

t.test('exports one constructor per documented code with its status', async (t) => {
  const statuses = Object.fromEntries(
    Object.entries(errorCodes).map(([code, Ctor]) => [code, new Ctor('m').statusCode]),
  );

  t.same(statuses, {
    FST_TA_NO_TOKEN: 401,
    FST_TA_BAD_REQUEST: 400,
    FST_TA_TOKEN_INVALID: 401,
    FST_TA_TOKEN_EXPIRED: 401,
    FST_TA_TOKEN_REVOKED: 401,
    FST_TA_REFRESH_REUSED: 401,
    FST_TA_STORE_UNAVAILABLE: 503,
    FST_TA_INVALID_CLAIMS: 500,
    FST_TA_INVALID_OPTION: 500,
  });
  t.ok(Object.isFrozen(errorCodes));
  t.ok(
    toHttpError(new StoreUnavailableError('x'), 1) instanceof errorCodes.FST_TA_STORE_UNAVAILABLE,
  );
});

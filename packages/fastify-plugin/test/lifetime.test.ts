import t from 'tap';
import { bearer, buildApp, manualClock } from './helpers/app.js';

// Access tokens live an hour, refresh tokens ten minutes: every revocation entry must still
// outlive the access tokens it covers, not just the refresh tokens.
const LONG_ACCESS = { accessTokenTtl: 3600, refreshTokenTtl: 600 };
/** Past the refresh lifetime and its leeway, well inside the access lifetime. */
const PAST_REFRESH_TTL_MS = 700_000;

async function longAccessApp(t: Parameters<typeof buildApp>[0]) {
  const clock = manualClock(Date.UTC(2026, 11, 3, 12, 0, 0, 0));
  const { app } = await buildApp(t, { ...LONG_ACCESS, clock: clock.now });
  const me = async (token: string) => app.inject({ url: '/me', headers: bearer(token) });

  return { app, clock, me };
}

t.test('an access token outlives the refresh lifetime when its own is longer', async (t) => {
  const { app, clock, me } = await longAccessApp(t);
  const pair = await app.tokens.issue({ sub: 'long-lived' });
  clock.advance(PAST_REFRESH_TTL_MS);

  t.equal((await me(pair.accessToken)).statusCode, 200, 'the subject ledger is still there');
});

t.test('revokeAll keeps refusing an access token past the refresh lifetime', async (t) => {
  const { app, clock, me } = await longAccessApp(t);
  const before = await app.tokens.issue({ sub: 'cut-off' });
  clock.advance(10);
  await app.tokens.revokeAll('cut-off');
  clock.advance(PAST_REFRESH_TTL_MS / 2);
  await app.tokens.issue({ sub: 'cut-off' }); // a later login keeps the subject's ledger alive
  clock.advance(PAST_REFRESH_TTL_MS / 2);

  t.equal((await me(before.accessToken)).json().code, 'FST_TA_TOKEN_REVOKED');
});

t.test('logout keeps refusing the family access token past the refresh lifetime', async (t) => {
  const { app, clock, me } = await longAccessApp(t);
  const pair = await app.tokens.issue({ sub: 'logout' });
  await app.tokens.revoke(pair.refreshToken);
  clock.advance(PAST_REFRESH_TTL_MS / 2);
  await app.tokens.issue({ sub: 'logout' });
  clock.advance(PAST_REFRESH_TTL_MS / 2);

  t.equal((await me(pair.accessToken)).json().code, 'FST_TA_TOKEN_REVOKED');
});

t.test('a replayed refresh token revokes the family for the access lifetime', async (t) => {
  const { app, clock, me } = await longAccessApp(t);
  const first = await app.tokens.issue({ sub: 'replay' });
  const next = await app.tokens.refresh(first.refreshToken);
  clock.advance(6000);
  await t.rejects(app.tokens.refresh(first.refreshToken), { code: 'FST_TA_REFRESH_REUSED' });
  clock.advance(PAST_REFRESH_TTL_MS / 2);
  await app.tokens.issue({ sub: 'replay' });
  clock.advance(PAST_REFRESH_TTL_MS / 2);

  t.equal((await me(next.accessToken)).json().code, 'FST_TA_TOKEN_REVOKED');
});

import { setTimeout as sleep } from 'node:timers/promises';
import { call } from './http.mjs';

const PASSWORD = 'drill-password-long-enough';
// A client keeps trying this many of its revoked tokens; older ones drop off.
const KEPT_REVOKED = 8;
const KEPT_ISSUED = 16;
const BACKOFF_MS = 50;

/**
 * One simulated user: logs in on its home instance (users live in each API process's memory),
 * then loops over protected requests (home), refreshes (any instance) and, now and then,
 * revokes its own tokens in one of three ways and keeps presenting them to random instances.
 */
export class DrillClient {
  pair = undefined;
  /** The refresh token the current pair was rotated from, and when. */
  previous = undefined;
  issued = [];
  revoked = [];
  step = 0;
  probes = 0;
  /** Pairs this client saw revoked (a logout-all revokes every pair it still remembers). */
  revocations = 0;
  actions = 0;

  constructor({ id, home, instances, recorder, graceMs, thinkMs }) {
    this.id = id;
    this.username = `drill-${id}-${Date.now().toString(36)}`;
    this.home = home;
    this.instances = instances;
    this.recorder = recorder;
    this.graceMs = graceMs;
    this.thinkMs = thinkMs;
  }

  async send(route, instance, method, path, options) {
    const res = await call(instance, method, path, options);
    this.recorder.record(route, instance.name, res, this.id);
    if (res.status === 503) await sleep(BACKOFF_MS + Math.random() * BACKOFF_MS);

    return res;
  }

  any() {
    return this.instances[Math.floor(Math.random() * this.instances.length)];
  }

  async register() {
    const body = { username: this.username, password: PASSWORD };
    const res = await this.send('register', this.home, 'POST', '/auth/register', { body });
    if (res.status !== 201) throw new Error(`register answered ${res.status}`);
  }

  async login() {
    const body = { username: this.username, password: PASSWORD };
    const res = await this.send('login', this.home, 'POST', '/auth/login', { body });
    if (res.status === 200) this.adopt(res.body, undefined);
  }

  /** `from`: the refresh token this pair was rotated from, undefined for a new family. */
  adopt(pair, from) {
    this.pair = pair;
    this.previous = from;
    this.issued.push(pair);
    if (this.issued.length > KEPT_ISSUED) this.issued.shift();
  }

  markRevoked(pair, why, sentAt) {
    const at = { sentAt, confirmedAt: Date.now() };
    this.revoked.push({ token: pair.accessToken, kind: 'access', why, ...at });
    this.revoked.push({ token: pair.refreshToken, kind: 'refresh', why, ...at });
    while (this.revoked.length > KEPT_REVOKED) this.revoked.shift();
    this.revocations++;
  }

  /** Runs until `deadline` (epoch ms); every request is bounded, so the loop is too. */
  async run(deadline) {
    while (Date.now() < deadline) {
      this.step++;
      if (this.pair === undefined) await this.login();
      else if (this.step % 11 === 0) await this.revokeOwn();
      else if (this.step % 3 === 0) await this.rotate();
      else await this.protectedCall();

      if (this.revoked.length > 0 && this.step % 2 === 0) await this.probeRevoked();
      if (this.thinkMs > 0) await sleep(this.thinkMs);
    }
  }

  async protectedCall() {
    const res = await this.send('me', this.home, 'GET', '/me', { token: this.pair.accessToken });
    // A 401 here is a token lost with Redis's data (issued before the ledger): log in again.
    if (res.status === 401) this.pair = undefined;
  }

  async rotate() {
    const body = { refreshToken: this.pair.refreshToken };
    const res = await this.send('refresh', this.any(), 'POST', '/auth/refresh', { body });
    if (res.status === 401) this.pair = undefined;
    if (res.status !== 200) return;

    this.adopt(res.body, { token: this.pair.refreshToken, at: Date.now() });
  }

  /** Logout, logout-all and refresh-token replay, in turn. */
  async revokeOwn() {
    const way = this.actions++ % 3;
    if (way === 0) return this.logout();
    if (way === 1) return this.logoutAll();

    // A replay needs a refresh token this pair was rotated from.
    if (this.previous === undefined) await this.rotate();
    if (this.previous !== undefined && this.pair !== undefined) await this.replay();
  }

  async logout() {
    const { accessToken, refreshToken } = this.pair;
    const options = { token: accessToken, body: { refreshToken } };
    const res = await this.send('logout', this.any(), 'POST', '/auth/logout', options);
    if (res.status === 204) this.markRevoked(this.pair, 'logout', res.startedAt);
    if (res.status === 204 || res.status === 401) this.pair = undefined;
  }

  async logoutAll() {
    const options = { token: this.pair.accessToken };
    const res = await this.send('logout-all', this.any(), 'POST', '/auth/logout-all', options);
    if (res.status === 204) {
      for (const pair of this.issued) this.markRevoked(pair, 'logout-all', res.startedAt);
      this.issued = [];
    }
    if (res.status === 204 || res.status === 401) this.pair = undefined;
  }

  /** Presents the already-redeemed refresh token again once its grace window is over. */
  async replay() {
    const wait = this.previous.at + this.graceMs + 200 - Date.now();
    if (wait > 0) await sleep(wait);
    const body = { refreshToken: this.previous.token };
    this.previous = undefined;
    const res = await this.send('replay', this.any(), 'POST', '/auth/refresh', { body });
    if (res.status === 200) {
      this.recorder.violation('reuse-accepted', { client: this.id });
    }
    if (res.status === 401 && res.code === 'FST_TA_REFRESH_REUSED') {
      this.markRevoked(this.pair, 'refresh-reuse', res.startedAt);
    }
    if (res.status === 401) this.pair = undefined;
  }

  async probeRevoked() {
    const entry = this.revoked[this.probes++ % this.revoked.length];
    const instance = this.any();
    const res =
      entry.kind === 'access'
        ? await this.send('probe-access', instance, 'GET', '/me', { token: entry.token })
        : await this.send('probe-refresh', instance, 'POST', '/auth/refresh', {
            body: { refreshToken: entry.token },
          });
    // 401 (refused) and 503 (store down, refused) are the only safe answers.
    if (res.status === 401 || res.status === 503) return;

    const timeline = this.timeline(entry, res);
    this.recorder.violation(acceptedKind(entry), {
      client: this.id,
      token: entry.kind,
      why: entry.why,
      instance: instance.name,
      status: res.status,
      ...timeline,
    });
  }

  /** When, relative to the run, the token was issued, revoked and accepted anyway. */
  timeline(entry, res) {
    const start = this.recorder.runStart ?? 0;
    const issuedAt = issuedAtMs(entry.token);

    return {
      issuedAtMs: issuedAt === undefined ? null : issuedAt - start,
      revokeSentAtMs: entry.sentAt - start,
      revokeConfirmedAtMs: entry.confirmedAt - start,
      acceptedAtMs: res.startedAt - start,
    };
  }
}

/**
 * A token the client already held was minted no later than the logout-all was sent. Minted
 * in that very millisecond, it escapes a cut-off taken at the same millisecond (`iat_ms` <
 * cut-off is what revokes): named apart, since it is one known defect, not a new one.
 */
function acceptedKind(entry) {
  const issuedAt = issuedAtMs(entry.token);
  const sameMs = entry.why === 'logout-all' && issuedAt !== undefined && issuedAt >= entry.sentAt;

  return sameMs ? 'revoked-accepted-same-ms' : 'revoked-accepted';
}

/**
 * The token's `iat_ms`, read without verifying: the outer layer is itsdangerous'
 * `payload.timestamp.signature` with a JSON string payload holding the JWT.
 */
export function issuedAtMs(token) {
  try {
    const jwt = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

    return typeof claims.iat_ms === 'number' ? claims.iat_ms : undefined;
  } catch {
    return undefined;
  }
}

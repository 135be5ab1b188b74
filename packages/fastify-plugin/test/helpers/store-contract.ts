import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import type { RedeemRequest, RevocationStore, TokenFacts } from '../../src/stores/types.js';

/** What the contract needs to drive one store implementation. */
export interface StoreHarness {
  /** A fresh store; the suite closes it in teardown. */
  create(): Promise<RevocationStore>;
  /** The store's clock, epoch ms. */
  now(): number;
  /** Lets `ms` pass as the store sees time (a fake clock, or a real wait). */
  elapse(ms: number): Promise<void>;
  /** A lifetime short enough to wait out in a test, long enough to outlast a few calls. */
  shortMs: number;
}

const HOUR = 3_600_000;

function token(subject: string, issuedAt: number, lifeMs = HOUR, family?: string): TokenFacts {
  const facts: TokenFacts = { jti: randomUUID(), subject, issuedAt, expiresAt: issuedAt + lifeMs };
  if (family !== undefined) facts.family = family;

  return facts;
}

/** Issues a token the way the plugin does: ledger first, then the token. */
async function issue(
  store: RevocationStore,
  subject: string,
  at: number,
  lifeMs = HOUR,
  family?: string,
): Promise<TokenFacts> {
  const facts = token(subject, at, lifeMs, family);
  await store.recordIssue(subject, at, facts.expiresAt);

  return facts;
}

/** The redeem request the plugin sends when `facts` (a refresh token) is exchanged. */
export function redeemOf(facts: TokenFacts, candidate: string, graceMs: number): RedeemRequest {
  return {
    jti: facts.jti,
    family: facts.family!,
    subject: facts.subject,
    candidate,
    graceMs,
    familyExpiresAt: facts.expiresAt + HOUR,
    expiresAt: facts.expiresAt,
  };
}

function subjectFor(name: string): string {
  return `${name}-${randomUUID()}`;
}

/**
 * The behaviour every revocation store must show. Registers one subtest a behaviour on `t`.
 */
export function storeContract(t: Test, harness: StoreHarness): void {
  const open = async (t: Test) => {
    const store = await harness.create();
    t.teardown(() => store.close());

    return store;
  };

  t.test('a recorded, unrevoked token is not revoked', async (t) => {
    const store = await open(t);
    const facts = await issue(store, subjectFor('alice'), harness.now());

    t.equal(await store.isRevoked(facts), false);
  });

  t.test('revokes one token by jti and leaves its siblings alone', async (t) => {
    const store = await open(t);
    const subject = subjectFor('bob');
    const first = await issue(store, subject, harness.now());
    const second = await issue(store, subject, harness.now());
    await store.revoke(first);

    t.equal(await store.isRevoked(first), true);
    t.equal(await store.isRevoked(second), false);
    t.equal(await store.isRevoked({ ...first, jti: `${first.jti}x` }), false);
  });

  t.test('a jti revocation lives exactly as long as the token', async (t) => {
    const store = await open(t);
    const subject = subjectFor('carol');
    const now = harness.now();
    await store.recordIssue(subject, now, now + HOUR);
    const facts = token(subject, now, harness.shortMs);
    await store.revoke(facts);

    t.equal(await store.isRevoked(facts), true);
    await harness.elapse(harness.shortMs + 60);
    t.equal(await store.isRevoked(facts), false, 'the entry went with the token it revoked');
  });

  t.test('revoking a token that already expired stores nothing and throws nothing', async (t) => {
    const store = await open(t);
    const subject = subjectFor('ken');
    const now = harness.now();
    await store.recordIssue(subject, now - 2000, now - 1000);
    const expired = token(subject, now - 2000, 1000);
    await store.revoke(expired);
    await store.revokeFamily('fam-gone', subject, now - 1000);

    t.equal(await store.isRevoked(expired), true, 'the expired ledger counts as missing');
    const live = await issue(store, subject, now);
    t.equal(await store.isRevoked(live), false, 'issuing again works after the expired one');
  });

  t.test('a later, shorter revocation never shortens an earlier one', async (t) => {
    const store = await open(t);
    const now = harness.now();
    const soon = now + harness.shortMs;
    const byJti = await issue(store, subjectFor('lou'), now - 10);
    await store.revoke(byJti);
    await store.revoke({ ...byJti, expiresAt: soon });
    const byFamily = await issue(store, subjectFor('lou'), now - 10, HOUR, 'fam-long');
    await store.revokeFamily('fam-long', byFamily.subject, now + HOUR);
    await store.revokeFamily('fam-long', byFamily.subject, soon);
    const byCutoff = await issue(store, subjectFor('lou'), now - 10);
    await store.revokeAll(byCutoff.subject, now, HOUR);
    await store.revokeAll(byCutoff.subject, now, harness.shortMs);
    await harness.elapse(harness.shortMs + 60);

    t.equal(await store.isRevoked(byJti), true, 'jti');
    t.equal(await store.isRevoked(byFamily), true, 'family');
    t.equal(await store.isRevoked(byCutoff), true, 'cut-off');
  });

  t.test('revoke-all refuses tokens issued before the cut-off, same second included', async (t) => {
    const store = await open(t);
    const subject = subjectFor('dave');
    const other = subjectFor('erin');
    const at = Math.floor(harness.now() / 1000) * 1000 + 500;
    const before = await issue(store, subject, at - 1);
    const after = await issue(store, subject, at + 1);
    const exact = await issue(store, subject, at);
    const bystander = await issue(store, other, at - 1);
    await store.revokeAll(subject, at, HOUR);

    t.equal(Math.floor(before.issuedAt / 1000), Math.floor(after.issuedAt / 1000));
    t.equal(await store.isRevoked(before), true);
    t.equal(await store.isRevoked(after), false, 'issued after the call in the same second');
    t.equal(await store.isRevoked(exact), false, 'issued at the cut-off itself');
    t.equal(await store.isRevoked(bystander), false, 'another subject is untouched');
  });

  t.test('an earlier revoke-all never lowers a later cut-off', async (t) => {
    const store = await open(t);
    const subject = subjectFor('frank');
    const at = harness.now();
    const facts = await issue(store, subject, at - 10);
    await store.revokeAll(subject, at, HOUR);
    await store.revokeAll(subject, at - 100, HOUR);

    t.equal(await store.isRevoked(facts), true);
  });

  t.test('a cut-off expires after its ttl', async (t) => {
    const store = await open(t);
    const subject = subjectFor('grace');
    const at = harness.now();
    const facts = await issue(store, subject, at - 10);
    await store.revokeAll(subject, at, harness.shortMs);

    t.equal(await store.isRevoked(facts), true);
    await harness.elapse(harness.shortMs + 60);
    t.equal(await store.isRevoked(facts), false);
  });

  t.test('revoking a family refuses every token carrying it', async (t) => {
    const store = await open(t);
    const subject = subjectFor('heidi');
    const now = harness.now();
    const access = await issue(store, subject, now, HOUR, 'fam-a');
    const refresh = await issue(store, subject, now, HOUR, 'fam-a');
    const otherFamily = await issue(store, subject, now, HOUR, 'fam-b');
    const noFamily = await issue(store, subject, now);
    await store.revokeFamily('fam-a', subject, now + HOUR);

    t.equal(await store.isRevoked(access), true);
    t.equal(await store.isRevoked(refresh), true);
    t.equal(await store.isRevoked(otherFamily), false);
    t.equal(await store.isRevoked(noFamily), false);
  });

  t.test('a family revocation expires when asked', async (t) => {
    const store = await open(t);
    const subject = subjectFor('ivan');
    const facts = await issue(store, subject, harness.now(), HOUR, 'fam-short');
    await store.revokeFamily('fam-short', subject, harness.now() + harness.shortMs);

    t.equal(await store.isRevoked(facts), true);
    await harness.elapse(harness.shortMs + 60);
    t.equal(await store.isRevoked(facts), false);
  });

  t.test('a token whose subject has no ledger counts as revoked', async (t) => {
    const store = await open(t);
    const facts = token(subjectFor('judy'), harness.now());

    t.equal(await store.isRevoked(facts), true);
  });

  t.test('a ledger created after the token was issued refuses the token', async (t) => {
    const store = await open(t);
    const subject = subjectFor('mallory');
    const now = harness.now();
    const lost = token(subject, now - 5000);
    const fresh = await issue(store, subject, now);

    t.equal(await store.isRevoked(lost), true, 'issued before the store lost its data');
    t.equal(await store.isRevoked(fresh), false);
  });

  t.test('an earlier issuance recorded late lowers the ledger instead of refusing', async (t) => {
    const store = await open(t);
    const subject = subjectFor('niaj');
    const now = harness.now();
    const later = await issue(store, subject, now);
    const earlier = await issue(store, subject, now - 3);

    t.equal(await store.isRevoked(later), false);
    t.equal(await store.isRevoked(earlier), false);
  });

  t.test('the ledger lives as long as the longest-lived token recorded', async (t) => {
    const store = await open(t);
    const subject = subjectFor('olivia');
    const now = harness.now();
    const long = await issue(store, subject, now, harness.shortMs * 10);
    const short = await issue(store, subject, now + 1, harness.shortMs);
    await harness.elapse(harness.shortMs + 60);

    t.equal(await store.isRevoked(long), false, 'a shorter later token did not shorten it');
    await harness.elapse(harness.shortMs * 9);
    t.equal(await store.isRevoked(long), true, 'gone once every recorded token expired');
    t.ok(short.expiresAt < long.expiresAt);
  });

  t.test('redeems once fresh, then grace within the window, then reuse', async (t) => {
    const store = await open(t);
    const subject = subjectFor('peggy');
    const family = `fam-${randomUUID()}`;
    const refresh = await issue(store, subject, harness.now(), HOUR, family);
    const graceMs = harness.shortMs;

    const first = await store.redeem(redeemOf(refresh, 'pair-1', graceMs));
    t.same(first, { status: 'fresh', successor: 'pair-1' });
    const second = await store.redeem(redeemOf(refresh, 'pair-2', graceMs));
    t.same(second, { status: 'grace', successor: 'pair-1' });
    t.equal(await store.isRevoked(refresh), false, 'grace keeps the family alive');

    await harness.elapse(graceMs + 60);
    const newest = await issue(store, subject, harness.now(), HOUR, family);
    t.same(await store.redeem(redeemOf(refresh, 'pair-3', graceMs)), { status: 'reused' });
    t.equal(await store.isRevoked(newest), true, 'reuse revoked the whole family');
    t.same(await store.redeem(redeemOf(newest, 'pair-4', graceMs)), { status: 'reused' });
  });

  t.test('grace covers only the immediate predecessor', async (t) => {
    const store = await open(t);
    const subject = subjectFor('rupert');
    const family = `fam-${randomUUID()}`;
    const first = await issue(store, subject, harness.now(), HOUR, family);
    const graceMs = harness.shortMs * 10;
    await store.redeem(redeemOf(first, 'pair-1', graceMs));
    const second = await issue(store, subject, harness.now(), HOUR, family);
    const rotated = await store.redeem(redeemOf(second, 'pair-2', graceMs));

    t.equal(rotated.status, 'fresh');
    t.same(await store.redeem(redeemOf(first, 'pair-3', graceMs)), { status: 'reused' });
    t.equal(await store.isRevoked(second), true);
  });

  t.test('redeeming a token of a revoked family is reuse', async (t) => {
    const store = await open(t);
    const subject = subjectFor('sybil');
    const family = `fam-${randomUUID()}`;
    const refresh = await issue(store, subject, harness.now(), HOUR, family);
    await store.revokeFamily(family, subject, refresh.expiresAt);

    t.same(await store.redeem(redeemOf(refresh, 'pair-1', 5000)), { status: 'reused' });
  });

  t.test('ten concurrent redeems share one successor with exactly one fresh', async (t) => {
    const store = await open(t);
    const subject = subjectFor('trent');
    const refresh = await issue(store, subject, harness.now(), HOUR, `fam-${randomUUID()}`);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.redeem(redeemOf(refresh, `pair-${i}`, 5000))),
    );
    const fresh = results.filter((result) => result.status === 'fresh');
    const successors = new Set(results.map((result) => 'successor' in result && result.successor));

    t.equal(fresh.length, 1);
    t.equal(results.filter((result) => result.status === 'grace').length, 9);
    t.equal(successors.size, 1);
    t.equal(await store.isRevoked(refresh), false);
  });

  t.test('reports itself healthy', async (t) => {
    const store = await open(t);
    const report = await store.health();

    t.equal(report.ok, true);
    t.equal(report.store, store.kind);
  });

  t.test('refuses calls once closed, with the store-unavailable code', async (t) => {
    const store = await harness.create();
    const facts = await issue(store, subjectFor('uma'), harness.now());
    await store.close();
    await store.close();

    await t.rejects(store.isRevoked(facts), { code: 'ERR_STORE_UNAVAILABLE' });
    await t.rejects(store.revoke(facts), { code: 'ERR_STORE_UNAVAILABLE' });
  });
}

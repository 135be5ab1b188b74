import t from 'tap';
import { UserStore, UsernameTakenError } from '../src/users.js';

const PASSWORD = 'correct horse battery';

t.test('authenticates a registered user with the right password', async (t) => {
  const users = new UserStore();
  const alice = await users.register('alice', PASSWORD);

  t.match(alice.id, /^[0-9a-f-]{36}$/);
  t.same(await users.authenticate('alice', PASSWORD), alice);
  t.same(users.findById(alice.id), alice);
});

t.test('refuses a wrong password and an unknown username alike', async (t) => {
  const users = new UserStore();
  await users.register('alice', PASSWORD);

  t.equal(await users.authenticate('alice', `${PASSWORD}!`), null);
  t.equal(await users.authenticate('bob', PASSWORD), null);
  t.equal(await users.authenticate('Alice', PASSWORD), null);
});

t.test('refuses a taken username, also when two registrations race', async (t) => {
  const users = new UserStore();
  await users.register('alice', PASSWORD);

  await t.rejects(users.register('alice', 'another password'), { code: 'ERR_USERNAME_TAKEN' });

  const results = await Promise.allSettled([
    users.register('bob', PASSWORD),
    users.register('bob', PASSWORD),
  ]);
  const rejected = results.filter((result) => result.status === 'rejected');

  t.equal(rejected.length, 1);
  t.type((rejected[0] as PromiseRejectedResult).reason, UsernameTakenError);
});

t.test('gives two users with one password different ids and keeps them apart', async (t) => {
  const users = new UserStore();
  const alice = await users.register('alice', PASSWORD);
  const bob = await users.register('bob', PASSWORD);

  t.not(alice.id, bob.id);
  t.equal((await users.authenticate('bob', PASSWORD))?.id, bob.id);
});

t.test('matches a password typed with composed or decomposed accents', async (t) => {
  const users = new UserStore();
  await users.register('zoe', 'caf\u00e9 au lait');

  t.ok(await users.authenticate('zoe', 'cafe\u0301 au lait'));
});

t.test('spends a full hash on an unknown username', async (t) => {
  const users = new UserStore();
  await users.register('alice', PASSWORD);

  const time = async (username: string) => {
    const start = process.hrtime.bigint();
    await users.authenticate(username, PASSWORD);

    return Number(process.hrtime.bigint() - start) / 1e6;
  };

  const known = [await time('alice'), await time('alice'), await time('alice')].sort(
    (a, b) => a - b,
  );
  const unknown = [await time('nobody'), await time('nobody'), await time('nobody')].sort(
    (a, b) => a - b,
  );

  // Compare medians loosely: a skipped hash would be ~1000x faster, noise is far below 2x.
  t.ok(unknown[1]! > known[1]! / 2, `unknown ${unknown[1]} ms vs known ${known[1]} ms`);
});

t.test('returns no hash or salt in the public user', async (t) => {
  const users = new UserStore();
  const alice = await users.register('alice', PASSWORD);

  t.same(Object.keys(alice).sort(), ['id', 'username']);
  t.same(Object.keys(users.findById(alice.id) ?? {}).sort(), ['id', 'username']);
});

t.test('refuses a scrypt cost that is not a power of two in range', async (t) => {
  for (const cost of [1000, 512, 2 ** 21, 2 ** 14 + 0.5]) {
    t.throws(() => new UserStore({ cost }), { name: 'TypeError', message: /"cost" must be/ });
  }

  const cheap = new UserStore({ cost: 2 ** 10 });
  await cheap.register('alice', PASSWORD);

  t.ok(await cheap.authenticate('alice', PASSWORD));
});

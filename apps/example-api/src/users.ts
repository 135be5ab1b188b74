import { randomBytes, randomUUID, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** What the API shows of a user: never the password hash. */
export interface PublicUser {
  id: string;
  username: string;
}

interface StoredUser extends PublicUser {
  salt: Buffer;
  hash: Buffer;
}

/**
 * Raised by {@link UserStore.register} when the username already exists.
 *
 * @example
 * if (err instanceof UsernameTakenError) reply.code(409);
 */
export class UsernameTakenError extends Error {
  readonly code = 'ERR_USERNAME_TAKEN';

  constructor() {
    super('username is taken');
    this.name = 'UsernameTakenError';
  }
}

const KEY_LENGTH = 64;
const SALT_LENGTH = 16;

// OWASP's scrypt floor (N=2^17, r=8, p=1) wants 128 MiB per hash; 2^15 keeps a small demo box
// responsive while still costing an attacker tens of milliseconds per guess.
const DEFAULT_COST = 2 ** 15;

export interface UserStoreOptions {
  /** scrypt's N, a power of two from 2^10 (default 2^15); lower only to speed up tests. */
  cost?: number;
}

function scryptOptions(cost: number): ScryptOptions {
  if (
    !Number.isSafeInteger(cost) ||
    cost < 2 ** 10 ||
    cost > 2 ** 20 ||
    (cost & (cost - 1)) !== 0
  ) {
    throw new TypeError('"cost" must be a power of two from 1024 to 1048576');
  }

  // scrypt needs 128 * N * r bytes; Node refuses anything over maxmem (32 MiB by default).
  return { N: cost, r: 8, p: 1, maxmem: 256 * cost * 8 };
}

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  // NFC so the same password typed on two keyboards (composed or decomposed accents) matches.
  const normalized = password.normalize('NFC');

  return new Promise((resolve, reject) => {
    scrypt(normalized, salt, KEY_LENGTH, options, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

/**
 * Users held in process memory: they vanish on restart, which suits a demo and nothing else.
 *
 * @example
 * const users = new UserStore();
 * const alice = await users.register('alice', 'correct horse battery');
 * const same = await users.authenticate('alice', 'correct horse battery'); // alice
 */
export class UserStore {
  readonly #byName = new Map<string, StoredUser>();
  readonly #byId = new Map<string, StoredUser>();
  // An unknown username still costs one scrypt against this, so response time does not tell
  // an attacker which usernames exist.
  readonly #decoy = { salt: randomBytes(SALT_LENGTH), hash: randomBytes(KEY_LENGTH) };
  readonly #scrypt: ScryptOptions;

  /** @throws {TypeError} when `cost` is not a power of two from 2^10 to 2^20 */
  constructor(options: UserStoreOptions = {}) {
    this.#scrypt = scryptOptions(options.cost ?? DEFAULT_COST);
  }

  /**
   * @throws {UsernameTakenError} `ERR_USERNAME_TAKEN`
   */
  async register(username: string, password: string): Promise<PublicUser> {
    if (this.#byName.has(username)) throw new UsernameTakenError();

    const salt = randomBytes(SALT_LENGTH);
    const hash = await derive(password, salt, this.#scrypt);

    // A concurrent registration of the same name may have finished while we hashed.
    if (this.#byName.has(username)) throw new UsernameTakenError();

    const user: StoredUser = { id: randomUUID(), username, salt, hash };
    this.#byName.set(username, user);
    this.#byId.set(user.id, user);

    return toPublic(user);
  }

  /** The user when the password matches, otherwise null after the same amount of work. */
  async authenticate(username: string, password: string): Promise<PublicUser | null> {
    const user = this.#byName.get(username);
    const { salt, hash } = user ?? this.#decoy;
    const candidate = await derive(password, salt, this.#scrypt);
    const matches = timingSafeEqual(candidate, hash);

    return user && matches ? toPublic(user) : null;
  }

  findById(id: string): PublicUser | undefined {
    const user = this.#byId.get(id);

    return user && toPublic(user);
  }
}

function toPublic(user: StoredUser): PublicUser {
  return { id: user.id, username: user.username };
}

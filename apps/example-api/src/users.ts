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

/** Raised by {@link UserStore.register} when the username already exists. */
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
const SCRYPT_OPTIONS: ScryptOptions = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function derive(password: string, salt: Buffer): Promise<Buffer> {
  // NFC so the same password typed on two keyboards (composed or decomposed accents) matches.
  const normalized = password.normalize('NFC');

  return new Promise((resolve, reject) => {
    scrypt(normalized, salt, KEY_LENGTH, SCRYPT_OPTIONS, (err, key) => {
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

  /**
   * @throws {UsernameTakenError} `ERR_USERNAME_TAKEN`
   */
  async register(username: string, password: string): Promise<PublicUser> {
    if (this.#byName.has(username)) throw new UsernameTakenError();

    const salt = randomBytes(SALT_LENGTH);
    const hash = await derive(password, salt);

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
    const candidate = await derive(password, salt);
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

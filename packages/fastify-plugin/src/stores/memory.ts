import {
  StoreUnavailableError,
  type HealthReport,
  type RedeemRequest,
  type RedeemResult,
  type RevocationStore,
  type TokenFacts,
} from './types.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Most entries held at once (default 100000: about 12 MB at ~120 bytes each); see "full". */
  maxEntries?: number;
  /** Epoch milliseconds (default `Date.now`); tests inject their own. */
  clock?: () => number;
}

/** The in-process store; `size` counts live and not yet swept entries. */
export interface MemoryRevocationStore extends RevocationStore {
  readonly kind: 'memory';
  readonly size: number;
}

interface Redemption {
  at: number;
  successor: string;
}

/**
 * Times here count from the store's creation (`epoch`): small integers stay unboxed in V8,
 * which keeps an entry near 100 bytes instead of 130.
 */
interface Entry {
  key: string;
  value: number | string | Redemption;
  end: number;
  /** When the sweep next looks at the entry; an extension leaves it early, never late. */
  due: number;
}

const DEFAULT_MAX_ENTRIES = 100_000;
const SWEEP_INTERVAL_MS = 1000;
const SWEEP_BACKLOG_INTERVAL_MS = 20;
const SWEEP_BUDGET_MS = 8;
/** Expired entries removed on each write, so a store without timers still shrinks. */
const SWEEP_ON_WRITE = 4;

/**
 * Binary min-heap on `due`. An entry sits in it once (an extension does not push it again), so
 * it holds at most the map's entries plus removed ones whose time has come anyway.
 */
class DueHeap {
  private items: Entry[] = [];
  /** Largest length since the last copy. */
  private highWater = 0;

  get size(): number {
    return this.items.length;
  }

  peek(): Entry | undefined {
    return this.items[0];
  }

  push(entry: Entry): void {
    const items = this.items;
    let index = items.push(entry) - 1;
    if (index >= this.highWater) this.highWater = index + 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (items[parent]!.due <= entry.due) break;
      items[index] = items[parent]!;
      index = parent;
    }
    items[index] = entry;
  }

  pop(): Entry | undefined {
    if (this.items.length * 4 < this.highWater) this.shrink();
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;

    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= items.length) break;
      if (child + 1 < items.length && items[child + 1]!.due < items[child]!.due) child += 1;
      if (items[child]!.due >= last.due) break;
      items[index] = items[child]!;
      index = child;
    }
    items[index] = last;

    return top;
  }

  clear(): void {
    this.items = [];
    this.highWater = 0;
  }

  /** V8 keeps an array's backing store after pops; a copy releases it once mostly empty. */
  private shrink(): void {
    this.items = this.items.slice();
    this.highWater = this.items.length;
  }
}

class MemoryStore implements MemoryRevocationStore {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  private readonly heap = new DueHeap();
  private readonly maxEntries: number;
  private readonly clock: () => number;
  private readonly epoch: number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Tokens issued before `floorAt` count as revoked until `floorUntil`; see `evictOne`. */
  private floorAt = 0;
  private floorUntil = 0;
  private warnedFull = false;

  constructor(options: MemoryStoreOptions) {
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.clock = options.clock ?? Date.now;
    this.epoch = this.clock();
    this.schedule(SWEEP_INTERVAL_MS);
  }

  get size(): number {
    return this.entries.size;
  }

  async recordIssue(subject: string, at: number, expiresAt: number): Promise<void> {
    const now = this.open();
    const ledger = this.read(`l:${subject}`, now);
    // The earliest issuance wins: two issues racing to create the ledger must not leave the
    // earlier token looking older than the ledger.
    const first = ledger === undefined ? at : Math.min(ledger.value as number, at);
    this.write(`l:${subject}`, first, expiresAt, now);
  }

  async isRevoked(facts: TokenFacts): Promise<boolean> {
    const now = this.open();
    if (now < this.floorUntil && facts.issuedAt < this.floorAt) return true;
    if (this.read(`j:${facts.jti}`, now)) return true;
    if (facts.family !== undefined && this.read(`f:${facts.family}`, now)) return true;

    const cutoff = this.read(`c:${facts.subject}`, now);
    if (cutoff && facts.issuedAt < (cutoff.value as number)) return true;

    const ledger = this.read(`l:${facts.subject}`, now);

    return ledger === undefined || facts.issuedAt < (ledger.value as number);
  }

  async revoke(facts: TokenFacts): Promise<void> {
    const now = this.open();
    this.write(`j:${facts.jti}`, 1, facts.expiresAt, now);
  }

  async revokeAll(subject: string, at: number, ttlMs: number): Promise<void> {
    const now = this.open();
    const cutoff = this.read(`c:${subject}`, now);
    const latest = cutoff === undefined ? at : Math.max(cutoff.value as number, at);
    this.write(`c:${subject}`, latest, now + ttlMs, now);
  }

  async revokeFamily(family: string, _subject: string, expiresAt: number): Promise<void> {
    const now = this.open();
    this.write(`f:${family}`, 1, expiresAt, now);
  }

  async redeem(request: RedeemRequest): Promise<RedeemResult> {
    const now = this.open();
    const { jti, family } = request;
    if (this.read(`f:${family}`, now)) return { status: 'reused' };

    const previous = this.read(`r:${jti}`, now);
    if (previous) {
      const first = previous.value as Redemption;
      // Grace covers only the newest redemption of the family: once the successor itself was
      // redeemed, a late copy of its predecessor is a replay.
      const newest = this.read(`g:${family}`, now)?.value === jti;
      if (newest && now - first.at <= request.graceMs) {
        return { status: 'grace', successor: first.successor };
      }
      this.write(`f:${family}`, 1, request.familyExpiresAt, now);

      return { status: 'reused' };
    }

    const mark: Redemption = { at: now, successor: request.candidate };
    this.write(`r:${jti}`, mark, Math.max(request.expiresAt, now + request.graceMs + 1), now);
    this.write(`g:${family}`, jti, Math.max(request.familyExpiresAt, now + 1), now);

    return { status: 'fresh', successor: request.candidate };
  }

  async health(): Promise<HealthReport> {
    return { store: 'memory', ok: !this.closed };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.entries.clear();
    this.heap.clear();
  }

  private open(): number {
    if (this.closed) throw new StoreUnavailableError('memory store closed');

    return this.clock();
  }

  private read(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.end > now - this.epoch) return entry;

    this.remove(entry);

    return undefined;
  }

  /** Sets `value`, keeping the later of the old and new expiry: entries only ever grow. */
  private write(key: string, value: Entry['value'], expiresAt: number, now: number): void {
    const entry = this.read(key, now);
    const end = Math.ceil(expiresAt - this.epoch);
    if (entry) {
      entry.value = value;
      entry.end = Math.max(entry.end, end);

      return;
    }
    if (expiresAt <= now) return;

    this.makeRoom(now);
    const created: Entry = { key, value, end, due: end };
    this.entries.set(key, created);
    this.heap.push(created);
  }

  private remove(entry: Entry): void {
    this.entries.delete(entry.key);
  }

  /** False for an entry already removed on read or replaced since. */
  private holds(entry: Entry): boolean {
    return this.entries.get(entry.key) === entry;
  }

  private makeRoom(now: number): void {
    this.sweep(now, SWEEP_ON_WRITE, Infinity);
    while (this.entries.size >= this.maxEntries) this.evictOne(now);
  }

  /**
   * When full, the store forgets the entry that expires soonest but fails closed: every token
   * issued before now counts as revoked until the forgotten entry would have expired. That
   * logs out everyone holding an older token (a loud, visible failure) instead of silently
   * re-validating a revoked one. Size `maxEntries` so this never happens, or use Redis.
   */
  private evictOne(now: number): void {
    const victim = this.heap.pop();
    if (victim === undefined || !this.holds(victim)) return;
    if (victim.end > victim.due) {
      victim.due = victim.end;
      this.heap.push(victim);

      return;
    }
    this.remove(victim);
    this.floorAt = Math.max(this.floorAt, now);
    this.floorUntil = Math.max(this.floorUntil, victim.end + this.epoch);
    this.warnFull();
  }

  private warnFull(): void {
    if (this.warnedFull) return;

    this.warnedFull = true;
    process.emitWarning(
      `memory revocation store full at ${this.maxEntries} entries: older tokens now refused`,
      { code: 'TA_MEMORY_STORE_FULL' },
    );
  }

  /** Removes due entries until `limit` are handled or `budgetMs` passes; true when caught up. */
  private sweep(now: number, limit: number, budgetMs: number): boolean {
    const started = performance.now();
    const time = now - this.epoch;
    for (let handled = 0; handled < limit; handled++) {
      const top = this.heap.peek();
      if (top === undefined || top.due > time) return true;

      this.heap.pop();
      if (this.holds(top) && top.end > time) {
        top.due = top.end;
        this.heap.push(top);
      } else if (this.holds(top)) {
        this.remove(top);
      }
      if ((handled & 1023) === 1023 && performance.now() - started > budgetMs) return false;
    }

    return false;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      if (this.closed) return;
      const caughtUp = this.sweep(this.clock(), Infinity, SWEEP_BUDGET_MS);
      this.schedule(caughtUp ? SWEEP_INTERVAL_MS : SWEEP_BACKLOG_INTERVAL_MS);
    }, delayMs);
    this.timer.unref();
  }
}

/**
 * Creates the in-process revocation store: bounded, every entry expires on its own (checked on
 * read and swept in the background by an unref'd timer), and all data is lost with the process.
 * The plugin's default; one process only. Through the plugin, a lost subject ledger means every
 * earlier token is refused: a restart signs everyone out, and another process refuses tokens it
 * did not see issued (and misses revocations made here). Use Redis behind a load balancer.
 *
 * When `maxEntries` is reached the store fails closed: every token issued before that moment
 * counts as revoked until the entry it had to forget would have expired.
 *
 * Once closed, every call rejects with `ERR_STORE_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * const store = createMemoryStore({ maxEntries: 50_000 });
 * await store.recordIssue('user-1', Date.now(), Date.now() + 900_000);
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryRevocationStore {
  const { maxEntries } = options;
  if (maxEntries !== undefined && !(Number.isSafeInteger(maxEntries) && maxEntries > 0)) {
    throw new TypeError('"maxEntries" must be a positive integer');
  }

  return new MemoryStore(options);
}

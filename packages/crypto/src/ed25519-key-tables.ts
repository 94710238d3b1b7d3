import { BoundedCache } from './bounded-cache.js';

/** Verifications of a key without a table before its first table is built (a table costs about 30 of them). */
export const FIRST_TABLE_AFTER = 32;
/**
 * Verifications without a table before a key whose table was replaced gets one again: with more keys in rotation
 * than tables, rebuilding costs at most about a tenth more than never building tables.
 */
export const NEXT_TABLE_AFTER = 256;

/** A key's use since it last had a table. */
interface KeyUse {
  verificationsWithoutTable: number;
  tablesBuilt: number;
}

/**
 * Which public keys have a precomputed table in one table verifier (an instance of `assembly/ed25519-verify.ts`),
 * chosen by use. A key gets a table once it was verified {@link FIRST_TABLE_AFTER} times without one
 * ({@link NEXT_TABLE_AFTER} times once it lost a table). When every table is taken, the least recently used one
 * is rebuilt for the new key, but never one that the same job uses. Tables are numbered 1..capacity; uses are
 * counted for at most 4,096 keys.
 */
export class KeyTables {
  readonly capacity: number;
  /** The keys holding a table, least recently used first. */
  readonly #tables = new Map<string, number>();
  readonly #uses = new BoundedCache<string, KeyUse>(4096);

  /** @param capacity - the tables of the verifier (at least 1) */
  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  /**
   * The tables of one job, from the number of its verifications under each key: the table each key's signatures
   * are verified with (0: none). `build(key, table)` is called for each table the job must build first.
   */
  assign(verifications: ReadonlyMap<string, number>, build: (key: string, table: number) => void): Map<string, number> {
    const assigned = new Map<string, number>();
    for (const key of verifications.keys()) {
      const held = this.#tables.get(key);
      if (held === undefined) continue;
      this.#tables.delete(key);
      this.#tables.set(key, held);
      assigned.set(key, held);
    }
    // The most used keys first, so that a job with more candidates than free tables gives them to those.
    const candidates = [...verifications].filter(([key]) => !assigned.has(key)).sort((a, b) => b[1] - a[1]);
    for (const [key, count] of candidates) {
      let use = this.#uses.get(key);
      if (use === undefined) {
        use = { verificationsWithoutTable: 0, tablesBuilt: 0 };
        this.#uses.set(key, use);
      }
      use.verificationsWithoutTable += count;
      const table = use.verificationsWithoutTable >= (use.tablesBuilt === 0 ? FIRST_TABLE_AFTER : NEXT_TABLE_AFTER) ? this.#free(assigned) : 0;
      assigned.set(key, table);
      if (table === 0) continue;
      build(key, table);
      this.#tables.set(key, table);
      use.verificationsWithoutTable = 0;
      use.tablesBuilt++;
    }
    return assigned;
  }

  /** A table to build: an unused one, else the least recently used one outside the job, else 0. */
  #free(job: ReadonlyMap<string, number>): number {
    if (this.#tables.size < this.capacity) return this.#tables.size + 1;
    for (const [key, table] of this.#tables) {
      if (job.has(key)) continue;
      this.#tables.delete(key);
      return table;
    }
    return 0;
  }
}

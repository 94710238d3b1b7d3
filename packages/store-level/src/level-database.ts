import { toStoreError } from './level-errors.js';
import type { BatchOperation, KeyValueReader, WalkOptions } from './key-value.js';

/**
 * Any abstract-level database (classic-level, memory-level, browser-level, a sublevel…), whatever its default
 * encodings: the store passes explicit `view` encodings on every call. Typed structurally, because the
 * abstract-level class types of different implementations are not assignable to each other.
 */
export interface AnyAbstractLevel {
  readonly status: string;
  open(): Promise<void>;
  close(): Promise<void>;
}

/** An abstract-level iterator, as the store reads it: steps of up to `size` items, then close. */
interface WalkIterator<T> {
  nextv(size: number): Promise<T[]>;
  close(): Promise<void>;
}

/** The calls the store makes, all with explicit `view` encodings. */
interface ViewLevel {
  get(key: Uint8Array, options: object): Promise<Uint8Array | undefined>;
  getSync?(key: Uint8Array, options: object): Uint8Array | undefined;
  getMany(keys: Uint8Array[], options: object): Promise<(Uint8Array | undefined)[]>;
  iterator(options: object): WalkIterator<[Uint8Array, Uint8Array]>;
  keys(options: object): WalkIterator<Uint8Array>;
  batch(operations: BatchOperation[], options: object): Promise<void>;
  /** The implementation's batch (abstract-level's private API): operations in its own format, nothing checked. */
  _batch(operations: DirectOperation[], options: object): Promise<void>;
  readonly supports?: { readonly getSync?: boolean; readonly encodings?: { readonly view?: boolean } };
  clear(options: object): Promise<void>;
}

/** True if `value` looks like an abstract-level database. */
export function isAbstractLevel(value: unknown): value is AnyAbstractLevel {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return ['open', 'close', 'get', 'getMany', 'iterator', 'keys', 'batch', 'clear'].every(
    (name) => typeof candidate[name] === 'function',
  );
}

const VIEW = { keyEncoding: 'view', valueEncoding: 'view' } as const;
const KEY_VIEW = { keyEncoding: 'view' } as const;

/** Entries read per iterator step at most; the first step reads no more than a walk's limit. */
const MAX_STEP = 1024;

/**
 * Bytes one iterator step holds at most (classic-level's `highWaterMarkBytes`; other backends ignore it). Its
 * default, 16 KiB, cuts a step of 300-byte records after ~55 rows, and every step is a round trip to a thread.
 */
const STEP_BYTES = 1024 * 1024;

/**
 * The database as raw byte tables: every call uses the `view` encodings, converts the `Buffer`s that classic-level
 * returns into plain `Uint8Array` views, and maps failures to `DOCS_STORE_*` errors.
 */
export class LevelDatabase implements KeyValueReader {
  private readonly level: ViewLevel;
  /**
   * True where the database reads synchronously (classic-level, memory-level): point reads then skip the
   * asynchronous round trip, which costs far more than a LevelDB lookup, mostly of a missing key — and more than
   * a walk over a few dozen neighbouring rows (starting a walk costs ~40 point reads on classic-level).
   */
  readonly syncReads: boolean;

  /** Batch options: the `view` encodings, and `sync` (flush to disk before resolving) when asked for. */
  private readonly batchOptions: object;

  /** Whether batches go straight to the implementation's `_batch` (see the constructor's `direct`). */
  private readonly direct: boolean;

  /**
   * @param options.sync - flush each batch to disk before it resolves
   * @param options.direct - the database is a ClassicLevel the store opened itself (never a sublevel, which adds its
   *   prefix in the public path only), so nobody else can have attached hooks or write listeners to it: batches then
   *   skip abstract-level's public `batch()` — its per-operation copies, checks and encoding lookups, which make it
   *   take ~3 times as long as the write alone — and go to the implementation's `_batch()` in its native `view`
   *   format (abstract-level's documented private API). Ignored where the implementation does not take views.
   */
  constructor(
    readonly db: AnyAbstractLevel,
    options: { readonly sync?: boolean; readonly direct?: boolean } = {},
  ) {
    this.level = db as unknown as ViewLevel;
    this.batchOptions = options.sync === true ? { ...VIEW, sync: true } : VIEW;
    this.syncReads = this.level.supports?.getSync === true && typeof this.level.getSync === 'function';
    this.direct = options.direct === true && this.level.supports?.encodings?.view === true;
  }

  /** The value under `key`, or undefined. */
  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      const value = this.syncReads ? this.level.getSync!(key, VIEW) : await this.level.get(key, VIEW);
      return value === undefined ? undefined : plain(value);
    } catch (error) {
      throw toStoreError(error, 'reading the database');
    }
  }

  /** The values under `keys`, in order. */
  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    if (keys.length === 0) return [];
    if (this.syncReads) return this.getManySync(keys);
    try {
      const values = await this.level.getMany([...keys], VIEW);
      return values.map((value) => (value === undefined ? undefined : plain(value)));
    } catch (error) {
      throw toStoreError(error, 'reading the database');
    }
  }

  /** The values under `keys`, in order, read synchronously: only where {@link syncReads} is true. */
  getManySync(keys: readonly Uint8Array[]): (Uint8Array | undefined)[] {
    if (!this.syncReads) throw new TypeError('this database does not read synchronously');
    try {
      return keys.map((key) => {
        const value = this.level.getSync!(key, VIEW);
        return value === undefined ? undefined : plain(value);
      });
    } catch (error) {
      throw toStoreError(error, 'reading the database');
    }
  }

  /** Entries in `[gte, lt)`, read in growing steps so that a walk stopped early reads little. */
  async *entries(options: WalkOptions): AsyncGenerator<[Uint8Array, Uint8Array]> {
    for await (const batch of this.steps((range) => this.level.iterator({ ...range, ...VIEW }), options)) {
      for (const [key, value] of batch) yield [plain(key), plain(value)];
    }
  }

  /** Keys only, in `[gte, lt)`, read as {@link entries} reads entries. */
  async *keys(options: WalkOptions): AsyncGenerator<Uint8Array> {
    for await (const batch of this.steps((range) => this.level.keys({ ...range, ...KEY_VIEW }), options)) {
      for (const key of batch) yield plain(key);
    }
  }

  /**
   * The steps of one walk: an iterator opened on the walk's range, read in growing steps (from `readAhead`, or the
   * limit, or 16), ending without another read once the limit is reached; closed when the walk ends. From the third
   * step on, each is asked for before the one before it is handed out, so the database reads it while the caller
   * works through that one (a walk over a whole namespace then costs its reading or its decoding, not both); a walk
   * that stops within its first step reads no more than it did. A step is cut short by the limit, by
   * {@link STEP_BYTES} or by the end of the range; past the end, classic-level answers without a read.
   */
  private async *steps<T>(open: (range: object) => WalkIterator<T>, options: WalkOptions): AsyncGenerator<T[]> {
    const { gte, lt, reverse = false, limit, readAhead } = options;
    if (limit === 0) return;
    let iterator: WalkIterator<T>;
    try {
      iterator = open({ gte, ...bound(lt), reverse, ...(limit === undefined ? {} : { limit }), highWaterMarkBytes: STEP_BYTES });
    } catch (error) {
      throw toStoreError(error, 'reading the database');
    }
    const read = (size: number): Promise<T[]> => {
      const reading = iterator.nextv(size).catch((error: unknown) => {
        throw toStoreError(error, 'reading the database');
      });
      // A step read ahead may be left unawaited when the caller stops early.
      reading.catch(() => undefined);
      return reading;
    };
    try {
      let step = Math.max(1, Math.min(readAhead ?? limit ?? 16, MAX_STEP));
      // Entries still allowed by the limit: once none are, the walk ends without another read.
      let left = limit ?? Infinity;
      let next: Promise<T[]> | undefined = read(step);
      for (let handedOut = 0; next !== undefined; handedOut++) {
        const batch: T[] = await next;
        if (batch.length === 0) return;
        left -= batch.length;
        step = Math.min(step * 2, MAX_STEP, left);
        // Read ahead once the walk has gone past its first step: one that stops within it reads nothing more.
        next = left > 0 && handedOut > 0 ? read(step) : undefined;
        yield batch;
        if (next === undefined && left > 0) next = read(step);
      }
    } finally {
      // Not awaited: the walk is over, and closing costs a round trip; db.close() waits for it anyway.
      void iterator.close().catch(() => undefined);
    }
  }

  /** Applies the operations atomically. */
  async batch(operations: readonly BatchOperation[]): Promise<void> {
    if (operations.length === 0) return;
    try {
      // Not open (closed under the store): the public batch() throws its error where the implementation's might crash.
      if (this.direct && this.db.status === 'open') {
        await this.level._batch(operations.map(directOperation), this.batchOptions);
      } else {
        await this.level.batch(operations as BatchOperation[], this.batchOptions);
      }
    } catch (error) {
      throw toStoreError(error, 'writing the database');
    }
  }

  /** Deletes every key in `[gte, lt)` (not atomic with anything else). */
  async clear(gte: Uint8Array, lt: Uint8Array): Promise<void> {
    try {
      await this.level.clear({ gte, lt, ...KEY_VIEW });
    } catch (error) {
      throw toStoreError(error, 'clearing the database');
    }
  }
}

function bound(lt: Uint8Array | undefined): { lt?: Uint8Array } {
  return lt === undefined ? {} : { lt };
}

/** An operation as an implementation's `_batch()` takes it: encodings named and normalised (both `view`). */
type DirectOperation = BatchOperation & { readonly keyEncoding: 'view'; readonly valueEncoding?: 'view' };

function directOperation(operation: BatchOperation): DirectOperation {
  return operation.type === 'put'
    ? { type: 'put', key: operation.key, value: operation.value, keyEncoding: 'view', valueEncoding: 'view' }
    : { type: 'del', key: operation.key, keyEncoding: 'view' };
}

/** A plain `Uint8Array` view of the same bytes (classic-level hands out `Buffer`s). */
export function plain(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

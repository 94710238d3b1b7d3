import { bytesToHex, compareBytes, hexToBytes, type AuthorId } from '@docs/crypto';
import { PostcardReader, PostcardWriter, varintSize } from '@docs/entry';

/** Size of an author id in the encoding. */
const AUTHOR_ID_LENGTH = 32;

/**
 * The newest entry timestamp seen per author (the reference's `AuthorHeads`, heads.rs). After a sync, a peer
 * gossips its heads (`SyncReport`); a receiver that learns of newer entries syncs with that peer.
 */
export class AuthorHeads {
  /** Author id (hex) → newest timestamp. */
  readonly #heads = new Map<string, bigint>();

  /** Heads from `[author, timestamp]` pairs (the newest timestamp per author is kept). */
  static from(pairs: Iterable<readonly [AuthorId, bigint]>): AuthorHeads {
    const heads = new AuthorHeads();
    for (const [author, timestamp] of pairs) heads.insert(author, timestamp);
    return heads;
  }

  /**
   * Decodes the postcard `Vec<(u64 timestamp, [u8; 32] author)>` that {@link encode} (or a Rust peer) wrote.
   * Malformed input → `DOCS_ENTRY_*` errors.
   */
  static decode(bytes: Uint8Array): AuthorHeads {
    const reader = new PostcardReader(bytes);
    const count = reader.count(1 + AUTHOR_ID_LENGTH, 'author heads count');
    const heads = new AuthorHeads();
    for (let index = 0; index < count; index++) {
      const timestamp = reader.varint('author head timestamp');
      heads.insert(reader.raw(AUTHOR_ID_LENGTH, 'author head id'), timestamp);
    }
    reader.end('author heads');
    return heads;
  }

  /** Records a timestamp for an author, keeping the newest. */
  insert(author: AuthorId, timestamp: bigint): void {
    if (author.length !== AUTHOR_ID_LENGTH) throw new RangeError(`an author id has ${AUTHOR_ID_LENGTH} bytes`);
    const key = bytesToHex(author);
    const current = this.#heads.get(key);
    if (current === undefined || timestamp > current) this.#heads.set(key, timestamp);
  }

  /** The newest timestamp recorded for an author. */
  get(author: AuthorId): bigint | undefined {
    return this.#heads.get(bytesToHex(author));
  }

  /** Number of authors. */
  get size(): number {
    return this.#heads.size;
  }

  /** `[author, timestamp]` pairs in author byte order. */
  entries(): Array<[AuthorId, bigint]> {
    return [...this.#heads]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, timestamp]) => [hexToBytes(key), timestamp]);
  }

  /**
   * How many authors these heads have newer entries of than `other` knows: authors missing from `other` or with a
   * greater timestamp here. 0 means no news.
   */
  hasNewsFor(other: AuthorHeads): number {
    let news = 0;
    for (const [key, timestamp] of this.#heads) {
      const theirs = other.#heads.get(key);
      if (theirs === undefined || timestamp > theirs) news++;
    }
    return news;
  }

  /**
   * Postcard `Vec<(u64 timestamp, [u8; 32] author)>`, newest first, holding as many of the newest heads as fit in
   * `limit` bytes (no limit by default); it stops at the first head that does not fit, as the reference does.
   *
   * Unlike the reference, authors with equal timestamps are all kept (it keys a map by timestamp, so all but one
   * of them were dropped). Equal timestamps are ordered by author id, descending. A Rust peer decodes the result
   * unchanged.
   */
  encode(limit?: number): Uint8Array {
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
      throw new RangeError('limit must be a non-negative integer');
    }
    const newestFirst = [...this.#heads]
      .map(([key, timestamp]) => ({ author: hexToBytes(key), timestamp }))
      .sort((a, b) => (a.timestamp !== b.timestamp ? (a.timestamp > b.timestamp ? -1 : 1) : compareBytes(b.author, a.author)));
    let kept = 0;
    let itemBytes = 0;
    for (const head of newestFirst) {
      const grown = itemBytes + varintSize(head.timestamp) + AUTHOR_ID_LENGTH;
      if (limit !== undefined && varintSize(kept + 1) + grown > limit) break;
      itemBytes = grown;
      kept++;
    }
    const writer = new PostcardWriter(varintSize(kept) + itemBytes).varint(kept);
    for (const head of newestFirst.slice(0, kept)) writer.varint(head.timestamp).raw(head.author);
    return writer.finish();
  }
}

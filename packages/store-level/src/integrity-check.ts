import { bytesToHex, compareBytes, equalBytes } from '@docs/crypto';
import { entryFingerprint } from '@docs/entry';
import {
  AggregateRecomputation,
  decodeAggregate,
  type Aggregate,
  type FingerprintAggregates,
} from './fingerprint-aggregates.js';
import { META_KEY, TABLE, byKeyKey, metaKey, recordKey, tableBounds } from './key-layout.js';
import { chunkKey, decodeBlobInfo, type BlobInfo } from './level-blob-store.js';
import type { LevelDatabase } from './level-database.js';
import { PageRowBuilder } from './page-rows.js';
import { FORMAT_VERSION, encodeFormatVersion } from './store-format.js';
import { decodeStoredRecord, storedFingerprint } from './stored-record.js';

/** What {@link checkIntegrity} found. */
export interface IntegrityReport {
  /** True if nothing is wrong. */
  readonly ok: boolean;
  /** One line per problem (at most {@link MAX_PROBLEMS}). */
  readonly problems: readonly string[];
  /** Records checked. */
  readonly records: number;
  /** Aggregate nodes checked. */
  readonly aggregateNodes: number;
}

/** Problems listed at most; the check goes on counting. */
export const MAX_PROBLEMS = 100;

/** Index rows resolved per database call. */
const LOOKUP_BATCH = 256;

/**
 * Checks a store against its records, with a full scan: every record decodes and holds its true fingerprint;
 * the by-key index has exactly one row per record; each latest-per-author row holds the author's greatest
 * timestamp and names a stored entry with it; and every aggregate node and page row equals the recomputation from
 * the records (none missing, none extra). Also checks the format row and the blob rows' chunks.
 */
export async function checkIntegrity(database: LevelDatabase, aggregates: FingerprintAggregates): Promise<IntegrityReport> {
  const problems: string[] = [];
  const report = (problem: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(problem);
  };

  const format = await database.get(metaKey(META_KEY.format));
  if (format === undefined || !equalBytes(format, encodeFormatVersion(FORMAT_VERSION))) report('the format row is missing or not current');

  // Records: fingerprints, expected aggregates, page rows and per-author maxima.
  const recomputation = new AggregateRecomputation(aggregates);
  const pages = new PageRowBuilder();
  const pageRows = new StoredRows(database.entries(tableBounds(TABLE.pages)), 'page row', report);
  const latestTimestamps = new Map<string, bigint>();
  let records = 0;
  for await (const [key, value] of database.entries(tableBounds(TABLE.records))) {
    records++;
    const id = key.subarray(1);
    let fingerprint: Uint8Array;
    try {
      const signed = decodeStoredRecord(id, value);
      fingerprint = storedFingerprint(value);
      if (!equalBytes(fingerprint, entryFingerprint(signed.entry))) report(`record ${bytesToHex(id)}: stored fingerprint is wrong`);
      const author = bytesToHex(id.subarray(0, 64));
      const timestamp = signed.entry.record.timestamp;
      const known = latestTimestamps.get(author);
      if (known === undefined || timestamp > known) latestTimestamps.set(author, timestamp);
    } catch (error) {
      report(`record ${bytesToHex(id)}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    recomputation.add(id, fingerprint);
    await pageRows.expect(pages.add(id, fingerprint, aggregates.levelOf(id) >= 1));
  }
  recomputation.finish();
  await pageRows.expect(pages.finish());
  await pageRows.finish();

  // By-key index: as many rows as records, each naming a stored record.
  let indexRows = 0;
  let batch: Uint8Array[] = [];
  const resolveBatch = async (): Promise<void> => {
    const values = await database.getMany(batch.map((id) => recordKey(id)));
    values.forEach((value, index) => {
      if (value === undefined) report(`by-key row for ${bytesToHex(batch[index]!)} has no record`);
    });
    batch = [];
  };
  for await (const indexKey of database.keys(tableBounds(TABLE.byKey))) {
    indexRows++;
    const id = idOfIndexRow(indexKey);
    if (id === undefined || !equalBytes(byKeyKey(id.subarray(0, 32), id.subarray(64), id.subarray(32, 64)), indexKey)) {
      report(`by-key row ${bytesToHex(indexKey)} is malformed`);
      continue;
    }
    batch.push(id);
    if (batch.length === LOOKUP_BATCH) await resolveBatch();
  }
  if (batch.length > 0) await resolveBatch();
  if (indexRows !== records) report(`the by-key index has ${indexRows} rows for ${records} records`);

  // Latest per author: the maximum timestamp, naming a stored entry that has it.
  for await (const [key, value] of database.entries(tableBounds(TABLE.latest))) {
    const owner = bytesToHex(key.subarray(1));
    const expected = latestTimestamps.get(owner);
    latestTimestamps.delete(owner);
    if (value.length < 8) {
      report(`latest row ${owner} is malformed`);
      continue;
    }
    const timestamp = new DataView(value.buffer, value.byteOffset, 8).getBigUint64(0);
    if (expected !== timestamp) report(`latest row ${owner}: timestamp ${timestamp}, records say ${expected}`);
    const named = await database.get(recordKey(new Uint8Array([...key.subarray(1), ...value.subarray(8)])));
    if (named === undefined) report(`latest row ${owner} names a missing entry`);
  }
  for (const owner of latestTimestamps.keys()) report(`author ${owner} has records but no latest row`);

  // Aggregates: stored nodes equal the recomputation.
  const expected = new Map<string, Aggregate>(
    recomputation.nodes.map((node) => [bytesToHex(node.key), node.aggregate] as const),
  );
  let aggregateNodes = 0;
  for await (const [key, value] of database.entries(tableBounds(TABLE.aggregates))) {
    aggregateNodes++;
    const name = bytesToHex(key);
    const want = expected.get(name);
    expected.delete(name);
    if (want === undefined) {
      report(`aggregate node ${name} should not exist`);
      continue;
    }
    let stored: Aggregate;
    try {
      stored = decodeAggregate(value);
    } catch {
      report(`aggregate node ${name} is malformed`);
      continue;
    }
    if (stored.count !== want.count || !equalBytes(stored.xor, want.xor)) {
      report(`aggregate node ${name}: stored count ${stored.count}, recomputed ${want.count}${equalBytes(stored.xor, want.xor) ? '' : ', XOR differs'}`);
    }
  }
  for (const name of expected.keys()) report(`aggregate node ${name} is missing`);

  // Blobs: every chunk a blob row counts is there.
  for await (const [key, value] of database.entries(tableBounds(TABLE.blobs))) {
    let info: BlobInfo;
    try {
      info = decodeBlobInfo(value);
    } catch {
      report(`blob row ${bytesToHex(key)} is malformed`);
      continue;
    }
    const chunks = await database.getMany(Array.from({ length: info.chunkCount }, (_, index) => chunkKey(info.uploadId, index)));
    if (chunks.some((chunk) => chunk === undefined)) report(`blob ${bytesToHex(key.subarray(1))} misses chunks`);
  }

  return { ok: problems.length === 0, problems, records, aggregateNodes };
}

/** A table's stored rows, compared in key order with the rows expected of it, one by one. */
class StoredRows {
  private readonly rows: AsyncIterator<[Uint8Array, Uint8Array]>;
  private current: [Uint8Array, Uint8Array] | undefined | null = null;

  constructor(
    rows: AsyncIterable<[Uint8Array, Uint8Array]>,
    private readonly what: string,
    private readonly report: (problem: string) => void,
  ) {
    this.rows = rows[Symbol.asyncIterator]();
  }

  /** The next expected row (keys increasing; undefined: none): stored rows before it should not exist. */
  async expect(row: { key: Uint8Array; value: Uint8Array } | undefined): Promise<void> {
    if (row === undefined) return;
    for (;;) {
      const stored = await this.peek();
      const order = stored === undefined ? 1 : compareBytes(stored[0], row.key);
      if (order > 0) {
        this.report(`${this.what} ${bytesToHex(row.key)} is missing`);
        return;
      }
      this.current = null;
      if (order < 0) {
        this.report(`${this.what} ${bytesToHex(stored![0])} should not exist`);
        continue;
      }
      if (!equalBytes(stored![1], row.value)) this.report(`${this.what} ${bytesToHex(row.key)} does not match the records`);
      return;
    }
  }

  /** After the last expected row: the stored rows left should not exist. */
  async finish(): Promise<void> {
    for (let stored = await this.peek(); stored !== undefined; this.current = null, stored = await this.peek()) {
      this.report(`${this.what} ${bytesToHex(stored[0])} should not exist`);
    }
  }

  private async peek(): Promise<[Uint8Array, Uint8Array] | undefined> {
    if (this.current === null) {
      const next = await this.rows.next();
      this.current = next.done === true ? undefined : next.value;
    }
    return this.current;
  }
}

/** The record id a by-key row points to, or undefined if the row cannot be parsed. */
function idOfIndexRow(indexKey: Uint8Array): Uint8Array | undefined {
  if (indexKey.length < 1 + 32 + 2 + 32) return undefined;
  const escaped = indexKey.subarray(33, indexKey.length - 34);
  const key: number[] = [];
  for (let index = 0; index < escaped.length; index++) {
    const byte = escaped[index]!;
    key.push(byte);
    if (byte === 0) {
      if (escaped[index + 1] !== 0xff) return undefined;
      index++;
    }
  }
  const id = new Uint8Array(64 + key.length);
  id.set(indexKey.subarray(1, 33), 0);
  id.set(indexKey.subarray(indexKey.length - 32), 32);
  id.set(key, 64);
  return id;
}

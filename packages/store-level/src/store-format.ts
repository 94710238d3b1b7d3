import { STORE_ERROR_CODES, StoreError } from '@docs/store';
import { FingerprintAggregates, checkAggregateShape, type AggregateShape } from './fingerprint-aggregates.js';
import { META_KEY, TABLE, metaKey, tableBounds } from './key-layout.js';
import type { BatchOperation } from './key-value.js';
import type { LevelDatabase } from './level-database.js';
import { PageRowBuilder } from './page-rows.js';
import { STORED_RECORD_LENGTH, storedFingerprint } from './stored-record.js';

/**
 * The on-disk format this code writes and reads. A store written by a newer format is refused with
 * `DOCS_STORE_INCOMPATIBLE_FORMAT` rather than misread.
 */
export const FORMAT_VERSION = 2;

/** Bytes of page rows written per batch while a format-1 store is upgraded. */
const UPGRADE_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Reads the format rows of an existing store (three gets, no scan) or writes them into an empty database, and
 * returns the aggregate structure to use. A new store takes `shape` and a random level salt; an existing store keeps
 * its own.
 */
export async function prepareFormat(database: LevelDatabase, shape: AggregateShape): Promise<FingerprintAggregates> {
  const [format, storedShape, salt] = await database.getMany([
    metaKey(META_KEY.format),
    metaKey(META_KEY.aggregateShape),
    metaKey(META_KEY.levelSalt),
  ]);
  if (format === undefined) return initialise(database, checkAggregateShape(shape));
  if (format.length !== 4) throw corrupted('the format version row is malformed');
  const version = new DataView(format.buffer, format.byteOffset, 4).getUint32(0);
  if (version > FORMAT_VERSION) {
    throw new StoreError(
      STORE_ERROR_CODES.INCOMPATIBLE_FORMAT,
      `this store was written in format ${version} by a newer @docs/store-level; this version reads format ${FORMAT_VERSION} only`,
    );
  }
  if (version < 1) throw corrupted(`unknown format version ${version}`);
  if (storedShape === undefined || storedShape.length !== 2 || salt === undefined || salt.length !== 32) {
    throw corrupted('the aggregate settings of the store are missing or malformed');
  }
  let aggregates: FingerprintAggregates;
  try {
    aggregates = new FingerprintAggregates({ bitsPerLevel: storedShape[0]!, levels: storedShape[1]! }, salt.slice());
  } catch (error) {
    throw new StoreError(STORE_ERROR_CODES.CORRUPTED, 'the stored aggregate shape is invalid', { cause: error });
  }
  if (version === 1) await upgradeFromFormatOne(database, aggregates);
  return aggregates;
}

/**
 * Format 1 had no pages table: writes every page row from the records (one scan), in batches, then the format row.
 * A crash before the format row leaves a format-1 store whose upgrade starts over on the next open.
 */
async function upgradeFromFormatOne(database: LevelDatabase, aggregates: FingerprintAggregates): Promise<void> {
  const pages = tableBounds(TABLE.pages);
  await database.clear(pages.gte, pages.lt);
  const builder = new PageRowBuilder();
  let batch: BatchOperation[] = [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    if (batch.length > 0) await database.batch(batch);
    batch = [];
    bytes = 0;
  };
  const add = async (row: { key: Uint8Array; value: Uint8Array } | undefined): Promise<void> => {
    if (row === undefined) return;
    batch.push({ type: 'put', key: row.key, value: row.value });
    bytes += row.key.length + row.value.length;
    if (bytes >= UPGRADE_BATCH_BYTES) await flush();
  };
  for await (const [key, value] of database.entries(tableBounds(TABLE.records))) {
    const id = key.subarray(1);
    // A malformed record gets no page entry: the store opens, and checkIntegrity reports the record.
    if (value.length !== STORED_RECORD_LENGTH || id.length < 64) continue;
    await add(builder.add(id, storedFingerprint(value), aggregates.levelOf(id) >= 1));
  }
  await add(builder.finish());
  await flush();
  await database.batch([{ type: 'put', key: metaKey(META_KEY.format), value: encodeFormatVersion(FORMAT_VERSION) }]);
}

/** Encodes a format version row. */
export function encodeFormatVersion(version: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, version);
  return out;
}

async function initialise(database: LevelDatabase, shape: AggregateShape): Promise<FingerprintAggregates> {
  for await (const [key] of database.entries({ gte: new Uint8Array(), limit: 1 })) {
    throw new StoreError(
      STORE_ERROR_CODES.INCOMPATIBLE_FORMAT,
      `the database is not empty but has no @docs store format row (first key ${key.length} bytes); use an empty database or a sublevel of its own`,
    );
  }
  const salt = crypto.getRandomValues(new Uint8Array(32));
  await database.batch([
    { type: 'put', key: metaKey(META_KEY.aggregateShape), value: Uint8Array.of(shape.bitsPerLevel, shape.levels) },
    { type: 'put', key: metaKey(META_KEY.levelSalt), value: salt },
    // Written last in the same batch: a store is recognised by this row.
    { type: 'put', key: metaKey(META_KEY.format), value: encodeFormatVersion(FORMAT_VERSION) },
  ]);
  return new FingerprintAggregates(shape, salt);
}

function corrupted(message: string): StoreError {
  return new StoreError(STORE_ERROR_CODES.CORRUPTED, message);
}

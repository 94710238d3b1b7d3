export { DEFAULT_AGGREGATE_SHAPE, type AggregateShape } from './fingerprint-aggregates.js';
export { MAX_PROBLEMS, type IntegrityReport } from './integrity-check.js';
export { META_KEY, TABLE } from './key-layout.js';
export { BLOB_CHUNK_SIZE, LevelBlobStore } from './level-blob-store.js';
export type { AnyAbstractLevel } from './level-database.js';
export { LevelRangeStore } from './level-range-store.js';
export { DEFAULT_CACHED_RECORDS } from './record-pages.js';
export { LevelStore, type LevelStoreLocation, type LevelStoreOptions } from './level-store.js';
export { FORMAT_VERSION } from './store-format.js';

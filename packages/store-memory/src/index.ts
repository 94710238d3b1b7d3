export { MemoryBlobStore } from './memory-blob-store.js';
export { MemoryRangeStore } from './memory-range-store.js';
export { MemoryStore } from './memory-store.js';

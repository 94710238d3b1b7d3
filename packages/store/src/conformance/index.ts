export { expectDocsError, expectPlainBytes, expectPlainEntry, expectSameBytes, expectSameEntries, expectSameEntry } from './assertions.js';
export { collect, describeEntry, signTestEntry, testAuthor, testNamespace, toBytes, type TestEntrySpec } from './fixtures.js';
export { slowFromEnvironment, type StoreConformanceOptions } from './harness.js';
export { StoreModel } from './model.js';
export { runStoreConformance } from './run-store-conformance.js';
export { SeededRandom } from './seeded-random.js';
